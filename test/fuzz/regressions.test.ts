/**
 * Failures `npm run fuzz` (or reading its numbers) found in pure modules, each kept as the named
 * test of its fix.
 */
import { describe, expect, test } from 'vitest';
import { DEFAULT_MAX_CHARS } from '../../src/policy/cache.js';
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
});
