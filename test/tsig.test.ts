/** The kit's TSIG (RFC 8945) on its own; tests against BIND's tools and named are in test/providers/rfc2136*.test.ts. */
import dnsPacket from 'dns-packet';
import { describe, expect, it } from 'vitest';
import { decodeTsigSecret, readTsig, signMessage, verifyMessage, type TsigKey } from '../providers/kit/index.js';

const NOW = Date.parse('2026-11-29T08:00:00Z');
const key: TsigKey = { name: 'DDNSD-Key.', algorithm: 'hmac-sha256', secret: Buffer.alloc(32, 9) };
const query = (id: number): Buffer => dnsPacket.encode({ type: 'query', id, questions: [{ name: 'office.example.test', type: 'A', class: 'IN' }] });

describe('TSIG', () => {
  it('signs a message so that the same key verifies it, and restores the message as it was', () => {
    const { message, mac } = signMessage(query(4242), key, { now: NOW });
    expect(message.readUInt16BE(10)).toBe(1);
    expect(mac).toHaveLength(32);
    const read = readTsig(message);
    expect(read?.unsigned).toEqual(query(4242));
    expect(read?.tsig).toMatchObject({ keyName: 'ddnsd-key', algorithm: 'hmac-sha256', timeSigned: NOW / 1000, fudge: 300, originalId: 4242, error: 0 });
    expect(verifyMessage(message, { ...key, name: 'ddnsd-key' }, { now: NOW + 299_000 }).verdict).toBe('ok');
  });

  it('finds a changed byte, another secret, another key or algorithm, and a time outside the fudge', () => {
    const { message } = signMessage(query(1), key, { now: NOW });
    const changed = Buffer.from(message);
    changed[20] = (changed[20] ?? 0) ^ 1;
    expect(verifyMessage(changed, key, { now: NOW }).verdict).toBe('bad-signature');
    expect(verifyMessage(message, { ...key, secret: Buffer.alloc(32, 8) }, { now: NOW }).verdict).toBe('bad-signature');
    expect(verifyMessage(message, { ...key, name: 'other' }, { now: NOW }).verdict).toBe('wrong-key');
    expect(verifyMessage(message, { ...key, algorithm: 'hmac-sha512' }, { now: NOW }).verdict).toBe('wrong-key');
    expect(verifyMessage(message, key, { now: NOW + 301_000 }).verdict).toBe('bad-time');
    expect(verifyMessage(query(1), key, { now: NOW }).verdict).toBe('unsigned');
  });

  it('a response signature covers the request MAC: it verifies only against the request it answers', () => {
    const request = signMessage(query(7), key, { now: NOW });
    const other = signMessage(query(8), key, { now: NOW });
    const answer = dnsPacket.encode({ type: 'response', id: 7, questions: [{ name: 'office.example.test', type: 'A', class: 'IN' }] });
    const response = signMessage(answer, key, { now: NOW, requestMac: request.mac });
    expect(verifyMessage(response.message, key, { now: NOW, requestMac: request.mac }).verdict).toBe('ok');
    expect(verifyMessage(response.message, key, { now: NOW, requestMac: other.mac }).verdict).toBe('bad-signature');
    expect(verifyMessage(response.message, key, { now: NOW }).verdict).toBe('bad-signature');
  });

  it.each(['hmac-sha512', 'hmac-sha384', 'hmac-sha224', 'hmac-sha1', 'hmac-md5'] as const)('%s signs and verifies with its digest size', (algorithm) => {
    const k = { ...key, algorithm };
    const { message, mac } = signMessage(query(3), k, { now: NOW });
    expect(mac).toHaveLength({ 'hmac-sha512': 64, 'hmac-sha384': 48, 'hmac-sha224': 28, 'hmac-sha1': 20, 'hmac-md5': 16 }[algorithm]);
    expect(verifyMessage(message, k, { now: NOW }).verdict).toBe('ok');
  });

  it('reads secrets as tsig-keygen prints them, and refuses what is not base64', () => {
    expect(decodeTsigSecret('1zsWdgHCZzeyQJ14MU+8srDOkocgR027Rljt6pYk+UM=')).toHaveLength(32);
    for (const bad of ['', 'secret "abc="', 'not base64!', 'A']) expect(decodeTsigSecret(bad)).toBeUndefined();
  });
});
