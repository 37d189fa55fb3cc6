/**
 * Long-term access keys (a null user is the account's root). The IAM operations see metadata
 * only; the sealed secret is written once (insertAccessKey) and read only by authentication
 * (findAccessKeyOwner), nothing else selects it.
 */
import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import type { Db } from './db.js';
import { accessKeys, users } from './schema.js';

export type AccessKeyStatus = 'Active' | 'Inactive';

export interface AccessKeyMeta {
  readonly id: string;
  readonly accountId: string;
  /** null for the account's root user. */
  readonly userId: string | null;
  /** The owning user's name and path (null for root keys). */
  readonly userName: string | null;
  readonly userPath: string | null;
  readonly status: AccessKeyStatus;
  readonly createdAt: Date;
  readonly lastUsedAt: Date | null;
  readonly lastUsedService: string | null;
  readonly lastUsedRegion: string | null;
}

const columns = {
  id: accessKeys.id,
  accountId: accessKeys.accountId,
  userId: accessKeys.userId,
  userName: users.name,
  userPath: users.path,
  status: accessKeys.status,
  createdAt: accessKeys.createdAt,
  lastUsedAt: accessKeys.lastUsedAt,
  lastUsedService: accessKeys.lastUsedService,
  lastUsedRegion: accessKeys.lastUsedRegion,
};

/** The keys of a user (or, with `userId` null, of the account's root), oldest first. */
function ownedBy(accountId: string, userId: string | null) {
  return and(eq(accessKeys.accountId, accountId), userId === null ? isNull(accessKeys.userId) : eq(accessKeys.userId, userId));
}

export async function findAccessKey(db: Db, id: string): Promise<AccessKeyMeta | undefined> {
  const [row] = await db.select(columns).from(accessKeys).leftJoin(users, eq(users.id, accessKeys.userId)).where(eq(accessKeys.id, id));
  return row;
}

export async function listAccessKeysOf(db: Db, accountId: string, userId: string | null): Promise<AccessKeyMeta[]> {
  return db
    .select(columns)
    .from(accessKeys)
    .leftJoin(users, eq(users.id, accessKeys.userId))
    .where(ownedBy(accountId, userId))
    .orderBy(asc(accessKeys.createdAt), asc(accessKeys.id));
}

export async function countAccessKeysOf(db: Db, accountId: string, userId: string | null): Promise<number> {
  return db.$count(accessKeys, ownedBy(accountId, userId));
}

/**
 * Change a key's status. Making it Inactive also records when (`deactivated_at`): the sessions
 * derived from the key carry the value it had when they were issued, so those issued before this
 * deactivation stay refused once the key is active again. The value only ever grows (at least 1 ms
 * past the previous one), so a later deactivation never repeats an earlier one's, whatever the
 * clocks of the nodes that wrote them.
 */
export async function setAccessKeyStatus(db: Db, id: string, status: AccessKeyStatus, now: Date): Promise<void> {
  const set =
    status === 'Inactive'
      ? { status, deactivatedAt: sql`greatest(${now.toISOString()}::timestamptz, ${accessKeys.deactivatedAt} + interval '1 millisecond')` }
      : { status };
  await db.update(accessKeys).set(set).where(eq(accessKeys.id, id));
}

export async function deleteAccessKeyRow(db: Db, id: string): Promise<void> {
  await db.delete(accessKeys).where(eq(accessKeys.id, id));
}

/* Creation ------------------------------------------------------------------------------------- */

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

/* Authentication ------------------------------------------------------------------------------- */

/** What authentication needs to know about a long-term access key, in one read. */
export interface AccessKeyOwner {
  readonly accessKeyId: string;
  readonly accountId: string;
  readonly status: 'Active' | 'Inactive';
  readonly secretSealed: string;
  /**
   * When the key was last made Inactive (epoch ms), undefined if never: a session whose `srcOff`
   * differs was issued before that and stays refused (src/auth/authenticate.ts).
   */
  readonly deactivatedAt: number | undefined;
  /** Absent for the account's root user. */
  readonly user?: { readonly id: string; readonly name: string; readonly path: string };
}

export async function findAccessKeyOwner(db: Db, accessKeyId: string): Promise<AccessKeyOwner | undefined> {
  const [row] = await db
    .select({ key: accessKeys, user: { id: users.id, name: users.name, path: users.path } })
    .from(accessKeys)
    .leftJoin(users, eq(users.id, accessKeys.userId))
    .where(eq(accessKeys.id, accessKeyId));
  if (!row) return undefined;
  const { key, user } = row;
  return {
    accessKeyId: key.id,
    accountId: key.accountId,
    status: key.status,
    secretSealed: key.secretSealed,
    deactivatedAt: key.deactivatedAt?.getTime(),
    ...(user ? { user } : {}),
  };
}

/** Record a key's last use (GetAccessKeyLastUsed). Callers throttle this: it is off the hot path. */
export async function touchAccessKey(db: Db, accessKeyId: string, at: Date, service: string, region: string): Promise<void> {
  await db
    .update(accessKeys)
    .set({ lastUsedAt: at, lastUsedService: service, lastUsedRegion: region })
    .where(eq(accessKeys.id, accessKeyId));
}
