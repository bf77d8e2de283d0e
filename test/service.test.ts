import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parsePlist } from 'plist';
import { describe, expect, it } from 'vitest';
import { installPlan, uninstallPlan } from '../src/service/index.js';
import { LAUNCHD_LABEL, launchdPlist } from '../src/service/launchd.js';
import { systemdUnit } from '../src/service/systemd.js';
import { BIN, runCli, tempDir } from './helpers/cli.js';

const SPEC = { node: '/usr/local/bin/node', bin: '/usr/local/lib/node_modules/ddnsd/dist/src/bin.js', config: '/Library/Application Support/ddnsd/config.yaml' };

describe('a service for the single executable (node and bin the same file)', () => {
  const SEA = { node: '/usr/local/bin/ddnsd', bin: '/usr/local/bin/ddnsd', config: '/etc/ddnsd/config.yaml' };

  it('starts the executable alone, with the young-generation flag in NODE_OPTIONS', () => {
    const unit = systemdUnit(SEA);
    expect(unit).toContain('\nExecStart=/usr/local/bin/ddnsd run --config /etc/ddnsd/config.yaml\n');
    expect(unit).toContain('\nEnvironment="NODE_OPTIONS=--max-semi-space-size=1"\n');
    const plist = parsePlist(launchdPlist(SEA)) as { ProgramArguments: string[]; EnvironmentVariables: Record<string, string> };
    expect(plist.ProgramArguments).toEqual(['/usr/local/bin/ddnsd', 'run', '--config', '/etc/ddnsd/config.yaml']);
    expect(plist.EnvironmentVariables.NODE_OPTIONS).toBe('--max-semi-space-size=1');
  });

  it('gives node its flags on the command line for the npm-installed command, and no NODE_OPTIONS', () => {
    expect(systemdUnit({ ...SEA, node: '/usr/bin/node' })).not.toContain('NODE_OPTIONS');
  });
});

describe('the launchd plist', () => {
  it('parses as a plist with exactly the keys launchd needs', () => {
    const plist = parsePlist(launchdPlist(SPEC)) as Record<string, unknown>;
    expect(plist).toEqual({
      Label: LAUNCHD_LABEL,
      ProgramArguments: [SPEC.node, '--max-semi-space-size=1', SPEC.bin, 'run', '--config', SPEC.config],
      UserName: 'nobody',
      Umask: 63,
      WorkingDirectory: '/Library/Application Support/ddnsd',
      EnvironmentVariables: { DDNSD_STATE: '/Library/Application Support/ddnsd/data/state.json', LOG_FORMAT: 'pretty' },
      RunAtLoad: true,
      KeepAlive: true,
      ThrottleInterval: 30,
      ExitTimeOut: 20,
      ProcessType: 'Background',
      StandardOutPath: '/Library/Logs/ddnsd/ddnsd.log',
      StandardErrorPath: '/Library/Logs/ddnsd/ddnsd.log',
    });
  });

  it('runs as the account given, never as root', () => {
    const plist = parsePlist(launchdPlist({ ...SPEC, user: '_ddnsd' })) as Record<string, unknown>;
    expect(plist.UserName).toBe('_ddnsd');
    expect(plist.Umask).toBe(0o077);
  });

  it('escapes paths that XML would otherwise misread', () => {
    const odd = { ...SPEC, config: '/Users/Shared/a&b <ddnsd>/config.yaml' };
    const plist = parsePlist(launchdPlist(odd)) as { ProgramArguments: string[] };
    expect(plist.ProgramArguments.at(-1)).toBe(odd.config);
  });
});

/** The unit as section → key → values (keys may repeat). */
function parseUnit(text: string): Record<string, Record<string, string[]>> {
  const out: Record<string, Record<string, string[]>> = {};
  let section: Record<string, string[]> | undefined;
  for (const line of text.split('\n')) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    const header = /^\[(\w+)\]$/.exec(line);
    if (header?.[1]) {
      section = out[header[1]] = {};
      continue;
    }
    const pair = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (!pair?.[1] || !section) throw new Error(`not a unit line: ${line}`);
    (section[pair[1]] ??= []).push(pair[2] ?? '');
  }
  return out;
}

describe('the systemd unit', () => {
  const unit = systemdUnit({ ...SPEC, config: '/etc/ddnsd/config.yaml' });
  const parsed = parseUnit(unit);

  it('is hardened and restarts on failure', () => {
    const s = parsed.Service ?? {};
    expect(s.ExecStart).toEqual([`${SPEC.node} --max-semi-space-size=1 ${SPEC.bin} run --config /etc/ddnsd/config.yaml`]);
    expect(s.DynamicUser).toEqual(['yes']);
    expect(s.User).toBeUndefined();
    expect(s.StateDirectory).toEqual(['ddnsd']);
    expect(s.Environment).toEqual(['DDNSD_STATE=/var/lib/ddnsd/state.json', 'LOG_FORMAT=pretty']);
    expect(s.EnvironmentFile).toEqual(['-/etc/ddnsd/ddnsd.env']);
    expect(s.ProtectSystem).toEqual(['strict']);
    expect(s.NoNewPrivileges).toEqual(['yes']);
    expect(s.Restart).toEqual(['on-failure']);
    expect(s.RestrictAddressFamilies).toEqual(['AF_INET AF_INET6 AF_UNIX AF_NETLINK']);
    expect(s.CapabilityBoundingSet).toEqual(['']);
    expect(s.SystemCallFilter).toEqual(['@system-service']);
    expect(s.PrivateUsers).toEqual(['yes']);
    expect(s.KillSignal).toEqual(['SIGTERM']);
    expect(parsed.Unit?.After).toEqual(['network-online.target']);
    expect(parsed.Install?.WantedBy).toEqual(['multi-user.target']);
  });

  it('runs as a named user when asked, and quotes paths with spaces', () => {
    const other = parseUnit(systemdUnit({ ...SPEC, config: '/srv/dns config/config.yaml', user: 'ddnsd' }));
    expect(other.Service?.User).toEqual(['ddnsd']);
    expect(other.Service?.DynamicUser).toBeUndefined();
    expect(other.Service?.ExecStart).toEqual([`${SPEC.node} --max-semi-space-size=1 ${SPEC.bin} run --config "/srv/dns config/config.yaml"`]);
  });

  const analyze = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' });
  it.skipIf(analyze.status !== 0)('passes systemd-analyze verify', () => {
    const dir = tempDir();
    // Real paths, so verify finds the program it would start.
    const file = join(dir, 'ddnsd.service');
    writeFileSync(file, systemdUnit({ node: process.execPath, bin: BIN, config: '/etc/ddnsd/config.yaml' }));
    const result = spawnSync('systemd-analyze', ['verify', file], { encoding: 'utf8', timeout: 30_000 });
    const complaints = result.stderr.split('\n').filter((l) => l.includes('ddnsd.service'));
    expect(complaints, result.stderr).toEqual([]);
    expect(result.status, result.stderr).toBe(0);
  });

  it.skipIf(analyze.status !== 0)('finds real trouble through systemd-analyze verify too', () => {
    const dir = tempDir();
    const file = join(dir, 'ddnsd.service');
    writeFileSync(file, unit.replace('ProtectSystem=strict', 'ProtectSytem=strict'));
    const result = spawnSync('systemd-analyze', ['verify', file], { encoding: 'utf8', timeout: 30_000 });
    expect(result.stderr).toContain('ProtectSytem');
  });
});

describe('ddnsd service install / uninstall', () => {
  it('prints the unit without writing anything', async () => {
    const dir = tempDir();
    const result = await runCli(['service', 'install', '--systemd', '--print', '--config', 'conf/ddnsd.yaml'], { cwd: dir });
    expect(result.code).toBe(0);
    expect(parseUnit(result.stdout).Service?.ExecStart?.[0]).toContain(`run --config ${join(dir, 'conf/ddnsd.yaml')}`);
    expect(result.stderr).toContain('sudo systemctl enable --now ddnsd.service');
    // The config is not there yet: the note names the example to start from, and that file exists.
    const example = /does not exist yet: create it from (\S+) /.exec(result.stderr)?.[1];
    expect(example && existsSync(example), result.stderr).toBe(true);
  });

  it('writes the launchd plist under --root, names the start command, and uninstall removes it', async () => {
    const root = tempDir();
    const install = await runCli(['service', 'install', '--launchd', '--root', root], { cwd: root });
    expect(install.code, install.stderr).toBe(0);
    const file = join(root, 'Library/LaunchDaemons/org.ddnsd.daemon.plist');
    const plist = parsePlist(readFileSync(file, 'utf8')) as { ProgramArguments: string[] };
    expect(plist.ProgramArguments.slice(1)).toEqual(['--max-semi-space-size=1', BIN, 'run', '--config', '/Library/Application Support/ddnsd/config.yaml']);
    expect(existsSync(join(root, 'Library/Logs/ddnsd'))).toBe(true);
    expect(install.stdout).toContain('sudo launchctl bootstrap system /Library/LaunchDaemons/org.ddnsd.daemon.plist');
    expect((parsePlist(readFileSync(file, 'utf8')) as { UserName?: string }).UserName).toBe('nobody');
    expect(install.stdout).toContain('sudo chown -R nobody "/Library/Application Support/ddnsd" /Library/Logs/ddnsd');

    const named = await runCli(['service', 'install', '--launchd', '--user', '_ddnsd', '--root', root, '--config', '/srv/ddnsd.yaml'], { cwd: root });
    expect(named.code, named.stderr).toBe(0);
    expect((parsePlist(readFileSync(file, 'utf8')) as { UserName?: string }).UserName).toBe('_ddnsd');
    expect(named.stdout).toContain('sudo chown _ddnsd "/srv/ddnsd.yaml"');

    const uninstall = await runCli(['service', 'uninstall', '--launchd', '--root', root], { cwd: root });
    expect(uninstall.code).toBe(0);
    expect(existsSync(file)).toBe(false);
    expect(uninstall.stdout).toContain(`removed ${file}`);
    expect(uninstall.stdout).toContain('sudo launchctl bootout system/org.ddnsd.daemon');
  });

  it('uninstall removes the systemd unit and its enable link', async () => {
    const root = tempDir();
    expect((await runCli(['service', 'install', '--systemd', '--root', root], { cwd: root })).code).toBe(0);
    const wants = join(root, 'etc/systemd/system/multi-user.target.wants');
    mkdirSync(wants, { recursive: true });
    symlinkSync('/etc/systemd/system/ddnsd.service', join(wants, 'ddnsd.service'));
    const result = await runCli(['service', 'uninstall', '--systemd', '--root', root], { cwd: root });
    expect(result.code).toBe(0);
    expect(existsSync(join(root, 'etc/systemd/system/ddnsd.service'))).toBe(false);
    expect(() => lstatSync(join(wants, 'ddnsd.service'))).toThrow();
  });

  it('rejects unclear requests with a hint', async () => {
    const dir = tempDir();
    const none = await runCli(['service', 'install'], { cwd: dir });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('--launchd on macOS, --systemd on Linux');
    const both = await runCli(['service', 'install', '--launchd', '--systemd'], { cwd: dir });
    expect(both.stderr).toContain('choose one');
    const stray = await runCli(['once', '--print'], { cwd: dir });
    expect(stray.code).toBe(2);
    expect(stray.stderr).toContain('--print goes with ddnsd service');
    const badUser = await runCli(['service', 'install', '--systemd', '--user', 'x;rm', '--print'], { cwd: dir });
    expect(badUser.code).toBe(2);
  });

  it('warns when node or ddnsd lives in a home folder', () => {
    const plan = installPlan({ manager: 'systemd', node: '/root/.nvm/versions/node/v24/bin/node', bin: SPEC.bin });
    expect(plan.notes.join('\n')).toContain('home folder');
    expect(uninstallPlan('systemd').remove).toContain('/etc/systemd/system/ddnsd.service');
  });

  it('is listed in --help', () => {
    const help = execFileSync(process.execPath, [BIN, '--help'], { encoding: 'utf8' });
    expect(help).toContain('ddnsd service install --launchd | --systemd');
    expect(help).toContain('ddnsd health');
  });
});
