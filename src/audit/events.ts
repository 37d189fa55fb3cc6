/**
 * Audit events, in the spirit of CloudTrail (shared/SPEC.md §10): who (principal ARN, access key
 * id), what (action, resource), when, from where (source IP, user agent), the request id, the
 * decision and error code, the session's source identity, and details that are never secrets.
 *
 * What is recorded, and why:
 * - every IAM mutation that happened, in the transaction that made it: an IAM write that cannot be
 *   audited is rolled back;
 * - every credential issuance, written before the credentials are returned: an issuance that
 *   cannot be audited fails (InternalFailure, no credentials). Issuing stores nothing (the token is
 *   self-contained), so there is no change for it to share a transaction with, unless the issuing
 *   operation also writes (`write: true`), when its event joins that transaction;
 * - every authenticated call that was refused with AccessDenied (policy, credential type, trust
 *   policy), written on its own since the call changed nothing;
 * - an unsigned federation call (AssumeRoleWithWebIdentity, AssumeRoleWithSAML) refused by the
 *   trust policy or for its token or assertion, in the trail of the account whose role it named,
 *   when that account exists, at most so many per account and minute (unsigned-refusals.ts);
 * - not: read-only calls that succeeded, calls that failed for other reasons (a failed mutation
 *   changed nothing and its transaction, audit row included, is rolled back), and requests that
 *   failed authentication (InvalidClientTokenId, SignatureDoesNotMatch, ExpiredToken): CloudTrail
 *   too "logs all authenticated API requests" to IAM and STS (IAM User Guide, "Logging IAM and AWS
 *   STS API calls with AWS CloudTrail"), and an unauthenticated request names no account whose
 *   trail it could go to, so anyone could otherwise fill the table.
 */
import { randomBytes } from 'node:crypto';
import type { Caller } from '../auth/caller.js';
import type { Logger } from '../log.js';
import type { AuditAppender, AuditRow } from '../store/audit.js';
import { errorCode } from '../store/errors.js';

/** The request-wide facts every event of one request shares. */
export interface AuditRequest {
  readonly requestId: string;
  readonly at: Date;
  readonly sourceIp: string | undefined;
  readonly userAgent: string | undefined;
  /** Undefined for operator commands (the CLI) and unsigned calls. */
  readonly caller: Caller | undefined;
}

export interface AuditFacts {
  /** The trail the event goes to: the caller's account unless given. */
  readonly accountId?: string | undefined;
  readonly action: string;
  readonly resource: string | undefined;
  readonly decision: 'allow' | 'deny';
  readonly errorCode?: string | undefined;
  readonly details?: Record<string, unknown> | undefined;
}

/** User agents are the client's text: keep a bounded amount of it. */
const MAX_USER_AGENT = 512;

/**
 * Time-ordered ids: the instant in milliseconds, then the process's monotonic clock (orders the
 * events one process writes within one millisecond), then randomness (unique across nodes).
 */
/** CloudTrail's userName for a failed sign-in whose user does not exist: what was typed is often a password. */
export const HIDDEN_USER_NAME = 'HIDDEN_DUE_TO_SECURITY_REASONS';

export function newEventId(at: Date): string {
  const ms = Math.max(0, at.getTime()).toString(16).padStart(12, '0');
  const tick = (process.hrtime.bigint() % 0x1000000000000n).toString(16).padStart(12, '0');
  return `${ms}-${tick}-${randomBytes(6).toString('hex')}`;
}

export function auditRow(req: AuditRequest, facts: AuditFacts): AuditRow {
  const caller = req.caller;
  const accountId = facts.accountId ?? caller?.accountId;
  if (accountId === undefined) throw new Error('an audit event needs an account');
  return {
    id: newEventId(req.at),
    at: req.at,
    accountId,
    requestId: req.requestId,
    action: facts.action,
    principalArn: caller?.arn ?? null,
    accessKeyId: caller?.accessKeyId ?? null,
    sourceIp: req.sourceIp ?? null,
    userAgent: req.userAgent === undefined ? null : req.userAgent.slice(0, MAX_USER_AGENT),
    decision: facts.decision,
    errorCode: facts.errorCode ?? null,
    sourceIdentity: caller?.session?.sid ?? null,
    resource: facts.resource ?? null,
    details: facts.details === undefined ? null : JSON.stringify(facts.details),
  };
}

/**
 * A refused call: written outside any transaction (nothing changed), awaited so the trail is
 * complete when the caller hears the answer, and never lost silently: a failed write is logged.
 */
export async function recordDenied(audit: AuditAppender, logger: Logger, row: AuditRow): Promise<void> {
  try {
    await audit.append([row]);
  } catch (err) {
    logger.warn('audit event not written', {
      requestId: row.requestId,
      action: row.action,
      decision: row.decision,
      errorCode: row.errorCode,
      principal: row.principalArn,
      error: errorCode(err),
    });
  }
}
