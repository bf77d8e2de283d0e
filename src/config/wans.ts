/**
 * `wans:`: named internet links, each detected on its own with any source
 * `detect:` takes, its own `agree`, an optional local `bind` address (HTTP and
 * DNS sources of the link go out from it, for policy routing) and an optional
 * `probe` that must answer too before the link counts as healthy.
 */
import { isIP } from 'node:net';
import { z } from 'zod';
import { FAMILIES, type Family } from '../base/address.js';
import { resolveSource, type Source } from '../detect/sources.js';
import type { Probe, WanConfig } from '../detect/wans.js';
import type { Problem } from './lines.js';
import { expected } from './schema.js';

export const WAN_NAME = /^[a-z][a-z0-9_-]{0,31}$/;

const sourceList = z.array(z.string({ error: expected('a source name or an http(s) URL') }), {
  error: expected('a list of sources, e.g. ["interface:eth0"] or ["push:lte"]'),
});

const wanSchema = z.strictObject(
  {
    ipv4: sourceList.default([]),
    ipv6: sourceList.default([]),
    agree: z
      .int({ error: expected('a whole number of sources, e.g. 1') })
      .min(1, { error: 'must be at least 1' })
      .default(1),
    bind: z.string({ error: expected('a local IP address of this machine, e.g. 192.0.2.10') }).optional(),
    probe: z.string({ error: expected('tcp://host:port or an https:// URL') }).optional(),
  },
  { error: expected('a mapping with ipv4, ipv6, agree, bind and probe') },
);

export const wansSchema = z.record(z.string(), wanSchema, { error: expected('a mapping of link names, e.g. fiber: and lte:') }).default({});

export type { Probe, WanConfig } from '../detect/wans.js';

/** The links, each source resolved; problems for bad names, sources, bind addresses and probes. */
export function resolveWans(raw: z.output<typeof wansSchema>, problems: Problem[]): WanConfig[] {
  const out: WanConfig[] = [];
  for (const [name, wan] of Object.entries(raw)) {
    const path = ['wans', name];
    if (!WAN_NAME.test(name)) {
      problems.push({ path, message: `"${name}" is not a link name: use lower-case letters, digits, - and _, starting with a letter (e.g. fiber, lte)` });
      continue;
    }
    const sources = { ipv4: [], ipv6: [] } as Record<Family, Source[]>;
    for (const family of FAMILIES) {
      wan[family].forEach((ref, i) => {
        const source = resolveSource(ref, family);
        if (typeof source === 'string') problems.push({ path: [...path, family, i], message: source });
        else sources[family].push(source);
      });
    }
    const families = FAMILIES.filter((f) => sources[f].length > 0);
    if (families.length === 0 && wan.ipv4.length + wan.ipv6.length === 0) {
      problems.push({ path, message: `link ${name} has no sources; list some under wans.${name}.ipv4 or wans.${name}.ipv6 (e.g. interface:eth0, push:${name})` });
    }
    const config: WanConfig = { name, sources, families, agree: wan.agree };
    if (wan.bind !== undefined) {
      const bind = checkBind(wan.bind, families);
      if (typeof bind === 'string') problems.push({ path: [...path, 'bind'], message: bind });
      else config.bind = wan.bind;
    }
    if (wan.probe !== undefined) {
      const probe = parseProbe(wan.probe);
      const problem = typeof probe === 'string' ? probe : probeFromBind(probe, config.bind);
      if (problem) problems.push({ path: [...path, 'probe'], message: problem });
      else if (typeof probe !== 'string') config.probe = probe;
    }
    out.push(config);
  }
  return out;
}

function checkBind(bind: string, families: Family[]): true | string {
  const version = isIP(bind);
  if (version === 0) return `"${bind}" is not an IP address; write the local address this link's traffic leaves from, e.g. 192.0.2.10`;
  const other: Family = version === 4 ? 'ipv6' : 'ipv4';
  if (families.includes(other)) {
    return `${bind} is an IPv${version} address, but the link also has ${other} sources, which cannot go out from it; give that family its own link, or remove bind`;
  }
  return true;
}

/** The probe leaves from bind: an address of the other family cannot be reached from it (the connection fails with EINVAL). */
function probeFromBind(probe: Probe, bind: string | undefined): string | undefined {
  if (!bind) return undefined;
  const host = probe.kind === 'tcp' ? probe.host : new URL(probe.url).hostname.replace(/^\[|\]$/g, '');
  const [version, from] = [isIP(host), isIP(bind)];
  if (version === 0 || version === from) return undefined;
  return `the probe's host ${host} is an IPv${version} address, but the probe leaves from bind ${bind}, an IPv${from} address; give it an IPv${from} address or a name`;
}

/** `tcp://host:port` or an `https://` URL, else why not. */
export function parseProbe(text: string): Probe | string {
  const hint = 'write it as tcp://host:port (e.g. tcp://192.0.2.1:443) or an https:// URL';
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `"${text}" is not a probe; ${hint}`;
  }
  if (url.protocol === 'https:') return { kind: 'https', url: url.href };
  if (url.protocol === 'tcp:') {
    const port = Number(url.port);
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (!host || !Number.isInteger(port) || port < 1 || url.pathname.replace(/^\/$/, '') !== '') return `"${text}": ${hint}`;
    return { kind: 'tcp', host, port };
  }
  return `"${text}" uses ${url.protocol.replace(/:$/, '')}; ${hint}`;
}

/** A credential routers push with; `wan`: the link its pushes are for (`push:<wan>`). */
export interface NicUser {
  username: string;
  password: string;
  wan?: string;
}

interface RawNic {
  username?: string | undefined;
  password?: string | undefined;
  users?: { username: string; password: string; wan: string }[] | undefined;
}

/**
 * The credentials of server.nic_update, each link's named once; problems
 * for a user naming an unknown link and for a `push:<link>` source no
 * credential can push to.
 */
export function checkPushUsers(nic: RawNic | undefined, wans: readonly WanConfig[], problems: Problem[], detect?: Record<Family, Source[]>): NicUser[] {
  const users: NicUser[] = [];
  const path = ['server', 'nic_update'];
  if (nic) {
    if ((nic.username === undefined) !== (nic.password === undefined)) {
      problems.push({ path, message: 'give both username and password (the credential of a router not tied to a link), or neither and use users:' });
    } else if (nic.username !== undefined && nic.password !== undefined) users.push({ username: nic.username, password: nic.password });
    const names = wans.map((w) => w.name);
    (nic.users ?? []).forEach((u, i) => {
      if (!names.includes(u.wan))
        problems.push({ path: [...path, 'users', i, 'wan'], message: `unknown link "${u.wan}"; the links under wans: are ${names.join(', ') || 'none: add them first'}` });
      if (users.some((o) => o.username === u.username))
        problems.push({ path: [...path, 'users', i, 'username'], message: `${u.username} is used twice; give each router its own user name` });
      users.push({ username: u.username, password: u.password, wan: u.wan });
    });
    if (users.length === 0) problems.push({ path, message: 'no credential: give username and password, or users: [{ username, password, wan }]' });
  }
  const lists = [
    ...wans.map((w) => ({ at: ['wans', w.name], name: w.name as string | undefined, sources: w.sources })),
    ...(detect ? [{ at: ['detect'], name: undefined, sources: detect }] : []),
  ];
  for (const { at, name: own, sources } of lists) {
    for (const family of FAMILIES) {
      sources[family].forEach((source, i) => {
        if (source.kind !== 'push') return;
        const name = source.wan;
        const path = [...at, family, i];
        if (name === undefined && own === undefined) return;
        if (name === undefined) {
          problems.push({ path, message: `write push:${own} so only the router of this link can set its address` });
        } else if (!users.some((u) => u.wan === name)) {
          problems.push({ path, message: `push:${name} needs a credential for link ${name}: add { username, password, wan: ${name} } under server.nic_update.users` });
        }
      });
    }
  }
  return users;
}
