/**
 * The contract between the request pipeline (src/http/pipeline.ts) and the IAM/STS handlers.
 * Handlers know no HTTP: they get their validated camelCase input, the call's context (what every
 * handler needs) and the registry (everything else, built once by src/service.ts and asked for by
 * name), and return a camelCase result (or throw AwsError).
 *
 * Each operation declares how it is authenticated (`sigv4`, or `none` for the unsigned federation
 * actions) and who authorizes it; the pipeline authenticates, authorizes against `resource()`,
 * runs write operations in one transaction, audits, and tells every node what changed.
 */
import type { Caller } from './auth/caller.js';
import type { AwsManagedSessionPolicies } from './auth/aws-managed-session-policies.js';
import type { AuthorizationRequest, CompiledPrincipal } from './auth/authorize.js';
import type { AwsError } from './errors.js';
import type { ContextValueInput, Decision, PolicyCache } from './policy/index.js';
import type { OperationAuthentication, OperationInput, OperationName, OperationOutput, Services } from './protocol/index.js';
import type { Db } from './store/db.js';
import type { OidcProviderRow } from './store/oidc-providers.js';
import type { SamlTrustRow } from './store/saml-providers.js';
import type { AssumableRole, RoleRef } from './store/roles.js';
import type { OidcKeys } from './federation/oidc/keys.js';
import type { OAuthInspector } from './federation/oauth.js';
import type { SamlSettings } from './federation/saml/settings.js';

export type { SamlSettings };
import type { Keyring } from './tokens/keyring.js';
import type { SessionClaims } from './tokens/session-token.js';

export type ContextValues = Record<string, ContextValueInput | undefined>;

/** How a request to the operation proves who sent it. */
export type Authentication =
  /** A SigV4 signature (header or presigned query) with an access key or session credentials. */
  | 'sigv4'
  /** None: the request carries its own proof (a web identity token, a SAML assertion). */
  | 'none';

/**
 * Who decides whether the call is allowed: the pipeline, against resource() (the default); the
 * handler itself (AssumeRole: trust policy and caller policy together); or nobody
 * (GetCallerIdentity is never denied).
 */
export type Authorization = 'resource' | 'handler' | 'none';

/** The request's own facts that condition keys are made of. */
export interface RequestFacts {
  readonly sourceIp: string;
  readonly secureTransport: boolean;
  /** The region the request was signed for (undefined for an unsigned request). */
  readonly region: string | undefined;
}

/** What an unsigned operation's resource() and load() may read: the database outside any transaction. */
export interface UnsignedResourceContext {
  readonly db: Db;
}

/** What a signed operation's resource(), context() and load() may read. */
export interface ResourceContext extends UnsignedResourceContext {
  /** The caller's account. */
  readonly accountId: string;
  /** Who is calling: operations whose target defaults to the caller (GetUser, CreateAccessKey without UserName). */
  readonly caller?: Caller;
}

/** What every handler of an unsigned operation gets. */
export interface CallContext {
  /** For write operations, the transaction the whole call runs in. */
  readonly db: Db;
  readonly now: Date;
  readonly requestId: string;
  readonly request: RequestFacts;
}

/** What every handler of a signed operation gets: the call, its caller and `authorize`. */
export interface OperationContext extends CallContext {
  readonly caller: Caller;
  /** The caller's account: every IAM operation acts on it. */
  readonly accountId: string;
  /** Authorize a further action the call needs (e.g. a second resource), throwing AccessDenied. */
  authorize(action: string, resource: string, context?: ContextValues): Promise<void>;
  /** The request as authorization sees it, for an action the handler decides itself. */
  requestFor(action: string, resource: string, context?: ContextValues): AuthorizationRequest;
}

/** Compiles a caller's policies (identity, boundary, session) and principal tags, through the account caches. */
export interface PrincipalCompiler {
  of(caller: Caller, db: Db): Promise<CompiledPrincipal>;
}

/**
 * Roles as the AssumeRole* actions read them (exact name and path, with tags): from a per-account
 * cache that every node drops when the role's account changes; inside a transaction, read
 * through it (`db` is the call's handle).
 */
export interface RoleDirectory {
  find(ref: RoleRef, db: Db): Promise<AssumableRole | undefined>;
}

/**
 * An account's OpenID Connect providers by exact issuer (AssumeRoleWithWebIdentity): from a
 * per-account cache that every node drops when the account changes; inside a transaction, read
 * through it (`db` is the call's handle).
 */
export interface OidcProviderDirectory {
  find(accountId: string, issuer: string, db: Db): Promise<OidcProviderRow | undefined>;
}

/** SAML providers by ARN, as AssumeRoleWithSAML reads them (src/sts/saml-provider-directory.ts). */
export interface SamlProviderDirectory {
  find(accountId: string, arn: string, db: Db): Promise<SamlTrustRow | undefined>;
}

/** AccessDenied answers in AWS's words (and the encoded details when configured). */
export interface Denials {
  /** AccessDenied for a decision the handler made; `context` is the condition keys it was made with. */
  deny(caller: Caller, req: AuthorizationRequest, decision: Decision, context: ContextValues): AwsError;
}

/** How IAM OpenID Connect providers and the trust policies naming them are checked (src/iam/oidc-providers.ts). */
export interface IdentityProviderRules {
  /** Outside production: a provider URL may be plain `http://` on a loopback host (local IdPs). */
  readonly allowLoopbackHttp: boolean;
  /** Provider URLs (host[:port]/path, lower case) whose tokens anyone on their platform can get (src/policy/multi-tenant.ts). */
  readonly multiTenantIssuers: readonly string[];
}

/** The built-in web identity providers, which need no IAM object (src/federation/google.ts, oauth.ts). */
export interface BuiltInProviders {
  /** GOOGLE_ISSUER_URL: Google's issuer, where its keys are discovered. */
  readonly googleIssuer: string;
  /** Facebook's and Login with Amazon's token-inspection endpoints (ProviderId). */
  readonly oauth: OAuthInspector;
}

/**
 * Everything a handler may need beyond its context, built once in the composition root
 * (src/service.ts) and asked for by name, in the manner of ory/hydra's registries.
 */
export interface Registry {
  readonly keyring: Keyring;
  readonly policyCache: PolicyCache;
  /** The AWS managed policies a session may name by ARN instead of carrying their text. */
  readonly awsManagedPolicies: AwsManagedSessionPolicies;
  readonly principals: PrincipalCompiler;
  readonly roles: RoleDirectory;
  readonly oidcProviders: OidcProviderDirectory;
  readonly denials: Denials;
  readonly identityProviders: IdentityProviderRules;
  /** OpenID Connect providers' signing keys, discovered, fetched within bounds and cached (AssumeRoleWithWebIdentity). */
  readonly oidcKeys: OidcKeys;
  readonly builtInProviders: BuiltInProviders;
  readonly samlProviders: SamlProviderDirectory;
  readonly saml: SamlSettings;
  /**
   * True when `key` was seen less than `intervalMs` before `now` (ms) on this node, and records it
   * otherwise: throttles bookkeeping writes such as a role's last use off the hot path.
   */
  recentlyDone(key: string, intervalMs: number, now: number): boolean;
  /** A stored document that no longer compiles (a stricter engine): logged, then treated as the caller says. */
  reportUnusable(what: string, err: unknown): void;
}

/** What a handler that issues credentials returns: the output, and the session's claims for the audit trail. */
export class Issued<O> {
  constructor(
    readonly output: O,
    readonly claims: SessionClaims,
  ) {}
}

export type HandlerResult<O> = O | Issued<O>;

/**
 * What the handler of operation `N` returns: the model's output, or `Issued` with it when the
 * output carries `Credentials` (the pipeline refuses to hand out credentials it cannot audit).
 */
export type ResultOf<N extends OperationName> = IssuesCredentials<OperationOutput<N>> extends true ? Issued<OperationOutput<N>> : OperationOutput<N>;

/** Whether an output has a `credentials` member (an output without members has none). */
type IssuesCredentials<O> = string extends keyof O ? false : 'credentials' extends keyof O ? true : false;

/** The input every handler gets once the pipeline has parsed and validated it against the model, erased. */
type AnyInput = Record<string, unknown>;

interface SpecBase<I, T, R> {
  /**
   * The IAM action authorized, only where AWS's differs from the model's `signingName:Name`
   * (registerOperations fills it in).
   */
  readonly action?: string;
  /** Writes run in a transaction and invalidate the account's caches on every node. */
  readonly write: boolean;
  readonly authorization?: Authorization;
  /**
   * Answered from the request and this node's caches alone, never the database (GetCallerIdentity):
   * still served while the database is unreachable (Store.reachable), when nothing else is.
   */
  readonly offline?: true;
  /**
   * Reads the request's target once, outside any transaction, for resource(), context() and
   * handle(). A write operation's handler reads what it changes again inside its transaction.
   */
  readonly load?: (input: I, ctx: R) => Promise<T>;
  /** The ARN AWS authorizes this call against (`*` for actions without resource-level permissions). */
  readonly resource: (input: I, ctx: R, target: T) => string | Promise<string>;
  /**
   * Condition keys this request adds (aws:RequestTag/…, aws:TagKeys, iam:PolicyARN, …). May read
   * the database, for keys that describe the resource as it is (the boundary an entity already has).
   */
  readonly context?: (input: I, ctx: R, target: T) => ContextValues | Promise<ContextValues>;
}

/**
 * A signed operation's definition. Its members are function-typed properties, not methods, so a
 * handler's input is checked strictly: a handler may declare a narrower input than the model's
 * (what it reads of it), never one the model does not give.
 */
export interface SignedSpec<I, O, T = undefined> extends SpecBase<I, T, ResourceContext> {
  readonly authentication: 'sigv4';
  readonly handle: (input: I, ctx: OperationContext, deps: Registry, target: T) => Promise<O>;
}

export interface UnsignedSpec<I, O, T = undefined> extends SpecBase<I, T, UnsignedResourceContext> {
  readonly authentication: 'none';
  /** Nobody signed the call: the handler decides (trust policies), never the pipeline. */
  readonly authorization: 'handler';
  readonly handle: (input: I, ctx: CallContext, deps: Registry, target: T) => Promise<O>;
}

/** What a handler gets, by how its operation is authenticated. */
interface Contexts {
  readonly sigv4: { readonly resource: ResourceContext; readonly call: OperationContext };
  readonly none: { readonly resource: UnsignedResourceContext; readonly call: CallContext };
}

/**
 * SignedSpec or UnsignedSpec by `A`, written with lookups rather than a conditional type so that
 * TypeScript still infers the target type `T` from `load`.
 */
interface ModelSpec<I, O, T, A extends Authentication> extends SpecBase<I, T, Contexts[A]['resource']> {
  readonly authentication: A;
  readonly handle: (input: I, ctx: Contexts[A]['call'], deps: Registry, target: T) => Promise<O>;
}

/** Nobody signed an unsigned call: its handler authorizes it (trust policies), never the pipeline. */
type AuthorizedBy<A extends Authentication> = [A] extends ['none'] ? { readonly authorization: 'handler' } : unknown;

/** Operation `N`'s definition, typed by its service model: input, result, and authentication (`none` only where the model says so). */
export type OperationSpec<N extends OperationName, T = undefined> = ModelSpec<OperationInput<N>, ResultOf<N>, T, OperationAuthentication<N>> &
  AuthorizedBy<OperationAuthentication<N>>;

interface Named {
  /** The wire name, e.g. `CreateUser`. */
  readonly name: string;
  /** The IAM action authorized, e.g. `iam:CreateUser`. */
  readonly action: string;
}

/** A signed operation as the pipeline runs it (registered: its action resolved). */
export type SignedOperation<I = AnyInput, O = unknown, T = unknown> = SignedSpec<I, HandlerResult<O>, T> & Named;
/** An unsigned operation as the pipeline runs it. */
export type UnsignedOperation<I = AnyInput, O = unknown, T = unknown> = UnsignedSpec<I, HandlerResult<O>, T> & Named;
/** An operation as the pipeline runs it, its input erased (the pipeline validated it against the same model). */
export type OperationDef = SignedOperation | UnsignedOperation;

/**
 * What defineOperation returns: an operation of the models, not yet registered. Its name is
 * checked against the models at start (registerOperations), as a family's cannot be before.
 */
export type DefinedOperation = (SignedSpec<AnyInput, HandlerResult<unknown>, unknown> | UnsignedSpec<AnyInput, HandlerResult<unknown>, unknown>) & {
  readonly name: string;
};

/**
 * Define operation `name` of the service models: its handler gets the model's input and must
 * return the model's output (`Issued` with it for credentials), and it is authenticated as the
 * model says. The action defaults to the model's `signingName:name`.
 *
 *   defineOperation('CreateRole', { authentication: 'sigv4', write: true, resource: …, handle: async (input, ctx) => … })
 *
 * A factory of several operations passes a union of names; its handler then gets the union of
 * their inputs and returns one of their outputs.
 */
export function defineOperation<N extends OperationName, T = undefined>(name: N, spec: OperationSpec<N, T>): DefinedOperation {
  return { ...spec, name } as unknown as DefinedOperation;
}

/**
 * Define one operation of a family a factory builds for several entity kinds (iam/tags.ts,
 * boundaries.ts, inline-policies.ts, attachments.ts), generic over the kind's input member: its
 * input is the factory's own type `I`, which TypeScript cannot relate to the model's for a kind
 * it does not know yet. The name is checked against the models at start (registerOperations
 * refuses one no model has), and every input against the model's shape by the pipeline before
 * any handler runs. Everything else uses defineOperation.
 */
export function defineFamilyOperation<I, O, T = undefined>(name: string, spec: SignedSpec<I, HandlerResult<O>, T>): DefinedOperation {
  return { ...spec, name } as unknown as DefinedOperation;
}

/**
 * Adds operations to `byName` (by `Version:Action`), each under the service model that has its
 * name, checked once at start: each declares how it is authenticated, as its model does (a
 * definition that does not is refused, whatever its types said); each names an operation of
 * exactly one model; no name is defined twice. An operation without an action of its own gets the
 * model's `signingName:Name`.
 */
export function registerOperations(byName: Map<string, OperationDef>, services: Services, defs: readonly DefinedOperation[]): void {
  const models = [...services.byVersion.values()];
  for (const def of defs) {
    const authentication: unknown = (def as { authentication?: unknown }).authentication;
    if (authentication !== 'sigv4' && authentication !== 'none') throw new Error(`operation ${def.name} declares no authentication ('sigv4' or 'none')`);
    if (authentication === 'none' && def.authorization !== 'handler') throw new Error(`operation ${def.name} is unsigned, so its handler must authorize it`);
    const found = models.filter((m) => m.operations.has(def.name));
    const service = found[0];
    const operation = service?.operations.get(def.name);
    if (!service || !operation) throw new Error(`operation ${def.name} is in no service model`);
    if (found.length > 1) throw new Error(`operation ${def.name} is in more than one service model (${found.map((m) => m.serviceId).join(', ')})`);
    if (operation.authentication !== authentication) {
      throw new Error(`operation ${def.name} declares authentication '${authentication}', but the ${service.serviceId} model says '${operation.authentication}'`);
    }
    const key = `${service.apiVersion}:${def.name}`;
    if (byName.has(key)) throw new Error(`operation ${def.name} is defined twice`);
    byName.set(key, { ...def, action: def.action ?? `${service.signingName}:${def.name}` });
  }
}
