/**
 * Failures `npm run fuzz` (or reading its numbers) found in pure modules, each kept as the named
 * test of its fix.
 */
import { describe, expect, test } from 'vitest';
import { AwsError } from '../../src/errors.js';
import { DEFAULT_MAX_CHARS } from '../../src/policy/cache.js';
import { CONFLICT_ATTEMPTS, retryConflicts } from '../../src/store/conflicts.js';
import { MAX_TEXT_LENGTH, PolicyCache } from '../../src/policy/index.js';
import { largePolicy } from './large-policy.js';

describe('regressions found by npm run fuzz', () => {
  // A compiled policy takes about 20 bytes per character of its text: 10,000 entries of the
  // 128 KiB documents SimulateCustomPolicy accepts would have held gigabytes.
  test('the policy cache is bounded by the size of its documents, not only by their count', () => {
    const cache = new PolicyCache();
    const docs = Array.from({ length: 36 }, (_, i) => largePolicy(i, 120_000));
    for (const text of docs) cache.get(text, { kind: 'identity', maxLength: MAX_TEXT_LENGTH });
    expect(docs.reduce((n, d) => n + d.length, 0)).toBeGreaterThan(DEFAULT_MAX_CHARS);
    expect(cache.chars).toBeLessThanOrEqual(DEFAULT_MAX_CHARS);
    expect(cache.size).toBeLessThan(docs.length);
    // The most recent ones stay; small policies still fill the count bound.
    const last = docs[docs.length - 1] ?? '';
    expect(cache.get(last, { kind: 'identity', maxLength: MAX_TEXT_LENGTH })).toBe(cache.get(last, { kind: 'identity', maxLength: MAX_TEXT_LENGTH }));
    const small = new PolicyCache(100);
    for (let i = 0; i < 150; i++) small.get(largePolicy(i, 300), { kind: 'identity' });
    expect(small.size).toBe(100);
  });

  // PostgreSQL's deadlocks (40P01) became 500s; regressions.http.test.ts forces a real one.
  test('a transaction PostgreSQL aborts for a deadlock or serialization failure runs again; after a few tries it is ConcurrentModification (409)', async () => {
    const aborted = (code: string) => Object.assign(new Error('query failed'), { cause: Object.assign(new Error('postgres'), { code }) });
    let runs = 0;
    await expect(
      retryConflicts(async () => {
        runs++;
        if (runs === 1) throw aborted('40P01');
        if (runs === 2) throw aborted('40001');
        return 'done';
      }),
    ).resolves.toBe('done');
    expect(runs).toBe(3);

    runs = 0;
    const always = retryConflicts(async () => {
      runs++;
      throw aborted('40P01');
    });
    await expect(always).rejects.toBeInstanceOf(AwsError);
    await expect(always).rejects.toMatchObject({ code: 'ConcurrentModification', status: 409 });
    expect(runs).toBe(CONFLICT_ATTEMPTS);

    // Anything else is not retried: a unique violation, or our own error.
    runs = 0;
    await expect(
      retryConflicts(async () => {
        runs++;
        throw aborted('23505');
      }),
    ).rejects.toThrow('query failed');
    expect(runs).toBe(1);
  });
});
