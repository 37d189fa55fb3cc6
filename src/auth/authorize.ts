/**
 * Is the caller allowed to perform this action on this resource? Root may do anything in its
 * own account; an IAM user needs an identity-policy allow, no explicit deny, and its permissions
 * boundary's allow (the engine's evaluation order). The user's compiled policies are cached per
 * account, so a decision needs no database read once warm.
 */
import { AwsError } from '../errors.js';
import { createRequestContext, evaluate, type AttachedPolicy, type ContextValueInput, type Decision, type PolicyCache, type PolicySet } from '../policy/index.js';
import type { Db } from '../store/db.js';
import { userPolicies, type PolicyText } from '../store/principal-policies.js';
import type { AccountCache } from './account-cache.js';
import type { Caller } from './caller.js';

export interface CompiledPrincipal {
  readonly set: PolicySet;
  readonly tags: Readonly<Record<string, string>>;
}

export interface AuthorizeDeps {
  readonly db: Db;
  readonly policyCache: PolicyCache;
  readonly principals: AccountCache<CompiledPrincipal>;
}

export interface AuthorizationRequest {
  readonly action: string;
  readonly resource: string;
  /** Request-specific context keys (aws:RequestTag/…, iam:PolicyARN, …). */
  readonly context?: Readonly<Record<string, ContextValueInput | undefined>>;
  readonly sourceIp: string;
  readonly secureTransport: boolean;
  readonly now: Date;
}

function compileAll(cache: PolicyCache, texts: readonly PolicyText[]): AttachedPolicy[] {
  // Stored documents were validated when they were written; one that no longer parses (a
  // stricter engine) is skipped, not allowed to abort the decision.
  const out: AttachedPolicy[] = [];
  for (const t of texts) {
    try {
      out.push({ id: t.id, policy: cache.get(t.document, { kind: 'identity' }) });
    } catch {
      // skipped: reported by SimulatePrincipalPolicy, never an allow
    }
  }
  return out;
}

/** The user's compiled policy set, from the cache or the database. */
export async function principalFor(deps: AuthorizeDeps, caller: Caller): Promise<CompiledPrincipal> {
  if (caller.kind === 'root' || !caller.user) return { set: {}, tags: {} };
  const hit = deps.principals.get(caller.user.id);
  if (hit) return hit;
  const epoch = deps.principals.epoch;
  const loaded = await userPolicies(deps.db, caller.user.id);
  // The user was deleted after its key was cached: nothing allows it.
  if (!loaded) return { set: { identity: [] }, tags: {} };
  const compiled: CompiledPrincipal = {
    set: {
      identity: compileAll(deps.policyCache, loaded.identity),
      boundary: loaded.boundary ? compileAll(deps.policyCache, [loaded.boundary])[0] ?? denyAll(deps.policyCache) : undefined,
    },
    tags: loaded.tags,
  };
  deps.principals.set(caller.user.id, caller.accountId, compiled, epoch);
  return compiled;
}

/** A boundary that failed to compile must not become "no boundary". */
function denyAll(cache: PolicyCache): AttachedPolicy {
  return { id: 'invalid-boundary', policy: cache.get(DENY_ALL, { kind: 'boundary' }) };
}

const DENY_ALL = '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}';

/** The global condition keys AWS sets for a long-term-credential caller. */
export function callerContext(caller: Caller, tags: Readonly<Record<string, string>>, req: AuthorizationRequest): Record<string, ContextValueInput | undefined> {
  const values: Record<string, ContextValueInput | undefined> = {
    'aws:PrincipalArn': caller.arn,
    'aws:PrincipalAccount': caller.accountId,
    'aws:PrincipalType': caller.kind === 'root' ? 'Account' : 'User',
    'aws:userid': caller.userId,
    'aws:username': caller.user?.name,
    'aws:SourceIp': req.sourceIp,
    'aws:SecureTransport': req.secureTransport,
    'aws:CurrentTime': req.now.toISOString(),
    'aws:EpochTime': Math.floor(req.now.getTime() / 1000),
    'aws:ViaAWSService': false,
  };
  for (const [k, v] of Object.entries(tags)) values[`aws:PrincipalTag/${k}`] = v;
  return { ...values, ...req.context };
}

export function evaluateFor(principal: CompiledPrincipal, caller: Caller, req: AuthorizationRequest): Decision {
  return evaluate(principal.set, {
    principal: caller.principal,
    action: req.action,
    resource: req.resource,
    context: createRequestContext(callerContext(caller, principal.tags, req)),
  });
}

/** AWS's wording, with the reason AWS appends since 2021. */
export function accessDeniedMessage(caller: Caller, req: AuthorizationRequest, decision: Decision): string {
  const head = `User: ${caller.arn} is not authorized to perform: ${req.action} on resource: ${req.resource}`;
  if (decision.decision === 'ExplicitDeny') return `${head} with an explicit deny in an identity-based policy`;
  if (decision.deniedBy === 'resource') return `${head} because no resource-based policy allows the ${req.action} action`;
  if (decision.deniedBy === 'boundary') return `${head} because no permissions boundary allows the ${req.action} action`;
  return `${head} because no identity-based policy allows the ${req.action} action`;
}

/** Throws AccessDenied unless the caller may perform the request. */
export async function authorize(deps: AuthorizeDeps, caller: Caller, req: AuthorizationRequest): Promise<void> {
  // Root may do anything to its own account's resources (its identity side always allows).
  if (caller.kind === 'root') {
    const account = resourceAccount(req.resource);
    // `aws` owns AWS managed policies: naming one is not a cross-account call (it is simply not found here).
    if (account === undefined || account === caller.accountId || account === 'aws') return;
    throw new AwsError('AccessDenied', accessDeniedMessage(caller, req, { decision: 'ImplicitDeny', matchedStatements: [], missingContextKeys: [], deniedBy: 'resource' }));
  }
  const principal = await principalFor(deps, caller);
  const decision = evaluateFor(principal, caller, req);
  if (decision.decision !== 'Allow') throw new AwsError('AccessDenied', accessDeniedMessage(caller, req, decision));
}

/** The account field of an ARN (`arn:aws:iam::ACCOUNT:…`), or undefined. */
export function resourceAccount(arn: string): string | undefined {
  return arn.split(':', 5)[4] || undefined;
}
