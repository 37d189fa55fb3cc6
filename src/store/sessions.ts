/**
 * Sessions an operator revoked one by one (revoked_sessions), by the `jti` their token carries. A
 * row is only needed until the session's own expiry; after that the token is refused anyway.
 */
import { and, eq, gt, lte } from 'drizzle-orm';
import type { Db } from './db.js';
import { revokedSessions } from './schema.js';

export interface RevokedSession {
  readonly jti: string;
  readonly accountId: string;
  readonly expiresAt: Date;
  readonly revokedAt: Date;
}

/** False when the session was already revoked (the first revocation stands). */
export async function insertRevokedSession(db: Db, row: RevokedSession): Promise<boolean> {
  const inserted = await db.insert(revokedSessions).values(row).onConflictDoNothing().returning({ jti: revokedSessions.jti });
  return inserted.length > 0;
}

/** The jtis of `accountId`'s sessions revoked and not yet expired at `now`. */
export async function revokedJtis(db: Db, accountId: string, now: Date): Promise<string[]> {
  const rows = await db
    .select({ jti: revokedSessions.jti })
    .from(revokedSessions)
    .where(and(eq(revokedSessions.accountId, accountId), gt(revokedSessions.expiresAt, now)));
  return rows.map((r) => r.jti);
}

/** Drop rows whose session has expired anyway; returns how many. */
export async function pruneRevokedSessions(db: Db, now: Date): Promise<number> {
  const deleted = await db.delete(revokedSessions).where(lte(revokedSessions.expiresAt, now)).returning({ jti: revokedSessions.jti });
  return deleted.length;
}

/** Whether `jti` is revoked (a read by primary key; for the console's low-traffic checks, src/console/). */
export async function isRevoked(db: Db, jti: string): Promise<boolean> {
  const rows = await db.select({ jti: revokedSessions.jti }).from(revokedSessions).where(eq(revokedSessions.jti, jti)).limit(1);
  return rows.length > 0;
}
