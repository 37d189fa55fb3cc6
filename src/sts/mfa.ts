/**
 * `SerialNumber` + `TokenCode` on GetSessionToken and AssumeRole ("MFA-protected API access"):
 * the code is checked by src/auth/mfa.ts (the user's own device, single use on every node,
 * throttled), and the session's `mfa` claim is the time it was checked, from which
 * aws:MultiFactorAuthPresent and aws:MultiFactorAuthAge are set (src/auth/authorize.ts).
 *
 * AWS's answers, AccessDenied 403 (shared/research/federation-facts.md §1.7):
 * - a wrong or reused code: "MultiFactorAuthentication failed with invalid MFA one time pass
 *   code. " (with the trailing space);
 * - a serial that is unknown or not this user's: "MultiFactorAuthentication failed, unable to
 *   validate MFA code.  Please verify your MFA serial number is valid and associated with this
 *   user." (two spaces).
 * Too many failures get Latchkey's own AccessDenied saying until when (AWS publishes none).
 *
 * Who can present a code: an IAM user, with long-term keys or their GetSessionToken credentials.
 * Root cannot ("Root credentials cannot use MFA-protected API access", IAM User Guide,
 * "Configuring MFA-protected API access"), and a role session has no user whose device it could
 * be: both get the unknown-serial answer. Every refusal names the serial as the denied resource,
 * so the audit trail shows which device failed, and never the code.
 */
import { verifyDeviceCode } from '../auth/mfa.js';
import { AwsError } from '../errors.js';
import type { OperationContext } from '../operation.js';
import { findMfaDevice } from '../store/mfa-devices.js';
import type { Keyring } from '../tokens/keyring.js';

export const MFA_INVALID_CODE = 'MultiFactorAuthentication failed with invalid MFA one time pass code. ';
export const MFA_UNKNOWN_SERIAL = 'MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your MFA serial number is valid and associated with this user.';

export function mfaThrottled(until: Date): string {
  return `MultiFactorAuthentication failed: too many invalid MFA codes for this user or device. Try again after ${until.toISOString()}.`;
}

export interface MfaInput {
  readonly serialNumber?: string | undefined;
  readonly tokenCode?: string | undefined;
}

/**
 * The session's MFA time (epoch seconds) when the request carries a valid code, undefined when it
 * carries neither SerialNumber nor TokenCode; AccessDenied otherwise. Never issues without MFA a
 * request that asked for it.
 */
export async function verifiedMfa(ctx: OperationContext, keyring: Keyring, action: string, input: MfaInput): Promise<number | undefined> {
  const { serialNumber: serial, tokenCode: code } = input;
  if (serial === undefined && code === undefined) return undefined;
  const refuse = (message: string) => new AwsError('AccessDenied', message, { denial: { action, resource: serial ?? '*' } });
  const user = ctx.caller.kind === 'user' ? ctx.caller.user : undefined;
  if (serial === undefined || user === undefined) throw refuse(MFA_UNKNOWN_SERIAL);
  if (code === undefined) {
    // No code is no guess: nothing to count, only which of AWS's answers fits.
    const device = await findMfaDevice(ctx.db, ctx.accountId, serial);
    throw refuse(device?.userId === user.id ? MFA_INVALID_CODE : MFA_UNKNOWN_SERIAL);
  }
  const outcome = await verifyDeviceCode(ctx.db, keyring, { accountId: ctx.accountId, userId: user.id, serial, code, now: ctx.now });
  if (outcome.ok) return Math.floor(outcome.at.getTime() / 1000);
  switch (outcome.reason) {
    case 'unknown-device':
      throw refuse(MFA_UNKNOWN_SERIAL);
    case 'invalid-code':
      throw refuse(MFA_INVALID_CODE);
    case 'throttled':
      throw refuse(mfaThrottled(outcome.until));
  }
}
