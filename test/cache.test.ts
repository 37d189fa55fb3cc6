/** The one bounded cache (src/cache.ts): its bounds, its eviction order, and dropping entries. */
import { describe, expect, it } from 'vitest';
import { BoundedCache } from '../src/cache.js';

const keys = <K, V>(cache: BoundedCache<K, V>, candidates: readonly K[]) => candidates.filter((k) => cache.has(k));

describe('BoundedCache', () => {
  it('keeps at most maxEntries, dropping the entry set longest ago', () => {
    const cache = new BoundedCache<string, number>({ maxEntries: 3 });
    for (let i = 0; i < 5; i++) {
      cache.set(`k${i}`, i);
      expect(cache.size).toBe(Math.min(i + 1, 3));
    }
    expect(keys(cache, ['k0', 'k1', 'k2', 'k3', 'k4'])).toEqual(['k2', 'k3', 'k4']);
    expect([cache.get('k2'), cache.get('k3'), cache.get('k4'), cache.get('k0')]).toEqual([2, 3, 4, undefined]);
  });

  it('evicts first in, first out: a hit does not move an entry, setting it again does', () => {
    const cache = new BoundedCache<string, string>({ maxEntries: 2 });
    cache.set('a', 'A');
    cache.set('b', 'B');
    expect(cache.get('a')).toBe('A'); // a hit: a is still the oldest
    cache.set('c', 'C');
    expect(keys(cache, ['a', 'b', 'c'])).toEqual(['b', 'c']);
    cache.set('b', 'B2'); // set again: b is now the newest, replaced in place of a new entry
    expect(cache.size).toBe(2);
    cache.set('d', 'D');
    expect(keys(cache, ['b', 'c', 'd'])).toEqual(['b', 'd']);
    expect(cache.get('b')).toBe('B2');
  });

  it('keeps the total weight within maxWeight, the newest entry always kept', () => {
    const cache = new BoundedCache<string, string>({ maxEntries: 100, maxWeight: 10, weigh: (text) => text.length });
    cache.set('a', 'xxxx');
    cache.set('b', 'xxxx');
    expect(cache.weight).toBe(8);
    cache.set('c', 'xxxx'); // 12 > 10: the oldest goes
    expect(keys(cache, ['a', 'b', 'c'])).toEqual(['b', 'c']);
    expect(cache.weight).toBe(8);
    cache.set('b', 'x'); // replacing an entry replaces its weight
    expect(cache.weight).toBe(5);
    cache.set('huge', 'x'.repeat(50)); // heavier than the bound alone: kept, everything older goes
    expect(keys(cache, ['b', 'c', 'huge'])).toEqual(['huge']);
    expect(cache.weight).toBe(50);
    cache.set('d', 'xx');
    expect(keys(cache, ['huge', 'd'])).toEqual(['d']);
    expect(cache.weight).toBe(2);
  });

  it('drops one entry, the entries a predicate picks, or all of them, its weight with them', () => {
    const cache = new BoundedCache<string, { account: string; n: number }>({ maxEntries: 10, weigh: (v) => v.n });
    cache.set('k1', { account: 'A', n: 1 });
    cache.set('k2', { account: 'B', n: 2 });
    cache.set('k3', { account: 'A', n: 3 });
    cache.set('k4', { account: 'C', n: 4 });
    expect(cache.delete('k4')).toBe(true);
    expect(cache.delete('k4')).toBe(false);
    cache.deleteWhere((v) => v.account === 'A');
    expect(keys(cache, ['k1', 'k2', 'k3', 'k4'])).toEqual(['k2']);
    expect(cache.weight).toBe(2);
    cache.clear();
    expect([cache.size, cache.weight, cache.get('k2')]).toEqual([0, 0, undefined]);
  });

  it('keeps falsy values (null marks a known failure for some callers) apart from absent keys', () => {
    const cache = new BoundedCache<string, number | null>({ maxEntries: 2 });
    cache.set('zero', 0);
    cache.set('none', null);
    expect([cache.get('zero'), cache.get('none'), cache.get('absent')]).toEqual([0, null, undefined]);
  });

  it('refuses a bound below one entry', () => {
    expect(() => new BoundedCache({ maxEntries: 0 })).toThrow(RangeError);
    expect(() => new BoundedCache({ maxEntries: Number.NaN })).toThrow(RangeError);
  });
});
