/**
 * Throttles shared by every node (the `throttles` table): attempts against one key (an MFA device,
 * a user's codes, a console sign-in) counted in a window, and a block that always ends by itself.
 * The block grows with repeated failures but never past `maxBlockMs`, so an attacker who knows a
 * victim's name can slow the victim down, never lock them out for good; a success clears the key.
 *
 * An attempt is counted **before** the check it guards (takeAttempt), under the keys' row locks, so
 * a burst of concurrent attempts cannot all read "not blocked" and all be checked: the first
 * `maxFailures` go ahead, the one after claims the key (a short block of its own, CLAIM_MS) while
 * it is checked, and the rest are refused. Once checked, the attempt is settled: a failure stays
 * counted and blocks the key when it went over the limit (attemptFailed); a success clears the
 * keys it proves and gives the attempt back to the others (attemptSucceeded).
 */
import { eq, inArray, lte, sql } from 'drizzle-orm';
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

/** A key and the policy it is counted under. */
export interface ThrottleKey {
  readonly key: string;
  readonly policy: ThrottlePolicy;
}

/**
 * How long an attempt over the limit holds its key while it is checked (an argon2 verification, a
 * TOTP check): the attempts that arrive meanwhile are refused. Settling replaces it with the block
 * (a failure) or lifts it (a success); an attempt never settled (a crash) holds the key no longer.
 */
export const CLAIM_MS = 30_000;

/** One key as an attempt took it: its count with this attempt, and its claim if this attempt holds it. */
interface TakenKey extends ThrottleKey {
  readonly failures: number;
  readonly claim: Date | undefined;
}

/** An attempt that may be checked; settle it with attemptFailed or attemptSucceeded. */
export interface Attempt {
  readonly keys: readonly TakenKey[];
}

export type AttemptResult = { readonly allowed: true; readonly attempt: Attempt } | { readonly allowed: false; readonly until: Date };

/**
 * Take one attempt against every key at `now`, or none: refused (with the latest time any key is
 * blocked until) when a key is blocked or claimed; otherwise each key's count rises by one (a key
 * whose window ended starts again at 1) and a key that goes over its limit is claimed by this
 * attempt. One short transaction holding the keys' rows (locked in key order, so attempts on
 * overlapping keys do not deadlock); the check itself runs after it, outside any lock.
 */
export async function takeAttempt(db: Db, keys: readonly ThrottleKey[], now: Date): Promise<AttemptResult> {
  const unique = [...new Map(keys.map((k) => [k.key, k])).values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  if (unique.length === 0) return { allowed: true, attempt: { keys: [] } };
  return db.transaction(async (t) => {
    await t
      .insert(throttles)
      .values(unique.map((k) => ({ key: k.key, failures: 0, windowStartedAt: now, blockedUntil: null })))
      .onConflictDoNothing();
    const rows = await t
      .select()
      .from(throttles)
      .where(inArray(throttles.key, unique.map((k) => k.key)))
      .orderBy(throttles.key)
      .for('update');
    const byKey = new Map(rows.map((r) => [r.key, r]));
    let until: Date | undefined;
    for (const r of rows) if (r.blockedUntil && r.blockedUntil.getTime() > now.getTime() && (!until || r.blockedUntil > until)) until = r.blockedUntil;
    if (until) return { allowed: false, until } as const;
    const taken: TakenKey[] = [];
    for (const k of unique) {
      const row = byKey.get(k.key);
      // A window that ended (no block holds it: none does here) starts again with this attempt.
      const current = row && row.windowStartedAt.getTime() > now.getTime() - k.policy.windowMs ? row : undefined;
      const failures = current ? current.failures + 1 : 1;
      const claim = failures > k.policy.maxFailures ? new Date(now.getTime() + CLAIM_MS) : undefined;
      await t
        .update(throttles)
        .set({ failures, windowStartedAt: current ? current.windowStartedAt : now, blockedUntil: claim ?? null })
        .where(eq(throttles.key, k.key));
      taken.push({ ...k, failures, claim });
    }
    return { allowed: true, attempt: { keys: taken } } as const;
  });
}

/**
 * The attempt was checked and failed: it stays counted, and each key it took over the limit is
 * blocked (the first block `blockMs`, doubling with each further failure, at most `maxBlockMs`),
 * replacing this attempt's claim. Returns the latest block it set, if any.
 */
export async function attemptFailed(db: Db, attempt: Attempt, now: Date): Promise<Date | undefined> {
  let latest: Date | undefined;
  for (const k of attempt.keys) {
    if (k.failures <= k.policy.maxFailures) continue;
    const over = Math.min(k.failures - k.policy.maxFailures - 1, 30);
    const until = new Date(now.getTime() + Math.min(k.policy.blockMs * 2 ** over, k.policy.maxBlockMs));
    await db.update(throttles).set({ blockedUntil: until }).where(eq(throttles.key, k.key));
    if (!latest || until > latest) latest = until;
  }
  return latest;
}

/**
 * The attempt was checked and succeeded: the keys in `clear` start afresh; on the others (a sign-in
 * source address, say) the attempt is given back (its count lowered by one, its claim lifted), so
 * successes never add up to a block.
 */
export async function attemptSucceeded(db: Db, attempt: Attempt, clear: readonly string[]): Promise<void> {
  for (const k of attempt.keys) {
    if (clear.includes(k.key)) {
      await clearFailures(db, k.key);
      continue;
    }
    const claimed = k.claim ? sql`${k.claim.toISOString()}::timestamptz` : sql`null`;
    await db
      .update(throttles)
      .set({
        failures: sql`greatest(${throttles.failures} - 1, 0)`,
        blockedUntil: sql`case when ${throttles.blockedUntil} = ${claimed} then null else ${throttles.blockedUntil} end`,
      })
      .where(eq(throttles.key, k.key));
  }
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
