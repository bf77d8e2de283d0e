/** The status page at GET /: the renderer's content in a small layout. */
import type { Status } from '../status.js';
import { createRenderer } from './render.js';

const renderer = createRenderer();
const escAttr = (v: string): string => v.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/** The document's start up to </head>: the same for the status page and the sign-in page. */
export function htmlHead(title: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${escAttr(title)}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/assets/status.css">
</head>`;
}

export interface PageOptions {
  now: number;
  /** Show the "Update now" form: only when server.token is configured. */
  canUpdate: boolean;
  refreshMs: number;
  /** Signed in with a session cookie: offer "Sign out". */
  signOut?: boolean;
}

export function renderPage(status: Status, options: PageOptions): string {
  // Signed in on the page, the session itself may start a cycle; otherwise the form asks for the token.
  const tokenField = options.signOut
    ? ''
    : `<label for="token">Token (server.token)</label>
<input id="token" name="token" type="password" required autocomplete="off">
`;
  const update = options.canUpdate
    ? `<section id="update-now" aria-labelledby="h-update"><h2 id="h-update">Update now</h2>
<form id="update-form" autocomplete="off">
${tokenField}<button type="submit">Update now</button>
</form>
<p id="update-message" role="status"></p>
<noscript><p>Updating from the page needs JavaScript; or run: curl -X POST -H "Authorization: Bearer $TOKEN" this-address/api/update</p></noscript>
</section>`
    : '';
  const signOut = options.signOut ? '<form id="sign-out" method="post" action="/logout"><button type="submit">Sign out</button></form>' : '';
  return `${htmlHead('ddnsd status')}
<body data-refresh-ms="${escAttr(String(options.refreshMs))}">
<header><h1>ddnsd status</h1><span class="muted">version ${escAttr(status.version)}</span>${signOut}<p id="connection" role="status"></p></header>
<main>
<div id="status" aria-live="polite">
${renderer.main(status, options.now)}
</div>
${update}
</main>
<footer>Also as JSON: <a href="/api/status">/api/status</a> · health: <a href="/healthz">/healthz</a> · Prometheus: <a href="/metrics">/metrics</a> · <a href="/settings" id="settings-link">Settings</a></footer>
<script src="/assets/status.js" defer></script>
</body>
</html>
`;
}
