/**
 * Wiring in one place: the clock, HTTP clients, logger, state store,
 * detector and provider adapters are built here and handed down.
 */
import { dirname } from 'node:path';
import pLimit from 'p-limit';
import { Agent, type Dispatcher } from 'undici';
import { createDnsClient } from './base/dns.js';
import type { ConfiguredProvider, CycleReport, Events, RetryPolicy } from './cycle/index.js';
import { createEvents, DEFAULT_RETRY, invalidate, runCycle } from './cycle/index.js';
import { logEvents } from './cycle/log.js';
import { notRetried } from './cycle/plan.js';
import { systemClock, type Clock } from './base/clock.js';
import { locatedProblems, type Config } from './config/load.js';
import { ConfigError } from './base/errors.js';
import { formatDuration } from './base/duration.js';
import { FAMILY_LABEL, type Family } from './base/address.js';
import { createDetector, type Detector } from './detect/index.js';
import { systemInterfaces, type InterfaceReader } from './detect/interface.js';
import { createPushStore, pushCycles, type PushCycle, type PushStore } from './detect/push.js';
import { upnpPortMapper } from './detect/upnp.js';
import type { FastifyInstance } from 'fastify';
import { createLinks, type Links } from './detect/wans.js';
import type { NicUpdateDeps } from './server/nic-update.js';
import type { RunNow } from './server/index.js';
import { createHttpClient, type HttpClient } from './base/http.js';
import { interfaceLister, lanAddresses, machineAddresses, noteLan, type InterfaceLister, type InterfaceTable, type LanAddress } from './lan.js';
import { createLoop, type Loop } from './loop.js';
import type { Logger, Redactor } from './base/log.js';
import type { Notifier } from './notify/index.js';
import type { ChecksConfig } from './config/checks.js';
import type { PortMapper, Reach } from './reach/index.js';
import { createStateStore, hostKey, type State, type StateStore } from './state.js';
import { buildStatus, watchDetection, type Status } from './status.js';
import { USER_AGENT, VERSION } from './base/version.js';

export interface WiringOptions {
  log: Logger;
  redactor: Redactor;
  clock?: Clock;
  retry?: RetryPolicy;
  /** For providers' requests; detection makes its own per family. */
  dispatcher?: Dispatcher;
  detectDispatchers?: Partial<Record<Family, Dispatcher>>;
  /** The machine's LAN addresses; by default read from the network interfaces. */
  lan?: () => LanAddress[];
  /** The interfaces the interface:<name> source reads; the system's by default. */
  interfaces?: InterfaceReader;
  /** Reads the machine's interface table (os.networkInterfaces by default); tests make it throw as a sandbox does. */
  listInterfaces?: () => InterfaceTable;
  /** The router's port mappings (UPnP IGD), for the forward check. */
  portMapper?: PortMapper;
  /** Tests only: where the hairpin attempt connects and the port zone servers are asked on. */
  reachLoopback?: { hairpinHost: string; authoritativePort: number };
}

export interface Runtime {
  config: Config;
  state: State;
  store: StateStore;
  detector: Detector;
  /** Addresses routers pushed to /nic/update; present when server.nic_update is set. */
  push: PushStore | undefined;
  providers: ConfiguredProvider[];
  /** What cycles tell: the log, metrics and the status subscribe here. */
  events: Events;
  /** The reachability checks, when `checks:` is configured. */
  reach: Reach | undefined;
  notifier: Notifier | undefined;
  /** The machine's interface table, never throwing (a sandbox may forbid reading it). */
  interfaces: InterfaceLister;
  /** `ended` is called once every provider answered, before the result is saved and told (the loop then sets the next time). */
  cycle(id: number, signal: AbortSignal, dryRun?: boolean, force?: boolean, ended?: () => void): Promise<CycleReport>;
  /**
   * Applies a new config in place, between cycles: the state, events and
   * their listeners stay; providers, detection, checks and notification
   * targets are rebuilt. Hosts no longer configured leave the state at the
   * next cycle.
   */
  reload(config: Config, from: ConfigOrigin): Promise<void>;
  status(nextCheck?: number): Status;
  close(): Promise<void>;
}

/** Where the config in effect came from: the start, a save on the settings page, or SIGHUP. */
export type ConfigOrigin = 'start' | 'save' | 'SIGHUP';

export async function createRuntime(config: Config, options: WiringOptions): Promise<Runtime> {
  const clock = options.clock ?? systemClock;
  const { log, redactor } = options;
  for (const secret of config.secrets) redactor.add(secret);

  const ownAgent = options.dispatcher ? undefined : new Agent();
  const dispatcher = options.dispatcher ?? (ownAgent as Agent);
  const providers = createProviders(config, dispatcher, clock, log);
  const events = createEvents((error, event) => log.error(`A listener of ${event.type} failed: ${(error as Error).message}`));
  logEvents(events, log);
  const detection = watchDetection(events);
  const pushFor = (c: Config): PushStore | undefined => (c.server.nicUpdate ? createPushStore(clock.now, c.server.nicUpdate.maxAgeMs) : undefined);
  let push = pushFor(config);
  const interfaces = interfaceLister((message) => log.warn(message), options.listInterfaces);
  let detector = detectorFor(config, options, push, interfaces);
  let links = config.wans.length > 0 ? linksOf(config, options, push) : undefined;
  const store = createStateStore(config.statePath, log, clock.now);
  const state = await store.load();
  const lookupLan = options.lan ?? (() => lanAddresses(interfaces()));
  const checkLan = lanWatcher(state, lookupLan, events, clock, log);
  checkLan();
  let { reach, notifier } = await watchers(config, options, { dispatcher, clock, events, state, providers, lookupLan });
  const saver = stateSaver(store, log);
  let applied = { at: clock.now(), from: 'start' as ConfigOrigin };
  // Cycles and reloads take turns: a reload waits for the cycle in flight, and the next cycle for the reload.
  const exclusive = pLimit(1);

  const runtime: Runtime = {
    config,
    state,
    store,
    detector,
    push,
    providers,
    interfaces,
    events,
    reach,
    notifier,
    async cycle(id, signal, dryRun = false, force = false, ended = undefined) {
      return exclusive(async () => {
        if (!dryRun) checkLan();
        return runCycle(
          {
            providers,
            detector,
            links,
            lanPrefix: () => push?.lanPrefix(),
            refreshMs: config.refreshMs,
            clock,
            log,
            redactor,
            retry: options.retry ?? DEFAULT_RETRY,
            persist: saver.persist,
            events,
          },
          state,
          { id, signal, dryRun, force, ...(ended ? { ended } : {}) },
        );
      });
    },
    reload(next, from) {
      return exclusive(async () => {
        for (const secret of next.secrets) redactor.add(secret);
        if (next.statePath !== config.statePath) log.warn(`state changed to ${next.statePath}: the state file in use stays ${store.path} until ddnsd restarts`);
        await reach?.stop();
        notifier?.close();
        const [oldDetector, oldLinks] = [detector, links];
        // A pushed address stays while the router endpoint stays configured.
        push = next.server.nicUpdate ? (push ?? pushFor(next)) : undefined;
        detector = detectorFor(next, options, push, interfaces);
        links = next.wans.length > 0 ? linksOf(next, options, push) : undefined;
        providers.splice(0, providers.length, ...createProviders(next, dispatcher, clock, log));
        config = next;
        ({ reach, notifier } = await watchers(next, options, { dispatcher, clock, events, state, providers, lookupLan }));
        Object.assign(runtime, { config, detector, push, reach, notifier });
        applied = { at: clock.now(), from };
        await Promise.all([oldDetector.close(), oldLinks?.close()]);
      });
    },
    status(nextCheck) {
      return {
        ...buildStatus({
          version: VERSION,
          config,
          state,
          detectionErrors: detection.errors,
          detectionAnswers: detection.answers,
          nextCheck,
          stateError: saver.error(),
          labels: providers.map((p) => p.provider.label),
          hosts: providers.map((p) => p.provider.hosts),
          now: clock.now(),
          reach: reach ? { at: reach.last()?.at, results: reach.last()?.results ?? [] } : undefined,
          notify: notifier?.status() ?? [],
          lanPrefix: push ? (wan) => push?.lanPrefix(wan) : undefined,
        }),
        config: { appliedAt: new Date(applied.at).toISOString(), from: applied.from },
      };
    },
    async close() {
      await reach?.stop();
      notifier?.close();
      await Promise.all([detector.close(), links?.close(), ownAgent?.close()]);
    },
  };
  return runtime;
}

/** The links of `wans:`, each with its own detector (and dispatchers bound to its `bind`). */
function linksOf(config: Config, options: WiringOptions, push: PushStore | undefined): Links {
  return createLinks(config.wans, {
    timeoutMs: config.detect.timeoutMs,
    userAgent: USER_AGENT,
    ...(push ? { push } : {}),
    ...(options.interfaces ? { interfaces: options.interfaces } : {}),
  });
}

/** The detector of `detect:`, with the pushed addresses when /nic/update is on. */
function detectorFor(config: Config, options: WiringOptions, push: PushStore | undefined, interfaces: InterfaceLister): Detector {
  return createDetector({
    ...(push ? { push } : {}),
    interfaces: options.interfaces ?? systemInterfaces(interfaces),
    sources: config.detect.sources,
    agree: config.detect.agree,
    timeoutMs: config.detect.timeoutMs,
    userAgent: USER_AGENT,
    ...(options.detectDispatchers ? { dispatchers: options.detectDispatchers } : {}),
  });
}

/** Each provider entry's adapter, with its own HTTP and DNS clients (the entry's timeout). */
function createProviders(config: Config, dispatcher: Dispatcher, clock: Clock, log: Logger): ConfiguredProvider[] {
  return config.providers.map((entry) => ({
    entry,
    provider: entry.definition.create(entry.settings, {
      http: createHttpClient({ userAgent: USER_AGENT, dispatcher, timeoutMs: entry.settings.timeout }),
      dns: createDnsClient({ timeoutMs: entry.settings.timeout }),
      clock,
      log,
    }),
  }));
}

/** Notes the LAN addresses in the state and tells when they changed; called before each cycle. */
function lanWatcher(state: State, lookupLan: () => LanAddress[], events: Events, clock: Clock, log: Logger): () => void {
  return () => {
    try {
      const change = noteLan(state, lookupLan(), clock.now());
      if (change) events.emit({ type: 'lan-address-changed', ...change });
    } catch (error) {
      log.debug(`cannot list the network interfaces: ${(error as Error).message}`);
    }
  };
}

/** Writes the state after each provider answers; a failed write is said once, kept for the status, and tried again. */
function stateSaver(store: StateStore, log: Logger): { persist(s: State): Promise<void>; error(): string | undefined } {
  let stateError: string | undefined;
  return {
    async persist(s) {
      try {
        await store.save(s);
        if (stateError) log.info(`The state file ${store.path} is written again`);
        stateError = undefined;
      } catch (error) {
        const message = `cannot write the state file ${store.path}: ${(error as Error).message}`;
        if (message !== stateError) log.error(`${message}; will try again next cycle`);
        stateError = message;
      }
    },
    error: () => stateError,
  };
}

export interface Daemon {
  runtime: Runtime;
  loop: Loop;
  /** Where the status server listens, e.g. http://127.0.0.1:8080 */
  url: string;
  /**
   * Applies a new config without a restart: the runtime reloads in place, a
   * cycle starts at once, and a changed `server` section moves the status
   * server (after the answer of the request that saved it has gone out).
   */
  reload(config: Config, from: ConfigOrigin): Promise<void>;
  /** Reads the file again (SIGHUP): an invalid file keeps the running config, and the log says why. */
  reloadFile(from: ConfigOrigin): Promise<boolean>;
  /** Settles when the status server moved by the latest reload listens (tests). */
  serverReady(): Promise<void>;
  stop(): Promise<void>;
}

/** How the daemon reads its config file again: for SIGHUP and the settings page. */
export interface ConfigSource {
  path: string;
  /** The config from `text`, or from the file when absent; throws ConfigError. */
  load(text?: string): Promise<Config>;
  /** Which keys hold secrets for a config's provider types (the registry's `secrets` lists). */
  secretKeys(config: Config | undefined): Promise<string[]>;
}

/** Most time allowed for in-flight work when stopping. */
export const STOP_GRACE_MS = 8000;

type ServerModules = [typeof import('./server/index.js'), typeof import('./server/metrics.js'), typeof import('./server/session.js')];

/** `ddnsd run`: the loop plus the status server. */
export async function startDaemon(config: Config, options: WiringOptions & { source?: ConfigSource }): Promise<Daemon> {
  const { log } = options;
  const runtime = await createRuntime(config, options);
  describeStart(config, runtime, log);
  const clock = options.clock ?? systemClock;
  // The status server (fastify, prom-client) is loaded only for `ddnsd run`:
  // `once` and `check` start faster and smaller without it.
  const modules: ServerModules = await Promise.all([import('./server/index.js'), import('./server/metrics.js'), import('./server/session.js')]);
  const status = (): Status => runtime.status(loop.nextCheck());
  const metrics = modules[1].createMetrics(status, runtime.events);
  // Aborted on stop: a cycle waiting for pushed changes is not started then.
  const stopped = new AbortController();
  let running: number | undefined;
  // A cycle in flight may have asked its sources before the push arrived: it is let finish, and a new one reads the push.
  const cycleAfterPush = async (): Promise<void> => {
    if (running !== undefined) await loop.runNow().done.catch(() => {});
    if (!stopped.signal.aborted) await loop.runNow().done.catch(() => {});
  };
  const cycleSoon = pushCycles(clock, () => void cycleAfterPush(), stopped.signal);
  // "Update now": a forced cycle (hosts paused by ddnsd's own backoff are sent too), and the
  // hosts it still holds back, so the answer can say which and why.
  const runNow = (): RunNow => {
    const held = notRetried(runtime.providers, runtime.state, clock.now());
    const cycle = loop.runNow({ force: true });
    return { id: cycle.id, joined: cycle.joined, done: cycle.done, notRetried: held };
  };
  const loop = createLoop({
    // Read at each pause, so a reload's new interval counts from the next one.
    get intervalMs() {
      return runtime.config.intervalMs;
    },
    clock,
    log,
    run: async (id, signal, force, ended) => {
      running = id;
      try {
        return await runtime.cycle(id, signal, false, force, ended);
      } finally {
        running = undefined;
      }
    },
  });
  const daemon: Daemon = {
    runtime,
    loop,
    url: '',
    reload: (next, from) => reload(next, from),
    reloadFile: (from) => reloadFile(from),
    serverReady: () => moving,
    stop: () => stop(),
  };
  const settings = options.source && settingsDeps(options.source, (next) => daemon.reload(next, 'save'), clock);
  const serve = (c: Config): Promise<Served> => openServer(c, modules, { runtime, log, redactor: options.redactor, clock, status, metrics, runNow, cycleSoon, settings });
  let served = await serve(config).catch(async (error: unknown) => {
    await runtime.close();
    throw error;
  });
  daemon.url = served.url;
  log.info(`Status page on ${served.url}/ (JSON at ${served.url}/api/status)`);
  runtime.events.emit({ type: 'started', version: VERSION, at: clock.now() });
  // The checks start once the first cycle knows the address, then run every checks.interval.
  const startChecks = runtime.events.on('cycle-finished', () => {
    startChecks();
    runtime.reach?.start();
  });
  loop.start();

  let moving: Promise<void> = Promise.resolve();
  const reload = async (next: Config, from: ConfigOrigin): Promise<void> => {
    const before = serverKey(runtime.config);
    await runtime.reload(next, from);
    if (runtime.config.checks) runtime.reach?.start();
    log.info(`The config is applied (${from}): ${next.providers.length} provider entr${next.providers.length === 1 ? 'y' : 'ies'}; checking now`);
    loop.runNow().done.catch(() => {});
    if (serverKey(next) === before && !next.server.nicUpdate) return;
    // Moved after this turn, so the request that saved the file gets its answer from the server it asked.
    moving = moving
      .then(() => new Promise<void>((resolve) => setImmediate(resolve)))
      .then(async () => {
        const old = served;
        await old.server.close();
        try {
          served = await serve(next);
        } catch (error) {
          log.error(`${(error as Error).message}; the status server stays as it was`);
          served = await serve({ ...next, server: old.config.server }).catch((again: Error) => {
            log.error(`The status server could not listen again (${again.message}); restart ddnsd to get it back`);
            return old;
          });
        }
        daemon.url = served.url;
        log.info(`Status page on ${served.url}/ (server settings applied)`);
      });
  };
  const reloadFile = async (from: ConfigOrigin): Promise<boolean> => {
    if (!options.source) {
      log.warn(`${from}: ddnsd runs on the built-in default, without a config file, so there is nothing to read again`);
      return false;
    }
    let next: Config;
    try {
      next = await options.source.load();
    } catch (error) {
      log.error(`${from}: the config file is not applied, the running config stays: ${(error as Error).message}`);
      return false;
    }
    await reload(next, from);
    return true;
  };

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      stopped.abort(new Error('ddnsd is stopping'));
      await loop.stop(STOP_GRACE_MS);
      await removeOnStop(runtime, log);
      await runtime.reach?.stop();
      runtime.events.emit({ type: 'stopped', at: clock.now() });
      await flushNotifications(runtime.notifier, 3000);
      await runtime.store.save(runtime.state).catch((error: Error) => log.error(`cannot write the state file: ${error.message}`));
      await moving.catch(() => undefined);
      await served.server.close();
      await runtime.close();
    })();
    return stopping;
  };
  return daemon;
}

/** What a change of needs a new status server: the `server` section. */
function serverKey(c: Config): string {
  return JSON.stringify(c.server);
}

interface Served {
  server: import('fastify').FastifyInstance;
  url: string;
  config: Config;
}

interface ServeDeps {
  runtime: Runtime;
  log: Logger;
  redactor: Redactor;
  clock: Clock;
  status: () => Status;
  metrics: import('./server/metrics.js').Metrics;
  runNow: () => RunNow;
  /** A cycle for pushed changes, at most one a minute. */
  cycleSoon: () => PushCycle;
  settings: import('./server/settings.js').SettingsDeps | undefined;
}

/** Builds the status server for a config and listens; an error names the listen address and the fix. */
async function openServer(config: Config, [{ buildServer }, , { openSessions }]: ServerModules, deps: ServeDeps): Promise<Served> {
  const { runtime, log, clock } = deps;
  // Page sign-ins (auth: token) outlive a restart: the key and the signed-out sessions are kept next to the state.
  const sessions = config.server.auth === 'token' ? await openSessions(dirname(config.statePath), { now: clock.now, log }) : undefined;
  if (sessions) deps.redactor.add(sessions.key);
  const server = buildServer({
    status: deps.status,
    token: config.server.token,
    access: config.server,
    log,
    metrics: deps.metrics,
    now: clock.now,
    runNow: deps.runNow,
    sessions,
    nicUpdate: nicUpdateDeps(runtime, deps.cycleSoon, log),
    ownAddresses: () => machineAddresses(runtime.interfaces()),
    settings: deps.settings && { ...deps.settings, editing: config.server.editing },
  });
  const { host, port } = config.server.listen;
  try {
    await listen(server, { host, port }, runtime.interfaces);
  } catch (error) {
    const code = (error as { code?: string }).code;
    const where = `${host.includes(':') ? `[${host}]` : host}:${port}`;
    throw new Error(
      code === 'EADDRINUSE'
        ? `cannot listen on ${where}: the port is in use by another program; set server.listen to a free port`
        : `cannot listen on ${where}: ${(error as Error).message}; check server.listen`,
      { cause: error },
    );
  }
  const address = server.addresses()[0];
  const scheme = config.server.tls ? 'https' : 'http';
  const url =
    address && typeof address !== 'string' ? `${scheme}://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}` : `${scheme}://${host}:${port}`;
  return { server, url, config };
}

/** The settings page's wiring: checks through the same loader as start-up, saves applied by `apply`. */
function settingsDeps(source: ConfigSource, apply: (c: Config) => Promise<void>, clock: Clock): import('./server/settings.js').SettingsDeps {
  return {
    path: source.path,
    editing: true,
    async check(text) {
      try {
        return { config: await source.load(text) };
      } catch (error) {
        if (error instanceof ConfigError) return { problems: locatedProblems(error) };
        throw error;
      }
    },
    async secretRules(c) {
      return { keys: await source.secretKeys(c), values: c?.secrets ?? [] };
    },
    apply,
    now: clock.now,
  };
}

/**
 * delete_on_stop: each such entry's own records are deleted, and its hosts
 * forgotten in the state, so the next start creates them again.
 */
async function removeOnStop(runtime: Runtime, log: Logger): Promise<void> {
  const signal = AbortSignal.timeout(STOP_GRACE_MS);
  for (const { entry, provider } of runtime.providers) {
    if (!entry.deleteOnStop || !provider.removeRecords) continue;
    try {
      const removed = await provider.removeRecords(entry.families, signal);
      for (const host of provider.hosts) for (const family of entry.families) delete runtime.state.hosts[hostKey(entry.definition.type, host, family)];
      log.info(`delete_on_stop: deleted ${removed} record(s) of ${provider.hosts.join(', ')} at ${provider.label}`);
    } catch (error) {
      log.error(`delete_on_stop: could not delete the records of ${provider.hosts.join(', ')} at ${provider.label}: ${(error as Error).message}`);
    }
  }
}

/**
 * Listens on `host`. Fastify lists the interfaces to log the addresses of
 * 0.0.0.0 and throws from its 'listening' handler when the system refuses
 * (a sandbox without netlink sockets), which would end the process: then
 * the server is made ready and its socket bound directly, and the status
 * line below names the address.
 */
async function listen(server: FastifyInstance, at: { host: string; port: number }, interfaces: InterfaceLister): Promise<void> {
  interfaces();
  if (at.host !== '0.0.0.0' || interfaces.failure() === undefined) {
    await server.listen(at);
    return;
  }
  await server.ready();
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.server.listen(at, () => {
      server.server.off('error', reject);
      resolve();
    });
  });
}

/** The /nic/update endpoint's wiring: the configured hosts, the push store, a cycle on a new address (at most one a minute). */
function nicUpdateDeps(runtime: Runtime, cycleSoon: () => PushCycle, log: Logger): NicUpdateDeps | undefined {
  const nic = runtime.config.server.nicUpdate;
  if (!nic || !runtime.push) return undefined;
  return {
    users: nic.users,
    hosts: new Set(runtime.providers.flatMap((p) => p.provider.hosts)),
    push: runtime.push,
    changed(changes) {
      const what = changes.map(({ family, address }) => `${FAMILY_LABEL[family]} address, ${address}`).join(', and a new ');
      const cycle = cycleSoon();
      const when = cycle.when === 'now' ? 'checking now' : `checking at ${new Date(cycle.at).toISOString()} (pushed changes start at most one cycle a minute)`;
      log.info(`A router pushed a new ${what}: ${when}`);
    },
    refused: (reason) => log.warn(`/nic/update: ${reason}`),
  };
}

interface WatcherDeps {
  dispatcher: Dispatcher;
  clock: Clock;
  events: Events;
  state: State;
  providers: ConfiguredProvider[];
  lookupLan: () => LanAddress[];
}

/**
 * The reachability checks and the notification targets, when configured:
 * their code is loaded only then, so a config without them starts without it.
 */
async function watchers(config: Config, options: WiringOptions, deps: WatcherDeps): Promise<{ reach: Reach | undefined; notifier: Notifier | undefined }> {
  const { log, redactor } = options;
  const { clock, events, state } = deps;
  const http = createHttpClient({ userAgent: USER_AGENT, dispatcher: deps.dispatcher });
  const notifier = config.notify.length > 0 ? (await import('./notify/index.js')).createNotifier({ targets: config.notify, http, clock, log, redactor, events }) : undefined;
  if (!config.checks) return { reach: undefined, notifier };
  const lan = (): LanAddress[] => {
    try {
      return deps.lookupLan();
    } catch {
      return state.lan?.addresses ?? [];
    }
  };
  const dns = createDnsClient({ timeoutMs: config.checks.timeout });
  const { createReach } = await import('./reach/index.js');
  const reach = createReach({
    config: config.checks,
    http,
    dns,
    clock,
    log,
    events,
    state,
    invalidate: (key, address) => invalidate(state, key, address),
    providers: deps.providers,
    lan,
    mapper: options.portMapper ?? routerMapper(config.checks, http),
    ...options.reachLoopback,
  });
  return { reach, notifier };
}

/** Asks the router over UPnP for the forward check, when that check is on. */
function routerMapper(checks: ChecksConfig, http: HttpClient): PortMapper | undefined {
  if (!checks.forward) return undefined;
  return upnpPortMapper({ http, timeoutMs: checks.timeout, location: checks.forward.location });
}

/** Gives queued notifications (the "stopped" one) a moment to go out. */
async function flushNotifications(notifier: Notifier | undefined, ms: number): Promise<void> {
  if (!notifier) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([notifier.flush(), new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

function describeStart(config: Config, runtime: Runtime, log: Logger): void {
  const families = config.detect.families.map((f) => `${FAMILY_LABEL[f]} via ${config.detect.sources[f].map((s) => s.name).join(', ')}`).join('; ');
  log.info(`ddnsd ${VERSION} starting: checking ${families} every ${formatDuration(config.intervalMs)}`, {
    config: config.file ?? 'built-in default',
    state: runtime.store.path,
  });
  if (!config.file) {
    log.info('No config file found (looked for --config, DDNSD_CONFIG, then ./config.yaml): running with the built-in default.');
  }
  const lists = [config.detect.sources, ...config.wans.map((w) => w.sources)];
  const pushed = lists.some((sources) => sources.ipv4.some((s) => s.kind === 'push') || sources.ipv6.some((s) => s.kind === 'push'));
  for (const wan of config.wans) {
    const via = [...wan.sources.ipv4, ...wan.sources.ipv6].map((s) => s.name).join(', ');
    log.info(`Link ${wan.name}: checking ${via}${wan.bind ? ` from ${wan.bind}` : ''}${wan.probe ? ', with a probe' : ''}`);
  }
  if (config.server.nicUpdate && !pushed) {
    log.warn('server.nic_update is set but no detect list names the push source: pushed addresses are stored and shown, not used; add push under detect.ipv4 (or detect.ipv6)');
  }
  if (config.providers.length === 0) {
    log.info(
      'No providers are configured, so ddnsd only detects the address. To keep a hostname pointed at it, copy config.example.yaml to config.yaml and fill in a provider entry.',
    );
  }
}
