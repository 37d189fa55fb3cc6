/** Finding a group by name (inline group policies need its id and path). */
import { and, eq } from 'drizzle-orm';
import type { Db } from './db.js';
import { groups } from './schema.js';

export interface GroupRef {
  readonly id: string;
  readonly accountId: string;
  readonly name: string;
  readonly path: string;
}

export async function findGroupByName(db: Db, accountId: string, name: string): Promise<GroupRef | undefined> {
  const [row] = await db
    .select({ id: groups.id, accountId: groups.accountId, name: groups.name, path: groups.path })
    .from(groups)
    .where(and(eq(groups.accountId, accountId), eq(groups.nameLower, name.toLowerCase())));
  return row;
}
