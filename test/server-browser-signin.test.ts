/**
 * Signing in, "Update now" and signing out as a person does it: Debian's
 * chromium driven by playwright-core types into the page's own forms and
 * presses its buttons, against the status server on loopback (listening as
 * if beyond it, so reads need a sign-in). Also the page's layout, measured:
 * where the Hosts table starts and whether anything widens the page.
 *
 * DDNSD_SCREENSHOT=docs/status-page.png also saves the screenshot the README shows.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../src/password.js';
import { buildServer, type ServerDeps } from '../src/server/index.js';
import { openSessions } from '../src/server/session.js';
import { tempDir } from './helpers/cli.js';
import { officeStatus } from './helpers/page-status.js';

const CHROMIUM = '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run', '--disable-component-update', '--disable-sync'];
const TOKEN = 'browser-page-token-3c9e51f0';
const PASSWORD = 'correct horse battery staple';
const WAIT = { timeout: 15_000 };

interface Running {
  app: FastifyInstance;
  url: string;
  cycles: () => number;
}

/** The status server on 127.0.0.1, with the access settings of one listening on the LAN. */
async function serve(access: ServerDeps['access'], extra: Partial<ServerDeps> = {}, port = 0, setup?: (app: FastifyInstance) => void): Promise<Running> {
  let cycles = 0;
  const status = officeStatus(Date.now());
  const app = buildServer({
    status: () => status,
    now: Date.now,
    token: TOKEN,
    runNow: () => ({ id: ++cycles, joined: false, done: Promise.resolve() }),
    access: { auth: 'token', publicRead: false, listen: { host: '0.0.0.0', port: 8080 }, ...access },
    ...extra,
  });
  setup?.(app);
  await app.listen({ host: '127.0.0.1', port });
  const bound = (app.server.address() as { port: number }).port;
  return { app, url: `http://127.0.0.1:${bound}`, cycles: () => cycles };
}

/** What the old cookie reads on its own, outside the browser. */
async function readWith(url: string, cookie: string): Promise<number> {
  const res = await request(`${url}/api/status`, { headers: { cookie } });
  await res.body.dump();
  return res.statusCode;
}

interface Layout {
  hostsTop: number;
  reachTop: number;
  scrollWidth: number;
  clientWidth: number;
  signOutInside: boolean;
  codeInFix: number;
  backticks: number;
}

/** Runs in the page (as text: the project's types have no DOM). */
const MEASURE = `(() => {
  const box = (sel) => document.querySelector(sel)?.getBoundingClientRect();
  const main = box('main');
  const signOut = box('#sign-out button');
  const fix = [...document.querySelectorAll('tr[data-check] td p')].map((p) => p.innerText);
  return {
    hostsTop: Math.round((box('#h-hosts')?.top ?? 0) + window.scrollY),
    reachTop: Math.round((box('#h-reach')?.top ?? 0) + window.scrollY),
    scrollWidth: document.documentElement.scrollWidth,
    clientWidth: document.documentElement.clientWidth,
    signOutInside: Boolean(main && signOut && signOut.left >= main.left && signOut.right <= main.right),
    codeInFix: document.querySelectorAll('tr[data-check] td p code').length,
    backticks: fix.filter((t) => t.includes('\u0060')).length,
  };
})()`;

describe.skipIf(process.env.DDNSD_SKIP_BROWSER === '1')('signing in and out in chromium', () => {
  let browser: Browser;
  const problems: string[] = [];
  const contexts: BrowserContext[] = [];
  const servers: Running[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install it with "apt-get install chromium" (or set DDNSD_SKIP_BROWSER=1 to skip this test)`);
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS, timeout: 30_000 });
  }, 40_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    for (const s of servers) await s.app.close().catch(() => {});
  });

  async function open(options: Parameters<Browser['newContext']>[0] = {}): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...options });
    context.setDefaultTimeout(WAIT.timeout);
    contexts.push(context);
    const page = await context.newPage();
    page.on('pageerror', (e) => problems.push(e.message));
    return page;
  }

  it('auth: token: types the token and presses Sign in, presses "Update now" without the token, stays signed in across a restart, and "Sign out" ends the cookie', async () => {
    const dir = tempDir();
    const sessions = () => openSessions(dir, { now: Date.now });
    let server = await serve({}, { sessions: await sessions() });
    servers.push(server);
    const page = await open();
    await page.goto(`${server.url}/?refresh=1`, WAIT);
    await page.locator('#sign-in-form').waitFor(WAIT);
    await page.locator('#token').pressSequentially(TOKEN);
    await page.locator('#sign-in-form button').press('Enter');
    await page.locator('#h-hosts').waitFor(WAIT);
    expect(await page.locator('tr[data-host="office.example.com"]').count()).toBe(2);

    // Signed in: the Update now form has no token field, and pressing it starts a cycle.
    expect(await page.locator('#update-form input').count()).toBe(0);
    await page.locator('#update-form button').click();
    await page.locator('#update-message', { hasText: /Cycle 1 started/ }).waitFor(WAIT);
    expect(server.cycles()).toBe(1);

    // A restart: the same port, the same state folder. The open tab keeps refreshing and stays signed in.
    const port = Number(new URL(server.url).port);
    await server.app.close();
    server = await serve({}, { sessions: await sessions() }, port);
    servers.push(server);
    const refreshed = await page.locator('#status').getAttribute('data-refreshed-at');
    await expect.poll(() => page.locator('#status').getAttribute('data-refreshed-at'), WAIT).not.toBe(refreshed);
    expect(await page.locator('#connection').innerText()).toBe('');
    await page.reload(WAIT);
    await page.locator('#h-hosts').waitFor(WAIT);
    await page.locator('#update-form button').click();
    await page.locator('#update-message', { hasText: /Cycle 1 started/ }).waitFor(WAIT);
    expect(server.cycles()).toBe(1);

    const [cookie] = await page.context().cookies();
    expect(cookie?.name).toBe('ddnsd_session');
    const old = `${cookie?.name}=${cookie?.value}`;
    expect(await readWith(server.url, old)).toBe(200);
    await page.locator('#sign-out button').click();
    await page.locator('#sign-in-form').waitFor(WAIT);
    expect(await page.context().cookies()).toEqual([]);
    expect(await readWith(server.url, old)).toBe(401);
    expect(problems).toEqual([]);
  }, 90_000);

  // Without a session store (ddnsd without a state folder) each start signs with a key the server makes as it starts.
  it('auth: token: a tab signed in before a restart that lost the key gets the sign-in page again, not a lock-out', async () => {
    const first = await serve({});
    servers.push(first);
    const page = await open();
    await page.goto(`${first.url}/?refresh=1`, WAIT);
    await page.locator('#token').pressSequentially(TOKEN);
    await page.locator('#sign-in-form button').click();
    await page.locator('#h-hosts').waitFor(WAIT);
    const port = Number(new URL(first.url).port);
    await first.app.close();
    const second = await serve({}, {}, port);
    servers.push(second);
    // Twelve of the page's polls with what the browser holds (before, each counted as a failed sign-in and the 11th was 429).
    const codes = await page.evaluate<number[]>(`(async () => {
      const codes = [];
      for (let i = 0; i < 12; i++) codes.push((await fetch('/api/status', { cache: 'no-store' })).status);
      return codes;
    })()`);
    expect(codes).toEqual(Array.from({ length: 12 }, () => 401));
    expect(await page.context().cookies()).toEqual([]);
    await page.reload(WAIT);
    await page.locator('#sign-in-form').waitFor(WAIT);
    await page.locator('#token').pressSequentially(TOKEN);
    await page.locator('#sign-in-form button').click();
    await page.locator('#h-hosts').waitFor(WAIT);
  }, 90_000);

  it('auth: basic: the browser\'s credentials show the status; "Update now" asks for the token', async () => {
    const server = await serve({ auth: 'basic', basic: { username: 'office', passwordHash: await hashPassword(PASSWORD) } });
    servers.push(server);
    const wrong = await open({ httpCredentials: { username: 'office', password: 'not the password' } });
    const denied = await wrong.goto(`${server.url}/`, WAIT);
    expect(denied?.status()).toBe(401);
    const page = await open({ httpCredentials: { username: 'office', password: PASSWORD } });
    await page.goto(`${server.url}/`, WAIT);
    await page.locator('#h-hosts').waitFor(WAIT);
    await page.locator('#token').pressSequentially(TOKEN);
    await page.locator('#update-form button').click();
    await page.locator('#update-message', { hasText: /Cycle 1 started/ }).waitFor(WAIT);
    expect(server.cycles()).toBe(1);
    expect(await page.locator('#sign-out').count()).toBe(0);
  }, 60_000);

  it('lays the page out with the Hosts first, long errors wrapped and Sign out in the column, at 1280 px and on a phone', async () => {
    const server = await serve({});
    servers.push(server);
    // Signed in outside the page (the form is tested above), so this measures the layout alone.
    const login = await request(`${server.url}/login`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `token=${TOKEN}` });
    await login.body.dump();
    const [name, value] = String(login.headers['set-cookie']).split(';')[0]?.split('=') as [string, string];
    const page = await open();
    await page.context().addCookies([{ name, value, url: server.url }]);
    await page.goto(`${server.url}/`, WAIT);
    await page.locator('#h-hosts').waitFor(WAIT);
    const shots = mkdtempSync(join(tmpdir(), 'ddnsd-page-'));
    const measured: string[] = [];
    for (const [width, height, size] of [
      [1280, 900, 'desktop'],
      [390, 844, 'phone'],
    ] as const) {
      await page.setViewportSize({ width, height });
      const m = await page.evaluate<Layout>(MEASURE);
      measured.push(
        `${size}: hosts at ${m.hostsTop} px, reachability at ${m.reachTop} px, scrollWidth ${m.scrollWidth} of ${m.clientWidth}, sign-out inside ${m.signOutInside}, ${m.backticks} backticks shown`,
      );
      console.log(`page layout: ${measured.at(-1)}`);
      await page.screenshot({ path: join(shots, `${size}.png`), fullPage: true });
      expect(m.hostsTop, size).toBeLessThan(height / 2);
      expect(m.hostsTop, size).toBeLessThan(m.reachTop);
      expect(m.scrollWidth, size).toBeLessThanOrEqual(m.clientWidth);
      expect(m.signOutInside, size).toBe(true);
      expect(m.codeInFix, size).toBeGreaterThanOrEqual(2);
      expect(m.backticks, size).toBe(0);
    }
    console.log(`page layout screenshots in ${shots}`);
    if (process.env.DDNSD_SCREENSHOT) {
      await page.setViewportSize({ width: 1100, height: 900 });
      await page.emulateMedia({ colorScheme: 'light' });
      await page.screenshot({ path: resolve(process.env.DDNSD_SCREENSHOT), fullPage: true });
    }
    expect(problems).toEqual([]);
  }, 60_000);
});
