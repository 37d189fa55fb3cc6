/**
 * Long-term access keys, as the IAM operations see them: metadata only. The sealed secret is
 * written once (by insertAccessKey in accounts.ts) and read only by authentication
 * (credentials.ts); nothing here selects it.
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
