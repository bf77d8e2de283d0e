/**
 * The status page's content as HTML, from the /api/status JSON. The server
 * renders the first page with it; the browser script renders every refresh
 * with the very same code: `createRenderer` is sent to the browser as source
 * text (see assets.ts), so it must be self-contained. It may use nothing
 * from outside its own body but standard JavaScript (types are fine: they
 * are erased).
 */
import type { Status } from '../status.js';

export interface Renderer {
  /** Everything that refreshes: summary, hosts, external addresses, LAN, reachability, history. */
  main(status: Status, now: number): string;
}

export function createRenderer(): Renderer {
  const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
  const esc = (value: unknown): string => String(value ?? '').replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
  /** Escaped text in which `a command or key` between backticks shows as code. */
  const prose = (value: unknown): string => esc(value).replace(/`([^`]+)`/g, '<code>$1</code>');

  const span = (ms: number): string => {
    const s = Math.round(ms / 1000);
    if (s < 60) return `${s} s`;
    const m = Math.round(s / 60);
    if (m < 60) return `${m} min`;
    const h = Math.round(m / 60);
    if (h < 48) return `${h} h`;
    return `${Math.round(h / 24)} days`;
  };
  const relative = (iso: string, now: number): string => {
    const delta = Date.parse(iso) - now;
    if (Math.abs(delta) < 2000) return 'just now';
    return delta < 0 ? `${span(-delta)} ago` : `in ${span(delta)}`;
  };
  /** `2026-12-06 11:00 UTC`: the same on the server and in every browser. */
  const utc = (iso: string): string => `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
  const time = (iso: string | null, now: number, none: string): string => (iso ? `<time datetime="${esc(iso)}" title="${esc(iso)}">${esc(relative(iso, now))}</time>` : esc(none));

  const FAMILY: Record<string, string> = { ipv4: 'IPv4', ipv6: 'IPv6' };
  const RECORD: Record<string, string> = { ipv4: 'A', ipv6: 'AAAA' };
  const BADGE: Record<string, [string, string]> = {
    ok: ['✓', 'OK'],
    pending: ['…', 'Pending'],
    failing: ['!', 'Failing'],
    'needs-attention': ['✕', 'Needs attention'],
  };
  const badge = (status: string): string => {
    const [symbol, text] = BADGE[status] ?? ['?', status];
    return `<span class="badge badge-${esc(status)}"><span aria-hidden="true">${symbol}</span> ${esc(text)}</span>`;
  };

  const summary = (s: Status): string => {
    const problems: string[] = [];
    for (const [family, d] of Object.entries(s.detection)) {
      if (d && !d.ok) problems.push(`${FAMILY[family] ?? family} is not detected`);
    }
    const count = (status: string): number => s.hosts.filter((h) => h.status === status).length;
    const failing = count('failing');
    const attention = count('needs-attention');
    if (attention) problems.push(`${attention} ${attention === 1 ? 'host needs' : 'hosts need'} attention`);
    if (failing) problems.push(`${failing} ${failing === 1 ? 'host is' : 'hosts are'} failing`);
    if (s.stateError) problems.push('the state file cannot be written');
    if (s.lan.change) problems.push('a LAN address changed');
    const unreachable = (s.reach?.results ?? []).filter((r) => r.verdict === 'fail').length;
    if (unreachable) problems.push(`${unreachable} reachability ${unreachable === 1 ? 'check fails' : 'checks fail'}`);
    if (problems.length > 0) {
      const text = problems.join(', ');
      return `<p class="summary summary-bad"><span aria-hidden="true">!</span> ${esc(text.charAt(0).toUpperCase() + text.slice(1))}.</p>`;
    }
    const pending = count('pending');
    if (pending) return `<p class="summary summary-pending"><span aria-hidden="true">…</span> ${pending} ${pending === 1 ? 'host is' : 'hosts are'} not confirmed yet.</p>`;
    if (s.hosts.length === 0) return '<p class="summary summary-pending">No providers are configured: ddnsd only detects the address.</p>';
    return '<p class="summary summary-ok"><span aria-hidden="true">✓</span> Every host points at the current address.</p>';
  };

  const external = (s: Status, now: number): string => {
    const rows = Object.entries(s.detection).map(([family, d]) => {
      const address = family === 'ipv6' ? s.ipv6 : s.ipv4;
      const value = d?.ok && address ? `<code>${esc(address)}</code>` : `<span class="problem">not detected${d?.error ? `: ${esc(d.error)}` : ''}</span>`;
      const stale = !d?.ok && address ? ` <span class="muted">(last known <code>${esc(address)}</code>)</span>` : '';
      const said = (d?.sources ?? [])
        .map(
          (a) =>
            `${esc(a.source)}: ${a.address ? `<code>${esc(a.address)}</code>` : `<span class="problem">${esc(a.error ?? 'no answer')}</span>`}${a.note ? ` (${esc(a.note)})` : ''}`,
        )
        .join(' · ');
      const sources = said ? `<br><small class="muted sources">${said}</small>` : '';
      return `<div class="kv" data-family="${esc(family)}"><dt>${esc(FAMILY[family] ?? family)}</dt><dd>${value}${stale}${sources}</dd></div>`;
    });
    let next = s.lastCheck ? 'checking now' : 'starting';
    if (s.nextCheck) next = Date.parse(s.nextCheck) > now ? time(s.nextCheck, now, '') : 'due now';
    return `<section aria-labelledby="h-external"><h2 id="h-external">External address</h2>
<dl class="addresses">${rows.join('') || '<div class="kv"><dt>—</dt><dd>No family is detected (detect.ipv4 and detect.ipv6 are both empty).</dd></div>'}</dl>
<p class="muted">Last checked ${time(s.lastCheck, now, 'not yet')} · next check ${next}${s.config ? ` · <span id="config-applied">config applied ${time(s.config.appliedAt, now, '')} (${esc(s.config.from)})</span>` : ''}</p>
${s.stateError ? `<p class="warning" role="alert">${esc(s.stateError)}</p>` : ''}</section>`;
  };

  const lan = (s: Status, now: number): string => {
    const list = s.lan.addresses
      .map((a) => `<li><code>${esc(a.address)}</code> <span class="muted">${esc(FAMILY[a.family] ?? a.family)} on ${esc(a.interface)}</span></li>`)
      .join('');
    const change = s.lan.change;
    const warning = change
      ? `<div class="warning" role="alert"><p><strong>A LAN address of this machine changed</strong> ${time(change.at, now, '')}: ${change.removed
          .map((a) => `<code>${esc(a.address)}</code>`)
          .join(', ')} ${change.removed.length === 1 ? 'is' : 'are'} gone${
          change.added.length ? `, now ${change.added.map((a) => `<code>${esc(a.address)}</code>`).join(', ')}` : ''
        }.</p><p>Clients set up with the old address can no longer reach this machine. Give it a static internal address (a DHCP reservation in the router, or a fixed address in its network settings) so it stays the same.</p></div>`
      : '';
    return `<section aria-labelledby="h-lan"><h2 id="h-lan">This machine on the LAN</h2>${warning}
${list ? `<ul class="lan">${list}</ul>` : '<p class="muted">No LAN address found.</p>'}</section>`;
  };

  const hosts = (s: Status, now: number): string => {
    if (s.hosts.length === 0) return '';
    const rows = s.hosts.map((h) => {
      let error = h.lastError ? esc(h.lastError) : '<span class="muted">none</span>';
      if (h.status === 'failing' && h.nextAttempt) {
        error += Date.parse(h.nextAttempt) > now ? `; trying again ${time(h.nextAttempt, now, '')} (${esc(utc(h.nextAttempt))})` : '; trying again at the next check';
      }
      if (h.status === 'needs-attention' && !/paused/.test(h.lastError ?? '')) {
        error += '; fix its provider entry in the config: updates for this host are paused until the entry changes';
      }
      return `<tr data-host="${esc(h.host)}" data-family="${esc(h.family)}" data-status="${esc(h.status)}">
<th scope="row" data-label="Host">${esc(h.host)} <span class="muted">${esc(RECORD[h.family] ?? h.family)}</span></th>
<td data-label="Provider">${esc(h.provider)}${h.wan ? ` <span class="muted">via link ${esc(h.wan)}</span>` : ''}</td>
<td data-label="Published">${h.address ? `<code>${esc(h.address)}</code>` : '<span class="muted">not yet</span>'}${h.foreign ? ` <span class="muted">and ${esc(h.foreign)} record(s) not ddnsd's, left alone</span>` : ''}</td>
<td data-label="Status">${badge(h.status)}</td>
<td data-label="Last update">${time(h.lastUpdate, now, 'never')}</td>
<td data-label="Last error" class="error">${error}</td></tr>`;
    });
    return `<section aria-labelledby="h-hosts"><h2 id="h-hosts">Hosts</h2>
<table class="hosts"><thead><tr><th scope="col">Host</th><th scope="col">Provider</th><th scope="col">Published</th><th scope="col">Status</th><th scope="col">Last update</th><th scope="col">Last error</th></tr></thead>
<tbody>${rows.join('')}</tbody></table></section>`;
  };

  /** The links (`wans:`): up or down since when, their addresses, the hosts that follow each. */
  const links = (s: Status, now: number): string => {
    if (!s.wans?.length) return '';
    const rows = s.wans.map((w) => {
      const state = w.up === null ? 'pending' : w.up ? 'ok' : 'needs-attention';
      const text = w.up === null ? 'Not checked yet' : w.up ? 'Up' : 'Down';
      const addresses = [w.ipv4, w.ipv6]
        .filter((a) => a)
        .map((a) => `<code>${esc(a)}</code>`)
        .join(' ');
      return `<tr data-wan="${esc(w.name)}" data-up="${esc(w.up)}">
<th scope="row" data-label="Link">${esc(w.name)}</th>
<td data-label="State"><span class="badge badge-${state}">${esc(text)}</span> ${w.since ? `since ${time(w.since, now, '')}` : ''}</td>
<td data-label="Address">${addresses || '<span class="muted">none</span>'}</td>
<td data-label="Hosts">${w.hosts.length ? esc(w.hosts.join(', ')) : '<span class="muted">none</span>'}</td>
<td data-label="Last error" class="error">${w.up === false && w.error ? esc(w.error) : '<span class="muted">none</span>'}</td></tr>`;
    });
    return `<section aria-labelledby="h-wans"><h2 id="h-wans">Internet links</h2>
<table class="hosts"><thead><tr><th scope="col">Link</th><th scope="col">State</th><th scope="col">Address</th><th scope="col">Hosts that follow it</th><th scope="col">Last error</th></tr></thead>
<tbody>${rows.join('')}</tbody></table></section>`;
  };

  const history = (s: Status, now: number): string => {
    const items = s.history.map(
      (h) =>
        `<li>${time(h.at, now, '')} <span class="muted">${esc(FAMILY[h.family] ?? h.family)}</span> ${
          h.from ? `<code>${esc(h.from)}</code> → ` : 'first seen '
        }<code>${esc(h.to)}</code></li>`,
    );
    return `<section aria-labelledby="h-history"><h2 id="h-history">Address changes</h2>
${items.length ? `<ol class="history">${items.join('')}</ol>` : '<p class="muted">None recorded yet.</p>'}</section>`;
  };

  const VERDICT: Record<string, [string, string, string]> = {
    pass: ['✓', 'OK', 'ok'],
    warn: ['!', 'Warning', 'failing'],
    fail: ['✕', 'Failing', 'needs-attention'],
    skip: ['–', 'Skipped', 'pending'],
  };
  const CHECK: Record<string, string> = { dns: 'DNS', port: 'Port from outside', forward: 'Router forward' };
  const reach = (s: Status, now: number): string => {
    if (!s.reach) return '';
    const rows = s.reach.results.map((r) => {
      const [symbol, text, cls] = VERDICT[r.verdict] ?? ['?', r.verdict, 'pending'];
      const details = r.details.length ? `<ul class="muted">${r.details.map((d) => `<li>${prose(d)}</li>`).join('')}</ul>` : '';
      return `<tr data-check="${esc(r.check)}" data-verdict="${esc(r.verdict)}">
<th scope="row" data-label="Check">${esc(CHECK[r.check] ?? r.check)}${r.required ? ' <span class="muted">(required)</span>' : ''}</th>
<td data-label="What">${esc(r.subject)}</td>
<td data-label="Result"><span class="badge badge-${cls}"><span aria-hidden="true">${symbol}</span> ${text}</span></td>
<td data-label="Details">${prose(r.summary)}${r.fix ? `<p><strong>What to do:</strong> ${prose(r.fix)}</p>` : ''}${details}</td></tr>`;
    });
    const table = rows.length
      ? `<table class="hosts"><thead><tr><th scope="col">Check</th><th scope="col">What</th><th scope="col">Result</th><th scope="col">Details</th></tr></thead><tbody>${rows.join('')}</tbody></table>`
      : '<p class="muted">Not checked yet: the checks run after the first cycle.</p>';
    return `<section aria-labelledby="h-reach"><h2 id="h-reach">Reachability</h2>
<p class="muted">Can remote clients reach this machine? Last checked ${time(s.reach.checkedAt, now, 'not yet')}.</p>
${table}</section>`;
  };
  const notifyFailures = (s: Status, now: number): string =>
    s.notify
      .filter((t) => t.lastError)
      .map((t) => `<p class="warning" role="alert">Notifications to ${esc(t.name)} fail: ${esc(t.lastError)} (${time(t.lastErrorAt, now, '')}).</p>`)
      .join('');

  return {
    // What people open the page for comes first: the hosts, then the address, then the longer reachability rows.
    main: (s, now) => [summary(s), notifyFailures(s, now), hosts(s, now), links(s, now), external(s, now), lan(s, now), reach(s, now), history(s, now)].join('\n'),
  };
}
