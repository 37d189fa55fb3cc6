/**
 * Is this session revoked? Answered from memory on the hot path: each account's revoked jtis (its
 * unexpired revoked_sessions rows) are read once and kept until the account changes. Revoking a
 * session announces the account in its transaction (src/sts/revocation.ts), so every node drops
 * the set and reads it again on the account's next session request.
 */
import type { Db } from '../store/db.js';
import { revokedJtis } from '../store/sessions.js';
import type { SessionClaims } from '../tokens/session-token.js';
import type { AccountCache } from './account-cache.js';

export type RevokedCache = AccountCache<ReadonlySet<string>>;

/**
 * The `SessionChecks.revoked` of authenticate(): the session's account's set, loaded at most once
 * per change. Made once per service; the request's time comes with each call. A session whose
 * chain began with a console password sign-in (`con`) is also revoked when that console session
 * was signed out (`console:ID`, in the account the sign-in was to: `srcAcct`, or the session's own).
 */
export function revocationCheck(db: Db, cache: RevokedCache): (claims: SessionClaims, now: number) => boolean | Promise<boolean> {
  const has = (accountId: string, jti: string, now: number): boolean | Promise<boolean> => {
    const known = cache.get(accountId);
    if (known) return known.has(jti);
    const epoch = cache.epoch;
    return revokedJtis(db, accountId, new Date(now)).then((jtis) => {
      const revoked = new Set(jtis);
      cache.set(accountId, accountId, revoked, epoch);
      return revoked.has(jti);
    });
  };
  return (claims, now) => {
    const own = has(claims.acct, claims.jti, now);
    const con = claims.con;
    if (con === undefined) return own;
    const signedOut = (): boolean | Promise<boolean> => has(claims.srcAcct ?? claims.acct, consoleRevocationId(con), now);
    if (own instanceof Promise) return own.then((r) => r || signedOut());
    return own || signedOut();
  };
}

/** The revoked_sessions id a signed-out console session is recorded under. */
export function consoleRevocationId(consoleSessionId: string): string {
  return `console:${consoleSessionId}`;
}
