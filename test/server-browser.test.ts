/**
 * The status page in a real browser: Debian's chromium driven by
 * playwright-core, against a daemon in this process talking to local fake
 * sources and fake DuckDNS servers. Every wait is bounded.
 *
 * DDNSD_SCREENSHOT=docs/status-page.png also saves the screenshot the README shows.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from './helpers/config.js';
import { PROVIDERS } from './helpers/providers.js';
import { createLogger, createRedactor } from '../src/base/log.js';
import { startDaemon, type Daemon } from '../src/main.js';
import { startDuckDns, type FakeDuckDns } from './fakes/duckdns.js';
import { startEcho, type EchoServer } from './fakes/echo.js';
import { tempDir } from './helpers/cli.js';
import { statusDaemonYaml } from './helpers/config-yaml.js';

const CHROMIUM = '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run', '--disable-component-update', '--disable-sync'];
const OLD = '81.2.69.161';
const FIRST = '81.2.69.160';
const THIRD = '81.2.69.162';
const OFFICE_TOKEN = 'duck-office-0a61c9f2';
const LAB_TOKEN = 'duck-lab-77d2e4b8';
const PAGE_TOKEN = 'page-secret-c58e21d9-token';
const RETRY = { retries: 2, minTimeoutMs: 0, maxTimeoutMs: 0, maxWaitMs: 60_000 };
const WAIT = { timeout: 10_000 };

describe.skipIf(process.env.DDNSD_SKIP_BROWSER === '1')('the status page in chromium', () => {
  let echoA: EchoServer;
  let echoB: EchoServer;
  let office: FakeDuckDns;
  let lab: FakeDuckDns;
  let daemon: Daemon;
  let context: BrowserContext;
  let page: Page;
  let profile: string;
  const problems: string[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install it with "apt-get install chromium" (or set DDNSD_SKIP_BROWSER=1 to skip this test)`);
    echoA = await startEcho(FIRST);
    echoB = await startEcho(FIRST);
    office = await startDuckDns({ token: OFFICE_TOKEN, domains: ['myoffice', 'portal'] });
    lab = await startDuckDns({ token: LAB_TOKEN, domains: ['homelab'] });
    const dir = tempDir();
    const at = Date.now() - 26 * 3600_000;
    const confirmed = (host: string) => ({ provider: 'duckdns', host, family: 'ipv4', address: OLD, confirmedAt: at, failures: 0 });
    // A previous run: the old address confirmed everywhere, and a different LAN address.
    writeFileSync(
      join(dir, 'state.json'),
      JSON.stringify({
        version: 1,
        lastCheck: at,
        detected: { ipv4: { address: OLD, at } },
        hosts: Object.fromEntries(['myoffice.duckdns.org', 'portal.duckdns.org', 'homelab.duckdns.org'].map((h) => [`duckdns ${h} ipv4`, confirmed(h)])),
        history: [{ at: at - 30 * 24 * 3600_000, family: 'ipv4', to: OLD }],
        lan: { addresses: [{ interface: 'eth0', family: 'ipv4', address: '192.168.1.20' }], at },
      }),
    );
    writeFileSync(
      join(dir, 'config.yaml'),
      `${statusDaemonYaml([echoA.url, echoB.url])}  token: ${PAGE_TOKEN}
providers:
  - type: duckdns
    token: ${OFFICE_TOKEN}
    endpoint: ${office.url}
    hosts: [myoffice, portal]
  - type: duckdns
    token: ${LAB_TOKEN}
    endpoint: ${lab.url}
    hosts: [homelab]
`,
    );
    const config = loadConfig({ providers: PROVIDERS, path: join(dir, 'config.yaml'), env: {}, cwd: dir });
    const redactor = createRedactor();
    const log = createLogger({ format: 'json', level: 'error', redactor, write: () => {} });
    const lan = [
      { interface: 'eth0', family: 'ipv4' as const, address: '192.168.1.37' },
      { interface: 'eth0', family: 'ipv6' as const, address: 'fd00::37' },
    ];
    daemon = await startDaemon(config, { log, redactor, retry: RETRY, lan: () => lan });
    await daemon.loop.runNow().done;

    profile = mkdtempSync(join(tmpdir(), 'ddnsd-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: FLAGS,
      viewport: { width: 1100, height: 1000 },
      timeout: 20_000,
    });
    context.setDefaultTimeout(WAIT.timeout);
    page = context.pages()[0] ?? (await context.newPage());
    page.on('console', (m) => {
      // The wrong-token attempt below is answered 401 on purpose; chromium reports every such answer.
      const expected = m.text().includes('status of 401 (Unauthorized)');
      if ((m.type() === 'error' || m.type() === 'warning') && !expected) problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
  }, 40_000);

  afterAll(async () => {
    await context?.close();
    await daemon?.stop();
    await Promise.all([echoA?.close(), echoB?.close(), office?.close(), lab?.close()]);
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  const row = (host: string) => page.locator(`tr[data-host="${host}"][data-family="ipv4"]`);

  it('shows a row per host, follows a provider that starts failing without reloading, and runs "Update now" with the token', async () => {
    await page.goto(`${daemon.url}/?refresh=1`, WAIT);
    await expect.poll(() => page.locator('tbody tr').count(), WAIT).toBe(3);
    for (const host of ['myoffice.duckdns.org', 'portal.duckdns.org', 'homelab.duckdns.org']) {
      expect(await row(host).getAttribute('data-status')).toBe('ok');
      expect(await row(host).locator('.badge').innerText()).toContain('OK');
      expect(await row(host).locator('td[data-label="Published"]').innerText()).toBe(FIRST);
    }
    expect(await page.locator('.warning').innerText()).toContain('192.168.1.20 is gone, now 192.168.1.37');
    expect(await page.locator('ol.history li').first().innerText()).toContain(`${OLD} → ${FIRST}`);
    expect(office.updates()).toHaveLength(1);
    expect(lab.updates()).toHaveLength(1);

    // The lab's provider breaks and the address changes: a cycle runs behind the page's back.
    await page.evaluate('window.notReloaded = true');
    lab.failNext(3, 500);
    echoA.answer = THIRD;
    echoB.answer = THIRD;
    await daemon.loop.runNow().done;
    expect(lab.updates()).toHaveLength(1 + 3);
    const failing = row('homelab.duckdns.org').locator('.badge', { hasText: 'Failing' });
    await failing.waitFor(WAIT);
    expect(await row('homelab.duckdns.org').locator('td.error').innerText()).toMatch(/server error \(HTTP 500\); trying again in \d+ (s|min)/);
    expect(await row('myoffice.duckdns.org').locator('td[data-label="Published"]').innerText()).toBe(THIRD);
    expect(await page.evaluate('window.notReloaded')).toBe(true);
    expect(await page.locator('.summary').innerText()).toContain('1 host is failing');

    if (process.env.DDNSD_SCREENSHOT) await page.screenshot({ path: resolve(process.env.DDNSD_SCREENSHOT), fullPage: true });

    // "Update now": a wrong token starts nothing; the right one starts a cycle the page then shows.
    const before = office.updates().length;
    await page.fill('#token', 'not-the-token');
    await page.click('#update-form button');
    await page.locator('#update-message', { hasText: 'Wrong token' }).waitFor(WAIT);
    expect(office.updates()).toHaveLength(before);

    echoA.answer = FIRST;
    echoB.answer = FIRST;
    await page.fill('#token', PAGE_TOKEN);
    await page.click('#update-form button');
    await page.locator('#update-message', { hasText: /Cycle \d+ started|already running/ }).waitFor(WAIT);
    await row('portal.duckdns.org').locator('td[data-label="Published"]', { hasText: FIRST }).waitFor(WAIT);
    expect(office.updates()).toHaveLength(before + 1);
    expect(office.updates().at(-1)?.url.searchParams.get('ip')).toBe(FIRST);
    // "Update now" also retries the lab host, paused after its failures (as once --force does).
    await row('homelab.duckdns.org').locator('.badge', { hasText: 'OK' }).waitFor(WAIT);
    expect(lab.updates()).toHaveLength(5);
    expect(await page.evaluate('window.notReloaded')).toBe(true);
    expect(problems).toEqual([]);
  }, 60_000);

  it('fits a phone screen without sideways scrolling', async () => {
    await page.setViewportSize({ width: 375, height: 800 });
    await page.goto(`${daemon.url}/`, WAIT);
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
    expect(overflow).toBeLessThanOrEqual(0);
    expect(await page.locator('thead').isVisible()).toBe(false);
    const background = () => page.evaluate<string>('getComputedStyle(document.body).backgroundColor');
    await page.emulateMedia({ colorScheme: 'light' });
    const light = await background();
    await page.emulateMedia({ colorScheme: 'dark' });
    expect(await background()).not.toBe(light);
    expect(problems).toEqual([]);
  }, 30_000);
});
