/**
 * One AWS Query request, as an ordered list of named steps (in the manner of node-oidc-provider's
 * endpoints): decode → authenticate → validate → authorize → handle (+ audit) → render. Every
 * failure is an AwsError rendered as AWS's XML; anything else is InternalFailure, logged with its
 * cause (src/describe-error.ts) and never shown.
 *
 * Each operation says how it is authenticated (operation.ts): a `sigv4` operation is never
 * reached without a valid signature; a `none` operation (the unsigned federation actions) is
 * reached without one, has no caller, and authorizes itself.
 *
 * Audit (src/audit/events.ts says what is recorded and why): IAM mutations write their event
 * inside the transaction of the change and credential issuances before the credentials are
 * rendered, so neither happens unaudited; AccessDenied answers write theirs after the fact.
 */
import type { Authenticated } from '../auth/authenticate.js';
import type { AuthorizationRequest } from '../auth/authorize.js';
import { invalidate, type Caches } from '../auth/caches.js';
import type { Caller } from '../auth/caller.js';
import { checkCredentialType } from '../auth/credential-type.js';
import { type AuditRequest, recordDenied } from '../audit/events.js';
import { issuesCredentials } from '../audit/issuance.js';
import { deniedEvent, issuanceEvents, mutationEvent } from '../audit/trail.js';
import type { UnsignedRefusals } from '../audit/unsigned-refusals.js';
import { describeError } from '../describe-error.js';
import { AwsError, toAwsError } from '../errors.js';
import type { Logger } from '../log.js';
import { Issued, type CallContext, type ContextValues, type HandlerResult, type OperationDef, type Registry, type RequestFacts, type ResourceContext, type SignedOperation, type UnsignedOperation, type UnsignedResourceContext } from '../operation.js';
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
  type Resolved,
  type Services,
} from '../protocol/index.js';
import type { SigV4Request } from '../sigv4/index.js';
import { insertAuditEvents, type AuditAppender, type AuditRow } from '../store/audit.js';
import type { Db, Deadline, Store } from '../store/db.js';
import { isConnectionError } from '../store/errors.js';
import type { TrustedProxies } from './forwarded.js';
import { SignedContext } from './handler-context.js';
import type { RawRequest } from './raw-request.js';

/** What the pipeline needs, built once by the composition root (src/service.ts). */
export interface PipelineDeps {
  readonly store: Store;
  readonly services: Services;
  /** Handlers by `Version:Action`, e.g. `2010-05-08:CreateUser` (operation.ts, registerOperations). */
  readonly operations: ReadonlyMap<string, OperationDef>;
  /** What handlers ask for by name. */
  readonly registry: Registry;
  /** Dropped for the caller's account after its own writes (read-your-writes on this node). */
  readonly caches: Caches;
  /** Where audit events outside any transaction go (issuances, denials), batched per commit. */
  readonly audit: AuditAppender;
  /** Which refused unsigned (federation) calls are recorded, and in whose trail (src/audit/unsigned-refusals.ts). */
  readonly unsignedRefusals?: UnsignedRefusals | undefined;
  /**
   * Step 2: the request's signature for the service `signingName`, checked with every cache this
   * node keeps (keys, opened tokens, signing keys, revoked sessions).
   */
  readonly authenticate: (sig: SigV4Request, now: number, signingName: string) => Promise<Authenticated>;
  /** Throws AccessDenied unless `caller` may perform the request (policies read through `db`). */
  readonly authorize: (caller: Caller, db: Db, req: AuthorizationRequest) => Promise<void>;
  /** Set when TRUSTED_PROXIES names any: where a proxied request really came from. */
  readonly trustedProxies?: TrustedProxies | undefined;
  readonly clock: () => number;
  readonly logger: Logger;
  /** Called when a key was used (GetAccessKeyLastUsed); the callee throttles its writes. */
  readonly keyUsed?: ((accessKeyId: string, at: Date, service: string, region: string) => void) | undefined;
  /**
   * REQUEST_DEADLINE_MS: a request still waiting (for the database) this long after it started
   * answers ServiceUnavailable, and its write transaction is rolled back instead of committed.
   * Undefined: no deadline.
   */
  readonly requestDeadlineMs?: number | undefined;
}

export interface QueryOutcome {
  readonly response: RenderedResponse;
  /** For the access log: never secrets. */
  readonly action: string | undefined;
  readonly caller: string | undefined;
  readonly accessKeyId: string | undefined;
  /** The error code, when the call failed. */
  readonly code: string | undefined;
  /** The registered operation the request named, if it named one (a finite set: for the metrics). */
  readonly operation: OperationDef | undefined;
  /** Set when the call succeeded and handed out credentials. */
  readonly issued: boolean;
}

export function handleQuery(deps: PipelineDeps, raw: RawRequest, requestId: string): Promise<QueryOutcome> {
  const call = new QueryCall(deps, raw, requestId);
  const ms = deps.requestDeadlineMs;
  return ms === undefined ? call.run() : call.runWithin(ms);
}

/** The operation a request names, resolved against the models and the handlers (step 1). */
interface Decoded extends Resolved {
  readonly def: OperationDef | undefined;
}

/**
 * The operation and who calls it, as step 2 settled them together: an unsigned operation and
 * nobody, or a signed one and the caller its signature proved. The later steps branch on this one
 * value, so no step meets a signed operation without its caller.
 */
type Call = { readonly kind: 'none'; readonly def: UnsignedOperation } | { readonly kind: 'sigv4'; readonly def: SignedOperation; readonly caller: Caller };

/**
 * One request's state as it goes through the steps. A class rather than closures: the request
 * path runs once per call, and its helpers live on the prototype instead of being made anew.
 */
class QueryCall implements Deadline {
  params: Param[] = [];
  /** Set when the request deadline passed: the call has answered ServiceUnavailable, its transaction must not commit. */
  expired = false;
  caller: Caller | undefined;
  region: string | undefined;
  action: string | undefined;
  /** The action a refusal is about (until a denial names its own), once the caller is known. */
  attemptedAction: string | undefined;
  /** The resource the call is authorized against, once computed. */
  resource: string | undefined;
  /** The registered operation the request names, once decoded. */
  def: OperationDef | undefined;
  /** The handler returned credentials (step 5). */
  issued = false;
  /** When the request is taken to have been made: read once, for the signature check, conditions and the audit. */
  readonly now: number;
  readonly requestAt: Date;

  constructor(
    readonly deps: PipelineDeps,
    readonly raw: RawRequest,
    readonly requestId: string,
  ) {
    this.now = deps.clock();
    this.requestAt = new Date(this.now);
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
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.expired = true;
        this.deps.logger.warn('database unavailable', { requestId: this.requestId, error: { name: 'DeadlineExceeded', ms } });
        resolve(this.outcome(new AwsError('ServiceUnavailable')));
      }, ms);
      // run() answers every failure itself (failed()), so it settles with an outcome.
      void this.run().then((outcome) => {
        clearTimeout(timer);
        // The late end of a call already answered 503, with how it ended: "ok" is a write that
        // committed anyway (its COMMIT was on the wire); an error code, one that rolled back.
        if (this.expired) this.deps.logger.warn('finished after the request deadline', { requestId: this.requestId, action: this.action, outcome: outcome.code ?? 'ok' });
        else resolve(outcome);
      });
    });
  }

  async steps(): Promise<QueryOutcome> {
    const { service, operation, def } = this.decode();
    const reachable = this.deps.store.reachable();
    // Step 2 for an unsigned operation is nothing: any signature the request carries is not read.
    let call: Call | undefined;
    if (def?.authentication === 'none') {
      this.attemptedAction = def.action;
      call = { kind: 'none', def };
    } else {
      const caller = await this.authenticate(service.signingName, operation, def);
      if (def) call = { kind: 'sigv4', def, caller };
    }
    // While the database is unreachable the caches may be missing changes made through other
    // nodes: only what needs no database is answered from them (Store.reachable), once the
    // signature is checked; the rest answers ServiceUnavailable at once. Checked as it was before
    // authentication too: a key taken from the caches just before they were dropped is stale.
    if (!def?.offline && !(reachable && this.deps.store.reachable())) throw new AwsError('ServiceUnavailable');
    const input = this.validate(operation);
    if (!call) throw new AwsError('InvalidAction', `The action ${operation.name} is not implemented by this service.`);
    const { target, resource } = await this.authorize(call, input);
    const result = await this.handle(call, operation, input, target, resource);
    return this.render(service.xmlNamespace, operation, result);
  }

  /** Step 1: the form body (POST) or the query string (GET), never both at once, and the operation it names. */
  decode(): Decoded {
    const params = (this.params = decodeParams(this.raw));
    checkParams(params);
    this.action = param(params, 'Action');
    const { service, operation } = resolveOperation(this.deps.services, this.action, param(params, 'Version'));
    const def = (this.def = this.deps.operations.get(`${service.apiVersion}:${operation.name}`));
    return { service, operation, def };
  }

  /** Step 2 (signed operations): the signature must be for this service, and the caller's credentials allowed to call it. */
  async authenticate(signingName: string, operation: Operation, def: OperationDef | undefined): Promise<Caller> {
    const { deps } = this;
    const auth = await deps.authenticate(this.raw.sig, this.now, signingName);
    const caller = (this.caller = auth.caller);
    this.region = auth.identity.region;
    // Last use is recorded on the long-term key (a session's is the key its chain started from).
    // A chain that began with a web identity has no key to record.
    const usedKey = caller.session ? caller.session.src : caller.accessKeyId;
    if (usedKey !== undefined) deps.keyUsed?.(usedKey, this.requestAt, signingName, auth.identity.region);
    this.attemptedAction = def?.action ?? `${signingName}:${operation.name}`;
    checkCredentialType(caller, signingName === 'iam' ? 'iam' : 'sts', operation.name);
    return caller;
  }

  /** Step 3: the parameters against the operation's shape. */
  validate(operation: Operation): Record<string, unknown> {
    const input = parseQuery(operation.input, this.params, { checked: true });
    validateInput(operation.input, input);
    return input;
  }

  /** Step 4: the target read once, and the action authorized on the resource AWS uses for it. */
  async authorize(call: Call, input: Record<string, unknown>): Promise<{ readonly target: unknown; readonly resource: string }> {
    const { deps } = this;
    const db = deps.store.db;
    if (call.kind === 'none') {
      const { def } = call;
      const ctx: UnsignedResourceContext = { db };
      const target = def.load ? await def.load(input, ctx) : undefined;
      return { target, resource: (this.resource = await def.resource(input, ctx, target)) };
    }
    const { def, caller } = call;
    const ctx: ResourceContext = { db, accountId: caller.accountId, caller };
    const target = def.load ? await def.load(input, ctx) : undefined;
    const resource = (this.resource = await def.resource(input, ctx, target));
    if ((def.authorization ?? 'resource') === 'resource') await deps.authorize(caller, db, this.requestFor(def.action, resource, await def.context?.(input, ctx, target)));
    return { target, resource };
  }

  /**
   * Step 5: the handler. Mutations run in one transaction with their audit event (no event, no
   * change) that also tells every node the account changed. An issuance that changes nothing
   * stored (the token is self-contained) runs outside any transaction, as every read-only call
   * does (its handler may read through handles other than ctx.db, which must not wait on a
   * transaction held open around it: PGlite has one connection); its event is written before the
   * credentials are rendered, so credentials that could not be audited are never handed out. An
   * issuing operation that also writes gets both in its transaction. An unsigned operation's
   * writes change no IAM entity (a replay record): nothing is announced.
   */
  async handle(call: Call, operation: Operation, input: Record<string, unknown>, target: unknown, resource: string): Promise<unknown> {
    const { deps } = this;
    const { def } = call;
    const caller = call.kind === 'sigv4' ? call.caller : undefined;
    const issuance = (this.issued = issuesCredentials(operation.output));
    if (!def.write) {
      const result = await this.invoke(call, input, deps.store.db, target);
      if (issuance) await deps.audit.append(this.eventsFor(def, operation, input, resource, issuance, result));
      return outputOf(result);
    }
    const result = await deps.store.tx(async (t) => {
      const r = await this.invoke(call, input, t, target);
      await insertAuditEvents(t, this.eventsFor(def, operation, input, resource, issuance, r));
      if (caller) await deps.store.announce(t, caller.accountId);
      return r;
    }, this);
    if (caller) invalidate(deps.caches, caller.accountId); // read-your-writes on this node, before we answer
    return outputOf(result);
  }

  invoke(call: Call, input: Record<string, unknown>, db: Db, target: unknown): Promise<HandlerResult<unknown>> {
    const { registry } = this.deps;
    if (call.kind === 'none') {
      const ctx: CallContext = { db, now: this.requestAt, requestId: this.requestId, request: this.facts() };
      return call.def.handle(input, ctx, registry, target);
    }
    return call.def.handle(input, new SignedContext(this, db, call.caller), registry, target);
  }

  /** Step 6. */
  render(namespace: string, operation: Operation, output: unknown): QueryOutcome {
    const { caller } = this;
    return { response: renderResult(operation, namespace, output, this.requestId), action: this.action, caller: caller?.arn, accessKeyId: caller?.accessKeyId, code: undefined, operation: this.def, issued: this.issued };
  }

  facts(): RequestFacts {
    return { sourceIp: this.raw.sourceIp, secureTransport: this.raw.secureTransport, region: this.region };
  }

  requestFor(action: string, resource: string, context?: ContextValues): AuthorizationRequest {
    return { action, resource, now: this.requestAt, sourceIp: this.raw.sourceIp, secureTransport: this.raw.secureTransport, ...(context ? { context } : {}) };
  }

  auditOf(who: Caller | undefined): AuditRequest {
    return { requestId: this.requestId, at: this.requestAt, sourceIp: this.raw.sourceIp, userAgent: this.raw.userAgent, caller: who };
  }

  /** The audit events of a call that went through: the issuance's, or the mutation's. */
  eventsFor(def: OperationDef, operation: Operation, input: unknown, resource: string, issuance: boolean, result: HandlerResult<unknown>): AuditRow[] {
    const audit = this.auditOf(this.caller);
    if (issuance) {
      // Credentials whose session the trail cannot describe must not be handed out.
      if (!(result instanceof Issued)) throw new Error(`${def.name} returned credentials without their claims: refusing to issue what cannot be audited`);
      return issuanceEvents(audit, def.action, operation, input, result.claims);
    }
    return def.write ? [mutationEvent(audit, def.action, resource, operation, input, outputOf(result))] : [];
  }

  async failed(err: unknown): Promise<QueryOutcome> {
    const { deps, caller } = this;
    const aws = err instanceof AwsError ? err : this.unexpected(err);
    // A refused call by an authenticated caller (src/audit/events.ts: failed authentication is not recorded).
    if (aws.code === 'AccessDenied' && caller && this.attemptedAction !== undefined) {
      const { action, resource } = aws.denial ?? { action: this.attemptedAction, resource: this.resource };
      await recordDenied(deps.audit, deps.logger, deniedEvent(this.auditOf(caller), action, resource, aws.code, aws.message));
    } else if (!caller && this.attemptedAction !== undefined && deps.unsignedRefusals) {
      // An unsigned federation call refused: in the trail of the account whose role it named.
      const accountId = await deps.unsignedRefusals.accountFor(aws.code, this.resource, this.now).catch(() => undefined);
      if (accountId !== undefined) await recordDenied(deps.audit, deps.logger, deniedEvent(this.auditOf(undefined), this.attemptedAction, this.resource, aws.code, aws.message, accountId));
    }
    return this.outcome(aws);
  }

  /** A database that cannot be reached is temporary (ServiceUnavailable); anything else is our bug. */
  unexpected(err: unknown): AwsError {
    const { logger } = this.deps;
    if (isConnectionError(err)) {
      logger.warn('database unavailable', { requestId: this.requestId, error: describeError(err) });
      return new AwsError('ServiceUnavailable', undefined, { cause: err });
    }
    logger.error('unexpected failure', { requestId: this.requestId, error: describeError(err) });
    return toAwsError(err);
  }

  outcome(aws: AwsError): QueryOutcome {
    const { caller } = this;
    return {
      response: renderError(aws, this.requestId, namespaceFor(this.deps.services, this.params)),
      action: this.action,
      caller: caller?.arn,
      accessKeyId: caller?.accessKeyId,
      code: aws.code,
      operation: this.def,
      issued: false,
    };
  }
}

function outputOf(result: HandlerResult<unknown>): unknown {
  return result instanceof Issued ? result.output : result;
}

function decodeParams(raw: RawRequest): Param[] {
  const method = raw.sig.method.toUpperCase();
  if (method === 'POST') return decodeForm(raw.sig.body);
  // A query string as SigV4 reads it: `+` is a plus, as in the canonical query the signature covers.
  if (method === 'GET') return decodeForm(raw.sig.query, 'literal');
  throw new AwsError('InvalidAction', `The HTTP method ${method.slice(0, 16)} is not supported; use POST or GET.`);
}

function param(params: readonly Param[], name: string): string | undefined {
  return params.find(([n]) => n === name)?.[1];
}
