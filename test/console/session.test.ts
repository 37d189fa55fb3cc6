/** The console's sealed cookies: purpose-bound, expiring, tamper-evident, and split when large. */
import { describe, expect, it } from 'vitest';
import { chunks, joinChunks, openSession, openSignIn, sealSession, sealSignIn, type ConsoleSession } from '../../src/console/session.js';
import { openJson, sealJson } from '../../src/console/sealed.js';
import { generateKey, Keyring } from '../../src/tokens/keyring.js';
import { randomBytes } from 'node:crypto';

const keyring = new Keyring([generateKey(new Date('2026-01-01T00:00:00Z'))]);
const session: ConsoleSession = { v: 1, id: 's1', csrf: 'c'.repeat(32), acct: '111122223333', arn: 'arn:aws:iam::111122223333:user/alice', via: 'password', iat: 1000, exp: 2000 };

describe('console session cookies', () => {
  it('open until they expire, and not after', () => {
    const sealed = sealSession(keyring, session);
    expect(openSession(keyring, sealed, 1999)).toEqual(session);
    expect(openSession(keyring, sealed, 2000)).toBeUndefined();
  });

  it('do not open as another purpose, with another key, or tampered', () => {
    const sealed = sealSession(keyring, session);
    expect(openSignIn(keyring, sealed, 1000)).toBeUndefined();
    expect(openSession(new Keyring([generateKey(new Date())]), sealed, 1000)).toBeUndefined();
    const flipped = `${sealed.slice(0, 20)}${sealed[20] === 'A' ? 'B' : 'A'}${sealed.slice(21)}`;
    expect(openSession(keyring, flipped, 1000)).toBeUndefined();
    expect(openSession(keyring, sealSignIn(keyring, { v: 1, csrf: 'x', stage: 'start', exp: 5000 }), 1000)).toBeUndefined();
    expect(openSession(keyring, 'not base64 ☃', 1000)).toBeUndefined();
  });

  it('split a large session over several cookies and join them again', () => {
    const big = { ...session, claims: { pol: [randomBytes(6000).toString('base64')] } } as unknown as ConsoleSession;
    const parts = chunks(sealSession(keyring, big));
    expect(parts.length).toBeGreaterThan(1);
    for (const p of parts) expect(p.length).toBeLessThanOrEqual(3800);
    const cookies: Record<string, string> = {};
    parts.forEach((p, i) => (cookies[i === 0 ? 'latchkey-console' : `latchkey-console.${i}`] = p));
    expect(openSession(keyring, joinChunks(cookies, 'latchkey-console'), 1000)).toEqual(big);
    // A missing chunk: the value does not open.
    delete cookies['latchkey-console.1'];
    expect(openSession(keyring, joinChunks(cookies, 'latchkey-console'), 1000)).toBeUndefined();
  });

  it('refuse a deflate bomb', () => {
    const bomb = sealJson(keyring, 'p', { x: 'a'.repeat(200_000) });
    expect(openJson(keyring, 'p', bomb)).toBeUndefined();
  });
});
