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
import { loadAwsManagedPolicies, syncAwsManagedPolicies } from './policies/aws-managed.js';
import * as schema from './schema.js';
import { convertLegacyTrustPolicies } from './roles.js';

export type Schema = typeof schema;
/** A database handle or an open transaction: repositories take either. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;

export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../migrations', import.meta.url));
export const CHANGES_CHANNEL = 'latchkey_changes';
/** How often each PostgreSQL node checks that it still hears its own notifications. */
export const HEARTBEAT_MS = 500;
/** Heartbeats that reached the database and were not heard back: the LISTEN connection is missing notifications. */
const MISSED_HEARTBEATS = 3;
/** Not hearing itself for this long, a node stops trusting its caches. */
export const STALE_MS = 1500;
/**
 * Not hearing itself because the database does not answer at all (its heartbeats fail or hang),
 * a node keeps its caches this long before it drops them. While it cannot reach the database no
 * fresher answer exists for it, and what its caches can serve alone changes nothing and issues
 * nothing (GetCallerIdentity, signature checks: every issuance and every IAM call needs the
 * database for its audit event or its data), so the service stays up for what needs no database;
 * a change made meanwhile through another node is seen at most this late on this one.
 */
export const UNREACHABLE_GRACE_MS = 60_000;

export type ChangeListener = (accountId: string | undefined) => void;

/**
 * A request's deadline as a write transaction sees it: once `expired`, whatever the transaction
 * has done is rolled back instead of committed (the caller has already answered
 * ServiceUnavailable), and a transaction that only gets its connection afterwards never starts.
 */
export interface Deadline {
  readonly expired: boolean;
}

/**
 * The transaction of a request whose deadline passed: rolled back, never committed. A
 * connection-class error (SQLSTATE 57014, query_canceled), so that if it ever reaches a caller it
 * reads as ServiceUnavailable.
 */
export class DeadlineExceeded extends Error {
  readonly code = '57014';
  constructor() {
    super('the request deadline passed: the transaction was rolled back');
    this.name = 'DeadlineExceeded';
  }
}

/**
 * Run `fn` as the body of a transaction bounded by `deadline`: refused before it starts if the
 * deadline has already passed (it waited that long for a connection), and turned into a rollback
 * if it passes while `fn` runs. Every statement of `fn` still runs in order on the transaction's
 * connection (nothing is sent after a ROLLBACK, where it would commit on its own); only the COMMIT
 * is withheld. A transaction can therefore have committed after its request answered
 * ServiceUnavailable only when the deadline passed while its COMMIT was on the wire.
 */
export async function withinDeadline<T>(deadline: Deadline | undefined, fn: () => Promise<T>): Promise<T> {
  if (deadline?.expired) throw new DeadlineExceeded();
  const result = await fn();
  if (deadline?.expired) throw new DeadlineExceeded();
  return result;
}

export interface Store {
  readonly backend: 'pglite' | 'postgres';
  readonly db: Db;
  /**
   * Run `fn` in one transaction; rolled back if it throws, or if `deadline` has expired by the
   * time it returns (see withinDeadline).
   */
  tx<T>(fn: (t: Db) => Promise<T>, deadline?: Deadline): Promise<T>;
  /** Apply every pending migration, then the data conversions that follow them (convertLegacyTrustPolicies, roles.ts) and the AWS managed policies brought in step with their data file. */
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
  /**
   * False while this node's heartbeats do not reach the database (PostgreSQL: none has succeeded
   * for STALE_MS). Its caches are kept then (UNREACHABLE_GRACE_MS), but they may miss changes made
   * through other nodes: only operations that need no database are answered from them; everything
   * else answers ServiceUnavailable at once, including in the moment after the database is back
   * and before the first heartbeat through drops the caches.
   */
  reachable(): boolean;
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
  /**
   * PostgreSQL's `statement_timeout` for every connection, in ms (default: none). The request
   * deadline bounds how long a caller waits; this bounds how long the server keeps working (and
   * holding locks) for a statement nobody waits for any more.
   */
  readonly statementTimeoutMs?: number | undefined;
}

export async function openStore(options: OpenOptions): Promise<Store> {
  return options.databaseUrl ? openPostgres(options.databaseUrl, options.poolSize ?? 10, options.statementTimeoutMs) : openPglite(options);
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
    tx: (fn, deadline) => db.transaction((t) => withinDeadline(deadline, () => fn(t as unknown as Db))),
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
    reachable: () => true,
    announce,
    close: () => client.close(),
  };
}

/** The longest postgres.js waits before trying a lost connection again (its own default grows to 20 s). */
const MAX_RECONNECT_DELAY_S = 1;

async function openPostgres(url: string, poolSize: number, statementTimeoutMs: number | undefined): Promise<Store> {
  const client = postgres(url, {
    max: poolSize,
    onnotice: () => {},
    // Fail fast when the database is gone, so requests answer ServiceUnavailable, not hang.
    connect_timeout: 5,
    // Queries wait for a reconnecting connection: with postgres.js's default backoff (up to 20 s
    // after a long outage) the service would stay unavailable long after the database is back.
    backoff: (attempt: number) => Math.min(0.05 * 2 ** attempt, MAX_RECONNECT_DELAY_S),
    // Sent in the start-up message, so it holds on every connection, including reconnections.
    ...(statementTimeoutMs ? { connection: { statement_timeout: statementTimeoutMs } } : {}),
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
  /** When a heartbeat NOTIFY last succeeded: the database answered this node. */
  let lastReached = Date.now();
  /** Heartbeats that succeeded since we last heard one of ours. */
  let unheard = 0;
  let reachable = true;
  let coherent = true;
  let listening = false;
  const onPayload = (payload: string) => {
    if (payload.startsWith('hb:')) {
      if (payload !== own) return;
      lastHeard = Date.now();
      unheard = 0;
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
    // And the database answers again: with the caches gone, nothing stale is left to serve.
    lastReached = Date.now();
    reachable = true;
  });
  const heartbeat = setInterval(() => {
    client`select pg_notify(${CHANGES_CHANNEL}, ${own})`.then(() => {
      // Back after being unreachable: notifications may have been missed meanwhile, so every
      // cache goes before anything may use them with the database again.
      if (!reachable) changes.emit(undefined);
      lastReached = Date.now();
      reachable = true;
      unheard++;
    }, () => {});
    const now = Date.now();
    if (now - lastReached > STALE_MS) reachable = false;
    const deaf = now - lastHeard > STALE_MS;
    // Heartbeats keep getting through and none comes back: notifications are being missed. (One
    // or two may be in flight when the network goes silent: they prove nothing.) None gets
    // through: the database is unreachable, and the caches stay for a while (UNREACHABLE_GRACE_MS).
    const missing = unheard >= MISSED_HEARTBEATS;
    if (coherent && deaf && (missing || now - lastHeard > UNREACHABLE_GRACE_MS)) {
      coherent = false;
      changes.emit(undefined);
    }
  }, HEARTBEAT_MS);
  heartbeat.unref();
  return {
    backend: 'postgres',
    db,
    tx: (fn, deadline) => db.transaction((t) => withinDeadline(deadline, () => fn(t as unknown as Db))),
    // On a connection of its own, without the statement timeout: a migration (and the data
    // conversions after it) may rightly take long.
    async migrate() {
      const own = postgres(url, { max: 1, onnotice: () => {}, connect_timeout: 5 });
      try {
        const ownDb = drizzlePostgres({ client: own, schema });
        await migratePostgres(ownDb as never, { migrationsFolder: MIGRATIONS_FOLDER });
        await convertLegacyTrustPolicies(ownDb as unknown as Db);
        await syncAwsManagedPolicies(ownDb as unknown as Db, await loadAwsManagedPolicies());
      } finally {
        await own.end({ timeout: 5 });
      }
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
    reachable: () => reachable,
    announce,
    async close() {
      clearInterval(heartbeat);
      await listen.unlisten().catch(() => {});
      await client.end({ timeout: 5 });
    },
  };
}
