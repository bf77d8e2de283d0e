/**
 * Wiring in one place: the clock, HTTP clients, logger, state store,
 * detector and provider adapters are built here and handed down.
 */
import { networkInterfaces } from 'node:os';
import { dirname } from 'node:path';
import { Agent, type Dispatcher } from 'undici';
import { createDnsClient } from '../providers/kit/dns.js';
import type { ConfiguredProvider, CycleReport, Events, RetryPolicy } from './cycle/index.js';
import { createEvents, DEFAULT_RETRY, runCycle } from './cycle/index.js';
import { logEvents } from './cycle/log.js';
import { notRetried } from './cycle/plan.js';
import { systemClock, type Clock } from './clock.js';
import type { Config } from './config/load.js';
import { formatDuration } from './config/duration.js';
import { FAMILY_LABEL, type Family } from './detect/address.js';
import { createDetector, type Detector, type SourceAnswer } from './detect/index.js';
import type { InterfaceReader } from './detect/interface.js';
import { createPushStore, type PushStore } from './detect/push.js';
import { upnpPortMapper } from './detect/upnp.js';
import { createLinks, type Links } from './detect/wans.js';
import type { NicUpdateDeps } from './server/nic-update.js';
import type { RunNow } from './server/index.js';
import { createHttpClient, type HttpClient } from './http.js';
import { lanAddresses, noteLan, type LanAddress } from './lan.js';
import { createLoop, type Loop } from './loop.js';
import type { Logger, Redactor } from './log.js';
import type { Notifier } from './notify/index.js';
import type { ChecksConfig } from './reach/config.js';
import type { PortMapper, Reach } from './reach/index.js';
import { createStateStore, hostKey, type State, type StateStore } from './state.js';
import { buildStatus, type Status } from './status.js';
import { USER_AGENT, VERSION } from './version.js';

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
  cycle(id: number, signal: AbortSignal, dryRun?: boolean, force?: boolean): Promise<CycleReport>;
  status(nextCheck?: number): Status;
  close(): Promise<void>;
}

export async function createRuntime(config: Config, options: WiringOptions): Promise<Runtime> {
  const clock = options.clock ?? systemClock;
  const { log, redactor } = options;
  for (const secret of config.secrets) redactor.add(secret);

  const ownAgent = options.dispatcher ? undefined : new Agent();
  const dispatcher = options.dispatcher ?? (ownAgent as Agent);
  const providers = config.providers.map((entry) => ({
    entry,
    provider: entry.definition.create(entry.settings, {
      http: createHttpClient({ userAgent: USER_AGENT, dispatcher, timeoutMs: entry.settings.timeout }),
      dns: createDnsClient({ timeoutMs: entry.settings.timeout }),
      clock,
      log,
    }),
  }));
  const events = createEvents((error, event) => log.error(`A listener of ${event.type} failed: ${(error as Error).message}`));
  logEvents(events, log);
  const detectionErrors: Partial<Record<Family, string | null>> = {};
  // Detection results reach the status as soon as they are known, before any provider is called.
  const detectionAnswers: Partial<Record<Family, SourceAnswer[]>> = {};
  events.on('detected', (e) => {
    detectionErrors[e.family] = null;
    if (e.answers) detectionAnswers[e.family] = e.answers;
  });
  events.on('detection-failed', (e) => {
    detectionErrors[e.family] = e.error;
    if (e.answers) detectionAnswers[e.family] = e.answers;
  });
  const nic = config.server.nicUpdate;
  const push = nic ? createPushStore(clock.now, nic.maxAgeMs) : undefined;
  const detector = createDetector({
    ...(push ? { push } : {}),
    ...(options.interfaces ? { interfaces: options.interfaces } : {}),
    sources: config.detect.sources,
    agree: config.detect.agree,
    timeoutMs: config.detect.timeoutMs,
    userAgent: USER_AGENT,
    ...(options.detectDispatchers ? { dispatchers: options.detectDispatchers } : {}),
  });
  const links = config.wans.length > 0 ? linksOf(config, options, push) : undefined;
  const store = createStateStore(config.statePath, log, clock.now);
  const state = await store.load();
  const lookupLan = options.lan ?? (() => lanAddresses(networkInterfaces()));
  const checkLan = (): void => {
    try {
      const change = noteLan(state, lookupLan(), clock.now());
      if (change) events.emit({ type: 'lan-address-changed', ...change });
    } catch (error) {
      log.debug(`cannot list the network interfaces: ${(error as Error).message}`);
    }
  };
  checkLan();
  const { reach, notifier } = await watchers(config, options, { dispatcher, clock, events, state, providers, lookupLan });

  let stateError: string | undefined;
  const persist = async (s: State): Promise<void> => {
    try {
      await store.save(s);
      if (stateError) log.info(`The state file ${store.path} is written again`);
      stateError = undefined;
    } catch (error) {
      const message = `cannot write the state file ${store.path}: ${(error as Error).message}; will try again next cycle`;
      if (message !== stateError) log.error(message);
      stateError = message;
    }
  };

  return {
    config,
    state,
    store,
    detector,
    push,
    providers,
    events,
    reach,
    notifier,
    async cycle(id, signal, dryRun = false, force = false) {
      if (!dryRun) checkLan();
      return runCycle(
        { providers, detector, links, lanPrefix: () => push?.lanPrefix(), refreshMs: config.refreshMs, clock, log, redactor, retry: options.retry ?? DEFAULT_RETRY, persist, events },
        state,
        { id, signal, dryRun, force },
      );
    },
    status(nextCheck) {
      return buildStatus({
        version: VERSION,
        config,
        state,
        detectionErrors,
        detectionAnswers,
        nextCheck,
        stateError,
        labels: providers.map((p) => p.provider.label),
        hosts: providers.map((p) => p.provider.hosts),
        now: clock.now(),
        reach: reach ? { at: reach.last()?.at, results: reach.last()?.results ?? [] } : undefined,
        notify: notifier?.status() ?? [],
        lanPrefix: push ? (wan) => push.lanPrefix(wan) : undefined,
      });
    },
    async close() {
      await reach?.stop();
      notifier?.close();
      await Promise.all([detector.close(), links?.close(), ownAgent?.close()]);
    },
  };
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

export interface Daemon {
  runtime: Runtime;
  loop: Loop;
  /** Where the status server listens, e.g. http://127.0.0.1:8080 */
  url: string;
  stop(): Promise<void>;
}

/** Most time allowed for in-flight work when stopping. */
export const STOP_GRACE_MS = 8000;

/** `ddnsd run`: the loop plus the status server. */
export async function startDaemon(config: Config, options: WiringOptions): Promise<Daemon> {
  const { log } = options;
  const runtime = await createRuntime(config, options);
  describeStart(config, runtime, log);
  const clock = options.clock ?? systemClock;
  // The status server (fastify, prom-client) is loaded only for `ddnsd run`:
  // `once` and `check` start faster and smaller without it.
  const [{ buildServer }, { createMetrics }, { openSessions }] = await Promise.all([
    import('./server/index.js'),
    import('./server/metrics.js'),
    import('./server/session.js'),
  ]);
  // Page sign-ins (auth: token) outlive a restart: the key and the signed-out sessions are kept next to the state.
  const sessions = config.server.auth === 'token' ? await openSessions(dirname(config.statePath), { now: clock.now, log }) : undefined;
  if (sessions) options.redactor.add(sessions.key);
  const status = (): Status => runtime.status(loop.nextCheck());
  const metrics = createMetrics(status, runtime.events);
  // "Update now": a forced cycle (hosts paused by ddnsd's own backoff are sent too), and the
  // hosts it still holds back, so the answer can say which and why.
  const runNow = (): RunNow => {
    const held = notRetried(runtime.providers, runtime.state, clock.now());
    const cycle = loop.runNow({ force: true });
    return { id: cycle.id, joined: cycle.joined, done: cycle.done, notRetried: held };
  };
  const loop = createLoop({
    intervalMs: config.intervalMs,
    clock,
    log,
    run: (id, signal, force) => runtime.cycle(id, signal, false, force),
  });
  const server = buildServer({
    status,
    token: config.server.token,
    access: config.server,
    log,
    metrics,
    now: clock.now,
    runNow,
    sessions,
    nicUpdate: nicUpdateDeps(runtime, () => loop.runNow().done.catch(() => {}), log),
  });
  const { host, port } = config.server.listen;
  try {
    await server.listen({ host, port });
  } catch (error) {
    await runtime.close();
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
    address && typeof address !== 'string'
    ? `${scheme}://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`
    : `${scheme}://${host}:${port}`;
  log.info(`Status page on ${url}/ (JSON at ${url}/api/status)`);
  runtime.events.emit({ type: 'started', version: VERSION, at: clock.now() });
  // The checks start once the first cycle knows the address, then run every checks.interval.
  const startChecks = runtime.events.on('cycle-finished', () => {
    startChecks();
    runtime.reach?.start();
  });
  loop.start();

  let stopping: Promise<void> | undefined;
  return {
    runtime,
    loop,
    url,
    stop() {
      stopping ??= (async () => {
        await loop.stop(STOP_GRACE_MS);
        await removeOnStop(runtime, log);
        await runtime.reach?.stop();
        runtime.events.emit({ type: 'stopped', at: clock.now() });
        await flushNotifications(runtime.notifier, 3000);
        await runtime.store.save(runtime.state).catch((error: Error) => log.error(`cannot write the state file: ${error.message}`));
        await server.close();
        await runtime.close();
      })();
      return stopping;
    },
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
      const removed = await provider.removeRecords(signal);
      for (const host of provider.hosts) for (const family of entry.families) delete runtime.state.hosts[hostKey(entry.definition.type, host, family)];
      log.info(`delete_on_stop: deleted ${removed} record(s) of ${provider.hosts.join(', ')} at ${provider.label}`);
    } catch (error) {
      log.error(`delete_on_stop: could not delete the records of ${provider.hosts.join(', ')} at ${provider.label}: ${(error as Error).message}`);
    }
  }
}

/** The /nic/update endpoint's wiring: the configured hosts, the push store, a cycle on a new address. */
function nicUpdateDeps(runtime: Runtime, cycleNow: () => void, log: Logger): NicUpdateDeps | undefined {
  const nic = runtime.config.server.nicUpdate;
  if (!nic || !runtime.push) return undefined;
  return {
    users: nic.users,
    hosts: new Set(runtime.providers.flatMap((p) => p.provider.hosts)),
    push: runtime.push,
    changed(family, address) {
      log.info(`A router pushed a new ${FAMILY_LABEL[family]} address, ${address}: checking now`);
      cycleNow();
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
  const reach = createReach({ config: config.checks, http, dns, clock, log, events, state, providers: deps.providers, lan, mapper: options.portMapper ?? routerMapper(config.checks, http), ...options.reachLoopback });
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
  const families = config.detect.families
    .map((f) => `${FAMILY_LABEL[f]} via ${config.detect.sources[f].map((s) => s.name).join(', ')}`)
    .join('; ');
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
    log.info('No providers are configured, so ddnsd only detects the address. To keep a hostname pointed at it, copy config.example.yaml to config.yaml and fill in a provider entry.');
  }
}
