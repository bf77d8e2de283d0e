/**
 * No-IP DUC v3's environment, from an env file: NOIP_USERNAME,
 * NOIP_PASSWORD, NOIP_HOSTNAMES (comma-separated; all.ddnskey.com with a
 * DDNS key), NOIP_CHECK_INTERVAL and NOIP_IP_METHOD (the README and
 * noip-duc.env of noipcom/linux-update-client-docker, and `noip-duc --help`).
 */
import { dyndns2Entry } from './entries.js';
import { envLines, ImportError, list, type Builder, type Format } from './types.js';

function parse(text: string, b: Builder): void {
  const env = envLines(text);
  const username = env.get('NOIP_USERNAME');
  const password = env.get('NOIP_PASSWORD');
  const hosts = list(env.get('NOIP_HOSTNAMES'));
  if (!username || !password || hosts.length === 0) throw new ImportError('expected NOIP_USERNAME, NOIP_PASSWORD and NOIP_HOSTNAMES, as No-IP DUC v3 takes them');
  b.imported.providers.push(dyndns2Entry(b, 'dynupdate.no-ip.com', true, { login: username, password }, hosts));
  const every = env.get('NOIP_CHECK_INTERVAL');
  if (every) b.imported.interval = every.trim();
  for (const method of list(env.get('NOIP_IP_METHOD'))) {
    if (/^https?:\/\//.test(method)) b.source(/dynupdate6|ipv6|v6\./.test(method) ? 'ipv6' : 'ipv4', method);
    else b.skip(`NOIP_IP_METHOD=${method}`, 'ddnsd has no such source; it uses its default sources (detect:)');
  }
  for (const key of env.keys()) {
    if (!['NOIP_USERNAME', 'NOIP_PASSWORD', 'NOIP_HOSTNAMES', 'NOIP_CHECK_INTERVAL', 'NOIP_IP_METHOD'].includes(key)) b.skip(key, 'ddnsd has no such setting');
  }
}

export const noipDuc: Format = {
  name: 'noip-duc',
  detect: (text) => /^\s*(export\s+)?NOIP_(USERNAME|HOSTNAMES)\s*=/m.test(text),
  parse,
};
