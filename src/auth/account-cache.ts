/**
 * A bounded cache whose entries each belong to an account, dropped per account when that account
 * changes (or all at once when changes may have been missed). The storage is the one
 * BoundedCache (src/cache.ts): least recently used out first past `maxEntries`.
 *
 * A load that started before an invalidation must not put its (possibly stale) result back
 * afterwards: `epoch` is read before loading and `set` refuses a value loaded under an older epoch.
 */
import { BoundedCache } from '../cache.js';

interface Owned<V> {
  readonly accountId: string;
  readonly value: V;
}

export class AccountCache<V> {
  readonly #enabled: () => boolean;
  readonly #entries: BoundedCache<string, Owned<V>>;
  #epoch = 0;

  /** `enabled`: whether entries may be used at all (false while changes may be missed). */
  constructor(maxEntries = 10_000, enabled: () => boolean = () => true) {
    this.#entries = new BoundedCache({ maxEntries });
    this.#enabled = enabled;
  }

  get epoch(): number {
    return this.#epoch;
  }

  get size(): number {
    return this.#entries.size;
  }

  get(key: string): V | undefined {
    if (!this.#enabled()) return undefined;
    return this.#entries.get(key)?.value;
  }

  /** Store `value` unless an invalidation happened since `epoch` was read. */
  set(key: string, accountId: string, value: V, epoch: number): void {
    if (epoch !== this.#epoch || !this.#enabled()) return;
    this.#entries.set(key, { accountId, value });
  }

  /**
   * The cached value of `key`, or `load`'s, kept under `accountId` when there is one. Only values
   * that exist are kept: a key that loads nothing is loaded again next time, so a flood of made-up
   * keys cannot fill the cache with answers nobody needs.
   */
  async getOrLoad(key: string, accountId: string, load: () => Promise<V | undefined>): Promise<V | undefined> {
    const hit = this.get(key);
    if (hit !== undefined) return hit;
    const epoch = this.#epoch;
    const value = await load();
    if (value !== undefined) this.set(key, accountId, value, epoch);
    return value;
  }

  /** Drop the entries of `accountId`, or every entry when it is undefined. */
  invalidate(accountId: string | undefined): void {
    this.#epoch++;
    if (accountId === undefined) this.#entries.clear();
    else this.#entries.deleteWhere((entry) => entry.accountId === accountId);
  }
}
