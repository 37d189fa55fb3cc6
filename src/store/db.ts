/**
 * One store handle over either backend: PGlite (embedded, file-backed under DATA_DIR, or in
 * memory for tests) or PostgreSQL through postgres.js. Both speak the same schema and the same
 * drizzle-kit migrations; everything above this file sees only `Db` and `Store`.
 *
 * Change notification: every committed write that can change an authorization decision sends
 * `pg_notify('latchkey_changes', accountId)` inside its transaction, so it is delivered exactly
 * when the write commits. Each node LISTENs and drops its caches for that account; the writing node
 * also drops them itself right after commit (read-your-writes without waiting for the round trip).
 */
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { loadAwsManagedPolicies, syncAwsManagedPolicies } from './aws-managed-policies.js';
import * as schema from './schema.js';
import { convertLegacyTrustPolicies } from './trust-backfill.js';

export type Schema = typeof schema;
/** A database handle or an open transaction: repositories take either. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;

export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../migrations', import.meta.url));
export const CHANGES_CHANNEL = 'latchkey_changes';
/** How often each PostgreSQL node checks that it still hears its own notifications. */
export const HEARTBEAT_MS = 500;
/** Not hearing itself for this long, a node stops trusting its caches. */
export const STALE_MS = 1500;

export type ChangeListener = (accountId: string | undefined) => void;

export interface Store {
  readonly backend: 'pglite' | 'postgres';
  readonly db: Db;
  /** Run `fn` in one transaction; rolled back if it throws. */
  tx<T>(fn: (t: Db) => Promise<T>): Promise<T>;
  /** Apply every pending migration, then the data conversions that follow them (trust-backfill.ts) and the AWS managed policies brought in step with their data file. */
  migrate(): Promise<void>;
  /** True when the database answers and every migration in `migrations/` has been applied. */
  ready(): Promise<boolean>;
  /**
   * Listen for committed changes: `accountId` is the account that changed, or undefined when
   * changes may have been missed (the notification connection was re-established) and every
   * cache must be dropped.
   */
  onChange(listener: ChangeListener): () => void;
  /**
   * False while this node may be missing notifications (PostgreSQL: its own heartbeat has not come
   * back through LISTEN for a while). Caches must not be used then: every read goes to the database.
   */
  coherent(): boolean;
  /** Inside a write transaction: tell every node (including this one) that `accountId` changed. */
  announce(t: Db, accountId: string): Promise<void>;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** postgres://… : use PostgreSQL. */
  readonly databaseUrl?: string | undefined;
  /** A PGlite data directory; absent means in memory. Ignored with databaseUrl. */
  readonly dataDir?: string | undefined;
  /** A PGlite data directory dump to start from (tests: a migrated template). */
  readonly loadDataDir?: Blob | undefined;
  /** postgres.js pool size (default 10). */
  readonly poolSize?: number | undefined;
}

export async function openStore(options: OpenOptions): Promise<Store> {
  return options.databaseUrl ? openPostgres(options.databaseUrl, options.poolSize ?? 10) : openPglite(options);
}

function listeners() {
  const set = new Set<ChangeListener>();
  return {
    add(l: ChangeListener) {
      set.add(l);
      return () => void set.delete(l);
    },
    emit(accountId: string | undefined) {
      for (const l of set) l(accountId);
    },
  };
}

async function announce(t: Db, accountId: string): Promise<void> {
  await t.execute(sql`select pg_notify(${CHANGES_CHANNEL}, ${accountId})`);
}

async function migrationsApplied(db: Db): Promise<boolean> {
  const { readMigrationFiles } = await import('drizzle-orm/migrator');
  const expected = readMigrationFiles({ migrationsFolder: MIGRATIONS_FOLDER }).length;
  try {
    const rows = await db.execute<{ n: number | string }>(sql`select count(*)::int as n from drizzle.__drizzle_migrations`);
    return Number(rowsOf<{ n: number | string }>(rows)[0]?.n ?? 0) >= expected;
  } catch {
    return false;
  }
}

/** postgres.js returns an array of rows, PGlite an object with `rows`. */
export function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  const rows = (result as { rows?: T[] } | undefined)?.rows;
  return rows ?? [];
}

async function openPglite(options: OpenOptions): Promise<Store> {
  const client = new PGlite({
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}),
  });
  await client.waitReady;
  const db = drizzlePglite({ client, schema }) as unknown as Db;
  const changes = listeners();
  await client.listen(CHANGES_CHANNEL, (payload) => changes.emit(payload));
  return {
    backend: 'pglite',
    db,
    tx: (fn) => db.transaction((t) => fn(t as unknown as Db)),
    async migrate() {
      await migratePglite(db as never, { migrationsFolder: MIGRATIONS_FOLDER });
      await convertLegacyTrustPolicies(db);
      await syncAwsManagedPolicies(db, await loadAwsManagedPolicies());
    },
    async ready() {
      try {
        await client.query('select 1');
      } catch {
        return false;
      }
      return migrationsApplied(db);
    },
    onChange: changes.add,
    // One process: every write goes through this instance, and NOTIFY comes back in-process.
    coherent: () => true,
    announce,
    close: () => client.close(),
  };
}

async function openPostgres(url: string, poolSize: number): Promise<Store> {
  const client = postgres(url, {
    max: poolSize,
    onnotice: () => {},
    // Fail fast when the database is gone, so requests answer ServiceUnavailable, not hang.
    connect_timeout: 5,
  });
  const db = drizzlePostgres({ client, schema }) as unknown as Db;
  const changes = listeners();
  // A heartbeat through the same channel bounds how stale a cache can be, whatever way the LISTEN
  // connection fails (closed, reconnecting with postgres.js's growing backoff, or silently cut):
  // each node NOTIFYs its own id every second, and when it has not heard itself for STALE_MS it
  // drops every cache and stops caching until it does again.
  const nodeId = randomUUID();
  const own = `hb:${nodeId}`;
  let lastHeard = Date.now();
  let coherent = true;
  let listening = false;
  const onPayload = (payload: string) => {
    if (payload.startsWith('hb:')) {
      if (payload !== own) return;
      lastHeard = Date.now();
      if (!coherent) {
        coherent = true;
        changes.emit(undefined);
      }
      return;
    }
    changes.emit(payload);
  };
  const listen = await client.listen(CHANGES_CHANNEL, onPayload, () => {
    // Called on the first LISTEN and again after every reconnect: notifications sent while we
    // were away are lost, so every cache must go.
    if (listening) changes.emit(undefined);
    listening = true;
  });
  const heartbeat = setInterval(() => {
    client`select pg_notify(${CHANGES_CHANNEL}, ${own})`.catch(() => {});
    if (coherent && Date.now() - lastHeard > STALE_MS) {
      coherent = false;
      changes.emit(undefined);
    }
  }, HEARTBEAT_MS);
  heartbeat.unref();
  return {
    backend: 'postgres',
    db,
    tx: (fn) => db.transaction((t) => fn(t as unknown as Db)),
    async migrate() {
      await migratePostgres(db as never, { migrationsFolder: MIGRATIONS_FOLDER });
      await convertLegacyTrustPolicies(db);
      await syncAwsManagedPolicies(db, await loadAwsManagedPolicies());
    },
    async ready() {
      try {
        await client`select 1`;
      } catch {
        return false;
      }
      return migrationsApplied(db);
    },
    onChange: changes.add,
    coherent: () => coherent,
    announce,
    async close() {
      clearInterval(heartbeat);
      await listen.unlisten().catch(() => {});
      await client.end({ timeout: 5 });
    },
  };
}
