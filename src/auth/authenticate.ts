/**
 * Request → caller: verify the SigV4 signature with the secret of the access key it names and
 * say who that key belongs to. Long-term keys are looked up once and cached per account (the
 * cache is dropped when the account changes), so the hot path does no database read.
 */
import { AwsError } from '../errors.js';
import { rootArn, entityArn } from '../iam/arns.js';
import { deriveSigningKey, verify, type AllowedScope, type SigV4Identity, type SigV4Request } from '../sigv4/index.js';
import type { Db } from '../store/db.js';
import { findAccessKeyOwner, type AccessKeyOwner } from '../store/credentials.js';
import type { Keyring } from '../tokens/keyring.js';
import type { AccountCache } from './account-cache.js';
import type { Caller } from './caller.js';

export interface KnownKey {
  readonly owner: AccessKeyOwner;
  /** The opened secret (kept only in memory, never logged). */
  readonly secret: string;
  readonly caller: Caller;
}

export interface AuthenticateDeps {
  readonly db: Db;
  readonly keyring: Keyring;
  readonly keys: AccountCache<KnownKey>;
}

export function accessKeyAad(accessKeyId: string): string {
  return `access-key:${accessKeyId}`;
}

function callerOf(owner: AccessKeyOwner): Caller {
  const { accountId, user } = owner;
  if (!user) {
    return {
      accountId,
      arn: rootArn(accountId),
      userId: accountId,
      kind: 'root',
      accessKeyId: owner.accessKeyId,
      principal: { type: 'Account', arn: rootArn(accountId), account: accountId },
    };
  }
  const arn = entityArn(accountId, 'user', user.path, user.name);
  return { accountId, arn, userId: user.id, kind: 'user', user, accessKeyId: owner.accessKeyId, principal: { type: 'User', arn, account: accountId } };
}

/** The key and its owner, from the cache or the database; undefined if no such key exists. */
export async function lookupKey(deps: AuthenticateDeps, accessKeyId: string): Promise<KnownKey | undefined> {
  const hit = deps.keys.get(accessKeyId);
  if (hit) return hit;
  const epoch = deps.keys.epoch;
  const owner = await findAccessKeyOwner(deps.db, accessKeyId);
  if (!owner) return undefined;
  const secret = deps.keyring.open(owner.secretSealed, accessKeyAad(accessKeyId));
  // A secret we cannot open (sealed under a key no longer in keys/) is as good as no key.
  if (!secret) return undefined;
  const known: KnownKey = { owner, secret: secret.toString('utf8'), caller: callerOf(owner) };
  deps.keys.set(accessKeyId, owner.accountId, known, epoch);
  return known;
}

export interface Authenticated {
  readonly caller: Caller;
  readonly identity: SigV4Identity;
}

/**
 * Verify the request. Inactive keys answer like unknown ones (InvalidClientTokenId), as AWS
 * does. Temporary credentials (a session token, or an `ASIA` key) are not issued yet: they are
 * refused as unknown rather than accepted unchecked.
 */
export async function authenticate(
  deps: AuthenticateDeps,
  req: SigV4Request,
  now: number,
  allowed: AllowedScope,
  signingKeys: typeof deriveSigningKey = deriveSigningKey,
): Promise<Authenticated> {
  let known: KnownKey | undefined;
  const identity = await verify(req, {
    now,
    allowed,
    deriveKey: signingKeys,
    lookupSecret: async (parsed) => {
      if (parsed.securityToken !== undefined || parsed.accessKeyId.startsWith('ASIA')) return undefined;
      known = await lookupKey(deps, parsed.accessKeyId);
      if (!known || known.owner.status !== 'Active') return undefined;
      return known.secret;
    },
  });
  if (!known) throw new AwsError('InvalidClientTokenId');
  return { caller: known.caller, identity };
}
