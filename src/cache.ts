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

export class BoundedCache<K, V> {
  /** The values, oldest first (a Map keeps insertion order). */
  readonly #values = new Map<K, V>();
  /** Each entry's weight, kept only when entries are weighed (a hit reads #values alone). */
  readonly #weights: Map<K, number> | undefined;
  readonly #maxEntries: number;
  readonly #maxWeight: number;
  readonly #weigh: ((value: V, key: K) => number) | undefined;
  #weight = 0;

  constructor(options: BoundedCacheOptions<K, V>) {
    if (!(options.maxEntries >= 1)) throw new RangeError(`BoundedCache: maxEntries must be at least 1, not ${options.maxEntries}`);
    this.#maxEntries = options.maxEntries;
    this.#maxWeight = options.maxWeight ?? Infinity;
    this.#weigh = options.weigh;
    this.#weights = options.weigh === undefined ? undefined : new Map();
  }

  get size(): number {
    return this.#values.size;
  }

  /** The total weight of the entries kept (0 without `weigh`). */
  get weight(): number {
    return this.#weight;
  }

  /** The value kept for `key`; undefined if none. */
  get(key: K): V | undefined {
    return this.#values.get(key);
  }

  has(key: K): boolean {
    return this.#values.has(key);
  }

  /** Keep `value` for `key` as the newest entry (replacing any), then evict the oldest down to the bounds. */
  set(key: K, value: V): void {
    this.delete(key);
    this.#values.set(key, value);
    if (this.#weigh !== undefined && this.#weights !== undefined) {
      const weight = this.#weigh(value, key);
      this.#weights.set(key, weight);
      this.#weight += weight;
    }
    while (this.#values.size > this.#maxEntries || (this.#weight > this.#maxWeight && this.#values.size > 1)) {
      const oldest = this.#values.keys().next();
      if (oldest.done === true) break;
      this.delete(oldest.value);
    }
  }

  delete(key: K): boolean {
    if (!this.#values.delete(key)) return false;
    const weights = this.#weights;
    if (weights !== undefined) {
      this.#weight -= weights.get(key) ?? 0;
      weights.delete(key);
    }
    return true;
  }

  /** Drop every entry `drop` picks (a walk over all of them). */
  deleteWhere(drop: (value: V, key: K) => boolean): void {
    for (const [key, value] of this.#values) if (drop(value, key)) this.delete(key);
  }

  clear(): void {
    this.#values.clear();
    this.#weights?.clear();
    this.#weight = 0;
  }
}
