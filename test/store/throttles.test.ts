/**
 * The node-shared throttle (src/store/throttles.ts) on the backend under test: attempts counted
 * per key in a window before they are checked, a block that grows but is capped and ends by
 * itself, a success clearing the keys it proves and giving the attempt back to the others, and a
 * burst of concurrent attempts checked no more often than the same attempts one after another.
 */
import { describe, expect, test } from 'vitest';
import type { Store } from '../../src/store/db.js';
import { attemptFailed, attemptSucceeded, blockedUntil, CLAIM_MS, clearFailures, pruneThrottles, takeAttempt, type ThrottleKey, type ThrottlePolicy } from '../../src/store/throttles.js';
import { backend, useTestStore } from '../helpers/store.js';

const POLICY: ThrottlePolicy = { maxFailures: 3, windowMs: 60_000, blockMs: 10_000, maxBlockMs: 40_000 };
const T0 = new Date('2026-06-01T12:00:00Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
const keyOf = (key: string, policy = POLICY): ThrottleKey => ({ key, policy });

describe('throttles', () => {
  let store: Store;
  useTestStore((s) => {
    store = s;
  });

  /** One attempt that is checked and fails: the block it set, if any; 'refused' when it was not let through. */
  async function failOnce(keys: readonly ThrottleKey[], now: Date): Promise<Date | undefined | 'refused'> {
    const taken = await takeAttempt(store.db, keys, now);
    if (!taken.allowed) return 'refused';
    return attemptFailed(store.db, taken.attempt, now);
  }

  test('the failure over the limit blocks; the block doubles per further failure up to the cap, and ends by itself', async () => {
    // A window long enough to hold every block below.
    const key = keyOf('test:grow', { ...POLICY, windowMs: 600_000 });
    for (let i = 0; i < 3; i++) expect(await failOnce([key], at(i))).toBeUndefined();
    expect(await blockedUntil(store.db, key.key, at(3))).toBeUndefined();
    expect(await failOnce([key], at(4))).toEqual(at(4 + 10_000));
    expect(await blockedUntil(store.db, key.key, at(5))).toEqual(at(4 + 10_000));
    // Refused while blocked, and not counted: the block stays as it was.
    expect(await takeAttempt(store.db, [key], at(6))).toEqual({ allowed: false, until: at(4 + 10_000) });
    expect(await failOnce([key], at(10_005))).toEqual(at(10_005 + 20_000));
    expect(await failOnce([key], at(30_006))).toEqual(at(30_006 + 40_000));
    expect(await failOnce([key], at(70_007))).toEqual(at(70_007 + 40_000)); // capped: slowed down, never locked out for good
    expect(await blockedUntil(store.db, key.key, at(110_007))).toBeUndefined();
    // A window that ended while nothing blocked it starts the count again.
    expect(await failOnce([keyOf('test:grow')], at(700_000))).toBeUndefined();
  });

  test('failures spread wider than the window start a new count; a success clears the key; keys are apart', async () => {
    const key = keyOf('test:window');
    for (let i = 0; i < 4; i++) expect(await failOnce([key], at(i * 61_000))).toBeUndefined();
    expect(await failOnce([keyOf('test:other')], at(0))).toBeUndefined();
    for (let i = 0; i < 3; i++) await failOnce([key], at(300_000));
    const taken = await takeAttempt(store.db, [key], at(300_000));
    if (!taken.allowed) throw new Error('the fourth attempt is let through (and claims the key)');
    await attemptSucceeded(store.db, taken.attempt, [key.key]);
    expect(await blockedUntil(store.db, key.key, at(300_001))).toBeUndefined();
    for (let i = 0; i < 3; i++) expect(await failOnce([key], at(300_001))).toBeUndefined();
  });

  test('an attempt over the limit claims the key while it is checked: others are refused until it settles', async () => {
    const key = keyOf('test:claim');
    for (let i = 0; i < 3; i++) await failOnce([key], at(0));
    const claimant = await takeAttempt(store.db, [key], at(1));
    expect(claimant.allowed).toBe(true);
    expect(await takeAttempt(store.db, [key], at(2))).toEqual({ allowed: false, until: at(1 + CLAIM_MS) });
    if (!claimant.allowed) return;
    // It succeeded: the key is free again at once.
    await attemptSucceeded(store.db, claimant.attempt, [key.key]);
    expect((await takeAttempt(store.db, [key], at(3))).allowed).toBe(true);
  });

  test('a success gives the attempt back on the keys it does not clear (a shared source address is never blocked by successes)', async () => {
    const user = keyOf('test:user');
    const source = keyOf('test:source');
    for (let i = 0; i < 20; i++) {
      const taken = await takeAttempt(store.db, [user, source], at(i));
      if (!taken.allowed) throw new Error(`success ${i} refused`);
      await attemptSucceeded(store.db, taken.attempt, [user.key]);
    }
    expect(await blockedUntil(store.db, source.key, at(21))).toBeUndefined();
    // Three failures still count against the source; the fourth attempt is let through and claims it.
    for (let i = 0; i < 3; i++) expect(await failOnce([keyOf(`test:user-${i}`), source], at(30))).toBeUndefined();
    expect(await failOnce([keyOf('test:user-x'), source], at(31))).toEqual(at(31 + 10_000));
  });

  test('attempts on several keys are all or nothing: one blocked key refuses without counting on the others', async () => {
    const free = keyOf('test:free');
    const blocked = keyOf('test:blocked');
    for (let i = 0; i < 4; i++) await failOnce([blocked], at(0));
    expect(await takeAttempt(store.db, [free, blocked], at(1))).toEqual({ allowed: false, until: at(10_000) });
    // The refused attempts were not counted against `free`: it still lets three failures through unblocked.
    for (let i = 0; i < 3; i++) expect(await failOnce([free], at(2))).toBeUndefined();
  });

  test('a burst of concurrent attempts: no more are checked than one after another would be (maxFailures + 1)', async () => {
    const device = keyOf('test:burst-device');
    const user = keyOf('test:burst-user', { ...POLICY, maxFailures: 6 });
    const results = await Promise.all(Array.from({ length: 30 }, () => failOnce([device, user], at(0))));
    const checked = results.filter((r) => r !== 'refused');
    expect(checked).toHaveLength(POLICY.maxFailures + 1);
    expect(await blockedUntil(store.db, device.key, at(1))).toEqual(at(10_000));
  });

  test(`prune drops rows whose window and block are over (${backend})`, async () => {
    await failOnce([keyOf('test:prune')], at(0));
    expect(await pruneThrottles(store.db, at(10 * 60_000), 60_000)).toBeGreaterThanOrEqual(1);
    expect(await blockedUntil(store.db, 'test:prune', at(10 * 60_000))).toBeUndefined();
    await clearFailures(store.db, 'test:prune');
  });
});
