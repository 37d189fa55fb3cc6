/**
 * The per-account caches in front of the store: entries are dropped per account (or all at once),
 * and a load that started before an invalidation never puts its possibly stale result back. The
 * last cases run the real key lookup over the backend under test, with a committed change
 * announced through the store.
 */
import { eq } from 'drizzle-orm';
import { afterAll, describe, expect, test } from 'vitest';
import { createAccount } from '../../src/accounts/accounts.js';
import { AccountCache } from '../../src/auth/account-cache.js';
import { lookupKey, type KnownKey } from '../../src/auth/authenticate.js';
import { setAccessKeyStatus } from '../../src/store/access-keys.js';
import type { Db, Store } from '../../src/store/db.js';
import { accessKeys } from '../../src/store/schema.js';
import { generateKey, Keyring } from '../../src/tokens/keyring.js';
import { backend, useTestStore } from '../helpers/store.js';

describe('AccountCache', () => {
  test('invalidating an account drops its entries only; undefined drops every entry', () => {
    const cache = new AccountCache<string>();
    cache.set('k1', 'A', 'a1', cache.epoch);
    cache.set('k2', 'A', 'a2', cache.epoch);
    cache.set('k3', 'B', 'b1', cache.epoch);
    cache.invalidate('A');
    expect([cache.get('k1'), cache.get('k2'), cache.get('k3')]).toEqual([undefined, undefined, 'b1']);
    cache.set('k1', 'A', 'a1', cache.epoch);
    cache.invalidate(undefined);
    expect(cache.size).toBe(0);
  });

  test('a value loaded under an epoch read before an invalidation is not stored', () => {
    const cache = new AccountCache<string>();
    const epoch = cache.epoch; // the load starts
    cache.invalidate('B'); // any account: the load cannot know which rows it read
    cache.set('k1', 'A', 'stale', epoch); // the load ends
    expect(cache.get('k1')).toBeUndefined();
    cache.set('k1', 'A', 'fresh', cache.epoch);
    expect(cache.get('k1')).toBe('fresh');
  });

  test('it holds at most maxEntries, dropping the oldest', () => {
    const cache = new AccountCache<number>(3);
    for (let i = 0; i < 5; i++) cache.set(`k${i}`, 'A', i, cache.epoch);
    expect(cache.size).toBe(3);
    expect([0, 1, 2, 3, 4].map((i) => cache.get(`k${i}`))).toEqual([undefined, undefined, 2, 3, 4]);
    cache.set('k3', 'A', 33, cache.epoch); // replacing an entry evicts nothing
    expect(cache.get('k2')).toBe(2);
  });
});

describe(`key lookup through the cache (${backend})`, () => {
  let store: Store;
  const keyring = new Keyring([generateKey(new Date())]);
  const keys = new AccountCache<KnownKey>();
  let unlisten: () => void;

  useTestStore((s) => {
    store = s;
    unlisten = store.onChange((accountId) => keys.invalidate(accountId));
  });
  // Registered after useTestStore's, so it runs before the store closes (after-hooks run last first).
  afterAll(() => {
    unlisten?.();
  });

  test('a key read while its account changes is used for that request but not cached', async () => {
    const account = await createAccount(store, keyring, new Date());
    // The change lands while the row is being read (as a notification from another node would).
    const racing = new Proxy(store.db, {
      get(target, prop, receiver) {
        const value: unknown = Reflect.get(target, prop, receiver);
        if (prop !== 'select' || typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          keys.invalidate(account.accountId);
          return Reflect.apply(value, target, args);
        };
      },
    }) as Db;
    const first = await lookupKey({ db: racing, keyring, keys }, account.accessKeyId);
    expect(first?.secret).toBe(account.secretAccessKey);
    expect(keys.get(account.accessKeyId)).toBeUndefined();

    const second = await lookupKey({ db: store.db, keyring, keys }, account.accessKeyId);
    expect(second?.owner.status).toBe('Active');
    expect(keys.get(account.accessKeyId)).toBe(second);
  });

  test('a committed, announced change drops the cached key, so the next lookup sees it', async () => {
    const account = await createAccount(store, keyring, new Date());
    const other = await createAccount(store, keyring, new Date());
    const deps = { db: store.db, keyring, keys };
    await lookupKey(deps, account.accessKeyId);
    await lookupKey(deps, other.accessKeyId);
    await store.tx(async (t) => {
      await t.update(accessKeys).set({ status: 'Inactive' }).where(eq(accessKeys.id, account.accessKeyId));
      await store.announce(t, account.accountId);
    });
    await until(() => keys.get(account.accessKeyId) === undefined);
    expect(keys.get(other.accessKeyId)).toBeDefined();
    expect((await lookupKey(deps, account.accessKeyId))?.owner.status).toBe('Inactive');
  });

  test("deactivation time: recorded by each deactivation, kept by reactivation, always past the previous one whatever the writer's clock", async () => {
    const account = await createAccount(store, keyring, new Date());
    const deps = { db: store.db, keyring, keys };
    const id = account.accessKeyId;
    const marker = async (): Promise<number | undefined> => {
      keys.invalidate(account.accountId);
      return (await lookupKey(deps, id))?.owner.deactivatedAt;
    };
    expect(await marker()).toBeUndefined();
    const first = new Date('2026-12-01T10:00:00.123Z');
    await setAccessKeyStatus(store.db, id, 'Inactive', first);
    expect(await marker()).toBe(first.getTime());
    await setAccessKeyStatus(store.db, id, 'Active', new Date('2026-12-01T10:00:01Z'));
    expect(await marker()).toBe(first.getTime());
    expect((await lookupKey(deps, id))?.caller.keyDeactivatedAt).toBe(first.getTime());
    // A second deactivation written by a node whose clock is behind (here: the same millisecond,
    // then earlier still) gets a later value all the same: sessions issued between the two carry
    // the first and must not match the second.
    await setAccessKeyStatus(store.db, id, 'Inactive', first);
    expect(await marker()).toBe(first.getTime() + 1);
    await setAccessKeyStatus(store.db, id, 'Inactive', new Date('2026-12-01T09:00:00Z'));
    expect(await marker()).toBe(first.getTime() + 2);
    const later = new Date('2026-12-02T00:00:00Z');
    await setAccessKeyStatus(store.db, id, 'Inactive', later);
    expect(await marker()).toBe(later.getTime());
  });

  test('a key whose secret no key in the ring can open is treated as unknown, and not cached', async () => {
    const account = await createAccount(store, new Keyring([generateKey(new Date())]), new Date());
    expect(await lookupKey({ db: store.db, keyring, keys }, account.accessKeyId)).toBeUndefined();
    expect(keys.get(account.accessKeyId)).toBeUndefined();
  });
});

async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}
