/** Bad configs and a piece of the message each must be rejected with: shared by the loader's tests and the fault suite's CLI runs. */

/** A valid DuckDNS entry with room for extra keys. */
export const duck = (extra = '', hosts = '[myoffice]'): string => `providers:\n  - type: duckdns\n    token: tok-12345678\n    hosts: ${hosts}\n${extra}`;

/** [what is wrong, the YAML, a piece of the message, environment, files beside the config] */
export type BadConfig = [string, string, string | RegExp, Record<string, string>?, Record<string, string>?];

export const BAD_CONFIGS: BadConfig[] = [
  ['empty hosts', duck('', '[]'), 'providers[0].hosts (line 4): expected at least one hostname'],
  ['missing hosts', 'providers:\n  - type: duckdns\n    token: tok-12345678\n', 'providers[0].hosts (line 2): missing'],
  ['unknown key with a suggestion', 'intervl: 5m\n', 'intervl (line 1): unknown key; did you mean "interval"?'],
  ['unknown nested key', 'detect:\n  agre: 2\n', 'detect.agre (line 2): unknown key; did you mean "agree"?'],
  ['unknown provider key', duck('    tokn: x\n'), 'providers[0].tokn (line 5): unknown key'],
  ['unknown provider type', 'providers:\n  - type: duckdsn\n    hosts: [a]\n', /providers\[0\]\.type \(line 2\): unknown provider "duckdsn"; expected one of duckdns/],
  ['missing provider type', 'providers:\n  - hosts: [a]\n', 'providers[0].type (line 2): missing; expected one of'],
  ['provider entry not a mapping', 'providers:\n  - duckdns\n', 'providers[0] (line 2): expected a provider entry'],
  ['bad duration', 'interval: 5 minutes\n', 'interval (line 1): expected a duration like 30s, 5m, 1h or 25d, got "5 minutes"'],
  ['bare number duration', 'interval: 300\n', 'interval (line 1): expected a duration'],
  ['too short interval', 'interval: 10ms\n', 'interval (line 1): must be at least 1s'],
  ['too short provider timeout', duck('    timeout: 5ms\n'), 'providers[0].timeout (line 5): must be at least 100ms'],
  ['agree zero', 'detect:\n  agree: 0\n', 'detect.agree (line 2): must be at least 1'],
  ['agree not a number', 'detect:\n  agree: two\n', 'detect.agree (line 2): expected a whole number'],
  ['unknown source', 'detect:\n  ipv4: [ipfy]\n', 'detect.ipv4[0] (line 2): unknown source "ipfy"'],
  ['non-http source', 'detect:\n  ipv4: [ftp://example.net/ip]\n', 'must be an http:// or https:// URL'],
  ['push without nic_update', 'detect:\n  ipv4: [push]\n', 'detect (line 1): the push source needs server.nic_update'],
  [
    'dns source of the wrong family',
    'detect:\n  ipv6: [dns://127.0.0.1/myip.opendns.com]\n',
    'detect.ipv6[0] (line 2): source "dns://127.0.0.1/myip.opendns.com": the server must be an IPv6 address',
  ],
  ['upnp for IPv6', 'detect:\n  ipv6: [upnp]\n', 'detect.ipv6[0] (line 2): upnp asks the router for its external IPv4 address'],
  ['nic_update password too short', 'server:\n  nic_update: { username: router, password: short }\n', 'server.nic_update.password (line 2): must be at least 8 characters'],
  ['no sources at all', 'detect:\n  ipv4: []\n', 'detect (line 1): no sources for IPv4 or IPv6'],
  ['ipv6 wanted without sources', duck('    ipv6: true\n'), 'providers[0].ipv6 (line 5): ipv6: true, but no IPv6 sources are configured'],
  ['http endpoint off the machine', duck('    endpoint: http://dns.example.net\n'), 'uses plain http, which would send the credentials in clear text'],
  ['endpoint not a URL', duck('    endpoint: www.duckdns.org\n'), 'is not a URL'],
  ['empty token', 'providers:\n  - type: duckdns\n    token: ""\n    hosts: [a]\n', 'providers[0].token (line 3): the DuckDNS token is empty'],
  ['unset variable', duck().replace('tok-12345678', '${NOPE_TOKEN}'), 'providers[0].token (line 3): environment variable NOPE_TOKEN is not set'],
  [
    'missing _file',
    duck().replace('    token: tok-12345678\n', '    token_file: /nonexistent/ddnsd-token\n'),
    'providers[0].token_file (line 3): cannot read /nonexistent/ddnsd-token (no such file)',
  ],
  ['both key and _file', duck('    token_file: x\n'), 'providers[0].token_file (line 5): set either token or token_file, not both'],
  [
    'duplicate hosts across entries',
    `${duck()}  - type: duckdns\n    token: tok-2\n    hosts: [myoffice.duckdns.org]\n`,
    'providers[1].hosts (line 7): myoffice.duckdns.org is already listed in providers[0]',
  ],
  ['duplicate hosts in one entry', duck('', '[a, A]'), 'providers[0].hosts (line 4): lists the same hostname twice'],
  ['invalid hostname', duck('', '[bad_name]'), '"bad_name" is not a valid hostname'],
  ['dotted DuckDNS name', duck('', '[a.b]'), 'DuckDNS names are one label'],
  ['listen without a port', 'server:\n  listen: 127.0.0.1\n', 'server.listen (line 2): "127.0.0.1" is not a listen address'],
  ['listen on a hostname', 'server:\n  listen: myserver:8080\n', '"myserver" is not an IP address to listen on'],
  ['listen port out of range', 'server:\n  listen: 127.0.0.1:70000\n', 'port 70000 is out of range'],
  ['short server token', 'server:\n  token: abc\n', 'server.token (line 2): must be at least 8 characters'],
  ['top level not a mapping', '- a\n- b\n', 'expected a mapping of settings'],
  ['YAML syntax error', 'interval: 5m\nproviders:\n  - type: duckdns\n   hosts: [a\n', /line 4, column \d+: this \[ list is never closed with \]/],
  ['duplicate YAML key', 'interval: 5m\ninterval: 6m\n', /line 2, column 1: this key is already set above/],
  ['No-IP without a password', 'providers:\n  - type: noip\n    username: u\n    hosts: [a.ddns.net]\n', 'providers[0].password (line 2): missing'],
  ['dyndns2 without an endpoint', 'providers:\n  - type: dyndns2\n    username: u\n    password: p\n    hosts: [a.example.net]\n', 'providers[0].endpoint (line 2): missing'],
  [
    'Cloudflare ttl below its lowest (60 s outside Enterprise)',
    'providers:\n  - type: cloudflare\n    token: t12345678\n    hosts: [a.example.com]\n    ttl: 45\n',
    "providers[0].ttl (line 5): expected 1 (automatic) or 60 to 86400 seconds: Cloudflare's lowest TTL is 60 s",
  ],
  ['hosts as a string', duck('', 'office'), 'providers[0].hosts (line 4): expected a list of hostnames'],
  ['timeout not a duration', 'detect:\n  timeout: fast\n', 'detect.timeout (line 2): expected a duration'],
  ['listen as a list', 'server:\n  listen: [1, 2]\n', 'server.listen (line 2): expected an address and port'],
  ['DDNSD_LISTEN not an address', '', 'environment variable DDNSD_LISTEN (it replaces server.listen): "nope" is not a listen address', { DDNSD_LISTEN: 'nope' }],
];
