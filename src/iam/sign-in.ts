/**
 * Console sign-in's password step (the console, src/console/, calls it; so does `npm run bench`):
 * an account (id or alias), a user name and a password in, a verdict out.
 *
 * - Failure paths cost the same: an unknown account, an unknown user and a user without a login
 *   profile each spend one argon2 verification against a dummy hash (src/auth/passwords.ts), and
 *   all answer `invalid`, so neither the answer nor its timing tells which users exist.
 * - Throttled (src/store/throttles.ts, shared by every node): failures are counted per account and
 *   user name, and per source address. Over the limit, attempts are refused (`throttled`, with when
 *   to retry) without verifying anything, for a block that doubles with each further failure but
 *   never past a quarter of an hour: an attacker who knows a victim's name can slow them down,
 *   never lock them out for good. A success clears the account-and-user count (not the source's:
 *   one good account must not reset an address that is guessing at others). The same per-user
 *   count guards ChangePassword's old password (src/iam/login-profiles.ts), so no second door
 *   doubles the guesses.
 * - A correct password made with other argon2 parameters is hashed again with today's.
 * - PasswordLastUsed (GetUser, ListUsers) is set.
 * - Expiry: with HardExpiry an expired password no longer signs in (`expired`: an administrator
 *   must reset it); without it the user signs in but must change it first (`mustChangePassword`),
 *   as they must after an administrator set PasswordResetRequired.
 *
 * Nothing here logs, and the password is never in an audit row: recordSignIn writes the outcome.
 */
import { createHash } from 'node:crypto';
import { userArn } from '../arn.js';
import { isAccountId } from '../account-alias.js';
import { auditRow, HIDDEN_USER_NAME } from '../audit/events.js';
import { findAccount, findAccountByAlias } from '../store/accounts.js';
import { insertAuditEvents } from '../store/audit.js';
import type { Db } from '../store/db.js';
import { findPasswordPolicy, findUserWithProfile, replaceHash, touchPasswordUse } from '../store/login-profiles.js';
import { attemptFailed, attemptSucceeded, takeAttempt, type ThrottlePolicy } from '../store/throttles.js';
import { isExpired, type PasswordPolicy } from '../password-rules.js';
import { hashPassword, needsRehash, verifyNothing, verifyPassword } from '../auth/passwords.js';

/** Failed passwords per account and user name: 5 in a quarter of an hour, then blocks from 1 minute, doubling, at most 15. */
export const USER_THROTTLE: ThrottlePolicy = { maxFailures: 5, windowMs: 15 * 60_000, blockMs: 60_000, maxBlockMs: 15 * 60_000 };
/** Failed passwords per source address, whatever the user: 100 in a quarter of an hour, then the same blocks. */
export const SOURCE_THROTTLE: ThrottlePolicy = { maxFailures: 100, windowMs: 15 * 60_000, blockMs: 60_000, maxBlockMs: 15 * 60_000 };

export interface SignInDeps {
  /** Defaults USER_THROTTLE and SOURCE_THROTTLE. */
  readonly userThrottle?: ThrottlePolicy;
  readonly sourceThrottle?: ThrottlePolicy;
}

export interface SignInAttempt {
  /** The account's 12-digit id, or its alias. */
  readonly account: string;
  readonly userName: string;
  readonly password: string;
  /** Where the attempt came from (counted on its own). */
  readonly sourceIp: string;
  readonly now: Date;
}

export interface SignedInUser {
  readonly id: string;
  readonly name: string;
  readonly path: string;
  readonly arn: string;
}

export type SignInResult =
  | {
      readonly ok: true;
      readonly accountId: string;
      readonly user: SignedInUser;
      /** An administrator asked for a new password at the next sign-in (PasswordResetRequired). */
      readonly passwordResetRequired: boolean;
      /** The password is older than the policy's MaxPasswordAge (and HardExpiry is off). */
      readonly expired: boolean;
      /** Either of the two: the console must have the user change the password before anything else. */
      readonly mustChangePassword: boolean;
      /** The account's policy (undefined: AWS's default rules), for the change-password form. */
      readonly policy: PasswordPolicy | undefined;
    }
  | {
      readonly ok: false;
      /**
       * invalid: no such account, user or login profile, or a wrong password (never told apart);
       * throttled: too many failures, try after `retryAfter`; expired: the right password, expired
       * under HardExpiry (an administrator must reset it).
       */
      readonly reason: 'invalid' | 'throttled' | 'expired';
      /** Known when the account exists: where recordSignIn writes the failure. */
      readonly accountId: string | undefined;
      readonly user: SignedInUser | undefined;
      readonly retryAfter?: Date;
    };

/**
 * The throttle key of an account's user name (case-insensitive, as IAM names are). The name is
 * hashed: people type their password into the user name field, and what they typed must not be
 * kept in plaintext in the throttles table.
 */
export function signInUserKey(accountKey: string, userName: string): string {
  return `sign-in:${accountKey.slice(0, 64)}:${createHash('sha256').update(userName.toLowerCase(), 'utf8').digest('base64url')}`;
}

export function signInSourceKey(sourceIp: string): string {
  return `sign-in-source:${sourceIp.slice(0, 64)}`;
}

/** The account an attempt names, by id or alias; undefined when there is none. */
async function resolveAccount(db: Db, account: string): Promise<string | undefined> {
  const text = account.trim().toLowerCase();
  if (text.length === 0 || text.length > 63) return undefined;
  const row = isAccountId(text) ? await findAccount(db, text) : await findAccountByAlias(db, text);
  return row?.id;
}

/** Verify a console password. The signature the console helper calls. */
export async function verifyConsolePassword(db: Db, deps: SignInDeps, attempt: SignInAttempt): Promise<SignInResult> {
  const { now } = attempt;
  const userThrottle = deps.userThrottle ?? USER_THROTTLE;
  const sourceThrottle = deps.sourceThrottle ?? SOURCE_THROTTLE;
  const accountId = await resolveAccount(db, attempt.account);
  // An account that does not exist is counted under the text given, so its throttle behaves as a real one's.
  const userKey = signInUserKey(accountId ?? `?${attempt.account.trim().toLowerCase().slice(0, 64)}`, attempt.userName);
  const sourceKey = signInSourceKey(attempt.sourceIp);

  // Counted before the password is checked, so concurrent guesses get no more checks than serial ones.
  const taken = await takeAttempt(db, [{ key: userKey, policy: userThrottle }, { key: sourceKey, policy: sourceThrottle }], now);
  const found = accountId === undefined ? undefined : await findUserWithProfile(db, accountId, attempt.userName);
  const user = found && accountId !== undefined ? { ...found.user, arn: userArn(accountId, found.user) } : undefined;
  if (!taken.allowed) return { ok: false, reason: 'throttled', accountId, user, retryAfter: taken.until };

  const profile = found?.profile;
  const good = profile ? await verifyPassword(profile.passwordHash, attempt.password) : await verifyNothing(attempt.password);
  if (!good || !profile || !user || accountId === undefined) {
    const until = await attemptFailed(db, taken.attempt, now);
    return until ? { ok: false, reason: 'throttled', accountId, user, retryAfter: until } : { ok: false, reason: 'invalid', accountId, user };
  }
  // The user's count starts afresh; the source address gets this attempt back (a shared address's successes never block it).
  await attemptSucceeded(db, taken.attempt, [userKey]);
  if (needsRehash(profile.passwordHash)) await replaceHash(db, profile.userId, profile.passwordHash, await hashPassword(attempt.password));

  const policy = await findPasswordPolicy(db, accountId);
  const expired = isExpired(policy, profile.passwordSetAt, now);
  if (expired && policy?.hardExpiry === true) return { ok: false, reason: 'expired', accountId, user };
  await touchPasswordUse(db, profile.userId, now);
  const passwordResetRequired = profile.passwordResetRequired;
  return { ok: true, accountId, user, passwordResetRequired, expired, mustChangePassword: passwordResetRequired || expired, policy };
}

/** What the trail says about one sign-in step. */
export interface SignInEvent {
  readonly accountId: string;
  /** The user's ARN when the user exists. */
  readonly userArn: string | undefined;
  /** The name as typed (kept, as CloudTrail keeps userName on a failed ConsoleLogin). */
  readonly userName: string;
  /**
   * success: signed in; failure: a wrong password (or MFA code: `step`); lockout: refused while
   * throttled; expired: refused, the password expired under HardExpiry.
   */
  readonly outcome: 'success' | 'failure' | 'lockout' | 'expired';
  /** Which step: the password, or the MFA code (the console's second step). */
  readonly step?: 'password' | 'mfa';
  readonly mfaUsed?: boolean;
  readonly requestId: string;
  readonly at: Date;
  readonly sourceIp: string | undefined;
  readonly userAgent: string | undefined;
  readonly retryAfter?: Date | undefined;
}

/**
 * Write a sign-in to the account's trail, in the manner of CloudTrail's `signin:ConsoleLogin`
 * (responseElements ConsoleLogin Success/Failure, additionalEventData MFAUsed). Never given the
 * password or a code, so it cannot write one. An attempt on an account that does not exist has no
 * trail to go to and is not written (as for unauthenticated API calls, src/audit/events.ts).
 */
export async function recordSignIn(db: Db, event: SignInEvent): Promise<void> {
  const row = auditRow(
    { requestId: event.requestId, at: event.at, sourceIp: event.sourceIp, userAgent: event.userAgent, caller: undefined },
    {
      accountId: event.accountId,
      action: 'signin:ConsoleLogin',
      resource: event.userArn,
      decision: event.outcome === 'success' ? 'allow' : 'deny',
      errorCode: event.outcome === 'success' ? undefined : event.outcome === 'lockout' ? 'Throttled' : event.outcome === 'expired' ? 'PasswordExpired' : 'FailedAuthentication',
      details: {
        // As CloudTrail: a name that is no user of the account is not kept (it is often a password typed in the wrong field).
        userName: event.userArn === undefined ? HIDDEN_USER_NAME : event.userName.slice(0, 128),
        consoleLogin: event.outcome === 'success' ? 'Success' : 'Failure',
        ...(event.step ? { step: event.step } : {}),
        ...(event.mfaUsed !== undefined ? { mfaUsed: event.mfaUsed ? 'Yes' : 'No' } : {}),
        ...(event.retryAfter ? { retryAfter: event.retryAfter.toISOString() } : {}),
      },
    },
  );
  await insertAuditEvents(db, [{ ...row, principalArn: event.userArn ?? null }]);
}
