/**
 * The page's style sheet and script, served as files from the same origin
 * (the Content-Security-Policy allows no inline script or style). No build
 * step: the script is plain JavaScript plus the renderer's source text.
 */
import { createRenderer } from './render.js';

export const STYLE_CSS = `:root {
  color-scheme: light dark;
  --bg: #f7f7f5; --fg: #1d1d1b; --muted: #5f5f5a; --card: #ffffff; --line: #d9d9d4;
  --ok-bg: #dcf5e3; --ok-fg: #11602c; --pending-bg: #e6ebf5; --pending-fg: #2b4a80;
  --failing-bg: #fff0cc; --failing-fg: #7a4b00; --attention-bg: #fde0de; --attention-fg: #9b1c13;
  --warn-bg: #fff4d6; --warn-line: #d89b00; --accent: #2457c5;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #15171a; --fg: #e8e8e6; --muted: #a0a39f; --card: #1e2125; --line: #33373d;
    --ok-bg: #113d22; --ok-fg: #8fe0a8; --pending-bg: #1f2c45; --pending-fg: #a9c2f2;
    --failing-bg: #45330a; --failing-fg: #ffd27a; --attention-bg: #4a1714; --attention-fg: #ffaaa3;
    --warn-bg: #3a2e0c; --warn-line: #c08a00; --accent: #8fb0ff;
  }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg); font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
header, main, footer { max-width: 72rem; margin: 0 auto; padding: 0 1rem; }
#sign-out { margin-left: auto; }
#sign-out button { background: transparent; color: var(--accent); border: 1px solid var(--line); }
header { display: flex; flex-wrap: wrap; align-items: baseline; gap: 0 1rem; padding-top: 1rem; }
h1 { font-size: 1.5rem; margin: 0; }
h2 { font-size: 1.1rem; margin: 0 0 .5rem; }
section { min-width: 0; overflow-wrap: break-word; background: var(--card); border: 1px solid var(--line); border-radius: .5rem; padding: 1rem; margin: 1rem 0; }
code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: .95em; overflow-wrap: break-word; }
.muted { color: var(--muted); }
.problem { color: var(--attention-fg); }
.summary { font-weight: 600; padding: .75rem 1rem; border-radius: .5rem; margin: 1rem 0 0; }
.summary-ok { background: var(--ok-bg); color: var(--ok-fg); }
.summary-pending { background: var(--pending-bg); color: var(--pending-fg); }
.summary-bad { background: var(--attention-bg); color: var(--attention-fg); }
dl.addresses { margin: 0; display: grid; gap: .25rem; }
.kv { display: flex; gap: 1rem; }
.kv dt { font-weight: 600; min-width: 3rem; }
.kv dd { margin: 0; }
ul.lan, ol.history { margin: 0; padding-left: 1.25rem; }
ol.history { max-height: 20rem; overflow-y: auto; }
.warning { background: var(--warn-bg); border-left: 4px solid var(--warn-line); padding: .5rem 1rem; border-radius: .25rem; margin: 0 0 .75rem; }
.warning p { margin: .25rem 0; }
table.hosts { width: 100%; border-collapse: collapse; }
table.hosts th, table.hosts td { text-align: left; vertical-align: top; padding: .5rem; border-top: 1px solid var(--line); }
table.hosts thead th { border-top: 0; font-size: .85rem; color: var(--muted); }
/* A long error, URL or answer may break anywhere, so it wraps in its cell instead of widening the table and the page. */
td.error, td[data-label="Details"], .sources { overflow-wrap: anywhere; }
td.error { max-width: 28rem; }
.badge { display: inline-block; white-space: nowrap; font-weight: 600; font-size: .9rem; padding: .1rem .5rem; border-radius: 1rem; }
.badge-ok { background: var(--ok-bg); color: var(--ok-fg); }
.badge-pending { background: var(--pending-bg); color: var(--pending-fg); }
.badge-failing { background: var(--failing-bg); color: var(--failing-fg); }
.badge-needs-attention { background: var(--attention-bg); color: var(--attention-fg); }
#update-now form { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; }
#update-now input { font: inherit; padding: .4rem .6rem; border: 1px solid var(--line); border-radius: .3rem; background: var(--bg); color: var(--fg); min-width: 14rem; }
button { font: inherit; padding: .4rem 1rem; border: 0; border-radius: .3rem; background: var(--accent); color: var(--card); cursor: pointer; }
#connection:not(:empty) { color: var(--attention-fg); }
footer { color: var(--muted); font-size: .85rem; padding-bottom: 2rem; }
a { color: var(--accent); }
@media (max-width: 40rem) {
  table.hosts thead { display: none; }
  table.hosts, table.hosts tbody, table.hosts tr, table.hosts th, table.hosts td { display: block; width: 100%; }
  table.hosts tr { border-top: 1px solid var(--line); padding: .5rem 0; }
  table.hosts th, table.hosts td { border: 0; padding: .15rem 0; }
  table.hosts td::before { content: attr(data-label) ": "; color: var(--muted); font-size: .85rem; }
}
`;

export const STATUS_JS = `'use strict';
(() => {
  const renderer = (${createRenderer.toString()})();
  const main = document.getElementById('status');
  const connection = document.getElementById('connection');
  const every = Number(document.body.dataset.refreshMs) || 5000;

  async function refresh() {
    try {
      const res = await fetch('/api/status', { cache: 'no-store', headers: { accept: 'application/json' } });
      if (!res.ok) throw new Error('it answered HTTP ' + res.status);
      const status = await res.json();
      main.innerHTML = renderer.main(status, Date.now());
      main.dataset.refreshedAt = new Date().toISOString();
      connection.textContent = '';
    } catch (error) {
      connection.textContent = 'Cannot reach ddnsd (' + (error && error.message ? error.message : error) + '); showing what it said last.';
    }
  }
  setInterval(refresh, every);

  const form = document.getElementById('update-form');
  if (!form) return;
  const message = document.getElementById('update-message');
  // The hosts the cycle does not retry, one line each: needs attention (fix the config), or a pause the provider asked for.
  function showNotRetried(started, held) {
    message.textContent = started;
    if (held.length === 0) return;
    message.append(document.createElement('br'), 'Not retried:');
    const list = document.createElement('ul');
    list.id = 'not-retried';
    for (const h of held) {
      const item = document.createElement('li');
      item.dataset.host = h.host;
      item.dataset.reason = h.reason;
      item.textContent = h.host + ' ' + (h.family === 'ipv6' ? 'AAAA' : 'A') + ' (' + h.provider + '): ' + h.message;
      list.append(item);
    }
    message.append(list);
  }
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    // Signed in on the page, the form has no token field: the session cookie goes along (same origin).
    const field = form.elements.namedItem('token');
    const token = field ? field.value.trim() : '';
    if (field && !token) {
      message.textContent = 'Enter the token (server.token in the config).';
      return;
    }
    message.textContent = 'Starting…';
    try {
      const res = await fetch('/api/update', { method: 'POST', credentials: 'same-origin', headers: token ? { authorization: 'Bearer ' + token } : {} });
      const body = await res.json().catch(() => ({}));
      if (res.status === 202) {
        const started = body.joined
          ? 'A cycle was already running (cycle ' + body.id + '); the page shows its result when it ends.'
          : 'Cycle ' + body.id + ' started; it also retries hosts paused after a failure; the page shows its result when it ends.';
        showNotRetried(started, body.notRetried || []);
        setTimeout(refresh, 500);
        setTimeout(refresh, 2000);
      } else if (res.status === 401) {
        message.textContent = field ? 'Wrong token: use the value of server.token from the config.' : 'The sign-in has ended: reload the page and sign in again.';
      } else {
        message.textContent = 'ddnsd answered HTTP ' + res.status + (body.error ? ': ' + body.error : '');
      }
    } catch (error) {
      message.textContent = 'Cannot reach ddnsd: ' + (error && error.message ? error.message : error);
    }
  });
})();
`;
