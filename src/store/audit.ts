/**
 * The audit trail (audit_events): append-only. Rows are inserted (inside the transaction of the
 * change they record, for mutations and issuances) and read by the operator's CLI; nothing here
 * updates or deletes one.
 */
import { and, desc, eq, gte, like, type SQL } from 'drizzle-orm';
import type { Db } from './db.js';
import { auditEvents } from './schema.js';
import { escapeLike } from './users.js';

export type AuditRow = typeof auditEvents.$inferSelect;

export async function insertAuditEvents(db: Db, rows: readonly AuditRow[]): Promise<void> {
  if (rows.length > 0) await db.insert(auditEvents).values([...rows]);
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
