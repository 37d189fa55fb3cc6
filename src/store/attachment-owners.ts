/** Locking the user, group or role a managed policy is being attached to. */
import { eq } from 'drizzle-orm';
import type { Db } from './db.js';
import { groups, roles, users } from './schema.js';

/**
 * Lock an owner's row until the transaction ends, so two concurrent attachments to one entity
 * cannot both pass the ten-policy quota check. False when the entity is gone.
 */
export async function lockOwner(db: Db, type: 'user' | 'group' | 'role', id: string): Promise<boolean> {
  const table = type === 'user' ? users : type === 'group' ? groups : roles;
  const rows = await db.select({ id: table.id }).from(table).where(eq(table.id, id)).for('update');
  return rows.length > 0;
}
