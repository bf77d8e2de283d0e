import { SMTPServer } from 'smtp-server';
import { afterEach, describe, expect, it } from 'vitest';
import { createEvents, type CycleEvent, type Events } from '../src/cycle/events.js';
import type { CycleReport } from '../src/cycle/report.js';
import { createHttpClient } from '../src/base/http.js';
import { createLogger, createRedactor } from '../src/base/log.js';
import { notifySchema, notifySecrets } from '../src/notify/config.js';
import { createNotifier, type Notifier } from '../src/notify/index.js';
import { send, startFake, type FakeServer } from './fakes/server.js';
import { tempDir } from './helpers/cli.js';
import { fakeClock, type FakeClock } from './helpers/clock.js';
import { selfSignedCert } from './helpers/tls.js';

const http = createHttpClient({ userAgent: 'ddnsd-test' });
const closers: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

async function recorder(status = 200): Promise<FakeServer & { status: number }> {
  const fake = await startFake((_req, res) => send(res, rec.status, 'ok'));
  const rec = Object.assign(fake, { status });
  closers.push(() => fake.close());
  return rec;
}

interface Harness {
  events: Events;
  notifier: Notifier;
  clock: FakeClock;
  logs: string[];
}

function harness(targets: unknown[], clock = fakeClock()): Harness {
  const config = notifySchema.parse(targets);
  const redactor = createRedactor(notifySecrets(config));
  const logs: string[] = [];
  const log = createLogger({ format: 'json', level: 'debug', redactor, write: (l) => logs.push(l) });
  const events = createEvents();
  const notifier = createNotifier({ targets: config, http, clock, log, redactor, events, retryDelaysMs: [1000, 5000] });
  closers.push(() => notifier.close());
  return { events, notifier, clock, logs };
}

const at = Date.parse('2026-11-29T08:00:00Z');
const failed = (message = 'credentials rejected (HTTP 401)'): CycleEvent => ({
  type: 'host-failed',
  provider: 'duckdns',
  host: 'office.duckdns.org',
  family: 'ipv4',
  kind: 'transient',
  message,
  retryAt: at + 60_000,
  at,
});
const recovered: CycleEvent = { type: 'host-recovered', provider: 'duckdns', host: 'office.duckdns.org', family: 'ipv4', address: '203.0.113.7', at };
const report = (ok: boolean): CycleReport => ({ id: 1, startedAt: at, finishedAt: at, detections: [], hosts: [], ok });

describe('notifications', () => {
  it('webhook: one JSON POST per incident with the secret header, none while a host keeps failing, one on recovery', async () => {
    const hook = await recorder();
    const h = harness([{ type: 'webhook', url: `${hook.url}/hooks/ddnsd-6f1c2a`, secret: 'hush-hush-secret' }]);
    for (let i = 0; i < 5; i++) h.events.emit(failed());
    h.events.emit({ type: 'cycle-finished', report: report(false), at });
    h.events.emit(recovered);
    h.events.emit(recovered);
    await h.notifier.flush();
    expect(hook.requests).toHaveLength(2);
    const [first, second] = hook.requests.map((r) => JSON.parse(r.body) as { event: string; severity: string; message: string });
    expect(first).toMatchObject({ event: 'host-failed', severity: 'warning' });
    expect(first?.message).toContain('credentials rejected');
    expect(second).toMatchObject({ event: 'host-recovered' });
    expect(hook.requests[0]?.headers['x-webhook-secret']).toBe('hush-hush-secret');
    expect(hook.requests[0]?.headers['content-type']).toBe('application/json');
  });

  it('ntfy: title, priority and token as ntfy reads them; the event filter and least severity hold', async () => {
    const topic = await recorder();
    const h = harness([{ type: 'ntfy', url: `${topic.url}/office-ddnsd-topic`, token: 'tk_abcdefgh12345', severity: 'warning' }]);
    h.events.emit({ type: 'address-changed', family: 'ipv4', from: '203.0.113.6', to: '203.0.113.7', sources: [], at });
    h.events.emit({
      type: 'reachability-changed',
      check: 'port',
      subject: 'office.example.com:1234/tcp',
      verdict: 'fail',
      previous: 'pass',
      summary: 'port 1234 on 203.0.113.7 is not reachable from the internet',
      fix: 'In the router, forward TCP port 1234 to this machine.',
      required: true,
      at,
    });
    await h.notifier.flush();
    expect(topic.requests).toHaveLength(1);
    const req = topic.requests[0];
    expect(req?.url.pathname).toBe('/office-ddnsd-topic');
    expect(req?.headers.title).toBe('Not reachable: office.example.com:1234/tcp (port)');
    expect(req?.headers.priority).toBe('5');
    expect(req?.headers.authorization).toBe('Bearer tk_abcdefgh12345');
    expect(req?.body).toContain('forward TCP port 1234');
  });

  it('healthchecks: a ping after each good cycle, /fail after a bad one, no collapse', async () => {
    const hc = await recorder();
    const h = harness([{ type: 'healthchecks', url: `${hc.url}/ping/5f8a1b2c-uuid` }]);
    for (const ok of [true, true, false, true]) h.events.emit({ type: 'cycle-finished', report: report(ok), at });
    h.events.emit(failed());
    await h.notifier.flush();
    expect(hc.requests.map((r) => r.url.pathname)).toEqual(['/ping/5f8a1b2c-uuid', '/ping/5f8a1b2c-uuid', '/ping/5f8a1b2c-uuid/fail', '/ping/5f8a1b2c-uuid']);
  });

  it('rate limit: at most rate_limit an hour, the next one says how many were held back', async () => {
    const hook = await recorder();
    const h = harness([{ type: 'webhook', url: hook.url, rate_limit: 2, events: ['address-changed'] }]);
    for (let i = 1; i <= 5; i++) h.events.emit({ type: 'address-changed', family: 'ipv4', from: `203.0.113.${i - 1}`, to: `203.0.113.${i}`, sources: [], at });
    await h.notifier.flush();
    expect(hook.requests).toHaveLength(2);
    expect(h.notifier.status()[0]?.heldBack).toBe(3);
    h.clock.advance(3_600_001);
    h.events.emit({ type: 'address-changed', family: 'ipv4', from: '203.0.113.5', to: '203.0.113.6', sources: [], at });
    await h.notifier.flush();
    expect(hook.requests).toHaveLength(3);
    expect(JSON.parse(hook.requests[2]?.body ?? '{}').message).toContain('3 earlier notifications were held back');
  });

  it('a failing target is retried with backoff, shown in the status with its secret redacted, and never throws into the cycle', async () => {
    const hook = await recorder(500);
    const url = `${hook.url}/hooks/T0SECRETPATH123`;
    const h = harness([{ type: 'webhook', url }]);
    expect(() => h.events.emit(failed())).not.toThrow();
    await h.notifier.flush();
    expect(hook.requests).toHaveLength(3);
    expect(h.clock.slept).toEqual([1000, 5000]);
    const [status] = h.notifier.status();
    expect(status).toMatchObject({ name: `webhook (${new URL(hook.url).host})`, sent: 0, failed: 1 });
    expect(status?.lastError).toContain('HTTP 500');
    const everything = JSON.stringify(status) + h.logs.join('\n');
    expect(everything).not.toContain('T0SECRETPATH123');
    hook.status = 200;
    h.events.emit(recovered);
    await h.notifier.flush();
    expect(h.notifier.status()[0]).toMatchObject({ sent: 1, lastError: null });
  });

  it('email: one message per incident through a real SMTP server with STARTTLS and a self-signed certificate', async () => {
    const dir = tempDir();
    const pair = selfSignedCert(dir, { keyType: 'rsa:2048', cn: 'localhost' });
    const received: { from: string; to: string[]; data: string; secure: boolean; user: string | undefined }[] = [];
    const server = new SMTPServer({
      key: pair.keyPem,
      cert: pair.certPem,
      authOptional: false,
      onAuth(auth, _session, cb) {
        if (auth.username === 'ddnsd' && auth.password === 'mail-secret-pw') cb(null, { user: auth.username });
        else cb(new Error('bad credentials'));
      },
      onData(stream, session, cb) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          received.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            data: Buffer.concat(chunks).toString(),
            secure: session.secure,
            user: session.user as string | undefined,
          });
          cb();
        });
      },
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    closers.push(() => new Promise<void>((r) => server.close(() => r())));
    const port = (server.server.address() as { port: number }).port;
    const caFile = pair.cert;
    const h = harness([
      {
        type: 'email',
        host: '127.0.0.1',
        port,
        security: 'starttls',
        username: 'ddnsd',
        password: 'mail-secret-pw',
        from: 'ddnsd@office.example',
        to: ['admin@office.example'],
        ca_file: caFile,
      },
    ]);
    for (let i = 0; i < 3; i++)
      h.events.emit({ type: 'host-needs-attention', provider: 'duckdns', host: 'office.duckdns.org', family: 'ipv4', kind: 'auth', message: 'credentials rejected', entry: 0, at });
    await h.notifier.flush();
    expect(h.notifier.status()[0]?.lastError).toBeNull();
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ from: 'ddnsd@office.example', to: ['admin@office.example'], secure: true, user: 'ddnsd' });
    expect(received[0]?.data).toContain('Subject: [ddnsd] office.duckdns.org A needs attention');
  });
});
