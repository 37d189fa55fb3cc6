/**
 * The console's SignIn port (src/console/sign-in-port.ts) over this service's own stores: login
 * profiles and sign-in throttles (src/iam/sign-in.ts, verifyConsolePassword), MFA devices
 * (src/auth/mfa.ts, verifyUserMfaCode: each code once, on every node, throttled per device and
 * user) and ChangePassword's rules (src/iam/login-profiles.ts, changeOwnPassword; a chosen change
 * authorized as the API's is, by authorizeOwnPasswordAction). Built once by src/service.ts.
 */
import { entityArn } from '../arn.js';
import type { Caller } from '../auth/caller.js';
import { verifyUserMfaCode } from '../auth/mfa.js';
import type { AuthorizationRequest } from '../auth/authorize.js';
import { AwsError } from '../errors.js';
import { authorizeOwnPasswordAction, changeOwnPassword } from '../iam/login-profiles.js';
import { signInUserKey, verifyConsolePassword } from '../iam/sign-in.js';
import type { ContextValues, Registry } from '../operation.js';
import type { Db } from '../store/db.js';
import { findLoginProfile, findPasswordPolicy } from '../store/login-profiles.js';
import { listMfaDevicesOf } from '../store/mfa-devices.js';
import { blockedUntil } from '../store/throttles.js';
import type { Keyring } from '../tokens/keyring.js';
import type { SignInPort } from './sign-in-port.js';
import type { ConsoleUser } from './session.js';

export interface StoreSignInDeps {
  readonly db: Db;
  readonly keyring: Keyring;
  readonly registry: Pick<Registry, 'principals' | 'denials'>;
  /** The pipeline's authorize (src/service.ts): policies read through `db`. */
  readonly authorize: (caller: Caller, db: Db, req: AuthorizationRequest) => Promise<void>;
}

/** The console user as a caller, for authorizing what they do in the console (their own policies apply). */
function consoleCaller(accountId: string, user: ConsoleUser): Caller {
  const arn = entityArn(accountId, 'user', user.path, user.name);
  return { accountId, arn, userId: user.id, kind: 'user', user, accessKeyId: '', principal: { type: 'User', arn, account: accountId, id: user.id } };
}

export function storeSignIn(deps: StoreSignInDeps): SignInPort {
  const { db, keyring } = deps;
  return {
    async verifyPassword({ account, userName, password, now, sourceIp }) {
      const r = await verifyConsolePassword(db, {}, { account, userName, password, now, sourceIp: sourceIp ?? 'unknown' });
      if (r.ok) {
        const user = { id: r.user.id, name: r.user.name, path: r.user.path };
        const devices = await listMfaDevicesOf(db, r.accountId, r.user.id);
        const mustChange = r.passwordResetRequired ? ('reset' as const) : r.expired ? ('expired' as const) : undefined;
        return { kind: 'ok', accountId: r.accountId, user, mfaDevice: devices.length > 0, mustChange };
      }
      if (r.reason === 'throttled') return { kind: 'throttled', accountId: r.accountId, userArn: r.user?.arn, until: r.retryAfter ?? new Date(now.getTime() + 60_000) };
      if (r.reason === 'expired' && r.accountId !== undefined && r.user !== undefined) return { kind: 'expired', accountId: r.accountId, user: { id: r.user.id, name: r.user.name, path: r.user.path } };
      return { kind: 'refused', accountId: r.accountId, userArn: r.user?.arn };
    },

    async verifyMfa({ accountId, user, code, now }) {
      // The password step was minutes ago: a profile deleted since (an administrator ending the
      // user's console access) ends this sign-in too, before any code is looked at.
      if (!(await findLoginProfile(db, user.id))) return { kind: 'refused' };
      const r = await verifyUserMfaCode(db, keyring, accountId, user.id, code, now);
      if (r.ok) return { kind: 'ok', serialNumber: r.serial };
      if (r.reason === 'throttled') return { kind: 'throttled', until: r.until };
      return { kind: 'refused' };
    },

    async changePassword({ accountId, user, oldPassword, newPassword, forced, request }) {
      const caller = consoleCaller(accountId, user);
      const arn = caller.arn;
      try {
        if (!forced) {
          const requestFor = (action: string, resource: string, context?: ContextValues): AuthorizationRequest => ({
            action,
            resource,
            ...(context !== undefined ? { context } : {}),
            sourceIp: request.sourceIp ?? '0.0.0.0',
            secureTransport: request.secure,
            now: request.at,
          });
          const ctx = { caller, db, requestFor, authorize: (action: string, resource: string, context?: ContextValues) => deps.authorize(caller, db, requestFor(action, resource, context)) };
          await authorizeOwnPasswordAction(ctx, deps.registry, 'iam:ChangePassword', arn, await findPasswordPolicy(db, accountId));
        }
        await changeOwnPassword(db, {
          accountId,
          user,
          oldPassword,
          newPassword,
          now: request.at,
          audit: { requestId: request.requestId, at: request.at, sourceIp: request.sourceIp, userAgent: request.userAgent, caller },
        });
        return { kind: 'ok' };
      } catch (err) {
        if (!(err instanceof AwsError)) throw err;
        if (err.code === 'PasswordPolicyViolation') return { kind: 'invalid', message: err.message };
        if (err.code === 'LimitExceeded') return { kind: 'throttled', until: (await blockedUntil(db, signInUserKey(accountId, user.name), request.at)) ?? new Date(request.at.getTime() + 60_000) };
        // The old password (changeOwnPassword), or the policies (authorizeOwnPasswordAction).
        if (err.code === 'AccessDenied') return forced || err.message === 'The old password is incorrect.' ? { kind: 'refused' } : { kind: 'denied', message: err.message };
        if (err.code === 'EntityTemporarilyUnmodifiable' || err.code === 'NoSuchEntity') return { kind: 'invalid', message: err.message };
        throw err;
      }
    },
  };
}
