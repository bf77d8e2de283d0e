import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../src/base/sha256.js';

const node = (text: string): string => createHash('sha256').update(text).digest('hex');

describe('sha256Hex', () => {
  it('gives the standard test vectors (FIPS 180-4 examples)', () => {
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256Hex('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')).toBe('248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1');
  });

  it("matches node:crypto's digest at every length around the block edges, and for text that is not ASCII", () => {
    // Every length from 0 to 200 bytes crosses the 55/56/64-byte padding edges of one, two and three blocks.
    for (let n = 0; n <= 200; n++) {
      const text = Array.from({ length: n }, (_, i) => String.fromCharCode(32 + ((i * 7 + n) % 95))).join('');
      expect(sha256Hex(text), `length ${n}`).toBe(node(text));
    }
    for (const text of ['café', 'Straße ü', '日本語のホスト名', '🙂 emoji', 'x'.repeat(10_000)]) expect(sha256Hex(text)).toBe(node(text));
  });

  it('keeps the entry fingerprints that state files hold: the same digest as before', () => {
    const settings = JSON.stringify([{ type: 'dyndns2', hosts: ['office.example.net'], password: 'p' }, [], 64]);
    expect(sha256Hex(settings).slice(0, 16)).toBe(node(settings).slice(0, 16));
  });
});
