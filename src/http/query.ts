/**
 * One AWS Query request, as an ordered list of named steps (in the manner of node-oidc-provider's
 * endpoints): read → decode → authenticate → validate → authorize → handle → render. Every
 * failure is an AwsError rendered as AWS's XML; anything else is InternalFailure, logged with
 * its cause and never shown.
 */
import { AccountCache } from '../auth/account-cache.js';
import { authenticate, type KnownKey } from '../auth/authenticate.js';
import { accessDeniedMessage, authorize, callerContext, principalFor, type AuthorizationRequest, type CompiledPrincipal } from '../auth/authorize.js';
import { checkCredentialType } from '../auth/credential-type.js';
import type { Caller } from '../auth/caller.js';
import { AwsError, toAwsError } from '../errors.js';
import type { Logger } from '../log.js';
import type { ContextValues, OperationContext, OperationDef } from '../operation.js';
import { createRequestContext, type PolicyCache } from '../policy/index.js';
import {
  checkParams,
  decodeForm,
  namespaceFor,
  parseQuery,
  renderError,
  renderResult,
  resolveOperation,
  validateInput,
  type Param,
  type RenderedResponse,
  type Services,
} from '../protocol/index.js';
import type { Store } from '../store/db.js';
import type { Keyring } from '../tokens/keyring.js';
import type { RawRequest } from './raw-request.js';

export interface QueryDeps {
  readonly store: Store;
  readonly keyring: Keyring;
  readonly services: Services;
  /** Handlers by `Version:Action`, e.g. `2010-05-08:CreateUser`. */
  readonly operations: ReadonlyMap<string, OperationDef>;
  readonly policyCache: PolicyCache;
  readonly caches: Caches;
  readonly allowedRegions: readonly string[] | undefined;
  readonly clock: () => number;
  readonly logger: Logger;
  /** Called when a key was used, at most once a minute per key (GetAccessKeyLastUsed). */
  readonly keyUsed?: ((accessKeyId: string, at: Date, service: string, region: string) => void) | undefined;
}

export interface Caches {
  readonly keys: AccountCache<KnownKey>;
  readonly principals: AccountCache<CompiledPrincipal>;
}

/** `coherent`: whether this node currently hears every change (Store.coherent). */
export function createCaches(coherent: () => boolean = () => true): Caches {
  return { keys: new AccountCache(10_000, coherent), principals: new AccountCache(10_000, coherent) };
}

export function invalidate(caches: Caches, accountId: string | undefined): void {
  caches.keys.invalidate(accountId);
  caches.principals.invalidate(accountId);
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

/** Which signing name (credential scope service) each API version is called with. */
const SIGNING_NAME: Record<string, string> = { '2010-05-08': 'iam', '2011-06-15': 'sts' };

function param(params: readonly Param[], name: string): string | undefined {
  return params.find(([n]) => n === name)?.[1];
}

export async function handleQuery(deps: QueryDeps, raw: RawRequest, requestId: string): Promise<QueryOutcome> {
  let params: Param[] = [];
  let caller: Caller | undefined;
  let action: string | undefined;
  try {
    // 1. decode: the form body (POST) or the query string (GET), never both at once.
    params = decodeParams(raw);
    checkParams(params);
    action = param(params, 'Action');
    const { service, operation } = resolveOperation(deps.services, action, param(params, 'Version'));
    const def = deps.operations.get(`${service.apiVersion}:${operation.name}`);

    // 2. authenticate: the signature must be for this service.
    const now = deps.clock();
    const signingName = SIGNING_NAME[service.apiVersion] ?? service.serviceId.toLowerCase();
    const auth = await authenticate(
      { db: deps.store.db, keyring: deps.keyring, keys: deps.caches.keys },
      raw.sig,
      now,
      { services: [signingName], ...(deps.allowedRegions ? { regions: deps.allowedRegions } : {}) },
    );
    caller = auth.caller;
    // Last use is recorded on the long-term key (a session's is the key its chain started from).
    deps.keyUsed?.(caller.session?.src ?? caller.accessKeyId, new Date(now), signingName, auth.identity.region);
    checkCredentialType(caller, signingName === 'iam' ? 'iam' : 'sts', operation.name);

    // 3. validate the parameters against the operation's shape.
    const input = parseQuery(operation.input, params);
    validateInput(operation.input, input);
    if (!def) throw new AwsError('InvalidAction', `The action ${operation.name} is not implemented by this service.`);

    // 4. authorize the action on the resource AWS uses for it.
    const at = new Date(now);
    const authzDeps = { db: deps.store.db, policyCache: deps.policyCache, principals: deps.caches.principals };
    const requestFor = (act: string, resource: string, context?: ContextValues): AuthorizationRequest => ({
      action: act,
      resource,
      now: at,
      sourceIp: raw.sourceIp,
      secureTransport: raw.secureTransport,
      ...(context ? { context } : {}),
    });
    const authorizeAs = (who: Caller) => async (act: string, resource: string, context?: ContextValues) => {
      await authorize(authzDeps, who, requestFor(act, resource, context));
    };
    const resourceCtx = { db: deps.store.db, accountId: caller.accountId, caller };
    if ((def.authorization ?? 'resource') === 'resource') {
      const resource = await def.resource(input, resourceCtx);
      await authorizeAs(caller)(def.action, resource, await def.context?.(input, resourceCtx));
    }

    // 5. handle: writes in one transaction that also tells every node the account changed.
    const who = caller;
    const run = (db: OperationContext['db']) =>
      def.handle(input, {
        db,
        caller: who,
        accountId: who.accountId,
        now: at,
        requestId,
        keyring: deps.keyring,
        policyCache: deps.policyCache,
        authorize: authorizeAs(who),
        principal: () => principalFor(authzDeps, who),
        conditionContext: (principal, act, resource, extra) => createRequestContext(callerContext(who, principal.tags, requestFor(act, resource, extra))),
        denied: (act, resource, decision) => new AwsError('AccessDenied', accessDeniedMessage(who, requestFor(act, resource), decision)),
        region: auth.identity.region,
        sourceIp: raw.sourceIp,
      });
    let result: unknown;
    if (def.write) {
      result = await deps.store.tx(async (t) => {
        const r = await run(t);
        await deps.store.announce(t, who.accountId);
        return r;
      });
      invalidate(deps.caches, who.accountId); // read-your-writes on this node, before we answer
    } else {
      result = await run(deps.store.db);
    }

    // 6. render.
    return { response: renderResult(operation, service.xmlNamespace, result, requestId), action, caller: caller.arn, accessKeyId: caller.accessKeyId, code: undefined };
  } catch (err) {
    const aws = err instanceof AwsError ? err : unexpected(deps.logger, err, requestId);
    return {
      response: renderError(aws, requestId, namespaceFor(deps.services, params)),
      action,
      caller: caller?.arn,
      accessKeyId: caller?.accessKeyId,
      code: aws.code,
    };
  }
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
 * plus 55000 (not accepting connections) and 3D000 (the database does not exist).
 */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH',
  'CONNECT_TIMEOUT', 'CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED',
  '55000', '3D000',
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
