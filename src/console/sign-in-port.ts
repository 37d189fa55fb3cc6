/**
 * What the console's password sign-in needs from the password and MFA code (src/auth/passwords.ts,
 * src/auth/totp.ts and their IAM stores), as one narrow port: the console knows no hashes, seeds
 * or throttle rows, only these answers. The composition root (src/service.ts) builds it; without
 * one, the sign-in page says that password sign-in is not available and federation sign-in still
 * works.
 *
 * Answers never carry the password, the code or why exactly a password was refused (which would
 * tell an attacker which user names exist): `refused` is all the page learns.
 */
import type { ConsoleRequestFacts } from './audit.js';
import type { ConsoleUser } from './session.js';

export type PasswordCheck =
  | {
      readonly kind: 'ok';
      readonly accountId: string;
      readonly user: ConsoleUser;
      /** The user has an MFA device: a code is due before the session starts. */
      readonly mfaDevice: boolean;
      /** The password must change before the session starts (PasswordResetRequired, or expired under the policy). */
      readonly mustChange?: 'reset' | 'expired' | undefined;
    }
  /**
   * Unknown account, user or login profile, or a wrong password: all alike to the page.
   * `accountId` when the account is known, and `userArn` when the user exists: for the audit
   * trail only (a name that is no user is not kept: it is often a password typed in the wrong field).
   */
  | { readonly kind: 'refused'; readonly accountId?: string | undefined; readonly userArn?: string | undefined }
  /** Too many failures: refused without checking until `until` (ends by itself). */
  | { readonly kind: 'throttled'; readonly accountId?: string | undefined; readonly userArn?: string | undefined; readonly until: Date }
  /** The password expired and the policy's HardExpiry forbids changing it: an administrator must. */
  | { readonly kind: 'expired'; readonly accountId: string; readonly user: ConsoleUser };

export type MfaCheck =
  | { readonly kind: 'ok'; readonly serialNumber: string }
  | { readonly kind: 'refused' }
  | { readonly kind: 'throttled'; readonly until: Date };

export type PasswordChange =
  | { readonly kind: 'ok' }
  /** The current password is wrong. */
  | { readonly kind: 'refused' }
  /** The new password breaks the account's policy (length, classes, reuse): AWS's message, shown to the user. */
  | { readonly kind: 'invalid'; readonly message: string }
  /** A chosen (not forced) change the user's policies do not allow (iam:ChangePassword, or the account policy's AllowUsersToChangePassword). */
  | { readonly kind: 'denied'; readonly message: string }
  | { readonly kind: 'throttled'; readonly until: Date };

export interface SignInPort {
  /** The password of `userName` in the account `account` (its 12-digit id or its alias). */
  verifyPassword(req: { readonly account: string; readonly userName: string; readonly password: string; readonly now: Date; readonly sourceIp: string | undefined }): Promise<PasswordCheck>;
  /** An MFA code from one of the user's devices (each code accepted once, on every node). */
  verifyMfa(req: { readonly accountId: string; readonly user: ConsoleUser; readonly code: string; readonly now: Date }): Promise<MfaCheck>;
  /**
   * ChangePassword as the user: the current password, then the new one under the account's policy.
   * `forced`: the change sign-in demands (PasswordResetRequired, an expired password), allowed
   * whatever the user's policies say; otherwise authorized as iam:ChangePassword is. A change that
   * happens is audited by the port (iam:ChangePassword, as the API's is); refusals by the console.
   */
  changePassword(req: {
    readonly accountId: string;
    readonly user: ConsoleUser;
    readonly oldPassword: string;
    readonly newPassword: string;
    readonly forced: boolean;
    readonly request: ConsoleRequestFacts & { readonly secure: boolean };
  }): Promise<PasswordChange>;
}
