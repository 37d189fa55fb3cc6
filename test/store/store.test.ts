/**
 * The store contract: the same cases on every backend test/helpers/store.ts gives (PGlite by
 * default, PostgreSQL with LATCHKEY_TEST_DATABASE_URL). What the layers above rely on: migrations
 * and readiness, atomic transactions, the schema's own guards (case-insensitive names, account
 * ids), secrets stored only sealed, and change notifications delivered on commit only.
 */
import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { describe, expect, test } from 'vitest';
import { createAccount } from '../../src/accounts/accounts.js';
import { accessKeyAad } from '../../src/auth/authenticate.js';
import { lastApplied, migrationFiles } from '../../src/store/migrations.js';
import { insertFreshKey } from '../../src/iam/access-keys.js';
import { newAccessKeyId, newUniqueId } from '../../src/iam/ids.js';
import { findAccount, insertAccount } from '../../src/store/accounts.js';
import { insertAccessKeyIfFree } from '../../src/store/access-keys.js';
import { openStore, type Store } from '../../src/store/db.js';
import { accessKeys, accounts, users } from '../../src/store/schema.js';
import { findUser, insertUser } from '../../src/store/users.js';
import { generateKey, Keyring } from '../../src/tokens/keyring.js';
import { adminUrl, dropDatabase } from '../helpers/pg-names.js';
import { backend, useTestStore } from '../helpers/store.js';

let store: Store;
const now = new Date('2026-03-01T12:00:00Z');

useTestStore((s) => {
  store = s;
});

let nextAccount = 100_000_000_000;
/** A fresh account row (12 digits, unique within this file). */
async function account(): Promise<string> {
  const id = String(nextAccount++);
  await insertAccount(store.db, { id, alias: null, createdAt: now });
  return id;
}

function user(accountId: string, name: string) {
  return { id: newUniqueId('user'), accountId, name, path: '/', createdAt: now, boundaryPolicyId: null };
}

/** The SQLSTATE of a failed statement (drizzle wraps the driver's error in `cause`). */
function sqlState(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return undefined;
}

async function failure(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected the statement to fail');
}

/** An empty database of the backend under test (not the migrated template). */
async function emptyStore(): Promise<{ store: Store; close(): Promise<void> }> {
  const url = process.env.LATCHKEY_TEST_DATABASE_URL;
  if (!url) {
    const s = await openStore({});
    return { store: s, close: () => s.close() };
  }
  const postgres = (await import('postgres')).default;
  const admin = postgres(adminUrl(url), { max: 1, onnotice: () => {} });
  const name = `latchkey_empty_${randomBytes(6).toString('hex')}`;
  await admin.unsafe(`create database "${name}"`);
  const u = new URL(url);
  u.pathname = `/${name}`;
  const s = await openStore({ databaseUrl: u.toString(), poolSize: 2 });
  return {
    store: s,
    async close() {
      await s.close();
      await dropDatabase(admin, name);
      await admin.end();
    },
  };
}

describe(`store contract (${backend})`, () => {
  test('the test database is migrated to the newest migration and ready', async () => {
    expect(store.backend).toBe(backend);
    expect(await store.ready()).toBe(true);
    const files = await migrationFiles();
    expect(await lastApplied(store.db)).toBe(files.at(-1)?.when);
  });

  test('an empty database is not ready until migrated; migrating twice is a no-op', async () => {
    const empty = await emptyStore();
    try {
      expect(await empty.store.ready()).toBe(false);
      expect(await lastApplied(empty.store.db)).toBeUndefined();
      await empty.store.migrate();
      expect(await empty.store.ready()).toBe(true);
      await empty.store.migrate();
      expect(await empty.store.ready()).toBe(true);
    } finally {
      await empty.close();
    }
  }, 60_000);

  test('tx commits every write together', async () => {
    const id = String(nextAccount++);
    const u = user(id, 'committed');
    const result = await store.tx(async (t) => {
      await insertAccount(t, { id, alias: 'a', createdAt: now });
      await insertUser(t, u);
      return 'done';
    });
    expect(result).toBe('done');
    expect(await findAccount(store.db, id)).toMatchObject({ id, alias: 'a' });
    expect((await findUser(store.db, id, 'committed'))?.id).toBe(u.id);
  });

  test('tx rolls back every write when its function throws, and rethrows the error', async () => {
    const id = String(nextAccount++);
    const boom = new Error('boom');
    const err = await failure(
      store.tx(async (t) => {
        await insertAccount(t, { id, alias: null, createdAt: now });
        await insertUser(t, user(id, 'rolled-back'));
        throw boom;
      }),
    );
    expect(err).toBe(boom);
    expect(await findAccount(store.db, id)).toBeUndefined();
    expect(await store.db.select().from(users).where(eq(users.accountId, id))).toEqual([]);
  });

  test('tx rolls back earlier writes when a later statement fails', async () => {
    const id = String(nextAccount++);
    const err = await failure(
      store.tx(async (t) => {
        await insertAccount(t, { id, alias: null, createdAt: now });
        await insertUser(t, user(id, 'dup'));
        await insertUser(t, user(id, 'DUP'));
      }),
    );
    expect(sqlState(err)).toBe('23505');
    expect(await findAccount(store.db, id)).toBeUndefined();
  });

  test('user names are unique per account case-insensitively, and only per account', async () => {
    const a = await account();
    const b = await account();
    await insertUser(store.db, user(a, 'Alice'));
    expect(sqlState(await failure(insertUser(store.db, user(a, 'ALICE'))))).toBe('23505');
    expect(sqlState(await failure(insertUser(store.db, user(a, 'alice'))))).toBe('23505');
    await insertUser(store.db, user(b, 'alice'));
    expect((await findUser(store.db, a, 'aLiCe'))?.name).toBe('Alice');
    expect((await findUser(store.db, b, 'ALICE'))?.name).toBe('alice');
  });

  test.each(['12345678901', '1234567890123', '12345678901a', 'abcdefghijkl', '', '123456789012\n'])('account id %j is refused by the check constraint', async (id) => {
    expect(sqlState(await failure(store.db.insert(accounts).values({ id, alias: null, createdAt: now })))).toBe('23514');
  });

  test('an access key row holds only the sealed secret, bound to its key id', async () => {
    const keyring = new Keyring([generateKey(now)]);
    const created = await createAccount(store, keyring, now, { accountId: String(nextAccount++) });
    const [row] = await store.db.select().from(accessKeys).where(eq(accessKeys.id, created.accessKeyId));
    expect(row).toMatchObject({ accountId: created.accountId, userId: null, status: 'Active' });
    for (const value of Object.values(row ?? {})) expect(String(value)).not.toContain(created.secretAccessKey);
    const sealed = row?.secretSealed ?? '';
    expect(keyring.open(sealed, accessKeyAad(created.accessKeyId))?.toString()).toBe(created.secretAccessKey);
    expect(keyring.open(sealed, accessKeyAad('AKIAOTHERKEY00000000'))).toBeUndefined();
  });

  test('announce inside a tx reaches onChange listeners only after commit, and never on rollback', async () => {
    const seen: (string | undefined)[] = [];
    const unlisten = store.onChange((accountId) => seen.push(accountId));
    try {
      const committed = await account();
      await store.tx(async (t) => {
        await store.announce(t, committed);
        await new Promise((r) => setTimeout(r, 100));
        expect(seen).not.toContain(committed);
      });
      await until(() => seen.includes(committed));

      const rolledBack = await account();
      await failure(
        store.tx(async (t) => {
          await store.announce(t, rolledBack);
          throw new Error('abort');
        }),
      );
      // A marker committed after the rollback: once it arrives, anything the rollback sent would have too.
      const marker = await account();
      await store.tx((t) => store.announce(t, marker));
      await until(() => seen.includes(marker));
      expect(seen).not.toContain(rolledBack);
      expect(seen.filter((a) => a === committed)).toHaveLength(1);
    } finally {
      unlisten();
    }
    // Unsubscribed listeners hear nothing more.
    const after = await account();
    await store.tx((t) => store.announce(t, after));
    const probe: (string | undefined)[] = [];
    const unlistenProbe = store.onChange((a) => probe.push(a));
    const marker = await account();
    await store.tx((t) => store.announce(t, marker));
    await until(() => probe.includes(marker));
    unlistenProbe();
    expect(seen).not.toContain(after);
  });
});

async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('access key ids that collide', () => {
  test('CreateAccessKey draws again when the id it drew is taken, and gives up after four taken draws', async () => {
    const acct = await account();
    const keyring = new Keyring([generateKey(now)]);
    const seal = (id: string) => keyring.seal('secret', accessKeyAad(id));
    const taken = newAccessKeyId(acct);
    const free = newAccessKeyId(acct);
    expect(await insertAccessKeyIfFree(store.db, { id: taken, accountId: acct, userId: null, secretSealed: seal(taken), createdAt: now })).toBe(true);
    expect(await insertAccessKeyIfFree(store.db, { id: taken, accountId: acct, userId: null, secretSealed: seal(taken), createdAt: now })).toBe(false);

    const draws = [taken, taken, free];
    const id = await store.tx((t) => insertFreshKey(t, acct, null, seal, now, () => draws.shift() ?? 'unreachable'));
    expect(id).toBe(free);
    expect(draws).toEqual([]);
    const rows = await store.db.select({ id: accessKeys.id }).from(accessKeys).where(eq(accessKeys.accountId, acct));
    expect(rows.map((r) => r.id).sort()).toEqual([free, taken].sort());

    await expect(store.tx((t) => insertFreshKey(t, acct, null, seal, now, () => taken))).rejects.toThrow(/no free access key id/);
  });
});
