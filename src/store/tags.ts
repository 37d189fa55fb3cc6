/** Tags of users, roles and managed policies, keyed by the owner's unique id. */
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from './db.js';
import { tags } from './schema.js';

export interface TagRow {
  readonly key: string;
  readonly value: string;
}

export async function listTags(db: Db, ownerId: string): Promise<TagRow[]> {
  return db.select({ key: tags.key, value: tags.value }).from(tags).where(eq(tags.ownerId, ownerId)).orderBy(asc(tags.keyLower));
}

/**
 * Add or overwrite tags (a key given again, in any case, replaces the old one). One upsert, not a
 * delete and an insert: two requests tagging the same key at once would both find nothing to
 * delete, and the second insert would fail on the key (found by `npm run fuzz` on PostgreSQL).
 * `list` has each key once (checkTags refuses duplicates, case-insensitively).
 */
export async function putTags(db: Db, ownerId: string, list: readonly TagRow[]): Promise<void> {
  if (list.length === 0) return;
  await db
    .insert(tags)
    .values(list.map((t) => ({ ownerId, key: t.key, keyLower: t.key.toLowerCase(), value: t.value })))
    .onConflictDoUpdate({ target: [tags.ownerId, tags.keyLower], set: { key: sql`excluded.key`, value: sql`excluded.value` } });
}

export async function removeTags(db: Db, ownerId: string, keys: readonly string[]): Promise<void> {
  if (keys.length === 0) return;
  await db.delete(tags).where(and(eq(tags.ownerId, ownerId), inArray(tags.keyLower, keys.map((k) => k.toLowerCase()))));
}

export async function countTags(db: Db, ownerId: string): Promise<number> {
  return db.$count(tags, eq(tags.ownerId, ownerId));
}

export async function deleteAllTags(db: Db, ownerId: string): Promise<void> {
  await db.delete(tags).where(eq(tags.ownerId, ownerId));
}
