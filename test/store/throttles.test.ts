/**
 * The node-shared throttle (src/store/throttles.ts) on the backend under test: failures counted
 * per key in a window, a block that grows but is capped and ends by itself, a success clearing
 * the key, and concurrent failures all counted.
 */
import { describe, expect, test } from 'vitest';
import type { Store } from '../../src/store/db.js';
import { blockedUntil, clearFailures, pruneThrottles, recordFailure, type ThrottlePolicy } from '../../src/store/throttles.js';
import { useTestStore } from '../helpers/store.js';

const POLICY: ThrottlePolicy = { maxFailures: 3, windowMs: 60_000, blockMs: 10_000, maxBlockMs: 40_000 };
const T0 = new Date('2026-06-01T12:00:00Z');
const at = (ms: number) => new Date(T0.getTime() + ms);

describe('throttles', () => {
  let store: Store;
  useTestStore((s) => {
    store = s;
  });

  test('the failure over the limit blocks; the block doubles per further failure up to the cap, and ends by itself', async () => {
    const key = 'test:grow';
    for (let i = 0; i < 3; i++) expect(await recordFailure(store.db, key, at(i), POLICY)).toBeUndefined();
    expect(await blockedUntil(store.db, key, at(3))).toBeUndefined();
    expect(await recordFailure(store.db, key, at(4), POLICY)).toEqual(at(4 + 10_000));
    expect(await blockedUntil(store.db, key, at(5))).toEqual(at(4 + 10_000));
    expect(await recordFailure(store.db, key, at(6), POLICY)).toEqual(at(6 + 20_000));
    expect(await recordFailure(store.db, key, at(7), POLICY)).toEqual(at(7 + 40_000));
    // capped: a victim is slowed down, never locked out for good
    for (let i = 0; i < 40; i++) await recordFailure(store.db, key, at(8), POLICY);
    expect(await blockedUntil(store.db, key, at(9))).toEqual(at(8 + 40_000));
    expect(await blockedUntil(store.db, key, at(8 + 40_000))).toBeUndefined();
  });

  test('failures spread wider than the window start a new count; a success clears the key; keys are apart', async () => {
    const key = 'test:window';
    for (let i = 0; i < 3; i++) await recordFailure(store.db, key, at(i * 61_000), POLICY);
    expect(await blockedUntil(store.db, key, at(200_000))).toBeUndefined();
    await recordFailure(store.db, 'test:other', at(0), POLICY);
    for (let i = 0; i < 3; i++) await recordFailure(store.db, key, at(300_000), POLICY);
    await clearFailures(store.db, key);
    expect(await recordFailure(store.db, key, at(300_001), POLICY)).toBeUndefined();
  });

  test('concurrent failures are all counted', async () => {
    const key = 'test:concurrent';
    await Promise.all(Array.from({ length: 8 }, () => recordFailure(store.db, key, at(0), POLICY)));
    expect(await blockedUntil(store.db, key, at(1))).toBeDefined();
  });

  test('prune drops rows whose window and block are over', async () => {
    await recordFailure(store.db, 'test:prune', at(0), POLICY);
    expect(await pruneThrottles(store.db, at(10 * 60_000), 60_000)).toBeGreaterThanOrEqual(1);
    expect(await blockedUntil(store.db, 'test:prune', at(10 * 60_000))).toBeUndefined();
  });
});
