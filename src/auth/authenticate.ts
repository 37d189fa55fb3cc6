/**
 * Request → caller: verify the SigV4 signature with the secret of the access key it names and
 * say who that key belongs to. Long-term keys are looked up once and cached per account (the
 * cache is dropped when the account changes), so the hot path does no database read.
 */
import { AwsError } from '../errors.js';
import { rootArn, entityArn } from '../arn.js';
import { deriveSigningKey, verifyRequest, type AllowedScope, type DeriveSigningKey, type VerifyOptions, type ParsedSignedRequest, type SigV4Identity, type SigV4Request } from '../sigv4/index.js';
import type { Db } from '../store/db.js';
import { findAccessKeyOwner, type AccessKeyOwner } from '../store/access-keys.js';
import type { Keyring } from '../tokens/keyring.js';
import { openSessionToken, type SessionClaims } from '../tokens/session-token.js';
import type { AccountCache } from './account-cache.js';
import type { TokenOpener } from './hot-caches.js';
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
  /** Opens session tokens (a memoising opener from hot-caches.ts; default: open every time). */
  readonly openToken?: TokenOpener | undefined;
  /**
   * False while the database is known to be unreachable (Store.reachable): a key that is not in
   * the cache answers ServiceUnavailable at once instead of waiting for the request deadline.
   */
  readonly available?: (() => boolean) | undefined;
}

export function accessKeyAad(accessKeyId: string): string {
  return `access-key:${accessKeyId}`;
}

function callerOf(owner: AccessKeyOwner): Caller {
  const { accountId, user } = owner;
  const keyDeactivatedAt = owner.deactivatedAt;
  if (!user) {
    return {
      accountId,
      arn: rootArn(accountId),
      userId: accountId,
      kind: 'root',
      accessKeyId: owner.accessKeyId,
      keyDeactivatedAt,
      principal: { type: 'Account', arn: rootArn(accountId), account: accountId },
    };
  }
  const arn = entityArn(accountId, 'user', user.path, user.name);
  return { accountId, arn, userId: user.id, kind: 'user', user, accessKeyId: owner.accessKeyId, keyDeactivatedAt, principal: { type: 'User', arn, account: accountId, id: user.id } };
}

/** The key and its owner, from the cache or the database; undefined if no such key exists. */
export async function lookupKey(deps: AuthenticateDeps, accessKeyId: string): Promise<KnownKey | undefined> {
  const hit = deps.keys.get(accessKeyId);
  if (hit) return hit;
  if (deps.available?.() === false) throw new AwsError('ServiceUnavailable');
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

/** Callers already built for opened (memoised) claims: the same token, the same caller. */
const callers = new WeakMap<SessionClaims, Caller>();

/** The caller a session token describes. */
export function sessionCaller(claims: SessionClaims): Caller {
  let caller = callers.get(claims);
  if (!caller) callers.set(claims, (caller = buildSessionCaller(claims)));
  return caller;
}

function buildSessionCaller(claims: SessionClaims): Caller {
  const base = { accountId: claims.acct, arn: claims.arn, userId: claims.uid, accessKeyId: claims.akid, session: claims };
  if (claims.kind === 'role' && claims.role) {
    const roleArn = entityArn(claims.acct, 'role', claims.role.path, claims.role.name);
    return { ...base, kind: 'assumed-role', role: claims.role, principal: { type: 'AssumedRole', arn: claims.arn, account: claims.acct, parentArn: roleArn, parentId: claims.role.id } };
  }
  const parentArn = claims.user ? entityArn(claims.acct, 'user', claims.user.path, claims.user.name) : rootArn(claims.acct);
  if (claims.kind === 'federated') {
    return { ...base, kind: 'federated-user', user: claims.user, principal: { type: 'FederatedUser', arn: claims.arn, account: claims.acct, parentArn, parentId: claims.user?.id } };
  }
  // GetSessionToken: the same principal as the long-term key's owner.
  return claims.user
    ? { ...base, kind: 'user', user: claims.user, principal: { type: 'User', arn: claims.arn, account: claims.acct, id: claims.user.id } }
    : { ...base, kind: 'root', principal: { type: 'Account', arn: claims.arn, account: claims.acct } };
}

export interface SessionChecks {
  /**
   * Is this session (by `jti`) revoked? Must answer from memory on the hot path: a plain boolean
   * when it knows, a promise only when it has to read.
   */
  readonly revoked?: ((claims: SessionClaims, now: number) => boolean | Promise<boolean>) | undefined;
}

/** The secret a request was signed with, and whose it is. */
interface Found {
  readonly secret: string;
  readonly caller: Caller;
}

/**
 * The steps below answer synchronously when everything they need is in memory, and return a
 * promise only when they read the database: on the hot path a request is authenticated without
 * a chain of async calls, each a promise and a trip through the microtask queue.
 */
type Maybe<T> = T | Promise<T>;

/**
 * Temporary credentials: the token must open, belong to the request's key id, not be expired,
 * and the long-term key its chain started from must still exist, be active, and not have been
 * deactivated since the session was issued (deactivating or deleting that key ends every session
 * derived from it, as the spec asks, and reactivating it brings none of them back).
 */
function sessionSecret(deps: AuthenticateDeps, checks: SessionChecks, accessKeyId: string, token: string, now: number): Maybe<Found | undefined> {
  const claims = deps.openToken ? deps.openToken(token, accessKeyId) : openSessionToken(deps.keyring, token);
  if (!claims || claims.akid !== accessKeyId) return undefined;
  if (claims.exp * 1000 <= now) throw new AwsError('ExpiredToken', 'The security token included in the request is expired');
  return sessionOrigin(deps, checks, claims, now);
}

/** The unexpired session's origin checks: its source key (or other origin), then revocation. */
function sessionOrigin(deps: AuthenticateDeps, checks: SessionChecks, claims: SessionClaims, now: number): Maybe<Found | undefined> {
  // A chain that began with a web identity or a SAML sign-in has no key behind it, nor does one
  // that began with a console password sign-in (`con`: the IAM user's own session, or a role
  // session chained from it): a token with none of them is refused.
  if (claims.src === undefined) {
    const federated = (claims.wi !== undefined || claims.saml !== undefined) && claims.kind === 'role';
    const console = claims.con !== undefined && ((claims.kind === 'session' && claims.user !== undefined) || claims.kind === 'role');
    return federated || console ? notRevoked(checks, claims, now) : undefined;
  }
  const src = claims.src;
  const cached = deps.keys.get(src);
  if (cached === undefined) return lookupKey(deps, src).then((source) => sessionFrom(checks, claims, source, now));
  return sessionFrom(checks, claims, cached, now);
}

/**
 * The checks authenticate() makes on a session, for credentials presented outside a signed
 * request (the federation endpoint, the console): the token's claims must not be expired, their
 * source key must still be active and not deactivated since, and the session not revoked. The
 * session's caller, or undefined.
 */
export async function checkSession(deps: AuthenticateDeps, checks: SessionChecks, claims: SessionClaims, now: number): Promise<Caller | undefined> {
  if (claims.exp * 1000 <= now) return undefined;
  const found = await sessionOrigin(deps, checks, claims, now);
  return found?.caller;
}

function sessionFrom(checks: SessionChecks, claims: SessionClaims, source: KnownKey | undefined, now: number): Maybe<Found | undefined> {
  if (!source || source.owner.status !== 'Active' || source.owner.accountId !== claims.srcAcct) return undefined;
  // The key's last deactivation as the session was issued must still be its last: a marker, not a
  // clock comparison, so a session issued in the same millisecond as a deactivation, on a node
  // whose clock is off, or by a node that had not heard of the deactivation yet, is refused too,
  // and one issued right after a reactivation is not. Two numbers (or undefined) compared.
  if (source.owner.deactivatedAt !== claims.srcOff) return undefined;
  return notRevoked(checks, claims, now);
}

function notRevoked(checks: SessionChecks, claims: SessionClaims, now: number): Maybe<Found | undefined> {
  const revoked = checks.revoked?.(claims, now) ?? false;
  if (revoked instanceof Promise) return revoked.then((r) => (r ? undefined : { secret: claims.sk, caller: sessionCaller(claims) }));
  return revoked ? undefined : { secret: claims.sk, caller: sessionCaller(claims) };
}

/**
 * Verify the request: sigv4's verifyRequest() (the steps AWS's test vectors run through
 * verify()) with this node's key lookup. Inactive keys answer like unknown ones
 * (InvalidClientTokenId), as AWS does. An `ASIA` key needs its session token and a token needs
 * its `ASIA` key.
 */
export async function authenticate(
  deps: AuthenticateDeps,
  req: SigV4Request,
  now: number,
  allowed: AllowedScope,
  signingKeys: typeof deriveSigningKey = deriveSigningKey,
  checks: SessionChecks = {},
): Promise<Authenticated> {
  const verifying = verifyRequest(req, new KeyLookup(deps, checks, now, allowed, signingKeys));
  const { identity, signer } = verifying instanceof Promise ? await verifying : verifying;
  return { caller: signer.caller, identity };
}

/**
 * verifyRequest()'s options for one request, the lookup a method: measured about 0.4 µs a request
 * cheaper than a literal with a closure over the same values.
 */
class KeyLookup implements VerifyOptions<Found> {
  constructor(
    private readonly deps: AuthenticateDeps,
    private readonly checks: SessionChecks,
    readonly now: number,
    readonly allowed: AllowedScope,
    readonly deriveKey: DeriveSigningKey,
  ) {}

  lookupSigner(parsed: ParsedSignedRequest): Maybe<Found | undefined> {
    return secretFor(this.deps, this.checks, parsed, this.now);
  }
}

/** The secret that signed the request and whose it is; undefined for unknown or unusable keys. */
function secretFor(deps: AuthenticateDeps, checks: SessionChecks, parsed: ParsedSignedRequest, now: number): Maybe<Found | undefined> {
  const temporary = parsed.accessKeyId.startsWith('ASIA');
  if (temporary !== (parsed.securityToken !== undefined)) return undefined;
  if (parsed.securityToken !== undefined) return sessionSecret(deps, checks, parsed.accessKeyId, parsed.securityToken, now);
  const cached = deps.keys.get(parsed.accessKeyId);
  if (cached === undefined) return lookupKey(deps, parsed.accessKeyId).then(activeKey);
  return activeKey(cached);
}

function activeKey(known: KnownKey | undefined): Found | undefined {
  return known && known.owner.status === 'Active' ? known : undefined;
}
