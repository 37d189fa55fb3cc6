/**
 * The console's events in the audit trail, named after CloudTrail's sign-in events
 * (`signin.amazonaws.com`: ConsoleLogin, CheckMfa, GetSigninToken) plus ours (ConsoleLogout,
 * GetConsoleCredentials) and IAM's ChangePassword. Never a password, code, seed, sign-in token,
 * secret key or session token: only who, how (password, MFA, federation), the outcome and why.
 *
 * An event needs an account: a sign-in against an account nobody could name (an unknown id or
 * alias) has no trail to go to, and is only counted in the log, as unauthenticated API requests
 * are (src/audit/events.ts).
 */
import { auditRow, type AuditRequest } from '../audit/events.js';
import type { AuditRow } from '../store/audit.js';

export interface ConsoleRequestFacts {
  readonly requestId: string;
  readonly at: Date;
  readonly sourceIp: string | undefined;
  readonly userAgent: string | undefined;
}

export interface ConsoleEvent {
  readonly accountId: string;
  /** `signin:ConsoleLogin`, … */
  readonly action: string;
  /** Who acted or tried to: the IAM user's or session's ARN (a sign-in failure names the user tried). */
  readonly principalArn?: string | undefined;
  readonly accessKeyId?: string | undefined;
  readonly sourceIdentity?: string | undefined;
  readonly resource?: string | undefined;
  readonly decision: 'allow' | 'deny';
  readonly errorCode?: string | undefined;
  readonly details?: Record<string, unknown> | undefined;
}

export function consoleEvent(req: ConsoleRequestFacts, e: ConsoleEvent): AuditRow {
  const audit: AuditRequest = { requestId: req.requestId, at: req.at, sourceIp: req.sourceIp, userAgent: req.userAgent, caller: undefined };
  const row = auditRow(audit, { accountId: e.accountId, action: e.action, resource: e.resource, decision: e.decision, errorCode: e.errorCode, details: e.details });
  return { ...row, principalArn: e.principalArn ?? null, accessKeyId: e.accessKeyId ?? null, sourceIdentity: e.sourceIdentity ?? null };
}
