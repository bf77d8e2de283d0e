/**
 * Wiring in one place: the clock, HTTP clients, logger, state store,
 * detector and provider adapters are built here and handed down.
 */
import { readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { Agent, type Dispatcher } from 'undici';
import { createDnsClient } from '../providers/kit/dns.js';
import type { ConfiguredProvider, CycleReport, Events, RetryPolicy } from './cycle/index.js';
import { createEvents, DEFAULT_RETRY, runCycle } from './cycle/index.js';
import { logEvents } from './cycle/log.js';
import { systemClock, type Clock } from './clock.js';
import type { Config } from './config/load.js';
import { formatDuration } from './config/duration.js';
import { FAMILY_LABEL, type Family } from './detect/address.js';
import { createDetector, type Detector } from './detect/index.js';
import { probeHealth, type HealthProbe } from './health.js';
import { createHttpClient } from './http.js';
import { lanAddresses, noteLan, type LanAddress } from './lan.js';
import { createLoop, type Loop } from './loop.js';
import type { Logger, Redactor } from './log.js';
import { createStateStore, type State, type StateStore } from './state.js';
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
}

export interface Runtime {
  config: Config;
  state: State;
  store: StateStore;
  detector: Detector;
  providers: ConfiguredProvider[];
  /** What cycles tell: the log, metrics and the status subscribe here. */
  events: Events;
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
  events.on('detected', (e) => (detectionErrors[e.family] = null));
  events.on('detection-failed', (e) => (detectionErrors[e.family] = e.error));
  const detector = createDetector({
    sources: config.detect.sources,
    agree: config.detect.agree,
    timeoutMs: config.detect.timeoutMs,
    userAgent: USER_AGENT,
    ...(options.detectDispatchers ? { dispatchers: options.detectDispatchers } : {}),
  });
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
    providers,
    events,
    async cycle(id, signal, dryRun = false, force = false) {
      if (!dryRun) checkLan();
      return runCycle(
        { providers, detector, refreshMs: config.refreshMs, clock, log, redactor, retry: options.retry ?? DEFAULT_RETRY, persist, events },
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
        nextCheck,
        stateError,
        labels: providers.map((p) => p.provider.label),
        hosts: providers.map((p) => p.provider.hosts),
        now: clock.now(),
      });
    },
    async close() {
      await Promise.all([detector.close(), ownAgent?.close()]);
    },
  };
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
  const [{ buildServer }, { createMetrics }] = await Promise.all([import('./server/index.js'), import('./server/metrics.js')]);
  const status = (): Status => runtime.status(loop.nextCheck());
  const metrics = createMetrics(status, runtime.events);
  let running: number | undefined;
  const loop = createLoop({
    intervalMs: config.intervalMs,
    clock,
    log,
    run: async (id, signal) => {
      running = id;
      try {
        return await runtime.cycle(id, signal);
      } finally {
        running = undefined;
      }
    },
  });
  const server = buildServer({
    status,
    token: config.server.token,
    access: config.server,
    log,
    metrics,
    now: clock.now,
    runNow() {
      const joined = running !== undefined;
      const cycle = loop.runNow();
      return { id: cycle.id, joined, done: cycle.done };
    },
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
  loop.start();

  let stopping: Promise<void> | undefined;
  return {
    runtime,
    loop,
    url,
    stop() {
      stopping ??= (async () => {
        await loop.stop(STOP_GRACE_MS);
        await runtime.store.save(runtime.state).catch((error: Error) => log.error(`cannot write the state file: ${error.message}`));
        await server.close();
        await runtime.close();
      })();
      return stopping;
    },
  };
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
  if (config.providers.length === 0) {
    log.info('No providers are configured, so ddnsd only detects the address. To keep a hostname pointed at it, copy config.example.yaml to config.yaml and fill in a provider entry.');
  }
}

/** `ddnsd health`: one GET of the daemon's /healthz, through the shared HTTP helper. */
export async function checkHealth(config: Config): Promise<HealthProbe> {
  const { tls, token } = config.server;
  // Over TLS, trust exactly the configured certificate (whatever names it carries): this is the same machine.
  const agent = new Agent(tls ? { connect: { ca: readFileSync(tls.certFile, 'utf8'), checkServerIdentity: () => undefined } } : {});
  try {
    const http = createHttpClient({ userAgent: USER_AGENT, dispatcher: agent });
    return await probeHealth(config.server.listen, http, 3000, { https: Boolean(tls), token });
  } finally {
    await agent.close();
  }
}
