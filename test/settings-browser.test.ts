/**
 * The settings page as a person uses it, in Debian's chromium driven by
 * playwright-core, against a daemon running in this process on 127.0.0.1
 * with a fake DuckDNS: sign in, add a host with the form, review the diff,
 * save, and see the host updated; an invalid value marked at its line; a save
 * from a second tab making the first one's a conflict; the read-only view.
 *
 * DDNSD_SCREENSHOT=docs/settings-page.png also saves the screenshot the README shows.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fileSource } from '../src/commands/run.js';
import { loadConfig } from './helpers/config.js';
import { PROVIDERS } from './helpers/providers.js';
import { createLogger, createRedactor } from '../src/base/log.js';
import { startDaemon, type Daemon } from '../src/main.js';
import { startDuckDns, type FakeDuckDns } from './fakes/duckdns.js';
import { startEcho, type EchoServer } from './fakes/echo.js';
import { tempDir } from './helpers/cli.js';

const CHROMIUM = '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run', '--disable-component-update', '--disable-sync'];
const PAGE_TOKEN = 'settings-page-token-5a0c2e91';
const DUCK_TOKEN = 'duck-browser-secret-7f3b1d08';
const WAIT = { timeout: 15_000 };

describe.skipIf(process.env.DDNSD_SKIP_BROWSER === '1')('the settings page in chromium', () => {
  let browser: Browser;
  let echo: EchoServer;
  let duck: FakeDuckDns;
  const contexts: BrowserContext[] = [];
  const daemons: Daemon[] = [];
  const problems: string[] = [];
  const logs: string[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install it with "apt-get install chromium" (or set DDNSD_SKIP_BROWSER=1 to skip this test)`);
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS, timeout: 30_000 });
    echo = await startEcho('81.2.69.160');
    duck = await startDuckDns({ token: DUCK_TOKEN, domains: ['myoffice', 'portal'] });
  }, 40_000);

  afterEach(async () => {
    for (const c of contexts.splice(0)) await c.close().catch(() => {});
    for (const d of daemons.splice(0)) await d.stop();
    expect(problems).toEqual([]);
  });

  afterAll(async () => {
    await browser?.close();
    await Promise.all([echo?.close(), duck?.close()]);
  });

  async function daemon(extra = ''): Promise<{ d: Daemon; file: string }> {
    const dir = tempDir();
    const file = join(dir, 'config.yaml');
    writeFileSync(
      file,
      `# ddnsd at the office
interval: 1h
state: ./state.json
detect:
  ipv4: [${echo.url}/]
server:
  listen: 127.0.0.1:0
  auth: token
  token: ${PAGE_TOKEN}
${extra}providers:
  # the front door
  - type: duckdns
    token: ${DUCK_TOKEN}
    endpoint: ${duck.url}
    hosts: [myoffice]
`,
    );
    const config = loadConfig({ providers: PROVIDERS, path: file, env: {}, cwd: dir });
    const redactor = createRedactor();
    const log = createLogger({ format: 'json', level: 'info', redactor, write: (line) => logs.push(line) });
    const d = await startDaemon(config, { log, redactor, source: fileSource(file, { env: {}, cwd: dir }) });
    daemons.push(d);
    await d.loop.runNow().done;
    return { d, file };
  }

  async function signedIn(url: string, viewport = { width: 1280, height: 900 }): Promise<{ page: Page; context: BrowserContext }> {
    const context = await browser.newContext({ viewport });
    context.setDefaultTimeout(WAIT.timeout);
    contexts.push(context);
    const page = await context.newPage();
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(`${url}/`, WAIT);
    await page.locator('#token').pressSequentially(PAGE_TOKEN);
    await page.locator('#sign-in-form button').press('Enter');
    await page.locator('#settings-link').click();
    await expect.poll(() => page.locator('#yaml').inputValue(), WAIT).toContain('(kept secret providers[0].token)');
    return { page, context };
  }

  it('adds a DuckDNS host with the form, shows the diff, saves, and the host is updated at once', async () => {
    const { d, file } = await daemon();
    const { page } = await signedIn(d.url);
    expect(await page.locator('#yaml').inputValue()).not.toContain(DUCK_TOKEN);
    expect(await page.locator('#yaml').inputValue()).not.toContain(PAGE_TOKEN);
    await page.locator('#add-type').selectOption('duckdns');
    await page.locator('#add-duckdns-hosts').pressSequentially('portal');
    await page.locator('#add-duckdns-token').pressSequentially(DUCK_TOKEN);
    await page.locator('#add-duckdns-endpoint').pressSequentially(duck.url);
    await page.locator('#add-button').press('Enter');
    await page.locator('#entries li', { hasText: 'duckdns: portal' }).waitFor(WAIT);
    await page.locator('#message', { hasText: 'The config is valid.' }).waitFor(WAIT);
    await page.locator('#review-button').click();
    const diff = await page.locator('#diff').innerText();
    expect(diff).toContain('+   - type: duckdns');
    expect(diff).toContain('+     hosts: [portal]');
    expect(diff).not.toMatch(/^- /m);
    const before = duck.updates().filter((r) => r.url.searchParams.get('domains') === 'portal').length;
    if (process.env.DDNSD_SCREENSHOT) await page.screenshot({ path: resolve(process.env.DDNSD_SCREENSHOT), fullPage: true });
    await page.locator('#save-button').click();
    await page.locator('#message', { hasText: 'Saved and applied.' }).waitFor(WAIT);
    await expect.poll(() => duck.records.get('portal')?.ipv4, WAIT).toBe('81.2.69.160');
    expect(duck.updates().filter((r) => r.url.searchParams.get('domains') === 'portal').length).toBe(before + 1);
    const written = readFileSync(file, 'utf8');
    expect(written).toContain('# the front door');
    expect(written).toContain(`token: ${DUCK_TOKEN}\n    endpoint: ${duck.url}\n    hosts: [myoffice]`);
    // After the save the page shows the file again, the new token a placeholder too.
    await expect.poll(() => page.locator('#yaml').inputValue(), WAIT).toContain('(kept secret providers[1].token)');
    expect(logs.join('\n')).not.toContain(DUCK_TOKEN);
  });

  it('marks an invalid value at its line, and a save from a second tab makes the first a conflict (409)', async () => {
    const { d, file } = await daemon();
    const { page, context } = await signedIn(d.url);
    const text = await page.locator('#yaml').inputValue();
    await page.locator('#yaml').fill(text.replace('interval: 1h', 'interval: soon'));
    await page.locator('#check-button').click();
    await page.locator('#gutter span.bad[data-line="2"]').waitFor(WAIT);
    expect(await page.locator('#problems li[data-line="2"]').innerText()).toContain('interval');

    const second = await context.newPage();
    second.on('pageerror', (e) => problems.push(e.message));
    await second.goto(`${d.url}/settings`, WAIT);
    await expect.poll(() => second.locator('#yaml').inputValue(), WAIT).toContain('(kept secret');
    await second.locator('#yaml').fill((await second.locator('#yaml').inputValue()).replace('interval: 1h', 'interval: 2h'));
    await second.locator('#review-button').click();
    await second.locator('#save-button').click();
    await second.locator('#message', { hasText: 'Saved and applied.' }).waitFor(WAIT);

    await page.locator('#yaml').fill(text.replace('interval: 1h', 'interval: 3h'));
    await page.locator('#review-button').click();
    await page.locator('#save-button').click();
    await page.locator('#message', { hasText: 'changed since this page read it' }).waitFor(WAIT);
    expect(readFileSync(file, 'utf8')).toContain('interval: 2h');
  });

  it('shows a read-only view with the reason when editing is off, usable on a phone', async () => {
    const { d } = await daemon('  editing: false\n');
    const { page } = await signedIn(d.url, { width: 390, height: 844 });
    await page.locator('#reason', { hasText: 'server.editing: false' }).waitFor(WAIT);
    expect(await page.locator('#yaml').evaluate((el) => (el as unknown as { readOnly: boolean }).readOnly)).toBe(true);
    expect(await page.locator('#add').isHidden()).toBe(true);
    expect(await page.locator('#save-button').isHidden()).toBe(true);
    const widths = await page.evaluate('({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth })');
    expect((widths as { scroll: number }).scroll).toBeLessThanOrEqual((widths as { client: number }).client);
  });
});
