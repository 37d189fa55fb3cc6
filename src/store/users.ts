/** IAM users. */
import { and, asc, eq, gt, like } from 'drizzle-orm';
import type { Db } from './db.js';
import { countInAccount } from './accounts.js';
import { escapeLike } from './like.js';
import { loginProfiles, managedPolicies, users } from './schema.js';

export interface UserRow {
  readonly id: string;
  readonly accountId: string;
  readonly name: string;
  readonly path: string;
  readonly createdAt: Date;
  readonly boundaryPolicyId: string | null;
  /** The boundary's ARN, when there is one. */
  readonly boundaryArn: string | null;
  /** PasswordLastUsed: the last console sign-in with the user's password (read by findUser and listUsers only). */
  readonly passwordLastUsedAt?: Date | null;
}

/** The columns of a UserRow; select them with a left join on the boundary policy. */
export const userColumns = {
  id: users.id,
  accountId: users.accountId,
  name: users.name,
  path: users.path,
  createdAt: users.createdAt,
  boundaryPolicyId: users.boundaryPolicyId,
  boundaryArn: managedPolicies.arn,
};

export async function findUser(db: Db, accountId: string, name: string): Promise<UserRow | undefined> {
  const [row] = await db
    .select({ ...userColumns, passwordLastUsedAt: loginProfiles.passwordLastUsedAt })
    .from(users)
    .leftJoin(managedPolicies, eq(managedPolicies.id, users.boundaryPolicyId))
    .leftJoin(loginProfiles, eq(loginProfiles.userId, users.id))
    .where(and(eq(users.accountId, accountId), eq(users.nameLower, name.toLowerCase())));
  return row;
}

export async function insertUser(db: Db, user: { id: string; accountId: string; name: string; path: string; createdAt: Date; boundaryPolicyId: string | null }): Promise<void> {
  await db.insert(users).values({ ...user, nameLower: user.name.toLowerCase() });
}

/** Rename and/or move a user; its id (and so its tags, policies, keys and memberships) stays. */
export async function renameUser(db: Db, id: string, to: { name: string; path: string }): Promise<void> {
  await db.update(users).set({ name: to.name, nameLower: to.name.toLowerCase(), path: to.path }).where(eq(users.id, id));
}

/** Delete the user row; callers have checked (or removed) everything that references it. */
export async function deleteUserRow(db: Db, id: string): Promise<void> {
  await db.delete(users).where(eq(users.id, id));
}

/** Users sorted by name (case-insensitively), after `afterNameLower`, at most `limit`. */
export async function listUsers(db: Db, accountId: string, opts: { pathPrefix?: string | undefined; after?: string | undefined; limit: number }): Promise<(UserRow & { nameLower: string })[]> {
  const where = [eq(users.accountId, accountId)];
  if (opts.pathPrefix) where.push(like(users.path, `${escapeLike(opts.pathPrefix)}%`));
  if (opts.after !== undefined) where.push(gt(users.nameLower, opts.after));
  return db
    .select({ ...userColumns, passwordLastUsedAt: loginProfiles.passwordLastUsedAt, nameLower: users.nameLower })
    .from(users)
    .leftJoin(managedPolicies, eq(managedPolicies.id, users.boundaryPolicyId))
    .leftJoin(loginProfiles, eq(loginProfiles.userId, users.id))
    .where(and(...where))
    .orderBy(asc(users.nameLower))
    .limit(opts.limit);
}

export async function countUsers(db: Db, accountId: string): Promise<number> {
  return countInAccount(db, users, accountId);
}
