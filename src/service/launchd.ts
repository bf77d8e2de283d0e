/**
 * The launchd daemon for a Mac server: a plist in /Library/LaunchDaemons that
 * starts `ddnsd run` at boot and keeps it running. Pure: returns file content.
 */
import { serviceCommand } from './command.js';
export const LAUNCHD_LABEL = 'org.ddnsd.daemon';
export const LAUNCHD_PLIST = `/Library/LaunchDaemons/${LAUNCHD_LABEL}.plist`;
export const LAUNCHD_HOME = '/Library/Application Support/ddnsd';
export const LAUNCHD_CONFIG = `${LAUNCHD_HOME}/config.yaml`;
export const LAUNCHD_STATE = `${LAUNCHD_HOME}/data/state.json`;
export const LAUNCHD_LOGS = '/Library/Logs/ddnsd';

export interface LaunchdSpec {
  /** Absolute path of the node binary. */
  node: string;
  /** Absolute path of ddnsd's bin.js. */
  bin: string;
  /** Absolute path of the config file. */
  config: string;
  /** The account it runs as (`--user`); launchd would otherwise run it as root. */
  user?: string | undefined;
}

/** Without --user: an account every Mac has that owns nothing else of note. */
export const LAUNCHD_DEFAULT_USER = 'nobody';

const escapeXml = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

type PlistValue = string | number | boolean | PlistValue[] | { [key: string]: PlistValue };

function toXml(value: PlistValue, indent: string): string {
  if (typeof value === 'string') return `${indent}<string>${escapeXml(value)}</string>`;
  if (typeof value === 'number') return `${indent}<integer>${value}</integer>`;
  if (typeof value === 'boolean') return `${indent}<${value}/>`;
  if (Array.isArray(value)) return `${indent}<array>\n${value.map((v) => toXml(v, `${indent}  `)).join('\n')}\n${indent}</array>`;
  const entries = Object.entries(value).map(([k, v]) => `${indent}  <key>${escapeXml(k)}</key>\n${toXml(v, `${indent}  `)}`);
  return `${indent}<dict>\n${entries.join('\n')}\n${indent}</dict>`;
}

/** The plist's keys and values, before they become XML. */
export function launchdDefinition(spec: LaunchdSpec): Record<string, PlistValue> {
  const command = serviceCommand(spec.node, spec.bin);
  return {
    Label: LAUNCHD_LABEL,
    ProgramArguments: [...command.argv, 'run', '--config', spec.config],
    // Not root: ddnsd needs no privilege (its port is above 1024), as the systemd unit runs it.
    UserName: spec.user ?? LAUNCHD_DEFAULT_USER,
    // 0077, as the systemd unit's UMask: the state and logs are the account's alone.
    Umask: 0o077,
    WorkingDirectory: LAUNCHD_HOME,
    EnvironmentVariables: { DDNSD_STATE: LAUNCHD_STATE, LOG_FORMAT: 'pretty', ...command.env },
    RunAtLoad: true,
    KeepAlive: true,
    // A config error exits at once: try again every 30 s rather than every 10 s.
    ThrottleInterval: 30,
    // ddnsd finishes in-flight work within about 10 s of SIGTERM.
    ExitTimeOut: 20,
    ProcessType: 'Background',
    StandardOutPath: `${LAUNCHD_LOGS}/ddnsd.log`,
    // ddnsd logs to stderr; one file for both keeps every line in order.
    StandardErrorPath: `${LAUNCHD_LOGS}/ddnsd.log`,
  };
}

export function launchdPlist(spec: LaunchdSpec): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
${toXml(launchdDefinition(spec), '')}
</plist>
`;
}
