# ddnsd container image.
#   docker build -t ddnsd .
#   docker build --build-arg NODE_IMAGE=node:24-slim -t ddnsd .
# The final stage has no RUN step (no package manager, no shell needed), so
# any Node.js 20.18.1+ image with npm for the build stage and node on PATH works.
# It holds only the bundle (dist/bundle: ddnsd and its libraries in a few
# files, no node_modules), which is all `ddnsd` needs to run.
ARG NODE_IMAGE=node:24-alpine

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY scripts/bundle ./scripts/bundle
# Behind a TLS-inspecting proxy, hand its CA to npm for this step only:
#   docker build --secret id=npm_ca,src=/path/to/proxy-ca.crt .
RUN --mount=type=secret,id=npm_ca,required=false \
    if [ -f /run/secrets/npm_ca ]; then export NODE_EXTRA_CA_CERTS=/run/secrets/npm_ca; fi \
 && npm ci --ignore-scripts --no-audit --no-fund
COPY src ./src
COPY providers ./providers
RUN npm run build \
 && mkdir -p /out/data /out/config

FROM ${NODE_IMAGE}
ARG NODE_IMAGE
# Keep in step with package.json's version (a test checks).
ARG VERSION=0.1.0
LABEL org.opencontainers.image.title="ddnsd" \
      org.opencontainers.image.description="Self-hosted dynamic DNS updater: keeps DNS hostnames pointed at this network's external IP address" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.base.name="${NODE_IMAGE}"
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/dist/bundle ./dist/bundle
# /data belongs to the user ddnsd runs as, so a fresh named volume is writable.
COPY --from=build --chown=1000:1000 /out/data /data
COPY --from=build /out/config /config
ENV NODE_ENV=production \
    DDNSD_CONFIG=/config/config.yaml \
    DDNSD_LISTEN=0.0.0.0:8080 \
    DDNSD_STATE=/data/state.json \
    LOG_FORMAT=json
USER 1000:1000
VOLUME /data
EXPOSE 8080
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "/app/dist/bundle/bin.cjs", "health"]
# A young generation of at most 2 MiB per semi-space keeps the resident memory about 25 MiB lower over days of cycles (docs/performance.md).
ENTRYPOINT ["node", "--max-semi-space-size=2", "/app/dist/bundle/bin.cjs"]
CMD ["run"]
