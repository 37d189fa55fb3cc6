/**
 * The one bounded cache of this code base: a Map bounded by its number of entries and,
 * optionally, by a total weight (e.g. the characters of the text behind each entry). One eviction
 * scheme: past either bound, the entries set longest ago go first (first in, first out); the
 * newest entry always stays, even if it alone outweighs the bound. Pure: no IO, no clock, no
 * timers.
 *
 * First in, first out rather than least recently used: a hit is one Map lookup and nothing else.
 * Moving an entry to the back on every hit (delete and set again) measured about 0.2 µs and
 * churns the Map's table, on paths that hit several caches per request.
 *
 * Values that must not be kept (failures) are simply not `set`: the cache never decides what is
 * worth keeping.
 */
export interface BoundedCacheOptions<K, V> {
  /** The most entries kept (at least 1). */
  readonly maxEntries: number;
  /** The most total weight kept; needs `weigh`. Default: no bound but the count. */
  readonly maxWeight?: number | undefined;
  /** The weight of one entry (a non-negative number), worked out once as it is set. */
  readonly weigh?: ((value: V, key: K) => number) | undefined;
}

interface Entry<V> {
  readonly value: V;
  readonly weight: number;
}

export class BoundedCache<K, V> {
  readonly #entries = new Map<K, Entry<V>>();
  readonly #maxEntries: number;
  readonly #maxWeight: number;
  readonly #weigh: ((value: V, key: K) => number) | undefined;
  #weight = 0;

  constructor(options: BoundedCacheOptions<K, V>) {
    if (!(options.maxEntries >= 1)) throw new RangeError(`BoundedCache: maxEntries must be at least 1, not ${options.maxEntries}`);
    this.#maxEntries = options.maxEntries;
    this.#maxWeight = options.maxWeight ?? Infinity;
    this.#weigh = options.weigh;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The total weight of the entries kept (0 without `weigh`). */
  get weight(): number {
    return this.#weight;
  }

  /** The value kept for `key`; undefined if none. */
  get(key: K): V | undefined {
    return this.#entries.get(key)?.value;
  }

  has(key: K): boolean {
    return this.#entries.has(key);
  }

  /** Keep `value` for `key` as the newest entry (replacing any), then evict the oldest down to the bounds. */
  set(key: K, value: V): void {
    this.delete(key);
    const weight = this.#weigh === undefined ? 0 : this.#weigh(value, key);
    this.#entries.set(key, { value, weight });
    this.#weight += weight;
    while (this.#entries.size > this.#maxEntries || (this.#weight > this.#maxWeight && this.#entries.size > 1)) {
      const oldest = this.#entries.keys().next();
      if (oldest.done === true) break;
      this.delete(oldest.value);
    }
  }

  delete(key: K): boolean {
    const entry = this.#entries.get(key);
    if (entry === undefined) return false;
    this.#weight -= entry.weight;
    return this.#entries.delete(key);
  }

  /** Drop every entry `drop` picks (a walk over all of them). */
  deleteWhere(drop: (value: V, key: K) => boolean): void {
    for (const [key, entry] of this.#entries) if (drop(entry.value, key)) this.delete(key);
  }

  clear(): void {
    this.#entries.clear();
    this.#weight = 0;
  }
}
