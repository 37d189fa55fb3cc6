/**
 * IAM groups and their members. Members are listed in the order they were added (GetGroup,
 * ListGroupsForUser), continuing after an `(addedAt, id)` position so a page boundary is exact.
 */
import { and, asc, eq, gt, like, or } from 'drizzle-orm';
import type { Db } from './db.js';
import { countInAccount } from './accounts.js';
import { escapeLike } from './like.js';
import { groupMembers, groups, managedPolicies, users } from './schema.js';
import { userColumns, type UserRow } from './users.js';

export interface GroupRow {
  readonly id: string;
  readonly accountId: string;
  readonly name: string;
  readonly path: string;
  readonly createdAt: Date;
}

/** Where a membership listing continues: after this member (by time added, then id). */
export interface MemberPosition {
  readonly addedAt: Date;
  readonly id: string;
}

const columns = { id: groups.id, accountId: groups.accountId, name: groups.name, path: groups.path, createdAt: groups.createdAt };

export async function findGroup(db: Db, accountId: string, name: string): Promise<GroupRow | undefined> {
  const [row] = await db.select(columns).from(groups).where(and(eq(groups.accountId, accountId), eq(groups.nameLower, name.toLowerCase())));
  return row;
}

export async function insertGroup(db: Db, group: GroupRow): Promise<void> {
  await db.insert(groups).values({ ...group, nameLower: group.name.toLowerCase() });
}

export async function renameGroup(db: Db, id: string, to: { name: string; path: string }): Promise<void> {
  await db.update(groups).set({ name: to.name, nameLower: to.name.toLowerCase(), path: to.path }).where(eq(groups.id, id));
}

export async function deleteGroupRow(db: Db, id: string): Promise<void> {
  await db.delete(groups).where(eq(groups.id, id));
}

/** Groups sorted by name (case-insensitively), after `after`, at most `limit`. */
export async function listGroups(db: Db, accountId: string, opts: { pathPrefix?: string | undefined; after?: string | undefined; limit: number }): Promise<(GroupRow & { nameLower: string })[]> {
  const where = [eq(groups.accountId, accountId)];
  if (opts.pathPrefix) where.push(like(groups.path, `${escapeLike(opts.pathPrefix)}%`));
  if (opts.after !== undefined) where.push(gt(groups.nameLower, opts.after));
  return db
    .select({ ...columns, nameLower: groups.nameLower })
    .from(groups)
    .where(and(...where))
    .orderBy(asc(groups.nameLower))
    .limit(opts.limit);
}

/* Membership ------------------------------------------------------------------------------- */

/** Add a member; false when it already was one (AddUserToGroup is idempotent). */
export async function addMember(db: Db, groupId: string, userId: string, at: Date): Promise<boolean> {
  const added = await db.insert(groupMembers).values({ groupId, userId, addedAt: at }).onConflictDoNothing().returning({ userId: groupMembers.userId });
  return added.length > 0;
}

/** Remove a member; false when it was not one. */
export async function removeMember(db: Db, groupId: string, userId: string): Promise<boolean> {
  const removed = await db
    .delete(groupMembers)
    .where(and(eq(groupMembers.groupId, groupId), eq(groupMembers.userId, userId)))
    .returning({ userId: groupMembers.userId });
  return removed.length > 0;
}

export async function isMember(db: Db, groupId: string, userId: string): Promise<boolean> {
  return (await db.$count(groupMembers, and(eq(groupMembers.groupId, groupId), eq(groupMembers.userId, userId)))) > 0;
}

export async function countGroupsOfUser(db: Db, userId: string): Promise<number> {
  return db.$count(groupMembers, eq(groupMembers.userId, userId));
}

export async function countMembers(db: Db, groupId: string): Promise<number> {
  return db.$count(groupMembers, eq(groupMembers.groupId, groupId));
}

function after(column: typeof groupMembers.userId | typeof groupMembers.groupId, pos: MemberPosition | undefined) {
  if (!pos) return undefined;
  return or(gt(groupMembers.addedAt, pos.addedAt), and(eq(groupMembers.addedAt, pos.addedAt), gt(column, pos.id)));
}

/** A group's members in the order they were added. */
export async function listMembers(db: Db, groupId: string, opts: { after?: MemberPosition | undefined; limit: number }): Promise<(UserRow & { addedAt: Date })[]> {
  return db
    .select({ ...userColumns, addedAt: groupMembers.addedAt })
    .from(groupMembers)
    .innerJoin(users, eq(users.id, groupMembers.userId))
    .leftJoin(managedPolicies, eq(managedPolicies.id, users.boundaryPolicyId))
    .where(and(eq(groupMembers.groupId, groupId), after(groupMembers.userId, opts.after)))
    .orderBy(asc(groupMembers.addedAt), asc(groupMembers.userId))
    .limit(opts.limit);
}

/** The groups a user belongs to, in the order it joined them. */
export async function listGroupsOfUser(db: Db, userId: string, opts: { after?: MemberPosition | undefined; limit: number }): Promise<(GroupRow & { addedAt: Date })[]> {
  return db
    .select({ ...columns, addedAt: groupMembers.addedAt })
    .from(groupMembers)
    .innerJoin(groups, eq(groups.id, groupMembers.groupId))
    .where(and(eq(groupMembers.userId, userId), after(groupMembers.groupId, opts.after)))
    .orderBy(asc(groupMembers.addedAt), asc(groupMembers.groupId))
    .limit(opts.limit);
}

export async function countGroups(db: Db, accountId: string): Promise<number> {
  return countInAccount(db, groups, accountId);
}
