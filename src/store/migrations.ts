/**
 * Which migrations a database has, so `migrate` can say what it applied. drizzle's migrator
 * records each applied migration's journal time (`created_at` = the journal's `when`) and applies
 * every migration newer than the last one recorded; this reads the same two sources.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { MIGRATIONS_FOLDER, rowsOf, type Db } from './db.js';

export interface MigrationFile {
  readonly tag: string;
  /** The journal's `when` (milliseconds): drizzle orders and compares migrations by it. */
  readonly when: number;
}

export async function migrationFiles(folder: string = MIGRATIONS_FOLDER): Promise<MigrationFile[]> {
  const journal: unknown = JSON.parse(await readFile(join(folder, 'meta', '_journal.json'), 'utf8'));
  const entries = (journal as { entries?: unknown }).entries;
  if (!Array.isArray(entries)) throw new Error(`${folder}/meta/_journal.json has no entries`);
  return entries.map((e: unknown) => {
    const { tag, when } = e as Record<string, unknown>;
    if (typeof tag !== 'string' || typeof when !== 'number') throw new Error(`${folder}/meta/_journal.json: each entry has a tag and a when`);
    return { tag, when };
  });
}

/** The `when` of the newest applied migration, or undefined when none is (or no table yet). */
export async function lastApplied(db: Db): Promise<number | undefined> {
  try {
    const result = await db.execute(sql`select max(created_at)::text as last from drizzle.__drizzle_migrations`);
    const last = rowsOf<{ last: string | null }>(result)[0]?.last;
    return last === null || last === undefined ? undefined : Number(last);
  } catch {
    return undefined;
  }
}

/** The migrations drizzle's migrator would apply now. */
export function pending(files: readonly MigrationFile[], last: number | undefined): MigrationFile[] {
  return files.filter((f) => last === undefined || f.when > last);
}
