/**
 * One AWS Query request, as an ordered list of named steps (in the manner of node-oidc-provider's
 * endpoints): read → decode → authenticate → validate → authorize → handle (+ audit) → render.
 * Every failure is an AwsError rendered as AWS's XML; anything else is InternalFailure, logged
 * with its cause and never shown.
 *
 * Audit (src/audit/events.ts says what is recorded and why): IAM mutations write their event
 * inside the transaction of the change and credential issuances before the credentials are
 * rendered, so neither happens unaudited; AccessDenied answers write theirs after the fact.
 */
import { AccountCache } from '../auth/account-cache.js';
import type { AwsManagedSessionPolicies } from '../auth/aws-managed-session-policies.js';
import { authenticate, type AuthenticateDeps, type Authenticated, type KnownKey, type SessionChecks } from '../auth/authenticate.js';
import type { TokenOpener } from '../auth/hot-caches.js';
import type { TrustedProxies } from './forwarded.js';
import { revocationCheck, type RevokedCache } from '../auth/revocation.js';
import { auditRow, recordDenied, type AuditRequest } from '../audit/events.js';
import { issuanceDetails, issuanceResource, issuedClaims, issuesCredentials } from '../audit/issuance.js';
import { redact } from '../audit/redact.js';
import { accessDenied, authorize, callerContext, deniedReason, principalFor, type AuthorizationRequest, type AuthorizeDeps, type CompiledPrincipal, type FailureMessages } from '../auth/authorize.js';
import { checkCredentialType } from '../auth/credential-type.js';
import type { Caller } from '../auth/caller.js';
import { AwsError, toAwsError } from '../errors.js';
import type { Logger } from '../log.js';
import type { ContextValues, OperationContext, OperationDef, ResourceContext } from '../operation.js';
import { createRequestContext, type Decision, type PolicyCache, type RequestContext } from '../policy/index.js';
import { deriveSigningKey, type AllowedScope, type DeriveSigningKey, type SigV4Request } from '../sigv4/index.js';
import { insertAuditEvents, type AuditAppender, type AuditRow } from '../store/audit.js';
import { findRoleByArnParts, type AssumableRole, type RoleRef } from '../store/sts-lookups.js';
import {
  checkParams,
  decodeForm,
  namespaceFor,
  parseQuery,
  renderError,
  renderResult,
  resolveOperation,
  validateInput,
  type Operation,
  type Param,
  type RenderedResponse,
  type Services,
} from '../protocol/index.js';
import type { Db, Deadline, Store } from '../store/db.js';
import type { Keyring } from '../tokens/keyring.js';
import type { SessionClaims } from '../tokens/session-token.js';
import type { RawRequest } from './raw-request.js';

export interface QueryDeps {
  readonly store: Store;
  readonly keyring: Keyring;
  /** How AccessDenied answers read: AWS's text alone, or with the encoded details (AUTHORIZATION_FAILURE_MESSAGES). */
  readonly failureMessages: FailureMessages;
  readonly services: Services;
  /** Handlers by `Version:Action`, e.g. `2010-05-08:CreateUser`. */
  readonly operations: ReadonlyMap<string, OperationDef>;
  readonly policyCache: PolicyCache;
  /** The AWS managed policies this node ships, compiled on first use (session policy references). */
  readonly awsManagedPolicies: AwsManagedSessionPolicies;
  readonly caches: Caches;
  /** Where audit events outside any transaction go (issuances, denials), batched per commit. */
  readonly audit: AuditAppender;
  readonly allowedRegions: readonly string[] | undefined;
  /** Set when TRUSTED_PROXIES names any: where a proxied request really came from. */
  readonly trustedProxies?: TrustedProxies | undefined;
  readonly clock: () => number;
  readonly logger: Logger;
  /** Per-request cryptography memoised (src/auth/hot-caches.ts); defaults recompute every time. */
  readonly signingKeys?: DeriveSigningKey | undefined;
  readonly openToken?: TokenOpener | undefined;
  /** See OperationContext.recentlyDone; `now` in ms. */
  readonly recentlyDone?: ((key: string, intervalMs: number, now: number) => boolean) | undefined;
  /** Called when a key was used, at most once a minute per key (GetAccessKeyLastUsed). */
  readonly keyUsed?: ((accessKeyId: string, at: Date, service: string, region: string) => void) | undefined;
  /**
   * REQUEST_DEADLINE_MS: a request still waiting (for the database) this long after it started
   * answers ServiceUnavailable, and its write transaction is rolled back instead of committed.
   * Undefined: no deadline.
   */
  readonly requestDeadlineMs?: number | undefined;
}

export interface Caches {
  readonly keys: AccountCache<KnownKey>;
  readonly principals: AccountCache<CompiledPrincipal>;
  /** Per account: the jtis of its revoked, unexpired sessions (src/auth/revocation.ts). */
  readonly revoked: RevokedCache;
  /** Roles as AssumeRole reads them (with their tags), by account and lower-cased name, in the role's account. */
  readonly roles: AccountCache<AssumableRole>;
}

/** `coherent`: whether this node currently hears every change (Store.coherent). */
export function createCaches(coherent: () => boolean = () => true): Caches {
  return {
    keys: new AccountCache(10_000, coherent),
    principals: new AccountCache(10_000, coherent),
    revoked: new AccountCache(10_000, coherent),
    roles: new AccountCache(10_000, coherent),
  };
}

export function invalidate(caches: Caches, accountId: string | undefined): void {
  caches.keys.invalidate(accountId);
  caches.principals.invalidate(accountId);
  caches.revoked.invalidate(accountId);
  caches.roles.invalidate(accountId);
}

export interface QueryOutcome {
  readonly response: RenderedResponse;
  /** For the access log: never secrets. */
  readonly action: string | undefined;
  readonly caller: string | undefined;
  readonly accessKeyId: string | undefined;
  /** The error code, when the call failed. */
  readonly code: string | undefined;
}

/** The scopes a request may be signed for, one object per service and region list (not one per request). */
const scopes = new WeakMap<readonly string[] | typeof NO_REGIONS, Map<string, AllowedScope>>();
const NO_REGIONS = Object.freeze([]) as readonly string[];

function allowedScope(service: string, regions: readonly string[] | undefined): AllowedScope {
  const byRegions = regions ?? NO_REGIONS;
  let byService = scopes.get(byRegions);
  if (!byService) scopes.set(byRegions, (byService = new Map()));
  let scope = byService.get(service);
  if (!scope) byService.set(service, (scope = { services: [service], ...(regions ? { regions } : {}) }));
  return scope;
}

/**
 * Step 2 of the pipeline: the request's signature for the service `signingName`, checked with
 * every cache this node keeps (keys, opened tokens, signing keys, revoked sessions). A revoked
 * session answers like an unknown one (InvalidClientTokenId), from memory.
 */
export function authenticateRequest(deps: QueryDeps, sig: SigV4Request, now: number, signingName: string): Promise<Authenticated> {
  const wired = authWiring(deps);
  return authenticate(wired.deps, sig, now, allowedScope(signingName, deps.allowedRegions), deps.signingKeys ?? deriveSigningKey, wired.checks);
}

/** What authenticate() is given, made once per service rather than once per request. */
const wirings = new WeakMap<QueryDeps, { readonly deps: AuthenticateDeps; readonly checks: SessionChecks }>();

function authWiring(deps: QueryDeps): { readonly deps: AuthenticateDeps; readonly checks: SessionChecks } {
  let wired = wirings.get(deps);
  if (!wired) {
    wired = {
      deps: { db: deps.store.db, keyring: deps.keyring, keys: deps.caches.keys, openToken: deps.openToken, available: () => deps.store.reachable() },
      checks: { revoked: revocationCheck(deps.store.db, deps.caches.revoked) },
    };
    wirings.set(deps, wired);
  }
  return wired;
}

/** Which signing name (credential scope service) each API version is called with. */
const SIGNING_NAME: Record<string, string> = { '2010-05-08': 'iam', '2011-06-15': 'sts' };

function param(params: readonly Param[], name: string): string | undefined {
  return params.find(([n]) => n === name)?.[1];
}

/** What a denial is about: the action, and the resource when known. */
interface Attempt {
  readonly action: string;
  readonly resource: string | undefined;
}

/** The condition keys one evaluation used (AssumeRole's trust decision), for the denial that reports it. */
interface Evaluated {
  readonly action: string;
  readonly resource: string;
  readonly values: ContextValues;
}

export function handleQuery(deps: QueryDeps, raw: RawRequest, requestId: string): Promise<QueryOutcome> {
  const call = new QueryCall(deps, raw, requestId);
  const ms = deps.requestDeadlineMs;
  return ms === undefined ? call.run() : call.runWithin(ms);
}

/**
 * One request's state as it goes through the steps. A class rather than closures: the request
 * path runs once per call, and its helpers live on the prototype instead of being made anew.
 */
class QueryCall implements Deadline {
  params: Param[] = [];
  /** Set when the request deadline passed: the call has answered ServiceUnavailable, its transaction must not commit. */
  expired = false;
  caller: Caller | undefined;
  action: string | undefined;
  /** The last authorization asked for (the action and resource a denial is about). */
  attempted: Attempt | undefined;
  /** The operation and input whose own resource a handler-decided denial is about (AssumeRole: the role). */
  target: { readonly def: OperationDef; readonly input: Record<string, unknown>; readonly ctx: ResourceContext } | undefined;
  /** The condition keys a handler that decides for itself last evaluated with. */
  evaluated: Evaluated | undefined;
  requestAt: Date;
  now: number;

  constructor(
    readonly deps: QueryDeps,
    readonly raw: RawRequest,
    readonly requestId: string,
  ) {
    this.now = deps.clock();
    this.requestAt = new Date(this.now);
  }

  auditOf(who: Caller | undefined, at: Date): AuditRequest {
    return { requestId: this.requestId, at, sourceIp: this.raw.sourceIp, userAgent: this.raw.userAgent, caller: who };
  }

  requestFor(action: string, resource: string, context?: ContextValues): AuthorizationRequest {
    return { action, resource, now: this.requestAt, sourceIp: this.raw.sourceIp, secureTransport: this.raw.secureTransport, ...(context ? { context } : {}) };
  }

  authzDeps(db: Db): AuthorizeDeps {
    const { deps } = this;
    return { db, policyCache: deps.policyCache, awsManagedPolicies: deps.awsManagedPolicies, principals: deps.caches.principals, keyring: deps.keyring, failureMessages: deps.failureMessages };
  }

  /**
   * Authorize `who` for an action. Inside a write transaction, policy reads go through the
   * transaction's handle: PGlite has one connection, and a read on another handle would wait for
   * the transaction forever.
   */
  async authorizeAs(who: Caller, db: Db, action: string, resource: string, context?: ContextValues): Promise<void> {
    // While it is decided, a denial is about this action; once allowed, about the call again.
    const previous = this.attempted;
    this.attempted = { action, resource };
    await authorize(this.authzDeps(db), who, this.requestFor(action, resource, context));
    this.attempted = previous;
  }

  async run(): Promise<QueryOutcome> {
    try {
      return await this.steps();
    } catch (err) {
      return this.failed(err);
    }
  }

  /**
   * run(), answered ServiceUnavailable if it has not finished within `ms`. The work goes on in the
   * background until the database answers or fails, but a write transaction is rolled back
   * instead of committed (Store.tx with this call as its deadline). One timer per request: Node
   * keeps timers of one duration in one list, so arming and clearing it is O(1).
   */
  runWithin(ms: number): Promise<QueryOutcome> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.expired = true;
        resolve(this.timedOut(ms));
      }, ms);
      this.run().then(
        (outcome) => {
          clearTimeout(timer);
          // The late end of a call already answered 503, with how it ended: "ok" is a write that
          // committed anyway (its COMMIT was on the wire); an error code, one that rolled back.
          if (this.expired) this.deps.logger.warn('finished after the request deadline', { requestId: this.requestId, action: this.action, outcome: outcome.code ?? 'ok' });
          else resolve(outcome);
        },
        (err: unknown) => {
          clearTimeout(timer);
          // As without a deadline: the caller renders InternalFailure (and logs it); once answered, only logged.
          if (this.expired) this.deps.logger.error('unexpected failure', { requestId: this.requestId, error: describe(err) });
          else reject(err);
        },
      );
    });
  }

  /** The answer of a call that ran out of time: ServiceUnavailable, retryable, as AWS's 503. */
  timedOut(ms: number): QueryOutcome {
    const { caller } = this;
    this.deps.logger.warn('database unavailable', { requestId: this.requestId, error: { name: 'DeadlineExceeded', ms } });
    return {
      response: renderError(new AwsError('ServiceUnavailable'), this.requestId, namespaceFor(this.deps.services, this.params)),
      action: this.action,
      caller: caller?.arn,
      accessKeyId: caller?.accessKeyId,
      code: 'ServiceUnavailable',
    };
  }

  async steps(): Promise<QueryOutcome> {
    const { deps, raw } = this;
    // 1. decode: the form body (POST) or the query string (GET), never both at once.
    const params = (this.params = decodeParams(raw));
    checkParams(params);
    const action = (this.action = param(params, 'Action'));
    const { service, operation } = resolveOperation(deps.services, action, param(params, 'Version'));
    const def = deps.operations.get(`${service.apiVersion}:${operation.name}`);

    // 2. authenticate: the signature must be for this service.
    const reachable = deps.store.reachable();
    const now = deps.clock();
    this.now = now;
    this.requestAt = new Date(now);
    const signingName = SIGNING_NAME[service.apiVersion] ?? service.serviceId.toLowerCase();
    const auth = await authenticateRequest(deps, raw.sig, now, signingName);
    const caller = (this.caller = auth.caller);
    // Last use is recorded on the long-term key (a session's is the key its chain started from).
    deps.keyUsed?.(caller.session?.src ?? caller.accessKeyId, this.requestAt, signingName, auth.identity.region);
    this.attempted = { action: def?.action ?? `${signingName}:${operation.name}`, resource: undefined };
    checkCredentialType(caller, signingName === 'iam' ? 'iam' : 'sts', operation.name);

    // While the database is unreachable the caches may be missing changes made through other
    // nodes: only what needs no database is answered from them (Store.reachable), once the
    // signature is checked; the rest answers ServiceUnavailable at once. Checked as it was before
    // authentication too: a key taken from the caches just before they were dropped is stale.
    if (!def?.offline && !(reachable && deps.store.reachable())) throw new AwsError('ServiceUnavailable');

    // 3. validate the parameters against the operation's shape.
    const input = parseQuery(operation.input, params, { checked: true });
    validateInput(operation.input, input);
    if (!def) throw new AwsError('InvalidAction', `The action ${operation.name} is not implemented by this service.`);

    // 4. authorize the action on the resource AWS uses for it.
    const resourceCtx: ResourceContext = { db: deps.store.db, accountId: caller.accountId, caller };
    this.target = { def, input, ctx: resourceCtx };
    let authorizedResource: string | undefined;
    if ((def.authorization ?? 'resource') === 'resource') {
      authorizedResource = await def.resource(input, resourceCtx);
      await this.authorizeAs(caller, deps.store.db, def.action, authorizedResource, await def.context?.(input, resourceCtx));
    }
    this.attempted = { action: def.action, resource: authorizedResource };

    // 5. handle: writes in one transaction that also tells every node the account changed.
    // Mutations run in one transaction with their audit event: no event, no change. An issuance
    // that changes nothing stored (the token is self-contained) runs outside any transaction, as
    // every read-only call does (its handler may read through handles other than ctx.db, which
    // must not wait on a transaction held open around it: PGlite has one connection); its event
    // is written before the credentials are rendered, so credentials that could not be audited are
    // never handed out. An issuing operation that also writes gets both in its transaction.
    const issuance = issuesCredentials(operation.output);
    let result: unknown;
    if (def.write) {
      result = await deps.store.tx(async (t) => {
        const r = await def.handle(input, new HandlerContext(this, t, caller, auth.identity.region));
        await insertAuditEvents(t, this.eventsFor(def, operation, input, authorizedResource, issuance, r));
        await deps.store.announce(t, caller.accountId);
        return r;
      }, this);
      invalidate(deps.caches, caller.accountId); // read-your-writes on this node, before we answer
    } else {
      result = await def.handle(input, new HandlerContext(this, deps.store.db, caller, auth.identity.region));
      if (issuance) await deps.audit.append(this.eventsFor(def, operation, input, authorizedResource, issuance, result));
    }

    // 6. render.
    return { response: renderResult(operation, service.xmlNamespace, result, this.requestId), action, caller: caller.arn, accessKeyId: caller.accessKeyId, code: undefined };
  }

  /** The audit events of a call that went through: the issuance's, or the mutation's. */
  eventsFor(def: OperationDef, operation: Operation, input: unknown, resource: string | undefined, issuance: boolean, result: unknown): AuditRow[] {
    const audit = this.auditOf(this.caller, this.requestAt);
    const claims = issuance ? issuedClaims(this.deps.keyring, result) : undefined;
    if (claims) return issuanceEvents(audit, def.action, operation, input, claims);
    return def.write ? [mutationEvent(audit, def.action, resource, operation, input, result)] : [];
  }

  async failed(err: unknown): Promise<QueryOutcome> {
    const { deps, caller, attempted } = this;
    const aws = err instanceof AwsError ? err : unexpected(deps.logger, err, this.requestId);
    // A refused call by an authenticated caller (src/audit/events.ts: failed authentication is not recorded).
    if (aws.code === 'AccessDenied' && caller && attempted) {
      const target = this.target;
      const resource = attempted.resource ?? (target ? await Promise.resolve(target.def.resource(target.input, target.ctx)).catch(() => undefined) : undefined);
      const row = auditRow(this.auditOf(caller, this.requestAt), { action: attempted.action, resource, decision: 'deny', errorCode: aws.code, details: { message: deniedReason(aws.message) } });
      await recordDenied(deps.audit, deps.logger, row);
    }
    return {
      response: renderError(aws, this.requestId, namespaceFor(deps.services, this.params)),
      action: this.action,
      caller: caller?.arn,
      accessKeyId: caller?.accessKeyId,
      code: aws.code,
    };
  }
}

/** What a handler gets: the call's facts, and the authorization helpers bound to its caller and database handle. */
class HandlerContext implements OperationContext {
  readonly accountId: string;
  readonly now: Date;
  readonly requestId: string;
  readonly keyring: Keyring;
  readonly policyCache: PolicyCache;
  readonly awsManagedPolicies: AwsManagedSessionPolicies;
  readonly sourceIp: string;

  constructor(
    private readonly call: QueryCall,
    readonly db: Db,
    readonly caller: Caller,
    readonly region: string,
  ) {
    this.accountId = caller.accountId;
    this.now = call.requestAt;
    this.requestId = call.requestId;
    this.keyring = call.deps.keyring;
    this.policyCache = call.deps.policyCache;
    this.awsManagedPolicies = call.deps.awsManagedPolicies;
    this.sourceIp = call.raw.sourceIp;
  }

  authorize(action: string, resource: string, context?: ContextValues): Promise<void> {
    return this.call.authorizeAs(this.caller, this.db, action, resource, context);
  }

  principal(): Promise<CompiledPrincipal> {
    return principalFor(this.call.authzDeps(this.db), this.caller);
  }

  conditionContext(principal: CompiledPrincipal, action: string, resource: string, extra?: ContextValues): RequestContext {
    const values = callerContext(this.caller, principal.tags, this.call.requestFor(action, resource, extra));
    this.call.evaluated = { action, resource, values };
    return createRequestContext(values);
  }

  denied(action: string, resource: string, decision: Decision): Error {
    const { call } = this;
    call.attempted = { action, resource };
    const req = call.requestFor(action, resource);
    const evaluated = call.evaluated;
    const values = evaluated?.action === action && evaluated.resource === resource ? evaluated.values : callerContext(this.caller, {}, req);
    return accessDenied(call.deps, this.caller, req, decision, values);
  }

  async findRole(ref: RoleRef): Promise<AssumableRole | undefined> {
    const { deps } = this.call;
    // Inside a transaction, read what the transaction sees; outside, from the account's cache.
    if (this.db !== deps.store.db) return findRoleByArnParts(this.db, ref);
    const cache = deps.caches.roles;
    const key = `${ref.accountId}:${ref.name.toLowerCase()}`;
    const hit = cache.get(key);
    // Cached by the unique (account, lower-cased name); the exact-case match on name and path is redone on every call.
    if (hit) return hit.name === ref.name && hit.path === ref.path ? hit : undefined;
    const epoch = cache.epoch;
    const row = await findRoleByArnParts(this.db, { ...ref, exact: false });
    if (row) cache.set(key, row.accountId, row, epoch);
    return row && row.name === ref.name && row.path === ref.path ? row : undefined;
  }

  recentlyDone(key: string, intervalMs: number): boolean {
    return this.call.deps.recentlyDone?.(key, intervalMs, this.call.now) ?? false;
  }
}

/** A mutation's event: the request and response as CloudTrail keeps them, secrets hidden. */
function mutationEvent(audit: AuditRequest, action: string, resource: string | undefined, operation: Operation, input: unknown, result: unknown): AuditRow {
  const request = redact(operation.input, input);
  const response = redact(operation.output, result);
  const details: Record<string, unknown> = {};
  if (request !== undefined && Object.keys(request as object).length > 0) details['request'] = request;
  if (response !== undefined && Object.keys(response as object).length > 0) details['response'] = response;
  return auditRow(audit, { action, resource, decision: 'allow', details });
}

/**
 * An issuance's events: in the caller's trail, and also in the session's account's when that is
 * another (a cross-account AssumeRole), so the role's owner can find, and revoke, the session.
 */
function issuanceEvents(audit: AuditRequest, action: string, operation: Operation, input: unknown, claims: SessionClaims): AuditRow[] {
  const request = redact(operation.input, input);
  const details = { ...issuanceDetails(claims), ...(request !== undefined && Object.keys(request as object).length > 0 ? { request } : {}) };
  const facts = { action, resource: issuanceResource(claims), decision: 'allow' as const, details };
  const rows = [auditRow(audit, facts)];
  if (audit.caller && audit.caller.accountId !== claims.acct) rows.push(auditRow(audit, { ...facts, accountId: claims.acct }));
  return rows;
}

function decodeParams(raw: RawRequest): Param[] {
  const method = raw.sig.method.toUpperCase();
  if (method === 'POST') return decodeForm(raw.sig.body);
  if (method === 'GET') return decodeForm(raw.sig.query);
  throw new AwsError('InvalidAction', `The HTTP method ${method.slice(0, 16)} is not supported; use POST or GET.`);
}

/** A database that cannot be reached is temporary (ServiceUnavailable); anything else is our bug. */
function unexpected(logger: Logger, err: unknown, requestId: string): AwsError {
  if (isConnectionError(err)) {
    logger.warn('database unavailable', { requestId, error: describe(err) });
    return new AwsError('ServiceUnavailable');
  }
  logger.error('unexpected failure', { requestId, error: describe(err) });
  return toAwsError(err);
}

/**
 * Errors that mean "the database is not there right now", not "our bug": network errors, the
 * driver's connection errors, and SQLSTATE classes 08 (connection exception), 53 (insufficient
 * resources, e.g. 53300 too many connections) and 57P (operator intervention: shutdown, crash),
 * plus 55000 (not accepting connections), 3D000 (the database does not exist) and 57014 (canceled).
 */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH',
  'CONNECT_TIMEOUT', 'CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED',
  '55000', '3D000',
  // query_canceled: statement_timeout (a statement outlived the request deadline), or a
  // transaction rolled back because its deadline passed (DeadlineExceeded).
  '57014',
]);

function isConnectionError(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code !== 'string') continue;
    if (CONNECTION_CODES.has(code) || /^(?:08|53)[0-9A-Z]{3}$|^57P[0-9A-Z]{2}$/.test(code)) return true;
  }
  return false;
}

/** The error's class, message and stack: our own text, never request data. */
function describe(err: unknown): Record<string, unknown> {
  // The database's own error may quote the value it refused (`invalid input syntax for type
  // integer: "…"`), which may be a sealed secret: keep its SQLSTATE and where, never its text.
  const sqlState = (err as { code?: unknown } | undefined)?.code;
  if (err instanceof Error && typeof sqlState === 'string' && /^[0-9A-Z]{5}$/.test(sqlState)) {
    const { table, constraint } = err as { table?: unknown; constraint?: unknown };
    return { name: err.name, code: sqlState, ...(typeof table === 'string' ? { table } : {}), ...(typeof constraint === 'string' ? { constraint } : {}) };
  }
  // drizzle's query errors put the statement's parameters in their message: keep only the cause.
  if (err instanceof Error && 'params' in err) return { name: err.name, cause: describe(err.cause) };
  if (err instanceof Error) return { name: err.name, message: err.message, stack: err.stack };
  return { value: String(err) };
}
