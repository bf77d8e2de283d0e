# ddnsd container image: the single executable (npm run build:sea) on a
# minimal base that holds only what Node.js's binary needs: the C libraries it
# links to, CA certificates, /etc/passwd and /tmp. No shell, no package manager.
#   docker build -t ddnsd .
#   docker buildx build --platform linux/amd64,linux/arm64 -t ddnsd .
# The build stage runs on the building machine's platform (any Node.js 20.18.1+
# image with npm) and writes the executable for the target platform; the final
# stage has no RUN step, so it builds for another platform without an emulator.
# Without a registry, scripts/container/sea-base.sh makes an equivalent base
# from Debian's packages (BASE_IMAGE=localhost/ddnsd-cc-base:bookworm-<arch>).
ARG NODE_IMAGE=node:20-bookworm-slim
ARG BASE_IMAGE=gcr.io/distroless/cc-debian12

FROM --platform=$BUILDPLATFORM ${NODE_IMAGE} AS build
ARG TARGETARCH=amd64
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY scripts/bundle ./scripts/bundle
COPY scripts/sea ./scripts/sea
# Behind a TLS-inspecting proxy, hand its CA to npm for the steps that fetch:
#   docker build --secret id=npm_ca,src=/path/to/proxy-ca.crt .
RUN --mount=type=secret,id=npm_ca,required=false \
    if [ -f /run/secrets/npm_ca ]; then export NODE_EXTRA_CA_CERTS=/run/secrets/npm_ca; fi \
 && npm ci --ignore-scripts --no-audit --no-fund
COPY src ./src
COPY providers ./providers
RUN --mount=type=secret,id=npm_ca,required=false \
    if [ -f /run/secrets/npm_ca ]; then export NODE_EXTRA_CA_CERTS=/run/secrets/npm_ca; fi \
 && npm run build \
 && node scripts/sea/build.mjs --target "linux-$(echo "$TARGETARCH" | sed 's/amd64/x64/')" \
 && mv dist/sea/ddnsd-linux-* /ddnsd \
 && mkdir -p /out/data /out/config

FROM --platform=$TARGETPLATFORM ${BASE_IMAGE}
ARG BASE_IMAGE
# Keep in step with package.json's version (a test checks).
ARG VERSION=0.1.0
LABEL org.opencontainers.image.title="ddnsd" \
      org.opencontainers.image.description="Self-hosted dynamic DNS updater: keeps DNS hostnames pointed at this network's external IP address" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.base.name="${BASE_IMAGE}"
COPY --from=build /ddnsd /usr/local/bin/ddnsd
COPY --from=build /app/dist/bundle/THIRD-PARTY-LICENSES.txt /usr/share/doc/ddnsd/THIRD-PARTY-LICENSES.txt
# /data belongs to the user ddnsd runs as, so a fresh named volume is writable.
COPY --from=build --chown=1000:1000 /out/data /data
COPY --from=build /out/config /config
# V8's young generation at most 1 MiB per semi-space keeps the daemon's
# resident memory lower over days of cycles at the same CPU cost
# (docs/performance.md); the executable reads it from NODE_OPTIONS, as the
# services give it (NODE_FLAGS in src/v8.ts).
ENV NODE_OPTIONS="--max-semi-space-size=1" \
    DDNSD_CONFIG=/config/config.yaml \
    DDNSD_LISTEN=0.0.0.0:8080 \
    DDNSD_STATE=/data/state.json \
    LOG_FORMAT=json
USER 1000:1000
VOLUME /data
EXPOSE 8080
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["/usr/local/bin/ddnsd", "health"]
ENTRYPOINT ["/usr/local/bin/ddnsd"]
CMD ["run"]
