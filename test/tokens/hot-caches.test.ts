import { describe, expect, it } from 'vitest';
import { cachingSigningKeys, cachingTokenOpener } from '../../src/auth/hot-caches.js';
import { deriveSigningKey } from '../../src/sigv4/index.js';
import { generateKey, Keyring } from '../../src/tokens/keyring.js';
import { sealSessionToken, type SessionClaims } from '../../src/tokens/session-token.js';

const keyring = new Keyring([generateKey(new Date('2026-01-01T00:00:00Z'))]);

function claims(akid: string, jti: string): SessionClaims {
  return { v: 1, akid, sk: `secret-${jti}`, jti, kind: 'session', acct: '123456789012', arn: 'arn:aws:iam::123456789012:user/u', uid: 'AIDAU', iat: 0, exp: 4_000_000_000, depth: 0, src: 'AKIAU', srcAcct: '123456789012' };
}

describe('cachingTokenOpener', () => {
  it('answers a token it opened from memory, and only for the very same token', () => {
    const open = cachingTokenOpener(keyring);
    const a = sealSessionToken(keyring, claims('ASIAONE', 'a'));
    const first = open(a, 'ASIAONE');
    expect(first?.jti).toBe('a');
    // A copy of the same text (another string object) is the same token.
    expect(open(Buffer.from(a).toString(), 'ASIAONE')).toBe(first);
    // Another token for the same key id is opened for itself, never answered with the first one's claims.
    const b = sealSessionToken(keyring, claims('ASIAONE', 'b'));
    expect(open(b, 'ASIAONE')?.jti).toBe('b');
    expect(open(a, 'ASIAONE')?.jti).toBe('a');
  });

  it('never lets a token presented with another key id be answered from the memo of that key id', () => {
    const open = cachingTokenOpener(keyring);
    const mine = sealSessionToken(keyring, claims('ASIAMINE', 'm'));
    const theirs = sealSessionToken(keyring, claims('ASIATHEIRS', 't'));
    expect(open(mine, 'ASIAMINE')?.akid).toBe('ASIAMINE');
    // Their token presented under my key id: the claims say whose it is, and authenticate() refuses the mismatch.
    expect(open(theirs, 'ASIAMINE')?.akid).toBe('ASIATHEIRS');
    expect(open(mine, 'ASIAMINE')?.jti).toBe('m');
  });

  it('refuses tampered tokens every time (nothing is remembered for them)', () => {
    const open = cachingTokenOpener(keyring);
    const token = sealSessionToken(keyring, claims('ASIATAMPER', 'x'));
    const tampered = `${token.slice(0, -2)}${token.endsWith('AA') ? 'BB' : 'AA'}`;
    expect(open(tampered, 'ASIATAMPER')).toBeUndefined();
    expect(open(tampered, 'ASIATAMPER')).toBeUndefined();
    expect(open(token, 'ASIATAMPER')?.jti).toBe('x');
    expect(open(tampered, 'ASIATAMPER')).toBeUndefined();
  });
});

describe('cachingSigningKeys', () => {
  it('derives the same key as deriveSigningKey, for each distinct scope', () => {
    const derive = cachingSigningKeys();
    for (const [date, region, service] of [['20261122', 'us-east-1', 'sts'], ['20261122', 'us-east-1', 'iam'], ['20261123', 'us-east-1', 'sts'], ['20261122', 'eu-west-1', 'sts']] as const) {
      for (let i = 0; i < 2; i++) expect(Buffer.from(derive('s3cr3t', date, region, service))).toEqual(Buffer.from(deriveSigningKey('s3cr3t', date, region, service)));
    }
    expect(Buffer.from(derive('other', '20261122', 'us-east-1', 'sts'))).toEqual(Buffer.from(deriveSigningKey('other', '20261122', 'us-east-1', 'sts')));
  });

  it('derives a key once per scope, and stays right past the scopes it keeps per secret', () => {
    const derive = cachingSigningKeys();
    const regions = Array.from({ length: 20 }, (_, i) => `region-${i}`);
    for (const region of regions) {
      const first = derive('s3cr3t', '20261122', region, 'sts');
      expect(derive('s3cr3t', '20261122', region, 'sts')).toBe(first);
      expect(Buffer.from(first)).toEqual(Buffer.from(deriveSigningKey('s3cr3t', '20261122', region, 'sts')));
    }
    for (const region of regions) expect(Buffer.from(derive('s3cr3t', '20261122', region, 'sts'))).toEqual(Buffer.from(deriveSigningKey('s3cr3t', '20261122', region, 'sts')));
  });
});
