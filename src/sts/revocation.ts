/**
 * The operator's two revocations (shared/SPEC.md §5 "Revocation"), each one transaction that
 * writes the change and its audit event and announces the account, so every node drops its
 * caches and refuses the sessions within its notification delay:
 *
 * - one session, by the `jti` its issuance event carries: a revoked_sessions row, checked from
 *   memory on every request made with temporary credentials (src/auth/revocation.ts);
 * - every session of a role issued before now, as AWS does it ("Revoke IAM role temporary security
 *   credentials", IAM User Guide): an inline policy `AWSRevokeOlderSessions` on the role that
 *   denies everything to sessions whose `aws:TokenIssueTime` is before the revocation. Putting the
 *   same document with PutRolePolicy through the IAM API has the same effect.
 *
 * (The third way, deactivating or deleting the access key a session chain started from, is
 * UpdateAccessKey / DeleteAccessKey: authenticate() checks the source key of every session.)
 */
import { randomUUID } from 'node:crypto';
import { auditRow, type AuditRequest } from '../audit/events.js';
import { AwsError } from '../errors.js';
import { DOCUMENT_LIMITS } from '../iam/documents.js';
import { roleArn } from '../arn.js';
import { nonWhitespaceLength } from '../policy/index.js';
import { findIssuanceByJti, insertAuditEvents } from '../store/audit.js';
import type { Store } from '../store/db.js';
import { listInlinePolicies, lockOwnerPolicies, putInlinePolicy } from '../store/policies/inline.js';
import { insertRevokedSession, pruneRevokedSessions } from '../store/sessions.js';
import { findRole } from '../store/roles.js';

/** The policy name AWS's console uses. */
export const REVOKE_OLDER_SESSIONS = 'AWSRevokeOlderSessions';

/**
 * The longest any session lives (GetSessionToken and GetFederationToken: 129,600 s): a revocation
 * whose session's expiry is unknown is kept that long, which outlives the session whatever it was.
 */
export const MAX_SESSION_SECONDS = 129_600;

/** The audit facts of an operator's command (no caller, no address). */
export function operatorAudit(at: Date, via: string): AuditRequest {
  return { requestId: randomUUID(), at, sourceIp: undefined, userAgent: `latchkey-cli (${via})`, caller: undefined };
}

/** AWS's document: deny everything to sessions issued before `before` (ISO 8601, milliseconds, as the console writes it). */
export function revokeOlderSessionsPolicy(before: Date): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Deny', Action: ['*'], Resource: ['*'], Condition: { DateLessThan: { 'aws:TokenIssueTime': before.toISOString() } } }],
  });
}

export interface RevokedOne {
  /** False when the session was already revoked. */
  readonly revoked: boolean;
  readonly expiresAt: Date;
  /** Whether the account's audit trail has the session's issuance (its expiry was taken from it). */
  readonly issuanceFound: boolean;
}

/** Revoke one session of `accountId` (the account the session belongs to: the role's, for a role session). */
export async function revokeSession(store: Store, req: { accountId: string; jti: string; now: Date; audit: AuditRequest }): Promise<RevokedOne> {
  const issuance = await findIssuanceByJti(store.db, req.accountId, req.jti);
  const recorded = issuance ? expirationOf(issuance.details) : undefined;
  const expiresAt = recorded ?? new Date(req.now.getTime() + MAX_SESSION_SECONDS * 1000);
  const revoked = await store.tx(async (t) => {
    const inserted = await insertRevokedSession(t, { jti: req.jti, accountId: req.accountId, expiresAt, revokedAt: req.now });
    // Rows of sessions that have expired anyway are no longer needed.
    await pruneRevokedSessions(t, req.now);
    await insertAuditEvents(t, [
      auditRow(req.audit, {
        accountId: req.accountId,
        action: 'latchkey:RevokeSession',
        resource: issuance?.resource ?? undefined,
        decision: 'allow',
        details: { jti: req.jti, expiresAt: expiresAt.toISOString(), alreadyRevoked: !inserted, ...(issuance ? { issuanceRequestId: issuance.requestId } : {}) },
      }),
    ]);
    await store.announce(t, req.accountId);
    return inserted;
  });
  return { revoked, expiresAt, issuanceFound: issuance !== undefined };
}

function expirationOf(details: string | null): Date | undefined {
  if (details === null) return undefined;
  try {
    const expiration = (JSON.parse(details) as { expiration?: unknown }).expiration;
    const at = typeof expiration === 'string' ? new Date(expiration) : undefined;
    return at && !Number.isNaN(at.getTime()) ? at : undefined;
  } catch {
    return undefined;
  }
}

export interface RevokedRole {
  readonly roleArn: string;
  readonly policyName: string;
  readonly policyDocument: string;
}

/** Put (or replace) `AWSRevokeOlderSessions` on the role: its sessions issued before `now` are denied everything. */
export async function revokeOlderRoleSessions(store: Store, req: { accountId: string; roleName: string; now: Date; audit: AuditRequest }): Promise<RevokedRole> {
  const document = revokeOlderSessionsPolicy(req.now);
  return store.tx(async (t) => {
    const role = await findRole(t, req.accountId, req.roleName);
    if (!role) throw new AwsError('NoSuchEntity', `The role with name ${req.roleName} cannot be found.`);
    await lockOwnerPolicies(t, role.id);
    // The role's inline quota still holds, as for PutRolePolicy (the document replaces an older revocation).
    const others = (await listInlinePolicies(t, role.id)).filter((p) => p.name !== REVOKE_OLDER_SESSIONS);
    const total = others.reduce((n, p) => n + nonWhitespaceLength(p.document), nonWhitespaceLength(document));
    if (total > DOCUMENT_LIMITS.inlineRole) throw new AwsError('LimitExceeded', `Maximum policy size of ${DOCUMENT_LIMITS.inlineRole} bytes exceeded for role ${role.name}`);
    await putInlinePolicy(t, { ownerId: role.id, accountId: req.accountId, ownerType: 'role', name: REVOKE_OLDER_SESSIONS, document });
    const arn = roleArn(req.accountId, role);
    await insertAuditEvents(t, [
      auditRow(req.audit, {
        accountId: req.accountId,
        action: 'iam:PutRolePolicy',
        resource: arn,
        decision: 'allow',
        details: { request: { roleName: role.name, policyName: REVOKE_OLDER_SESSIONS, policyDocument: document } },
      }),
    ]);
    await store.announce(t, req.accountId);
    return { roleArn: arn, policyName: REVOKE_OLDER_SESSIONS, policyDocument: document };
  });
}
