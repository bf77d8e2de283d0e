/**
 * "Update now" on the page, in chromium: it retries a host paused after an
 * answer ddnsd could not read, and lists the host it did not retry and why.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { PROVIDERS } from './helpers/providers.js';
import { loadConfig } from './helpers/config.js';
import { createLogger, createRedactor } from '../src/base/log.js';
import { startDaemon, type Daemon } from '../src/main.js';
import { startDuckDns } from './fakes/duckdns.js';
import { startEcho } from './fakes/echo.js';
import { tempDir } from './helpers/cli.js';

const CHROMIUM = '/usr/bin/chromium';
const PAGE_TOKEN = 'update-now-page-token-4d1e';
const WAIT = { timeout: 10_000 };

describe.skipIf(process.env.DDNSD_SKIP_BROWSER === '1')('"Update now" in chromium', () => {
  const closers: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const close of closers.reverse()) await close();
  });

  it('retries the host paused after an unreadable answer and lists the one that needs attention as not retried', async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install it with "apt-get install chromium" (or set DDNSD_SKIP_BROWSER=1 to skip this test)`);
    const echo = await startEcho('81.2.69.160');
    const office = await startDuckDns({ token: 'office-token-8b2c4e', domains: ['office'] });
    const lab = await startDuckDns({ token: 'lab-token-right-5e0d', domains: ['lab'] });
    closers.push(() => Promise.all([echo.close(), office.close(), lab.close()]));
    // DuckDNS documents only OK and KO (https://www.duckdns.org/spec.jsp): this answer is ddnsd's guess.
    office.failNext(1, 200, {}, '<html>captive portal</html>');
    const dir = tempDir();
    writeFileSync(
      join(dir, 'config.yaml'),
      `interval: 1h\nstate: ./state.json\ndetect:\n  ipv4: [${echo.url}/]\n  agree: 1\nserver:\n  listen: 127.0.0.1:0\n  token: ${PAGE_TOKEN}\nproviders:\n` +
        `  - type: duckdns\n    token: office-token-8b2c4e\n    endpoint: ${office.url}\n    hosts: [office]\n` +
        `  - type: duckdns\n    token: lab-token-wrong-7a1f\n    endpoint: ${lab.url}\n    hosts: [lab]\n`,
    );
    const config = loadConfig({ providers: PROVIDERS, path: join(dir, 'config.yaml'), env: {}, cwd: dir });
    const redactor = createRedactor();
    const daemon: Daemon = await startDaemon(config, { log: createLogger({ format: 'json', level: 'error', redactor, write: () => {} }), redactor, lan: () => [] });
    closers.push(() => daemon.stop());
    await daemon.loop.runNow().done;
    expect(daemon.runtime.status().hosts.map((h) => h.status)).toEqual(['failing', 'needs-attention']);

    const profile = mkdtempSync(join(tmpdir(), 'ddnsd-chromium-'));
    closers.push(async () => rmSync(profile, { recursive: true, force: true }));
    const context: BrowserContext = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run', '--disable-component-update', '--disable-sync'],
      timeout: 20_000,
    });
    closers.push(() => context.close());
    context.setDefaultTimeout(WAIT.timeout);
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(`${daemon.url}/?refresh=1`, WAIT);
    expect(await page.locator('tr[data-host="office.duckdns.org"] td.error').innerText()).toMatch(/trying again in (1 h|\d+ min) \(\d{4}-\d\d-\d\d \d\d:\d\d UTC\)/);

    await page.fill('#token', PAGE_TOKEN);
    await page.click('#update-form button');
    const held = page.locator('#not-retried li[data-host="lab.duckdns.org"]');
    await held.waitFor(WAIT);
    expect(await held.getAttribute('data-reason')).toBe('needs-attention');
    expect(await held.innerText()).toContain('fix its provider entry in the config');
    expect(await page.locator('#update-message').innerText()).toContain('Not retried:');
    expect(await page.locator('#not-retried li').count()).toBe(1);
    await page.locator('tr[data-host="office.duckdns.org"] .badge', { hasText: 'OK' }).waitFor(WAIT);
    expect([office.updates().length, lab.requests.length]).toEqual([2, 1]);
  }, 60_000);
});
