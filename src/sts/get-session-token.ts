/**
 * GetSessionToken: temporary credentials for the IAM user (or root) whose long-term key signed the
 * request, with the same permissions as that identity (IAM User Guide, "Permissions for
 * GetSessionToken").
 *
 * - Not authorized by policy: "No permissions are required for a user to get a session token …
 *   You cannot use policies to control authentication operations" (same page).
 * - Long-term keys only: credentials from AssumeRole*, GetFederationToken and GetSessionToken are
 *   refused before this handler runs (src/auth/credential-type.ts).
 * - DurationSeconds 900..129600 (the model's range), default 43200. For the root user "sessions …
 *   are restricted to a maximum of 3,600 seconds … If the duration is longer than one hour, the
 *   session … defaults to one hour" (STS API Reference): a cap, not an error.
 * - SerialNumber / TokenCode: verified (src/sts/mfa.ts): the user's own device, a fresh code, at
 *   most once; the session then carries its MFA time (aws:MultiFactorAuthPresent true,
 *   aws:MultiFactorAuthAge). Only with MFA may the session call IAM; without it, IAM answers
 *   InvalidClientTokenId, and in STS only AssumeRole and GetCallerIdentity are open either way
 *   (src/auth/credential-type.ts; IAM User Guide, "Comparing the AWS STS API operations").
 */
import { defineOperation, Issued, type DefinedOperation } from '../operation.js';
import { issueCredentials, sourceKeyOf } from './issue.js';
import { verifiedMfa } from './mfa.js';

export const DEFAULT_SESSION_SECONDS = 43_200;
export const ROOT_MAX_SESSION_SECONDS = 3_600;

export const getSessionToken = defineOperation('GetSessionToken', {
  authentication: 'sigv4',
  write: false,
  authorization: 'none',
  resource: () => '*',
  handle: async (input, ctx, deps) => {
    const { caller } = ctx;
    // Outside any transaction (a read-only call): a failure is counted even though the call fails.
    const mfa = await verifiedMfa(ctx, deps.keyring, 'sts:GetSessionToken', input);
    const requested = input.durationSeconds ?? DEFAULT_SESSION_SECONDS;
    const duration = caller.kind === 'root' ? Math.min(requested, ROOT_MAX_SESSION_SECONDS) : requested;
    const { credentials, claims } = issueCredentials(deps.keyring, ctx.now, duration, {
      kind: 'session',
      acct: ctx.accountId,
      arn: caller.arn,
      uid: caller.userId,
      user: caller.kind === 'user' ? caller.user : undefined,
      depth: 0,
      mfa,
      ...sourceKeyOf(caller),
    });
    return new Issued({ credentials }, claims);
  },
});

export const getSessionTokenOperations: readonly DefinedOperation[] = [getSessionToken];
