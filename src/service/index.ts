/**
 * `ddnsd service install | uninstall`: what to write, create and remove for
 * launchd or systemd, as a plan of plain values. Carrying the plan out
 * (writing under a root directory) is separate, so tests check the plan and
 * run it against a temporary root.
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { LAUNCHD_CONFIG, LAUNCHD_DEFAULT_USER, LAUNCHD_HOME, LAUNCHD_LABEL, LAUNCHD_LOGS, LAUNCHD_PLIST, LAUNCHD_STATE, launchdPlist } from './launchd.js';
import { SYSTEMD_CONFIG, SYSTEMD_ENV_FILE, SYSTEMD_STATE, SYSTEMD_UNIT, SYSTEMD_UNIT_NAME, SYSTEMD_WANTS_LINK, systemdUnit } from './systemd.js';

export type ServiceManager = 'launchd' | 'systemd';

export interface InstallSpec {
  manager: ServiceManager;
  node: string;
  bin: string;
  /** Absolute config path; absent: the manager's usual place. */
  config?: string | undefined;
  user?: string | undefined;
}

export interface ServicePlan {
  /** Files to write, absolute paths. */
  files: { path: string; content: string }[];
  /** Directories to create (launchd does not create its log folder). */
  dirs: string[];
  /** Files to remove. */
  remove: string[];
  /** What the person runs next, in order. */
  commands: string[];
  /** Things to know: where the config, state and logs are. */
  notes: string[];
}

export function defaultConfigPath(manager: ServiceManager): string {
  return manager === 'launchd' ? LAUNCHD_CONFIG : SYSTEMD_CONFIG;
}

export function installPlan(spec: InstallSpec): ServicePlan {
  const config = spec.config ?? defaultConfigPath(spec.manager);
  const notes = [`config: ${config}`];
  if (/^\/(root|home|Users)\//.test(spec.node) || /^\/(root|home|Users)\//.test(spec.bin)) {
    notes.push(
      `node (${spec.node}) or ddnsd (${spec.bin}) lives in a home folder, which the service may not be allowed to read; install Node.js system-wide and run npm install -g ddnsd there`,
    );
  }
  if (spec.manager === 'launchd') {
    const user = spec.user ?? LAUNCHD_DEFAULT_USER;
    notes.push(`runs as: ${user}${spec.user ? '' : ' (give an account of its own with --user)'}`, `state: ${LAUNCHD_STATE}`, `logs: ${LAUNCHD_LOGS}/ddnsd.log`);
    const quote = (path: string): string => `"${path}"`;
    return {
      files: [{ path: LAUNCHD_PLIST, content: launchdPlist({ node: spec.node, bin: spec.bin, config, user }) }],
      dirs: [LAUNCHD_HOME, dirname(LAUNCHD_STATE), LAUNCHD_LOGS],
      remove: [],
      commands: [
        // The account reads the config and its .env (secrets: its alone) and writes the state and the log.
        `sudo chown -R ${user} ${quote(LAUNCHD_HOME)} ${LAUNCHD_LOGS}`,
        ...(config.startsWith(`${LAUNCHD_HOME}/`) ? [] : [`sudo chown ${user} ${quote(config)}`]),
        `sudo launchctl bootstrap system ${LAUNCHD_PLIST}`,
        `sudo launchctl print system/${LAUNCHD_LABEL}`,
      ],
      notes,
    };
  }
  notes.push(`secrets: ${SYSTEMD_ENV_FILE} (VAR=value lines, mode 0600)`, `state: ${SYSTEMD_STATE}`, `logs: journalctl -u ${SYSTEMD_UNIT_NAME}`);
  return {
    files: [{ path: SYSTEMD_UNIT, content: systemdUnit({ node: spec.node, bin: spec.bin, config, user: spec.user }) }],
    dirs: [dirname(config)],
    remove: [],
    commands: ['sudo systemctl daemon-reload', `sudo systemctl enable --now ${SYSTEMD_UNIT_NAME}`],
    notes,
  };
}

export function uninstallPlan(manager: ServiceManager): ServicePlan {
  if (manager === 'launchd') {
    return {
      files: [],
      dirs: [],
      remove: [LAUNCHD_PLIST],
      // bootout by label works after the plist is gone.
      commands: [`sudo launchctl bootout system/${LAUNCHD_LABEL}`],
      notes: [`kept: the config, state and logs under ${LAUNCHD_HOME} and ${LAUNCHD_LOGS}; remove them by hand if you want`],
    };
  }
  return {
    files: [],
    dirs: [],
    remove: [SYSTEMD_UNIT, SYSTEMD_WANTS_LINK],
    commands: [`sudo systemctl stop ${SYSTEMD_UNIT_NAME}`, 'sudo systemctl daemon-reload'],
    notes: [`kept: ${dirname(SYSTEMD_CONFIG)} and the state in ${dirname(SYSTEMD_STATE)}; remove them by hand if you want`],
  };
}

/** Carries out a plan under `root` ("/" for real). Returns the paths touched, for the summary. */
export function applyPlan(plan: ServicePlan, root: string): { written: string[]; removed: string[] } {
  const at = (path: string): string => (root === '/' ? path : join(root, path));
  for (const dir of plan.dirs) mkdirSync(at(dir), { recursive: true });
  const written: string[] = [];
  for (const file of plan.files) {
    mkdirSync(dirname(at(file.path)), { recursive: true });
    writeFileSync(at(file.path), file.content, { mode: 0o644 });
    written.push(at(file.path));
  }
  const removed: string[] = [];
  for (const path of plan.remove) {
    // A dangling symlink does not "exist": remove with force regardless, and report what was there.
    const there = existsSync(at(path));
    rmSync(at(path), { force: true });
    if (there) removed.push(at(path));
  }
  return { written, removed };
}
