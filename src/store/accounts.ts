/**
 * Accounts, and what is counted per account: the entity counts behind IAM's quotas and
 * GetAccountSummary (each repository counts its own table with countInAccount: countUsers,
 * countRoles, …, so there is no list of tables here to keep up to date), and the lock that makes
 * a quota hold under concurrent creates.
 */
import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import type { AnyPgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { Db } from './db.js';
import { accessKeys, accounts, policyAttachments } from './schema.js';

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

/** The account whose alias is `alias` (aliases are lower case, unique across the service). */
export async function findAccountByAlias(db: Db, alias: string): Promise<AccountRecord | undefined> {
  const [row] = await db.select().from(accounts).where(eq(accounts.alias, alias));
  return row;
}

/**
 * Inside the transaction that sets an alias, before looking for another account that has it:
 * wait for any other transaction setting the same alias (a transaction-scoped advisory lock, as
 * lockQuota), so two accounts asking for one alias at once are answered one after the other, and
 * the second sees the first's. The unique index on accounts.alias stays the last word.
 */
export async function lockAlias(db: Db, alias: string): Promise<void> {
  await db.execute(sql`select pg_advisory_xact_lock(hashtext(${`account-alias:${alias}`}))`);
}

/** Set (or, with null, remove) the account's alias. */
export async function setAccountAlias(db: Db, id: string, alias: string | null): Promise<void> {
  await db.update(accounts).set({ alias }).where(eq(accounts.id, id));
}

export async function listAccounts(db: Db): Promise<AccountRecord[]> {
  return db.select().from(accounts).orderBy(asc(accounts.createdAt), asc(accounts.id));
}

export async function countAccounts(db: Db): Promise<number> {
  return (await db.$count(accounts));
}

/* Counts and quotas ---------------------------------------------------------------------------- */

/** The rows of `table` that belong to the account (its `accountId` column). */
export async function countInAccount(db: Db, table: PgTable & { readonly accountId: AnyPgColumn }, accountId: string): Promise<number> {
  return db.$count(table, eq(table.accountId, accountId));
}

/**
 * The quotas a create checks, by AWS's names ("IAM and AWS STS quotas": `UsersPerAccount`,
 * `AccessKeysPerUser`, `TagsPerResource`, …), each counted within a scope.
 */
export type Quota = `${string}PerAccount` | `${string}PerUser` | 'TagsPerResource';

/**
 * Inside the creating transaction, before counting: wait for any other transaction that is
 * checking the same quota in the same scope (an account, a user, a tagged entity) to end. Under
 * READ COMMITTED two creates would otherwise both count N-1 and both insert, ending at N+1; with
 * the lock the second counts after the first has committed (each statement sees what was
 * committed before it began). A transaction-scoped advisory lock: released at COMMIT or ROLLBACK,
 * taking no row (the scope may be an account, which is no row), and held by PGlite the same way
 * (where one connection serializes transactions anyway). Two scopes whose hashes collide only
 * wait for each other; the wait is bounded by statement_timeout.
 */
export async function lockQuota(db: Db, quota: Quota, scope: string): Promise<void> {
  await db.execute(sql`select pg_advisory_xact_lock(hashtext(${`quota:${quota}:${scope}`}))`);
}

/* Account summary ------------------------------------------------------------------------------ */

/**
 * The counts GetAccountSummary reports that are no entity kind's own (each kind counts itself:
 * src/iam/entities.ts, SummaryLine).
 */
export interface AccountUsage {
  /** Attachments of managed policies to users, groups and roles (each attaches the default version). */
  readonly policyVersionsInUse: number;
  readonly rootAccessKeys: number;
}

export async function accountUsage(db: Db, accountId: string): Promise<AccountUsage> {
  return {
    policyVersionsInUse: await db.$count(policyAttachments, eq(policyAttachments.accountId, accountId)),
    rootAccessKeys: await db.$count(accessKeys, and(eq(accessKeys.accountId, accountId), isNull(accessKeys.userId))),
  };
}
