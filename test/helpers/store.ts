/**
 * A fresh, migrated store for one test file: a copy of the run's template, on PGlite or (with
 * LATCHKEY_TEST_DATABASE_URL) on PostgreSQL.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, inject } from 'vitest';
import { openStore, type Store } from '../../src/store/db.js';
import { adminUrl, dropDatabase } from './pg-names.js';

export const backend: 'pglite' | 'postgres' = process.env.LATCHKEY_TEST_DATABASE_URL ? 'postgres' : 'pglite';

export interface TestStore {
  readonly store: Store;
  /** A second handle on the same database (PostgreSQL only): another "node". */
  openAnother(): Promise<Store>;
  close(): Promise<void>;
}

export async function openTestStore(): Promise<TestStore> {
  const url = process.env.LATCHKEY_TEST_DATABASE_URL;
  if (url) {
    const postgres = (await import('postgres')).default;
    const admin = postgres(adminUrl(url), { max: 1, onnotice: () => {} });
    const name = `latchkey_t_${randomBytes(6).toString('hex')}`;
    await admin.unsafe(`create database "${name}" template "${inject('postgresTemplate')}"`);
    const u = new URL(url);
    u.pathname = `/${name}`;
    const others: Store[] = [];
    const store = await openStore({ databaseUrl: u.toString(), poolSize: 4 });
    return {
      store,
      async openAnother() {
        const s = await openStore({ databaseUrl: u.toString(), poolSize: 4 });
        others.push(s);
        return s;
      },
      async close() {
        for (const s of others) await s.close();
        await store.close();
        await dropDatabase(admin, name);
        await admin.end();
      },
    };
  }
  const dump = await readFile(inject('pgliteTemplate'));
  const store = await openStore({ loadDataDir: new Blob([dump]) });
  return {
    store,
    openAnother: () => Promise.reject(new Error('PGlite is one process: a second node needs PostgreSQL')),
    close: () => store.close(),
  };
}

/** One fresh store for the calling test file: opened before its tests (handed to `ready`), closed after. */
export function useTestStore(ready: (store: Store, testStore: TestStore) => void): void {
  let testStore: TestStore | undefined;
  beforeAll(async () => {
    testStore = await openTestStore();
    ready(testStore.store, testStore);
  });
  afterAll(async () => {
    await testStore?.close();
  });
}
