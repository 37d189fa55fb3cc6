/**
 * Throttles shared by every node (the `throttles` table): failed attempts against one key (an MFA
 * device, a user's codes, a console sign-in) counted in a window, and a block that always ends by
 * itself. The block grows with repeated failures but never past `maxBlockMs`, so an attacker who
 * knows a victim's name can slow the victim down, never lock them out for good; a success clears
 * the key.
 *
 * Each failure is one statement (insert, or update the row under its primary key), so two nodes
 * counting the same key at once both count.
 */
import { eq, lte, sql } from 'drizzle-orm';
import type { Db } from './db.js';
import { throttles } from './schema.js';

export interface ThrottlePolicy {
  /** Failures allowed in one window before a block starts. */
  readonly maxFailures: number;
  /** How long failures are counted together; a window with no block ends after this. */
  readonly windowMs: number;
  /** The first block; each further failure while over the limit doubles it. */
  readonly blockMs: number;
  /** The longest block, however many failures. */
  readonly maxBlockMs: number;
}

/** When attempts against `key` are refused until, if they are at `now`. */
export async function blockedUntil(db: Db, key: string, now: Date): Promise<Date | undefined> {
  const [row] = await db.select({ blockedUntil: throttles.blockedUntil }).from(throttles).where(eq(throttles.key, key));
  const until = row?.blockedUntil ?? undefined;
  return until !== undefined && until.getTime() > now.getTime() ? until : undefined;
}

/**
 * Count one failure against `key` at `now`; returns when attempts are blocked until, if this
 * failure went over the limit.
 */
export async function recordFailure(db: Db, key: string, now: Date, policy: ThrottlePolicy): Promise<Date | undefined> {
  // Raw SQL parameters are passed as text with a cast: postgres.js does not serialize a Date there.
  const nowAt = sql`${now.toISOString()}::timestamptz`;
  const windowStart = sql`${new Date(now.getTime() - policy.windowMs).toISOString()}::timestamptz`;
  // A window that ended (and is not blocked any more) starts again at 1.
  const [row] = await db
    .insert(throttles)
    .values({ key, failures: 1, windowStartedAt: now, blockedUntil: null })
    .onConflictDoUpdate({
      target: throttles.key,
      set: {
        failures: sql`case when ${throttles.windowStartedAt} <= ${windowStart} and (${throttles.blockedUntil} is null or ${throttles.blockedUntil} <= ${nowAt}) then 1 else ${throttles.failures} + 1 end`,
        windowStartedAt: sql`case when ${throttles.windowStartedAt} <= ${windowStart} and (${throttles.blockedUntil} is null or ${throttles.blockedUntil} <= ${nowAt}) then ${nowAt} else ${throttles.windowStartedAt} end`,
      },
    })
    .returning({ failures: throttles.failures });
  const failures = row?.failures ?? 1;
  if (failures <= policy.maxFailures) return undefined;
  const over = Math.min(failures - policy.maxFailures - 1, 30);
  const until = new Date(now.getTime() + Math.min(policy.blockMs * 2 ** over, policy.maxBlockMs));
  await db.update(throttles).set({ blockedUntil: until }).where(eq(throttles.key, key));
  return until;
}

/** A success: the key starts afresh. */
export async function clearFailures(db: Db, key: string): Promise<void> {
  await db.delete(throttles).where(eq(throttles.key, key));
}

/** Drop rows whose window and block are both over at `now` (housekeeping); returns how many. */
export async function pruneThrottles(db: Db, now: Date, longestWindowMs: number): Promise<number> {
  const before = new Date(now.getTime() - longestWindowMs);
  const deleted = await db
    .delete(throttles)
    .where(sql`${lte(throttles.windowStartedAt, before)} and (${throttles.blockedUntil} is null or ${throttles.blockedUntil} <= ${now.toISOString()}::timestamptz)`)
    .returning({ key: throttles.key });
  return deleted.length;
}
