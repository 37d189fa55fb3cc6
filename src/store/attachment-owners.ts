/**
 * Read-only lookups of the groups and roles managed policies attach to: just what attachments
 * need (id, name, path), kept apart from the group and role repositories.
 */
import { and, eq } from 'drizzle-orm';
import type { Db } from './db.js';
import { groups, roles, users } from './schema.js';

export interface OwnerRef {
  readonly id: string;
  readonly name: string;
  readonly path: string;
}

export async function findGroupRef(db: Db, accountId: string, name: string): Promise<OwnerRef | undefined> {
  const [row] = await db
    .select({ id: groups.id, name: groups.name, path: groups.path })
    .from(groups)
    .where(and(eq(groups.accountId, accountId), eq(groups.nameLower, name.toLowerCase())));
  return row;
}

export async function findRoleRef(db: Db, accountId: string, name: string): Promise<OwnerRef | undefined> {
  const [row] = await db
    .select({ id: roles.id, name: roles.name, path: roles.path })
    .from(roles)
    .where(and(eq(roles.accountId, accountId), eq(roles.nameLower, name.toLowerCase())));
  return row;
}

/**
 * Lock an owner's row until the transaction ends, so two concurrent attachments to one entity
 * cannot both pass the ten-policy quota check. False when the entity is gone.
 */
export async function lockOwner(db: Db, type: 'user' | 'group' | 'role', id: string): Promise<boolean> {
  const table = type === 'user' ? users : type === 'group' ? groups : roles;
  const rows = await db.select({ id: table.id }).from(table).where(eq(table.id, id)).for('update');
  return rows.length > 0;
}
