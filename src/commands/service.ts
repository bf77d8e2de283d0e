/** `ddnsd service install | uninstall`: the plan comes from src/service/, this only prints and applies it. */
import { existsSync, realpathSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { CliIo, Command } from './types.js';
import { applyPlan, defaultConfigPath, installPlan, uninstallPlan, type ServiceManager, type ServicePlan } from '../service/index.js';

const serviceCommand: Command = async (line, io) => service(line.positionals.slice(1), line.values, io);

export default serviceCommand;

interface ServiceOptions {
  config?: string | undefined;
  launchd?: boolean | undefined;
  systemd?: boolean | undefined;
  user?: string | undefined;
  print?: boolean | undefined;
  root?: string | undefined;
}

/** `ddnsd service install | uninstall`: the plan comes from src/service/, this only prints and applies it. */
function service(args: string[], values: ServiceOptions, io: CliIo): number {
  const action = args[0];
  if ((action !== 'install' && action !== 'uninstall') || args.length > 1) {
    io.stderr('ddnsd: use ddnsd service install --launchd | --systemd, or ddnsd service uninstall.\nRun ddnsd --help for usage.\n');
    return 2;
  }
  if (values.launchd && values.systemd) {
    io.stderr('ddnsd: choose one of --launchd (macOS) or --systemd (Linux).\n');
    return 2;
  }
  const manager: ServiceManager | undefined = values.launchd
    ? 'launchd'
    : values.systemd
      ? 'systemd'
      : action === 'uninstall'
        ? process.platform === 'darwin'
          ? 'launchd'
          : 'systemd'
        : undefined;
  if (!manager) {
    io.stderr('ddnsd: say which service manager: --launchd on macOS, --systemd on Linux.\n');
    return 2;
  }
  if (values.user !== undefined && !/^[a-z_][a-z0-9_-]*$/i.test(values.user)) {
    io.stderr(`ddnsd: --user "${values.user}" is not a user name; give an existing account like ${manager === 'launchd' ? '_ddnsd' : 'ddnsd'}.\n`);
    return 2;
  }
  if (values.root !== undefined && !isAbsolute(values.root)) {
    io.stderr(`ddnsd: --root "${values.root}" must be an absolute path.\n`);
    return 2;
  }
  let plan: ServicePlan;
  if (action === 'install') {
    // The paths this very ddnsd runs from, so the service starts the same program.
    const bin = realpathSync(io.program);
    const config = values.config === undefined ? undefined : resolve(io.cwd, values.config);
    plan = installPlan({ manager, node: realpathSync(process.execPath), bin, config, user: values.user });
    const configPath = config ?? defaultConfigPath(manager);
    if (!existsSync(configPath)) {
      const example = resolve(bin, '../../../config.example.yaml');
      plan.notes.push(`${configPath} does not exist yet: create it from ${example} before starting the service`);
    }
  } else {
    if (values.config !== undefined || values.user !== undefined) {
      io.stderr('ddnsd: service uninstall takes no --config or --user.\n');
      return 2;
    }
    plan = uninstallPlan(manager);
  }
  if (values.print) {
    for (const file of plan.files) io.stdout(file.content);
    const say = [...plan.remove.map((p) => `would remove ${p}`), ...plan.notes, 'then run:', ...plan.commands.map((c) => `  ${c}`)];
    io.stderr(`${say.map((l) => `# ${l}`).join('\n')}\n`);
    return 0;
  }
  let done;
  try {
    done = applyPlan(plan, values.root ?? '/');
  } catch (error) {
    const code = (error as { code?: string }).code;
    const hint = code === 'EACCES' || code === 'EPERM' ? '; run it with sudo' : '';
    io.stderr(`ddnsd: ${(error as Error).message}${hint}\n`);
    return 1;
  }
  const lines = [
    ...done.written.map((p) => `wrote ${p}`),
    ...done.removed.map((p) => `removed ${p}`),
    ...(action === 'uninstall' && done.removed.length === 0 ? ['nothing to remove: no ddnsd service file was there'] : []),
    ...plan.notes,
    action === 'install' ? 'start it with:' : 'if it still runs, stop it with:',
    ...plan.commands.map((c) => `  ${c}`),
  ];
  io.stdout(`${lines.join('\n')}\n`);
  return 0;
}
