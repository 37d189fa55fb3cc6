/** Accounts and their root access keys. */
import { asc, eq } from 'drizzle-orm';
import type { Db } from './db.js';
import { accessKeys, accounts } from './schema.js';

export interface AccountRecord {
  readonly id: string;
  readonly alias: string | null;
  readonly createdAt: Date;
}

export async function insertAccount(db: Db, account: AccountRecord): Promise<void> {
  await db.insert(accounts).values(account);
}

export async function findAccount(db: Db, id: string): Promise<AccountRecord | undefined> {
  const [row] = await db.select().from(accounts).where(eq(accounts.id, id));
  return row;
}

export async function listAccounts(db: Db): Promise<AccountRecord[]> {
  return db.select().from(accounts).orderBy(asc(accounts.createdAt), asc(accounts.id));
}

export async function countAccounts(db: Db): Promise<number> {
  return (await db.$count(accounts));
}

export interface NewAccessKey {
  readonly id: string;
  readonly accountId: string;
  /** null for the account's root user. */
  readonly userId: string | null;
  readonly secretSealed: string;
  readonly createdAt: Date;
}

export async function insertAccessKey(db: Db, key: NewAccessKey): Promise<void> {
  await db.insert(accessKeys).values({ ...key, status: 'Active' });
}

/**
 * Insert the key unless its id is taken; false when it is. An id holds 39 random bits beside its
 * account (src/iam/ids.ts), so two keys of one account can draw the same id: the caller draws
 * again instead of failing the request. ON CONFLICT keeps the surrounding transaction usable,
 * where a unique violation would abort it on PostgreSQL.
 */
export async function insertAccessKeyIfFree(db: Db, key: NewAccessKey): Promise<boolean> {
  const rows = await db.insert(accessKeys).values({ ...key, status: 'Active' }).onConflictDoNothing({ target: accessKeys.id }).returning({ id: accessKeys.id });
  return rows.length === 1;
}
