#!/bin/sh
# Installs what `npm run bench` compares with and measures by, from Debian:
# ddclient (never started: services may not start during the install, and
# its unit is disabled afterwards so no boot starts it) and GNU time (peak
# memory of one-shot runs). Needs root; does nothing for what is there.
set -eu
need=""
command -v ddclient >/dev/null 2>&1 || [ -x /usr/sbin/ddclient ] || need="$need ddclient"
[ -x /usr/bin/time ] || need="$need time"
[ -z "$need" ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "bench: as root, install$need from Debian (apt-get install$need), or run: sudo sh bench/install-tools.sh" >&2
  exit 1
fi
# Forbid starting services while installing, unless a policy is already in place.
made_policy=""
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
  chmod 755 /usr/sbin/policy-rc.d
  made_policy=1
fi
cleanup() { [ -n "$made_policy" ] && rm -f /usr/sbin/policy-rc.d; return 0; }
trap cleanup EXIT
export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086
if ! timeout 300 apt-get install -y --no-install-recommends $need; then
  timeout 300 apt-get update
  # shellcheck disable=SC2086
  timeout 300 apt-get install -y --no-install-recommends $need
fi
case "$need" in
  *ddclient*)
    # systemctl edits the unit links without a running systemd; update-rc.d covers sysvinit.
    if command -v systemctl >/dev/null 2>&1; then systemctl disable ddclient.service >/dev/null 2>&1 || true
    elif command -v update-rc.d >/dev/null 2>&1; then update-rc.d ddclient disable >/dev/null 2>&1 || true; fi
    ;;
esac
