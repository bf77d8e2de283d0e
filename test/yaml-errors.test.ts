/** YAML syntax errors in plain words, on the line where the mistake starts. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROVIDERS } from './helpers/providers.js';
import { loadConfig } from './helpers/config.js';
import { ConfigError } from '../src/base/errors.js';
import { tempDir } from './helpers/cli.js';

/** The problems loadConfig reports for `yaml`. */
function problems(yaml: string): readonly string[] {
  const dir = tempDir();
  const path = join(dir, 'config.yaml');
  writeFileSync(path, yaml);
  try {
    loadConfig({ providers: PROVIDERS, path, env: {}, cwd: dir });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('the config loaded');
}

describe('YAML syntax errors', () => {
  it('points at the line where an unclosed [ starts, not where the parser noticed it', () => {
    const got = problems('interval: 5m\ndetect:\n  ipv4: [https://a.example/, https://b.example/\n  agree: 2\n');
    expect(got).toEqual(['line 3, column 9: this [ list is never closed with ]']);
    expect(problems('server: {listen: 127.0.0.1:8080\nproviders: []\n')).toEqual(['line 1, column 9: this { mapping is never closed with }']);
  });

  it('says to quote an IPv6 URL inside [ … ], once for the line', () => {
    const got = problems('detect:\n  ipv4: [http://[2001:db8::1]:8080/]\n');
    expect(got).toHaveLength(1);
    expect(got[0]).toMatch(/^line 2, column \d+: .*quote the URL, e\.g\. "http:\/\/\[2001:db8::1\]:8080\/"$/);
  });

  it('points at the line where an unclosed quote starts', () => {
    expect(problems('interval: "5m\nproviders: []\n')).toEqual(['line 1, column 11: this "quoted value is never closed: add the closing "']);
  });

  it.each([
    ['TAB_AS_INDENT', 'detect:\n\tipv4: [ipify]\n', 'line 2, column 1: a tab indents this line; YAML allows only spaces'],
    ['DUPLICATE_KEY', 'interval: 5m\ninterval: 6m\n', 'line 2, column 1: this key is already set above in the same mapping; keep one'],
    ['BAD_INDENT', 'detect:\n  ipv4: [ipify]\n   agree: 2\n', 'line 3, column 1: the indentation does not line up'],
    ['BLOCK_AS_IMPLICIT_KEY', 'detect:\n  ipv4: a: b\n', 'line 2, column 9: this value holds ": "'],
    ['MULTILINE_IMPLICIT_KEY', 'interval\nrefresh: 1d\n', 'line 1, column 1: a key runs over more than one line'],
    ['MULTIPLE_DOCS', 'interval: 5m\n---\nrefresh: 1d\n', 'line 2, column 1: the file holds more than one YAML document'],
    ['BAD_SCALAR_START', 'state: @home\n', 'line 1, column 8: a value starts with a character YAML reserves'],
    ['MULTIPLE_ANCHORS', 'interval: &a &b 5m\n', 'line 1, column 14: a value has two anchors'],
    ['BAD_DQ_ESCAPE', 'state: "C:\\q"\n', 'a backslash escape in a "double-quoted" value is not valid'],
    ['unresolved alias', 'interval: *nope\n', '*name must refer to an anchor (&name) set above it'],
  ])('%s in plain words', (_code, yaml, words) => {
    const got = problems(yaml);
    expect(got[0]).toContain(words);
    expect(got.join('\n')).not.toMatch(/Flow sequence|compact mappings|Implicit keys|parseAllDocuments|YAMLParseError/);
  });
});
