/**
 * The settings page at GET /settings: the provider entries, a form per common
 * provider, the YAML in a plain editor with line numbers and problems beside
 * their lines, and the diff of what a save changes. Everything goes through
 * the settings API (settings.ts); the page holds no secret, only placeholders
 * and what the person types. Plain JavaScript served from the same origin.
 */
import { htmlHead } from './page.js';

/** The forms for adding a host: the keys each provider needs, with the hints of docs/providers/. */
const FORMS: { type: string; label: string; hint: string; fields: { key: string; label: string; secret?: boolean; list?: boolean; placeholder: string }[] }[] = [
  {
    type: 'duckdns',
    label: 'DuckDNS',
    hint: 'The token is on your duckdns.org account page. Hosts: myoffice or myoffice.duckdns.org, comma-separated.',
    fields: [
      { key: 'hosts', label: 'Hosts', list: true, placeholder: 'myoffice' },
      { key: 'token', label: 'Token', secret: true, placeholder: 'from duckdns.org' },
      { key: 'endpoint', label: 'Server (optional)', placeholder: 'https://www.duckdns.org' },
    ],
  },
  {
    type: 'noip',
    label: 'No-IP',
    hint: 'Use a DDNS Key (Dynamic DNS → DDNS Keys in the No-IP account) and the username and password it shows.',
    fields: [
      { key: 'hosts', label: 'Hosts', list: true, placeholder: 'office.ddns.net' },
      { key: 'username', label: 'Username', secret: true, placeholder: 'DDNS key username' },
      { key: 'password', label: 'Password', secret: true, placeholder: 'DDNS key password' },
      { key: 'contact_email', label: 'Contact email', placeholder: 'admin@example.com' },
    ],
  },
  {
    type: 'cloudflare',
    label: 'Cloudflare',
    hint: 'An API token with Zone → DNS → Edit for the zone. The zone is found from the hostname when left empty.',
    fields: [
      { key: 'hosts', label: 'Hosts', list: true, placeholder: 'office.example.com' },
      { key: 'token', label: 'API token', secret: true, placeholder: 'Cloudflare API token' },
      { key: 'zone', label: 'Zone (optional)', placeholder: 'example.com' },
    ],
  },
  {
    type: 'dyndns2',
    label: 'dyndns2 (any compatible server)',
    hint: 'The server is required (a trailing /nic/update is fine); username and password from that service.',
    fields: [
      { key: 'hosts', label: 'Hosts', list: true, placeholder: 'home.example.net' },
      { key: 'endpoint', label: 'Server', placeholder: 'https://members.example-dns.net' },
      { key: 'username', label: 'Username', secret: true, placeholder: 'username' },
      { key: 'password', label: 'Password', secret: true, placeholder: 'password' },
    ],
  },
  {
    type: 'rfc2136',
    label: 'RFC 2136 (BIND, Knot, PowerDNS)',
    hint: 'The key as tsig-keygen prints it (base64); the hosts are names in the zone.',
    fields: [
      { key: 'hosts', label: 'Hosts', list: true, placeholder: 'office.example.net' },
      { key: 'server', label: 'Server', placeholder: 'ns1.example.net' },
      { key: 'zone', label: 'Zone', placeholder: 'example.net' },
      { key: 'key_name', label: 'Key name', placeholder: 'ddnsd-key' },
      { key: 'key_secret', label: 'Key secret', secret: true, placeholder: 'base64' },
    ],
  },
];

const esc = (v: string): string => v.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function renderForms(): string {
  const options = FORMS.map((f) => `<option value="${f.type}">${esc(f.label)}</option>`).join('');
  const sets = FORMS.map(
    (f, i) => `<fieldset data-type="${f.type}"${i === 0 ? '' : ' hidden'}>
<p class="muted">${esc(f.hint)}</p>
${f.fields
  .map(
    (field) =>
      `<label for="add-${f.type}-${field.key}">${esc(field.label)}</label><input id="add-${f.type}-${field.key}" name="${field.key}" data-list="${field.list ? '1' : ''}" type="${field.secret ? 'password' : 'text'}" placeholder="${esc(field.placeholder)}" autocomplete="off">`,
  )
  .join('\n')}
</fieldset>`,
  ).join('\n');
  return `<form id="add-form" autocomplete="off">
<label for="add-type">Provider</label><select id="add-type">${options}</select>
${sets}
<button type="submit" id="add-button">Add to the config</button>
</form>`;
}

export function renderSettings(): string {
  return `${htmlHead('ddnsd settings').replace('</head>', '<link rel="stylesheet" href="/assets/settings.css">\n</head>')}
<body class="settings">
<header><h1>ddnsd settings</h1><a href="/">← Status</a><p id="file" class="muted"></p></header>
<main>
<p id="reason" class="summary summary-bad" role="status" hidden></p>
<section aria-labelledby="h-entries"><h2 id="h-entries">Provider entries</h2><ul id="entries"></ul></section>
<section id="add" aria-labelledby="h-add"><h2 id="h-add">Add a host</h2>${renderForms()}</section>
<section aria-labelledby="h-yaml"><h2 id="h-yaml">The config file</h2>
<p class="muted">Secrets show as <code>(kept secret …)</code>: leave them to keep the current value, or type a new one. An entry whose endpoint or server changes needs its secret typed again.</p>
<div class="editor"><div id="gutter" aria-hidden="true"></div><textarea id="yaml" spellcheck="false" autocapitalize="off" autocomplete="off" wrap="off" aria-label="config.yaml"></textarea></div>
<ul id="problems" aria-live="polite"></ul>
<p class="buttons"><button type="button" id="check-button">Check</button> <button type="button" id="review-button">Review changes</button> <button type="button" id="reload-button">Reload from the file</button></p>
</section>
<section id="review" aria-labelledby="h-review" hidden><h2 id="h-review">What will change</h2><pre id="diff"></pre>
<p class="buttons"><button type="button" id="save-button">Save and apply</button></p></section>
<p id="message" role="status"></p>
</main>
<script src="/assets/settings.js" defer></script>
</body>
</html>
`;
}

export const SETTINGS_CSS = `.editor { display: flex; border: 1px solid var(--line); border-radius: .25rem; max-height: 70vh; overflow: hidden; }
#gutter { flex: none; padding: .5rem .4rem; text-align: right; color: var(--muted); background: var(--bg); overflow: hidden; user-select: none; }
#gutter span { display: block; }
#gutter span.bad { color: var(--attention-fg); background: var(--attention-bg); font-weight: 600; }
#gutter, #yaml, #diff { font: 14px/1.5 ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; }
#yaml { flex: 1; min-width: 0; min-height: 24rem; padding: .5rem; border: 0; resize: vertical; background: var(--card); color: var(--fg); white-space: pre; overflow: auto; }
#diff { overflow-x: auto; margin: 0; }
#diff span { display: block; white-space: pre; }
#diff .add { color: var(--ok-fg); background: var(--ok-bg); }
#diff .del { color: var(--attention-fg); background: var(--attention-bg); }
#problems li { color: var(--attention-fg); }
#add-form label, #add-form input, #add-form select { display: block; width: 100%; max-width: 28rem; }
#add-form input, #add-form select { margin-bottom: .5rem; padding: .4rem; font: inherit; }
#add-form fieldset { border: 0; padding: 0; margin: 0; }
#entries li { margin: .25rem 0; }
#entries button { margin-left: .5rem; }
.buttons button, #add-button { padding: .5rem .9rem; font: inherit; margin: .25rem .25rem .25rem 0; }
`;

/** The page's script: loads the file, runs the forms through the API, shows problems by line and the diff, saves. */
export const SETTINGS_JS = `'use strict';
(function () {
  var $ = function (id) { return document.getElementById(id); };
  var state = { original: '', etag: '', writable: false, problems: [] };
  var editor = $('yaml');
  var gutter = $('gutter');

  function say(text, bad) { var m = $('message'); m.textContent = text; m.className = bad ? 'problem' : ''; }
  function api(method, path, body) {
    var init = { method: method, headers: { accept: 'application/json' }, credentials: 'same-origin' };
    if (body) { init.headers['content-type'] = 'application/json'; init.body = JSON.stringify(body); }
    return fetch(path, init).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (json) { return { status: res.status, json: json }; });
    });
  }
  function lines(text) { return text.split('\\n'); }
  function drawGutter() {
    var bad = {};
    state.problems.forEach(function (p) { if (p.line) bad[p.line] = (bad[p.line] ? bad[p.line] + '; ' : '') + p.path + ': ' + p.message; });
    var n = lines(editor.value).length;
    gutter.textContent = '';
    for (var i = 1; i <= n; i++) {
      var s = document.createElement('span');
      s.textContent = bad[i] ? '\\u25cf ' + i : String(i);
      if (bad[i]) { s.className = 'bad'; s.title = bad[i]; s.setAttribute('data-line', String(i)); }
      gutter.appendChild(s);
    }
    gutter.scrollTop = editor.scrollTop;
  }
  function showProblems(problems) {
    state.problems = problems || [];
    var list = $('problems');
    list.textContent = '';
    state.problems.forEach(function (p) {
      var li = document.createElement('li');
      li.textContent = (p.line ? 'line ' + p.line + ': ' : '') + p.path + ': ' + p.message;
      if (p.line) li.setAttribute('data-line', String(p.line));
      list.appendChild(li);
    });
    drawGutter();
  }
  function showEntries(entries) {
    var list = $('entries');
    list.textContent = '';
    (entries || []).forEach(function (e) {
      var li = document.createElement('li');
      li.textContent = e.type + ': ' + (e.hosts.join(', ') || '(no hosts)') + ' ';
      var edit = document.createElement('button');
      edit.type = 'button'; edit.textContent = 'Edit'; edit.className = 'edit';
      edit.addEventListener('click', function () { goToLine(e.line); });
      li.appendChild(edit);
      if (state.writable) {
        var remove = document.createElement('button');
        remove.type = 'button'; remove.textContent = 'Remove'; remove.className = 'remove';
        remove.setAttribute('data-index', String(e.index));
        remove.addEventListener('click', function () { edit0({ remove: e.index }); });
        li.appendChild(remove);
      }
      list.appendChild(li);
    });
  }
  function goToLine(line) {
    var at = lines(editor.value).slice(0, line - 1).join('\\n').length + (line > 1 ? 1 : 0);
    editor.focus();
    editor.setSelectionRange(at, at);
    editor.scrollTop = Math.max(0, (line - 3) * 21);
    drawGutter();
  }
  function load() {
    return api('GET', '/api/config').then(function (r) {
      if (r.status === 401) { say('Sign in on the status page first.', true); return; }
      if (r.status !== 200) { $('reason').hidden = false; $('reason').textContent = 'Read-only: ' + (r.json.error || 'settings are off'); $('add').hidden = true; editor.readOnly = true; return; }
      state.original = r.json.yaml; state.etag = r.json.etag; state.writable = r.json.writable;
      editor.value = r.json.yaml;
      $('file').textContent = r.json.path;
      var ro = !r.json.writable;
      $('reason').hidden = !ro;
      $('reason').textContent = ro ? 'Read-only: ' + r.json.reason : '';
      editor.readOnly = ro;
      $('add').hidden = ro;
      ['review-button', 'save-button'].forEach(function (id) { $(id).hidden = ro; });
      $('review').hidden = true;
      showEntries(r.json.entries);
      showProblems([]);
    });
  }
  function edit0(change) {
    var body = { yaml: editor.value };
    Object.keys(change).forEach(function (k) { body[k] = change[k]; });
    return api('POST', '/api/config/check', body).then(function (r) {
      if (r.status !== 200) { say(r.json.error || 'the edit failed', true); return; }
      if (r.json.yaml !== undefined) editor.value = r.json.yaml;
      showEntries(r.json.entries);
      showProblems(r.json.problems);
      $('review').hidden = true;
      say(r.json.ok ? 'The config is valid.' : r.json.problems.length + ' problem(s): see the marked lines.', !r.json.ok);
      return r.json;
    });
  }
  function diff(a, b) {
    var x = lines(a), y = lines(b), n = x.length, m = y.length;
    if (n * m > 4000000) return [['-', '(too long to compare line by line)']];
    var t = [];
    for (var i = 0; i <= n; i++) { t.push(new Array(m + 1).fill(0)); }
    for (i = n - 1; i >= 0; i--) for (var j = m - 1; j >= 0; j--) t[i][j] = x[i] === y[j] ? t[i + 1][j + 1] + 1 : Math.max(t[i + 1][j], t[i][j + 1]);
    var out = []; i = 0; j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && x[i] === y[j]) { out.push([' ', x[i]]); i++; j++; }
      else if (j < m && (i >= n || t[i][j + 1] >= t[i + 1][j])) { out.push(['+', y[j]]); j++; }
      else { out.push(['-', x[i]]); i++; }
    }
    return out;
  }
  function review() {
    var d = diff(state.original, editor.value);
    var pre = $('diff');
    pre.textContent = '';
    var changed = d.filter(function (l) { return l[0] !== ' '; }).length;
    d.forEach(function (l, k) {
      var near = d.slice(Math.max(0, k - 2), k + 3).some(function (o) { return o[0] !== ' '; });
      if (!near) return;
      var s = document.createElement('span');
      s.className = l[0] === '+' ? 'add' : l[0] === '-' ? 'del' : 'same';
      s.textContent = l[0] + ' ' + l[1];
      pre.appendChild(s);
    });
    if (changed === 0) pre.textContent = 'Nothing changed.';
    $('review').hidden = false;
    $('save-button').disabled = changed === 0;
  }
  function save() {
    return api('PUT', '/api/config', { yaml: editor.value, etag: state.etag }).then(function (r) {
      if (r.status === 200) { return load().then(function () { say('Saved and applied.'); }); }
      if (r.status === 400 && r.json.problems) { showProblems(r.json.problems); say('Not saved: ' + r.json.problems.length + ' problem(s), see the marked lines.', true); return; }
      if (r.status === 409) { say('Not saved: ' + r.json.error, true); return; }
      say('Not saved: ' + (r.json.error || ('HTTP ' + r.status)), true);
    });
  }
  $('add-type').addEventListener('change', function () {
    var t = $('add-type').value;
    document.querySelectorAll('#add-form fieldset').forEach(function (f) { f.hidden = f.getAttribute('data-type') !== t; });
  });
  $('add-form').addEventListener('submit', function (ev) {
    ev.preventDefault();
    var t = $('add-type').value;
    var entry = { type: t };
    document.querySelectorAll('#add-form fieldset[data-type="' + t + '"] input').forEach(function (input) {
      var v = input.value.trim();
      if (v === '') return;
      entry[input.name] = input.getAttribute('data-list') ? v.split(',').map(function (s) { return s.trim(); }).filter(Boolean) : v;
    });
    edit0({ add: entry }).then(function (json) {
      if (json && json.ok) document.querySelectorAll('#add-form input').forEach(function (i) { i.value = ''; });
    });
  });
  editor.addEventListener('scroll', function () { gutter.scrollTop = editor.scrollTop; });
  editor.addEventListener('input', function () { $('review').hidden = true; drawGutter(); });
  $('check-button').addEventListener('click', function () { edit0({}); });
  $('review-button').addEventListener('click', review);
  $('save-button').addEventListener('click', save);
  $('reload-button').addEventListener('click', function () { load().then(function () { say('Read from the file again.'); }); });
  load();
})();
`;
