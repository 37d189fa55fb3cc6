/**
 * The contract between the HTTP layer and the IAM/STS handlers. Handlers know no HTTP: they get
 * their validated camelCase input and a context, and return a camelCase result (or throw
 * AwsError). The HTTP layer authenticates, authorizes against `resource()`, runs write operations
 * in one transaction and tells every node what changed.
 */
import type { Caller } from './auth/caller.js';
import type { AwsManagedSessionPolicies } from './auth/aws-managed-session-policies.js';
import type { CompiledPrincipal } from './auth/authorize.js';
import type { ContextValueInput, Decision, PolicyCache, RequestContext } from './policy/index.js';
import type { Db } from './store/db.js';
import type { AssumableRole, RoleRef } from './store/sts-lookups.js';
import type { Keyring } from './tokens/keyring.js';

export type ContextValues = Record<string, ContextValueInput | undefined>;

/** What resource() and context() may read: the database outside any transaction. */
export interface ResourceContext {
  readonly db: Db;
  readonly accountId: string;
  /** Who is calling: operations whose target defaults to the caller (GetUser, CreateAccessKey without UserName). */
  readonly caller?: Caller;
}

export interface OperationContext {
  /** For write operations, the transaction the whole call runs in. */
  readonly db: Db;
  readonly caller: Caller;
  /** The caller's account: every IAM operation acts on it. */
  readonly accountId: string;
  readonly now: Date;
  readonly requestId: string;
  readonly keyring: Keyring;
  readonly policyCache: PolicyCache;
  /** The AWS managed policies a session may name by ARN instead of carrying their text. */
  readonly awsManagedPolicies: AwsManagedSessionPolicies;
  /** Authorize a further action the call needs (e.g. a second resource), throwing AccessDenied. */
  readonly authorize: (action: string, resource: string, context?: ContextValues) => Promise<void>;
  /** The caller's compiled policies (identity, boundary, session) and principal tags. */
  readonly principal: () => Promise<CompiledPrincipal>;
  /** The request's condition keys for the caller (global keys + `extra`), for handlers that evaluate themselves. */
  readonly conditionContext: (principal: CompiledPrincipal, action: string, resource: string, extra?: ContextValues) => RequestContext;
  /** AccessDenied with AWS's message for a decision the handler made itself. */
  readonly denied: (action: string, resource: string, decision: Decision) => Error;
  /**
   * The role an ARN names (exact name and path), with its tags: from a per-account cache that every
   * node drops when the role's account changes; inside a transaction, read through it.
   */
  readonly findRole: (ref: RoleRef) => Promise<AssumableRole | undefined>;
  /**
   * True when `key` was seen less than `intervalMs` ago on this node (and records it otherwise):
   * throttles bookkeeping writes such as a role's last use off the hot path.
   */
  readonly recentlyDone: (key: string, intervalMs: number) => boolean;
  /** The region the request was signed for, and the caller's address. */
  readonly region: string;
  readonly sourceIp: string;
}

export interface OperationDef<I = Record<string, unknown>, O = unknown> {
  /** The wire name, e.g. `CreateUser`. */
  readonly name: string;
  /** The IAM action authorized, e.g. `iam:CreateUser`. */
  readonly action: string;
  /** Writes run in a transaction and invalidate the account's caches on every node. */
  readonly write: boolean;
  /**
   * Who decides whether the call is allowed: the pipeline, against resource() (the default); the
   * handler itself (AssumeRole: trust policy and caller policy together); or nobody
   * (GetCallerIdentity is never denied).
   */
  readonly authorization?: 'resource' | 'handler' | 'none';
  /**
   * Answered from the request and this node's caches alone, never the database (GetCallerIdentity):
   * still served while the database is unreachable (Store.reachable), when nothing else is.
   */
  readonly offline?: true;
  /** The ARN AWS authorizes this call against (`*` for actions without resource-level permissions). */
  resource(input: I, ctx: ResourceContext): string | Promise<string>;
  /**
   * Condition keys this request adds (aws:RequestTag/…, aws:TagKeys, iam:PolicyARN, …). May read
   * the database, for keys that describe the resource as it is (the boundary an entity already has).
   */
  context?(input: I, ctx: ResourceContext): ContextValues | Promise<ContextValues>;
  handle(input: I, ctx: OperationContext): Promise<O>;
}

/** Define an operation with a typed input (the protocol layer has validated it against the model). */
export function defineOperation<I, O>(def: OperationDef<I, O>): OperationDef {
  return def as unknown as OperationDef;
}
