/**
 * The systemd unit for a Linux server: `ddnsd run` as an unprivileged user
 * with a private state directory and a read-only view of the system. Pure:
 * returns file content.
 */
import { serviceCommand } from './command.js';
export const SYSTEMD_UNIT_NAME = 'ddnsd.service';
export const SYSTEMD_UNIT = `/etc/systemd/system/${SYSTEMD_UNIT_NAME}`;
export const SYSTEMD_WANTS_LINK = `/etc/systemd/system/multi-user.target.wants/${SYSTEMD_UNIT_NAME}`;
export const SYSTEMD_CONFIG = '/etc/ddnsd/config.yaml';
/** Secrets as VAR=value lines, read by systemd as root, so it can stay mode 0600. */
export const SYSTEMD_ENV_FILE = '/etc/ddnsd/ddnsd.env';
export const SYSTEMD_STATE = '/var/lib/ddnsd/state.json';

export interface SystemdSpec {
  node: string;
  bin: string;
  config: string;
  /** Run as this existing user; absent: a dynamic user systemd makes for the service. */
  user?: string | undefined;
}

/** Quotes a word for ExecStart= when it needs it. */
function execWord(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `"${word.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

export function systemdUnit(spec: SystemdSpec): string {
  const command = serviceCommand(spec.node, spec.bin);
  const exec = [...command.argv, 'run', '--config', spec.config].map(execWord).join(' ');
  const env = Object.entries(command.env)
    .map(([k, v]) => `\nEnvironment="${k}=${v}"`)
    .join('');
  const who = spec.user ? `User=${spec.user}` : 'DynamicUser=yes';
  return `[Unit]
Description=ddnsd: keeps DNS hostnames pointed at this network's external IP address
Wants=network-online.target
After=network-online.target

[Service]
Type=exec
ExecStart=${exec}
EnvironmentFile=-${SYSTEMD_ENV_FILE}
Environment=DDNSD_STATE=${SYSTEMD_STATE}
Environment=LOG_FORMAT=pretty${env}
${who}
StateDirectory=ddnsd
StateDirectoryMode=0700
WorkingDirectory=/var/lib/ddnsd
UMask=0077
Restart=on-failure
RestartSec=10s
KillSignal=SIGTERM
TimeoutStopSec=20s

# Hardening: ddnsd only needs the network and its state directory.
NoNewPrivileges=yes
ProtectSystem=strict
ProtectHome=read-only
PrivateTmp=yes
PrivateDevices=yes
CapabilityBoundingSet=
AmbientCapabilities=
# AF_NETLINK: listing the network interfaces (the Host check, the LAN warning,
# interface: sources) asks the kernel over a netlink socket.
RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX AF_NETLINK
RestrictNamespaces=yes
RestrictRealtime=yes
RestrictSUIDSGID=yes
LockPersonality=yes
ProtectClock=yes
ProtectHostname=yes
ProtectKernelLogs=yes
ProtectKernelModules=yes
ProtectKernelTunables=yes
ProtectControlGroups=yes
SystemCallArchitectures=native
SystemCallFilter=@system-service
SystemCallErrorNumber=EPERM
ProtectProc=invisible
ProcSubset=pid
PrivateUsers=yes

[Install]
WantedBy=multi-user.target
`;
}
