/**
 * The events one call leaves in the trail (src/audit/events.ts says what is recorded and why):
 * a mutation's request and response, an issuance's session facts, a refusal's reason. Secrets are
 * hidden by the service model (redact.ts); the issued session's facts come from the claims its
 * handler returned (operation.ts, Issued), not from the token read back.
 */
import { deniedReason } from '../auth/authorize.js';
import type { Operation } from '../protocol/index.js';
import type { AuditRow } from '../store/audit.js';
import type { SessionClaims } from '../tokens/session-token.js';
import { auditRow, type AuditRequest } from './events.js';
import { issuanceDetails, issuanceResource } from './issuance.js';
import { redact } from './redact.js';

/** The request as the trail keeps it, or nothing when it has no member worth keeping. */
function requestOf(operation: Operation, input: unknown): Record<string, unknown> {
  const request = redact(operation.input, input);
  return request !== undefined && Object.keys(request as object).length > 0 ? { request } : {};
}

/** A mutation's event: the request and response as CloudTrail keeps them, secrets hidden. */
export function mutationEvent(audit: AuditRequest, action: string, resource: string | undefined, operation: Operation, input: unknown, result: unknown): AuditRow {
  const response = redact(operation.output, result);
  const details: Record<string, unknown> = {
    ...requestOf(operation, input),
    ...(response !== undefined && Object.keys(response as object).length > 0 ? { response } : {}),
  };
  return auditRow(audit, { action, resource, decision: 'allow', details });
}

/**
 * An issuance's events: in the caller's trail, and also in the session's account's when that is
 * another (a cross-account AssumeRole; for an unsigned call, only there), so the role's owner can
 * find, and revoke, the session.
 */
export function issuanceEvents(audit: AuditRequest, action: string, operation: Operation, input: unknown, claims: SessionClaims): AuditRow[] {
  const details = { ...issuanceDetails(claims), ...requestOf(operation, input) };
  const facts = { action, resource: issuanceResource(claims), decision: 'allow' as const, details };
  if (!audit.caller) return [auditRow(audit, { ...facts, accountId: claims.acct })];
  const rows = [auditRow(audit, facts)];
  if (audit.caller.accountId !== claims.acct) rows.push(auditRow(audit, { ...facts, accountId: claims.acct }));
  return rows;
}

/** A refused call: the action and resource refused, and AWS's reason without its encoded details. */
export function deniedEvent(audit: AuditRequest, action: string, resource: string | undefined, errorCode: string, message: string, accountId?: string): AuditRow {
  return auditRow(audit, { action, resource, decision: 'deny', errorCode, details: { message: deniedReason(message) }, ...(accountId !== undefined ? { accountId } : {}) });
}
