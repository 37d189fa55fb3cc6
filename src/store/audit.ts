/**
 * The audit trail (audit_events): append-only. Rows are inserted (inside the transaction of the
 * change they record, for mutations and issuances) and read by the operator's CLI; nothing here
 * updates or deletes one.
 */
import { and, desc, eq, getTableColumns, gte, like, sql, type SQL } from 'drizzle-orm';
import type { Db } from './db.js';
import { escapeLike } from './like.js';
import { auditEvents } from './schema.js';

export type AuditRow = typeof auditEvents.$inferSelect;

/** The table's columns by property, e.g. accountId → account_id. */
const COLUMNS = Object.entries(getTableColumns(auditEvents)).map(([key, column]) => ({ key: key as keyof AuditRow, name: column.name }));
const SURROGATE = /[\uD800-\uDFFF]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const COLUMN_LIST = sql.raw(COLUMNS.map((c) => `"${c.name}"`).join(', '));

/**
 * One INSERT whatever the number of rows: the rows travel as one JSON parameter that PostgreSQL
 * unpacks into the table's row type, so the statement text never changes and nothing is built per
 * column and row (drizzle's multi-row insert builder cost more than the insert itself).
 */
export async function insertAuditEvents(db: Db, rows: readonly AuditRow[]): Promise<void> {
  if (rows.length === 0) return;
  const records = rows.map((row) => {
    const record: Record<string, unknown> = {};
    for (const { key, name } of COLUMNS) {
      const value = row[key];
      // As the driver's UTF-8 encoding would, a lone surrogate becomes U+FFFD (PostgreSQL refuses its JSON escape).
      record[name] = typeof value === 'string' && SURROGATE.test(value) ? value.replace(LONE_SURROGATE, '\uFFFD') : value;
    }
    return record;
  });
  await db.execute(sql`insert into "audit_events" (${COLUMN_LIST}) select ${COLUMN_LIST} from json_populate_recordset(null::"audit_events", ${JSON.stringify(records)}::json)`);
}

/** An insert's parameters stay far below PostgreSQL's 65,535 with this many rows (14 columns each). */
const MAX_BATCH_ROWS = 1000;

interface Waiting {
  readonly rows: readonly AuditRow[];
  readonly resolve: () => void;
  readonly reject: (err: unknown) => void;
}

/**
 * Appends events that belong to no transaction (issuances, denials): the rows of every request
 * that arrives while an insert is in flight go together in the next one, so a busy node commits
 * (and flushes the WAL) once per batch instead of once per request. Each caller's promise
 * settles when its own rows are committed, or rejects with the insert's error: nothing is
 * acknowledged before it is stored.
 */
export class AuditAppender {
  readonly #db: Db;
  #queue: Waiting[] = [];
  #draining = false;

  constructor(db: Db) {
    this.#db = db;
  }

  append(rows: readonly AuditRow[]): Promise<void> {
    if (rows.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.#queue.push({ rows, resolve, reject });
      if (!this.#draining) void this.#drain();
    });
  }

  async #drain(): Promise<void> {
    this.#draining = true;
    try {
      while (this.#queue.length > 0) {
        // Whole requests only, up to the row limit (a request's rows are never split).
        let count = 0;
        let take = 0;
        while (take < this.#queue.length && (take === 0 || count + (this.#queue[take]?.rows.length ?? 0) <= MAX_BATCH_ROWS)) {
          count += this.#queue[take]?.rows.length ?? 0;
          take++;
        }
        const batch = this.#queue.splice(0, take);
        try {
          await insertAuditEvents(this.#db, batch.flatMap((w) => w.rows));
          for (const w of batch) w.resolve();
        } catch (err) {
          for (const w of batch) w.reject(err);
        }
      }
    } finally {
      this.#draining = false;
    }
  }
}

export interface AuditQuery {
  readonly accountId?: string | undefined;
  /** Events at or after this time. */
  readonly since?: Date | undefined;
  /** An exact action (`iam:CreateUser`), or a prefix ending in `*` (`sts:*`). */
  readonly action?: string | undefined;
  readonly principalArn?: string | undefined;
  readonly limit: number;
}

/** Newest first (event ids sort by time within the same instant). */
export async function queryAuditEvents(db: Db, q: AuditQuery): Promise<AuditRow[]> {
  const where: SQL[] = [];
  if (q.accountId !== undefined) where.push(eq(auditEvents.accountId, q.accountId));
  if (q.since !== undefined) where.push(gte(auditEvents.at, q.since));
  if (q.action !== undefined) {
    where.push(q.action.endsWith('*') ? like(auditEvents.action, `${escapeLike(q.action.slice(0, -1))}%`) : eq(auditEvents.action, q.action));
  }
  if (q.principalArn !== undefined) where.push(eq(auditEvents.principalArn, q.principalArn));
  return db
    .select()
    .from(auditEvents)
    .where(and(...where))
    .orderBy(desc(auditEvents.at), desc(auditEvents.id))
    .limit(q.limit);
}

/**
 * The issuance event of the session `jti` in `accountId`'s trail, if there is one. Issuance events
 * carry the jti in their details (src/audit/issuance.ts), so an operator can go from the trail to a
 * revocation. Scans the account's events (no index on details): an operator's command, not a
 * request path.
 */
export async function findIssuanceByJti(db: Db, accountId: string, jti: string): Promise<AuditRow | undefined> {
  const [row] = await db
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.accountId, accountId), eq(auditEvents.decision, 'allow'), like(auditEvents.details, `%"jti":"${escapeLike(jti)}"%`)))
    .orderBy(desc(auditEvents.at))
    .limit(1);
  return row;
}
