import { describe, expect, it } from 'vitest';
import { generateKey, Keyring, parseKeys, serializeKeys } from '../../src/tokens/keyring.js';

const t0 = new Date('2026-01-01T00:00:00Z');
const t1 = new Date('2026-06-01T00:00:00Z');

describe('Keyring', () => {
  const old = generateKey(t0, 'k-2026-01');
  const ring = new Keyring([old]);

  it('opens what it sealed, for the same associated data only', () => {
    const sealed = ring.seal('wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'access-key:AKIA1');
    expect(sealed).not.toContain('wJalr');
    expect(ring.open(sealed, 'access-key:AKIA1')?.toString()).toBe('wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY');
    expect(ring.open(sealed, 'access-key:AKIA2')).toBeUndefined();
  });

  it('seals with the newest key after a rotation and still opens what older keys sealed', () => {
    const before = ring.seal('secret', 'a');
    const rotated = new Keyring([generateKey(t1, 'k-2026-06'), old]);
    expect(rotated.activeKid).toBe('k-2026-06');
    expect(rotated.open(before, 'a')?.toString()).toBe('secret');
    const after = rotated.seal('secret', 'a');
    expect(ring.open(after, 'a')).toBeUndefined();
    expect(rotated.open(after, 'a')?.toString()).toBe('secret');
  });

  it('refuses tampered, truncated, foreign and garbage input without throwing', () => {
    const sealed = Buffer.from(ring.seal('secret', 'a'), 'base64url');
    for (let i = 0; i < sealed.length; i++) {
      const bad = Buffer.from(sealed);
      bad[i] = (bad[i] as number) ^ 1;
      expect(ring.open(bad.toString('base64url'), 'a'), `byte ${i}`).toBeUndefined();
    }
    expect(ring.open(sealed.subarray(0, sealed.length - 1).toString('base64url'), 'a')).toBeUndefined();
    expect(new Keyring([generateKey(t0, 'k-2026-01')]).open(sealed.toString('base64url'), 'a')).toBeUndefined();
    for (const junk of ['', 'AQ', '%%%', 'A'.repeat(10_000)]) expect(ring.open(junk, 'a')).toBeUndefined();
  });

  it('round-trips through its file format and refuses bad key sets', () => {
    const keys = [old, generateKey(t1)];
    const back = parseKeys(serializeKeys(keys));
    expect(back.map((k) => [k.kid, k.created, k.key.toString('hex')])).toEqual(keys.map((k) => [k.kid, k.created, k.key.toString('hex')]));
    expect(() => new Keyring([])).toThrow();
    expect(() => new Keyring([{ ...old, key: Buffer.alloc(16) }])).toThrow();
    expect(() => new Keyring([old, old])).toThrow();
  });
});
