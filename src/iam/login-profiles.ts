/**
 * Console passwords: CreateLoginProfile, GetLoginProfile, UpdateLoginProfile, DeleteLoginProfile
 * (an administrator, for any user) and ChangePassword (a user, for their own password).
 *
 * A password is stored only as an argon2id PHC string (src/auth/passwords.ts), checked against the
 * account's policy, or AWS's default rules when it has none (src/password-rules.ts), and
 * against the policy's PasswordReusePrevention most recent passwords (each kept hash verified).
 * The request's passwords never reach the trail: the model marks them sensitive
 * (src/audit/redact.ts).
 *
 * Two requests changing one profile at once: the second is answered EntityTemporarilyUnmodifiable
 * ("likely to succeed if you try again") instead of waiting behind an argon2 hash.
 */
import { userArn } from '../arn.js';
import { isExpired, policyViolation, reuseDepth, REUSED_TEXT, type PasswordPolicy } from '../password-rules.js';
import { hashPassword, verifyPassword } from '../auth/passwords.js';
import { signInUserKey, USER_THROTTLE } from './sign-in.js';
import { callerContext, evaluateFor } from '../auth/authorize.js';
import type { Caller } from '../auth/caller.js';
import { auditRow, type AuditRequest } from '../audit/events.js';
import { HIDDEN } from '../audit/redact.js';
import { AwsError } from '../errors.js';
import { defineOperation, type DefinedOperation, type OperationContext, type Registry } from '../operation.js';
import { findAccount } from '../store/accounts.js';
import { insertAuditEvents } from '../store/audit.js';
import type { Db } from '../store/db.js';
import { errorCode } from '../store/errors.js';
import {
  deleteLoginProfileRow,
  findLoginProfile,
  findPasswordPolicy,
  insertLoginProfile,
  lockLoginProfile,
  recentHashes,
  recordHistory,
  setPassword,
  setPasswordResetRequired,
  type LoginProfileRow,
} from '../store/login-profiles.js';
import { attemptFailed, attemptSucceeded, takeAttempt } from '../store/throttles.js';
import type { UserRow } from '../store/users.js';
import { entityTarget, requireEntity, type Target } from './entities.js';
import { callerAsUser, noSuchUser, USER, userOrCaller } from './users.js';

export function noSuchLoginProfile(userName: string): AwsError {
  return new AwsError('NoSuchEntity', `Login Profile for User ${userName} cannot be found.`);
}

/** A user whose profile another request is changing right now (PostgreSQL's lock_not_available). */
function temporarilyUnmodifiable(userName: string): AwsError {
  return new AwsError('EntityTemporarilyUnmodifiable', `Login Profile for User ${userName} cannot be modified while another request is changing it. Try again.`);
}

/** The profile, locked for this transaction, or EntityTemporarilyUnmodifiable when another transaction holds it. */
async function lockProfile(db: Db, user: { readonly id: string; readonly name: string }): Promise<LoginProfileRow | undefined> {
  try {
    return await lockLoginProfile(db, user.id);
  } catch (err) {
    if (errorCode(err) === '55P03') throw temporarilyUnmodifiable(user.name);
    throw err;
  }
}

/**
 * Password left out: the model allows it (an AssumeRoot session must leave it out), but "it is
 * required in all other cases" (CreateLoginProfile API reference), and this service has no
 * AssumeRoot sessions.
 */
function passwordRequired(): AwsError {
  return new AwsError('InvalidInput', 'Password is required unless the request is made with an AssumeRoot session.');
}

/** The user an operation with an optional UserName is about: the one named, or the calling IAM user. */
function userNameOf(input: { readonly userName?: string | undefined }, caller: Caller): string {
  if (input.userName !== undefined) return input.userName;
  // A role session or a federated user: AWS's answer for GetUser without UserName (callerAsUser).
  const name = callerAsUser(caller).user?.name;
  // The root user: "When you make this request with root user credentials, you must use an
  // AssumeRoot session to omit the user name" (the API reference); this service has none.
  if (name === undefined) throw new AwsError('InvalidInput', 'When you make this request with root user credentials, you must use an AssumeRoot session to omit the user name.');
  return name;
}

/**
 * A new password for `user`, checked against the account's policy (or the default rules) and its
 * recent passwords: PasswordPolicyViolation with AWS's texts (src/password-rules.ts).
 */
export async function checkNewPassword(db: Db, accountId: string, userId: string, password: string, policy: PasswordPolicy | undefined): Promise<void> {
  const account = await findAccount(db, accountId);
  const violation = policyViolation(policy, password, { id: accountId, alias: account?.alias ?? null });
  if (violation !== undefined) throw new AwsError('PasswordPolicyViolation', violation);
  const depth = reuseDepth(policy);
  if (depth === 0) return;
  // Every kept hash is verified (each has its own salt); on the library's thread pool, side by side.
  const matches = await Promise.all((await recentHashes(db, userId, depth)).map((h) => verifyPassword(h, password)));
  if (matches.some(Boolean)) throw new AwsError('PasswordPolicyViolation', REUSED_TEXT(depth));
}

/** Store a password already checked: its hash on the profile, and in the history. */
async function storePassword(db: Db, userId: string, password: string, now: Date, passwordResetRequired: boolean): Promise<void> {
  const passwordHash = await hashPassword(password);
  await setPassword(db, userId, passwordHash, now, passwordResetRequired);
  await recordHistory(db, userId, passwordHash, now);
}

function loginProfileResult(userName: string, profile: LoginProfileRow) {
  return { loginProfile: { userName, createDate: profile.createdAt, passwordResetRequired: profile.passwordResetRequired } };
}

export const createLoginProfile = defineOperation('CreateLoginProfile', {
  authentication: 'sigv4',
  write: true,
  ...userOrCaller,
  async handle(input, ctx) {
    const name = userNameOf(input, ctx.caller);
    if (input.password === undefined) throw passwordRequired();
    const user = await requireEntity(USER, ctx, name);
    if (await findLoginProfile(ctx.db, user.id)) throw new AwsError('EntityAlreadyExists', `Login Profile for user ${user.name} already exists.`);
    const policy = await findPasswordPolicy(ctx.db, ctx.accountId);
    await checkNewPassword(ctx.db, ctx.accountId, user.id, input.password, policy);
    const passwordHash = await hashPassword(input.password);
    const profile: LoginProfileRow = {
      userId: user.id,
      accountId: ctx.accountId,
      passwordHash,
      passwordResetRequired: input.passwordResetRequired ?? false,
      passwordSetAt: ctx.now,
      passwordLastUsedAt: null,
      createdAt: ctx.now,
    };
    await insertLoginProfile(ctx.db, profile);
    await recordHistory(ctx.db, user.id, passwordHash, ctx.now);
    return loginProfileResult(user.name, profile);
  },
});

export const getLoginProfile = defineOperation('GetLoginProfile', {
  authentication: 'sigv4',
  write: false,
  ...userOrCaller,
  async handle(input, ctx, _deps, target) {
    const name = userNameOf(input, ctx.caller);
    const user = target?.row;
    if (!user) throw noSuchUser(name);
    const profile = await findLoginProfile(ctx.db, user.id);
    if (!profile) throw noSuchLoginProfile(user.name);
    return loginProfileResult(user.name, profile);
  },
});

export const updateLoginProfile = defineOperation('UpdateLoginProfile', {
  authentication: 'sigv4',
  write: true,
  ...entityTarget(USER),
  async handle(input, ctx) {
    const user = await requireEntity(USER, ctx, input.userName);
    const profile = await lockProfile(ctx.db, user);
    if (!profile) throw noSuchLoginProfile(user.name);
    const resetRequired = input.passwordResetRequired ?? profile.passwordResetRequired;
    if (input.password !== undefined) {
      await checkNewPassword(ctx.db, ctx.accountId, user.id, input.password, await findPasswordPolicy(ctx.db, ctx.accountId));
      await storePassword(ctx.db, user.id, input.password, ctx.now, resetRequired);
    } else if (resetRequired !== profile.passwordResetRequired) {
      await setPasswordResetRequired(ctx.db, user.id, resetRequired);
    }
    return {};
  },
});

export const deleteLoginProfile = defineOperation('DeleteLoginProfile', {
  authentication: 'sigv4',
  write: true,
  ...userOrCaller,
  async handle(input, ctx) {
    const user = await requireEntity(USER, ctx, userNameOf(input, ctx.caller));
    if (!(await lockProfile(ctx.db, user))) throw noSuchLoginProfile(user.name);
    // The history stays (reuse prevention outlives a deleted and re-created profile); it goes with the user.
    await deleteLoginProfileRow(ctx.db, user.id);
    return {};
  },
});

/* ChangePassword -------------------------------------------------------------------------------- */

/**
 * May `caller` change their own password? iam:ChangePassword on their own ARN, from their
 * policies; or, when the account's policy has AllowUsersToChangePassword, for every IAM user ("the
 * permissions are applied at the account-level for all users by IAM", PasswordPolicy in the API
 * reference), unless a policy denies it explicitly. The same rule lets such users read the policy
 * (GetAccountPasswordPolicy, src/iam/password-policy.ts).
 */
export async function authorizeOwnPasswordAction(
  ctx: Pick<OperationContext, 'caller' | 'db' | 'requestFor' | 'authorize'>,
  deps: Pick<Registry, 'principals' | 'denials'>,
  action: string,
  resource: string,
  policy: PasswordPolicy | undefined,
): Promise<void> {
  const { caller } = ctx;
  if (caller.kind === 'root' || policy?.allowUsersToChangePassword !== true || caller.kind !== 'user') return ctx.authorize(action, resource);
  const principal = await deps.principals.of(caller, ctx.db);
  const req = ctx.requestFor(action, resource);
  const context = callerContext(caller, principal.tags, req);
  const decision = evaluateFor(principal, caller, req, context);
  if (decision.decision === 'Allow' || decision.decision === 'ImplicitDeny') return;
  throw deps.denials.deny(caller, req, decision, context);
}

/** What changing one's own password needs to know, from ChangePassword or the console's forced change. */
export interface OwnPasswordChange {
  readonly accountId: string;
  readonly user: { readonly id: string; readonly name: string; readonly path: string };
  readonly oldPassword: string;
  readonly newPassword: string;
  readonly now: Date;
  /** The trail's request facts (the caller, when there is one). */
  readonly audit: AuditRequest;
}

/**
 * Change a user's own password, the caller already authorized: the old password verified (its
 * failures counted on the user's sign-in throttle, so ChangePassword is no second door for
 * guessing), the new one checked against the policy and history, then stored in one transaction
 * with its audit event. Runs on `db` outside any transaction (the count of a failure must outlive
 * the refusal), opening its own for the change. The password clears PasswordResetRequired and
 * restarts MaxPasswordAge.
 *
 * Expired passwords: through the API a user may change an expired password even under HardExpiry
 * ("IAM users with iam:ChangePassword permission and active access keys can reset their own
 * expired console password using the CLI or API", PasswordPolicy.HardExpiry); the console refuses
 * it (verifyConsolePassword answers `expired`).
 */
export async function changeOwnPassword(db: Db, change: OwnPasswordChange): Promise<void> {
  const { user, now } = change;
  const profile = await findLoginProfile(db, user.id);
  if (!profile) throw noSuchLoginProfile(user.name);
  const key = signInUserKey(change.accountId, user.name);
  const taken = await takeAttempt(db, [{ key, policy: USER_THROTTLE }], now);
  if (!taken.allowed) throw new AwsError('LimitExceeded', `Too many failed password attempts for User ${user.name}; try again after ${taken.until.toISOString()}.`);
  if (!(await verifyPassword(profile.passwordHash, change.oldPassword))) {
    await attemptFailed(db, taken.attempt, now);
    throw new AwsError('AccessDenied', 'The old password is incorrect.');
  }
  await attemptSucceeded(db, taken.attempt, [key]);
  const policy = await findPasswordPolicy(db, change.accountId);
  await checkNewPassword(db, change.accountId, user.id, change.newPassword, policy);
  const passwordHash = await hashPassword(change.newPassword);
  const arn = userArn(change.accountId, user);
  await db.transaction(async (t) => {
    const current = await lockProfile(t, user);
    if (!current) throw noSuchLoginProfile(user.name);
    // Changed by someone else since the old password was verified: that password may be gone.
    if (current.passwordHash !== profile.passwordHash) throw temporarilyUnmodifiable(user.name);
    await setPassword(t, user.id, passwordHash, now, false);
    await recordHistory(t, user.id, passwordHash, now);
    const details = { request: { oldPassword: HIDDEN, newPassword: HIDDEN }, ...(isExpired(policy, profile.passwordSetAt, now) ? { expired: true } : {}) };
    await insertAuditEvents(t, [auditRow(change.audit, { accountId: change.accountId, action: 'iam:ChangePassword', resource: arn, decision: 'allow', details })]);
  });
}

export const changePasswordOp = defineOperation('ChangePassword', {
  authentication: 'sigv4',
  // The change runs in its own transaction with its audit event (changeOwnPassword): a wrong old
  // password must be counted even though the call fails, which the pipeline's write transaction
  // would roll back.
  write: false,
  authorization: 'handler',
  load(_input, ctx): Promise<Target<UserRow> | undefined> {
    const name = ctx.caller?.kind === 'user' ? ctx.caller.user?.name : undefined;
    return name === undefined ? Promise.resolve(undefined) : entityTarget(USER).load({ userName: name }, ctx);
  },
  resource: (_input, ctx) => ctx.caller?.arn ?? '*',
  async handle(input, ctx, deps, target) {
    const { caller } = ctx;
    // Only an IAM user has a password of their own to change: not the root user (whose password
    // this does not touch), nor a role session or a federated user.
    if (caller.kind !== 'user' || !caller.user) throw new AwsError('InvalidUserType', 'ChangePassword may only be called by an IAM user, with that user\'s credentials.');
    const user = target?.row;
    if (!user) throw noSuchUser(caller.user.name);
    const arn = userArn(ctx.accountId, user);
    await authorizeOwnPasswordAction(ctx, deps, 'iam:ChangePassword', arn, await findPasswordPolicy(ctx.db, ctx.accountId));
    await changeOwnPassword(ctx.db, {
      accountId: ctx.accountId,
      user,
      oldPassword: input.oldPassword,
      newPassword: input.newPassword,
      now: ctx.now,
      audit: { requestId: ctx.requestId, at: ctx.now, sourceIp: ctx.request.sourceIp, userAgent: undefined, caller },
    });
    return {};
  },
});

export const loginProfileOperations: readonly DefinedOperation[] = [createLoginProfile, getLoginProfile, updateLoginProfile, deleteLoginProfile, changePasswordOp];
