import { describe, expect, it } from 'vitest';
import { createLogger, createRedactor } from '../src/base/log.js';

describe('logging', () => {
  const secret = 'p@ss word/with"quotes';

  it('redacts secrets in messages and fields, in every encoding', () => {
    const lines: string[] = [];
    const redactor = createRedactor([secret]);
    const log = createLogger({ format: 'json', level: 'info', redactor, write: (l) => lines.push(l) });
    log.info(`sending ${secret}`, { url: `https://x/?token=${encodeURIComponent(secret)}`, auth: Buffer.from(secret).toString('base64') });
    log.error('failed', { error: new Error(`bad ${secret}`) });
    const text = lines.join('');
    expect(text).not.toContain(secret);
    expect(text).not.toContain(encodeURIComponent(secret));
    expect(text).not.toContain(JSON.stringify(secret).slice(1, -1));
    expect(text).not.toContain(Buffer.from(secret).toString('base64'));
    expect(text.match(/\[redacted\]/g)).toHaveLength(4);
    const parsed = lines.map((l) => JSON.parse(l) as { level: string; msg: string });
    expect(parsed.map((p) => p.level)).toEqual(['info', 'error']);
  });

  it('writes readable lines for a terminal and respects the level', () => {
    const lines: string[] = [];
    const log = createLogger({
      format: 'pretty',
      level: 'warn',
      redactor: createRedactor(),
      write: (l) => lines.push(l),
      now: () => new Date('2026-11-29T08:00:00Z'),
    });
    log.info('hidden');
    log.warn('IPv4 sources disagree', { sources: 'ipify,icanhazip', count: 2 });
    expect(lines).toEqual(['2026-11-29 08:00:00 WARN  IPv4 sources disagree  sources=ipify,icanhazip count=2\n']);
  });

  it('ignores values too short to be secrets', () => {
    const redactor = createRedactor(['ab', undefined, '']);
    expect(redactor.redact('ab cd')).toBe('ab cd');
  });
});
