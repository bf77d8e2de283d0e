/** The settings page's edits of the config text: placeholders in and out, entries added and removed, the rest as written. */
import { describe, expect, it } from 'vitest';
import { addEntry, entriesOf, maskSecrets, removeEntry, restoreSecrets } from '../src/config/edit.js';

const FILE = `# office
server:
  auth: basic
  username: admin
  password_hash: "$scrypt$ln=15,r=8,p=1$c2FsdHNhbHQ$aGFzaGhhc2g" # ddnsd hash-password
providers:
  # front door
  - type: duckdns
    token: 'literal-duck-token-1'
    hosts: [myoffice]   # one label
  - type: cloudflare
    token: \${CF_TOKEN}
    hosts: [office.example.com]
notify:
  - url: "discord://webhook-secret-55@1234"
`;
const RULES = { keys: ['token'], values: ['webhook-secret-55'] };

describe('editing the config text', () => {
  it('masks literal secrets only, and restores them byte for byte', () => {
    const masked = maskSecrets(FILE, RULES);
    expect(masked).not.toContain('literal-duck-token-1');
    expect(masked).not.toContain('webhook-secret-55');
    expect(masked).not.toContain('aGFzaGhhc2g');
    expect(masked).toContain('token: ${CF_TOKEN}');
    expect(masked).toContain('hosts: [myoffice]   # one label');
    expect(masked).toContain('password_hash: "(kept secret server.password_hash)" # ddnsd hash-password');
    expect(restoreSecrets(masked, FILE, RULES)).toEqual({ text: FILE, problems: [] });
  });

  it('refuses a placeholder that was never handed out', () => {
    const masked = maskSecrets(FILE, RULES).replace('(kept secret notify[0].url)', '(kept secret notify[7].url)');
    const { problems } = restoreSecrets(masked, FILE, RULES);
    expect(problems).toEqual([{ path: 'notify[0].url', line: 15, message: expect.stringContaining('stands for no secret') }]);
  });

  it('adds and removes entries through the Document API: comments, order and ${VAR} stay', () => {
    const added = addEntry(FILE, { type: 'noip', hosts: ['office.ddns.net'], username: 'u', password: '${NOIP_PASSWORD}' });
    // The yaml package writes one space before a trailing comment; everything else before the new entry is as written.
    expect(added.startsWith(FILE.slice(0, FILE.indexOf('notify:')).replace('[myoffice]   #', '[myoffice] #'))).toBe(true);
    expect(added).toContain('token: ${CF_TOKEN}');
    expect(added).toContain('  - type: noip\n    hosts: [office.ddns.net]\n    username: u\n    password: ${NOIP_PASSWORD}\n');
    expect(entriesOf(added).map((e) => [e.type, e.line])).toEqual([
      ['duckdns', 8],
      ['cloudflare', 11],
      ['noip', 14],
    ]);
    const removed = removeEntry(added, 1);
    expect(removed).not.toContain('cloudflare');
    expect(removed).toContain('# front door');
    expect(removed).toContain('hosts: [myoffice] # one label');
    expect(() => removeEntry(FILE, 5)).toThrow('there is no providers[5]');
    expect(addEntry('interval: 5m # often\n', { type: 'duckdns', hosts: ['a'] })).toBe('interval: 5m # often\nproviders:\n  - type: duckdns\n    hosts: [a]\n');
  });
});
