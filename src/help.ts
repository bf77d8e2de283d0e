/** `ddnsd --help`: kept apart so that printing it loads nothing else. */
import { VERSION } from './base/version.js';

export const HELP = `ddnsd ${VERSION}: keeps DNS hostnames pointed at this network's external IP address.

Usage:
  ddnsd [run]             check the address every interval, update providers, serve the status page
  ddnsd once [--dry-run] [--force]
                          one cycle, a summary of every host; exit 0 when all are up to date, 1 if not;
                          --force also retries hosts paused after a network or server error
  ddnsd check             validate the config and print it as understood, secrets redacted
  ddnsd doctor            is the server reachable? check each link once (address, DNS, port from outside,
                          router forward, LAN address) and print what to fix; exit 0 when nothing fails, 1 if not
                          (also: ddnsd check --reach)
  ddnsd health            ask the running ddnsd's /healthz; exit 0 healthy, 1 not (for container health checks)
  ddnsd hash-password     read a password from stdin and print its hash for server.password_hash (auth: basic)
  ddnsd service install --launchd | --systemd [--config FILE] [--user NAME] [--print] [--root DIR]
                          write a launchd daemon (macOS) or systemd unit (Linux) that runs ddnsd at boot,
                          and print the commands that start it; --print only shows the file
  ddnsd service uninstall [--launchd | --systemd] [--root DIR]
                          remove it again (state, config and logs are kept)
  ddnsd import FILE [--from ddclient|inadyn|ddns-updater|favonia|noip-duc] [--write DIR]
                          print a config.yaml equivalent to another tool's config (the format is detected
                          when --from is not given) and list what could not be carried over; --write DIR
                          writes DIR/config.yaml and DIR/.env (the secrets, mode 0600) instead

Options:
  -c, --config FILE       config file (default: $DDNSD_CONFIG, else ./config.yaml)
  -n, --dry-run           with once: detect and decide, but send no update and write no state
      --reach             with check: run the reachability checks too (as ddnsd doctor)
  -f, --force             with once: retry hosts paused after a transient failure now (never a provider's
                          own pause such as No-IP's 911, a rate limit, or a rejected credential)
  -v, --version           print the version
  -h, --help              print this help

Environment:
  DDNSD_CONFIG            config file when --config is not given
  DDNSD_LISTEN            replaces server.listen, e.g. 0.0.0.0:8080 (the container image sets it)
  DDNSD_STATE             replaces state, e.g. /data/state.json (the container image sets it)
  LOG_FORMAT              json or pretty (default: pretty on a terminal, json otherwise)
  LOG_LEVEL               debug, info, warn or error (default: info)

Exit status: 0 fine, 1 a host or detection failed (once) or ddnsd could not start, 2 invalid config.`;
