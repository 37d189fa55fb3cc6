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
 * per change. Made once per service; the request's time comes with each call.
 */
export function revocationCheck(db: Db, cache: RevokedCache): (claims: SessionClaims, now: number) => boolean | Promise<boolean> {
  return (claims, now) => {
    const known = cache.get(claims.acct);
    if (known) return known.has(claims.jti);
    const epoch = cache.epoch;
    return revokedJtis(db, claims.acct, new Date(now)).then((jtis) => {
      const revoked = new Set(jtis);
      cache.set(claims.acct, claims.acct, revoked, epoch);
      return revoked.has(claims.jti);
    });
  };
}
