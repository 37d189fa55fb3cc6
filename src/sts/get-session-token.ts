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
 * - SerialNumber / TokenCode: MFA devices are not built yet, so no code can be verified. The call
 *   fails closed with AWS's answer for a device that is not associated with the user, never
 *   silently issuing credentials without MFA.
 */
import { AwsError } from '../errors.js';
import { defineOperation, Issued, type DefinedOperation } from '../operation.js';
import { issueCredentials, sourceKeyOf } from './issue.js';

export const DEFAULT_SESSION_SECONDS = 43_200;
export const ROOT_MAX_SESSION_SECONDS = 3_600;

/** AWS's message when the MFA device cannot be used to validate the code. */
export const MFA_UNAVAILABLE =
  'MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your MFA serial number is valid and associated with this user. (This service does not support MFA devices yet.)';

export const getSessionToken = defineOperation('GetSessionToken', {
  authentication: 'sigv4',
  write: false,
  authorization: 'none',
  resource: () => '*',
  handle: async (input, ctx, deps) => {
    const { caller } = ctx;
    if (input.serialNumber !== undefined || input.tokenCode !== undefined) throw new AwsError('AccessDenied', MFA_UNAVAILABLE);
    const requested = input.durationSeconds ?? DEFAULT_SESSION_SECONDS;
    const duration = caller.kind === 'root' ? Math.min(requested, ROOT_MAX_SESSION_SECONDS) : requested;
    const { credentials, claims } = issueCredentials(deps.keyring, ctx.now, duration, {
      kind: 'session',
      acct: ctx.accountId,
      arn: caller.arn,
      uid: caller.userId,
      user: caller.kind === 'user' ? caller.user : undefined,
      depth: 0,
      ...sourceKeyOf(caller),
    });
    return new Issued({ credentials }, claims);
  },
});

export const getSessionTokenOperations: readonly DefinedOperation[] = [getSessionToken];
