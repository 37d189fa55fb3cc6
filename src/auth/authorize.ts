/**
 * Is the caller allowed to perform this action on this resource? Root may do anything in its
 * own account; an IAM user needs an identity-policy allow, no explicit deny, and its permissions
 * boundary's allow (the engine's evaluation order). The user's compiled policies are cached per
 * account, so a decision needs no database read once warm.
 */
import { arnAccountField } from '../arn.js';
import { AwsError } from '../errors.js';
import { createRequestContext, evaluate, MAX_TEXT_LENGTH, type AttachedPolicy, type PolicyType, type ContextValueInput, type Decision, type PolicyCache, type PolicySet } from '../policy/index.js';
import type { Db } from '../store/db.js';
import { rolePolicies, userPolicies, type PolicyText } from '../store/policies/principal.js';
import { describeAuthorization, encodeAuthorizationMessage } from './authorization-message.js';
import type { Keyring } from '../tokens/keyring.js';
import { isPolicyReference } from '../tokens/session-token.js';
import type { AccountCache } from './account-cache.js';
import type { AwsManagedSessionPolicies } from './aws-managed-session-policies.js';
import type { Caller } from './caller.js';
import { sessionKeys } from '../federation/claims.js';

export interface CompiledPrincipal {
  readonly set: PolicySet;
  readonly tags: Readonly<Record<string, string>>;
  /** The stored user or role (a session's role, a federated user's parent) no longer exists. */
  readonly gone?: true;
}

/** What compiling a caller's policies needs. */
export interface PrincipalDeps {
  readonly db: Db;
  readonly policyCache: PolicyCache;
  readonly principals: AccountCache<CompiledPrincipal>;
  /**
   * The AWS managed policies a session token may name by ARN (src/service.ts builds it once).
   * Absent: every such reference is unresolvable, and the session is denied.
   */
  readonly awsManagedPolicies?: AwsManagedSessionPolicies | undefined;
  /** Told of a stored document that no longer compiles (it is left out, never an allow); absent: nobody is. */
  readonly reportUnusable?: ((what: string, err: unknown) => void) | undefined;
}

/**
 * How a policy decision's AccessDenied reads (AUTHORIZATION_FAILURE_MESSAGES): `plain`, AWS's IAM
 * and STS text and nothing more (the default); `encoded`, the same text followed by ". Encoded
 * authorization failure message: …", which DecodeAuthorizationMessage explains.
 */
export type FailureMessages = 'plain' | 'encoded';

/** What rendering a denial needs. */
export interface DenialDeps {
  /** Seals the encoded authorization failure message, when there is one. */
  readonly keyring: Keyring;
  readonly failureMessages: FailureMessages;
}

export interface AuthorizeDeps extends PrincipalDeps, DenialDeps {}

export interface AuthorizationRequest {
  readonly action: string;
  readonly resource: string;
  /** Request-specific context keys (aws:RequestTag/…, iam:PolicyARN, …). */
  readonly context?: Readonly<Record<string, ContextValueInput | undefined>>;
  readonly sourceIp: string;
  readonly secureTransport: boolean;
  readonly now: Date;
}

function compileAll(deps: PrincipalDeps, texts: readonly PolicyText[]): AttachedPolicy[] {
  // Stored documents were validated when they were written; one that no longer parses (a
  // stricter engine) is skipped, not allowed to abort the decision.
  const out: AttachedPolicy[] = [];
  for (const t of texts) {
    try {
      // Quotas were checked on write; AWS managed documents exceed every customer quota.
      out.push({ id: t.id, policy: deps.policyCache.get(t.document, { kind: 'identity', maxLength: MAX_TEXT_LENGTH }) });
    } catch (err) {
      // skipped (never an allow), logged, and reported by SimulatePrincipalPolicy
      deps.reportUnusable?.(`stored policy ${t.id}`, err);
    }
  }
  return out;
}

/** The stored policies of an IAM user or role, compiled, from the cache or the database. */
async function storedPrincipal(deps: PrincipalDeps, kind: 'user' | 'role', id: string, accountId: string): Promise<CompiledPrincipal> {
  const hit = deps.principals.get(id);
  if (hit) return hit;
  const epoch = deps.principals.epoch;
  const loaded = kind === 'user' ? await userPolicies(deps.db, id) : await rolePolicies(deps.db, id);
  // Deleted after its key or session was issued: no policy of its allows anything, and it is
  // marked gone, so that a trust policy still naming its unique id (IAM keeps a deleted role as
  // AROA… in other roles' trust policies) trusts none of its live sessions (found in review).
  if (!loaded) return { set: { identity: [] }, tags: {}, gone: true };
  const compiled: CompiledPrincipal = {
    set: {
      identity: compileAll(deps, loaded.identity),
      boundary: loaded.boundary ? compileAll(deps, [loaded.boundary])[0] ?? denyAll(deps.policyCache) : undefined,
    },
    tags: loaded.tags,
  };
  deps.principals.set(id, accountId, compiled, epoch);
  return compiled;
}

/** A session's own policies, compiled once per session (kept with the account's cache entries). */
function sessionPolicies(deps: PrincipalDeps, caller: Caller): AttachedPolicy[] {
  const pol = caller.session?.pol;
  if (!pol || pol.length === 0) return [];
  return compileSessionPolicies(deps.policyCache, deps.awsManagedPolicies, pol);
}

/**
 * The session policies a token carries (SessionClaims.pol), compiled: a text as it is, a
 * reference from the AWS managed policies held in memory. A reference this node cannot resolve
 * (a token issued by a node of a newer release, whose data has a policy this one lacks) denies
 * everything: were it skipped, a role session would have fewer session policies, that is more
 * permissions, and with none at all, every permission of its role.
 */
export function compileSessionPolicies(cache: PolicyCache, awsManaged: AwsManagedSessionPolicies | undefined, pol: readonly string[]): AttachedPolicy[] {
  return pol.map((entry, i) => {
    const id = `session-policy-${i + 1}`;
    if (isPolicyReference(entry)) {
      const policy = awsManaged?.sessionPolicy(entry);
      return policy ? { id, policy } : denyAll(cache, 'unresolvable-session-policy', 'session');
    }
    try {
      return { id, policy: cache.get(entry, { kind: 'session', maxLength: MAX_TEXT_LENGTH }) };
    } catch {
      // Validated when the session was issued; one that no longer parses allows nothing.
      return denyAll(cache, 'invalid-session-policy', 'session');
    }
  });
}

/**
 * The principal's tags for a session: the stored entity's tags, overridden by the session's tags
 * of the same key regardless of case (AWS: "session tags override … regardless of case").
 */
function withSessionTags(stored: Readonly<Record<string, string>>, caller: Caller): Record<string, string> {
  const passed = caller.session?.tags ?? [];
  if (passed.length === 0) return { ...stored };
  const overridden = new Set(passed.map((t) => t.key.toLowerCase()));
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(stored)) if (!overridden.has(k.toLowerCase())) out[k] = v;
  for (const t of passed) out[t.key] = t.value;
  return out;
}

const ALLOW_ALL = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}';

/** Everything that governs the caller: stored policies, boundary, session policies, tags. */
export async function principalFor(deps: PrincipalDeps, caller: Caller): Promise<CompiledPrincipal> {
  const session = caller.session;
  if (caller.kind !== 'assumed-role' && caller.kind !== 'federated-user') {
    if (caller.kind === 'root' || !caller.user) return { set: {}, tags: {} };
    return storedPrincipal(deps, 'user', caller.user.id, caller.accountId);
  }
  // A session's compiled set is built once and kept with its account's cache entries, so its
  // session policies are not hashed and looked up again on every request.
  const key = `session:${session?.jti ?? caller.accessKeyId}`;
  const hit = deps.principals.get(key);
  if (hit) return hit;
  const epoch = deps.principals.epoch;
  let built: CompiledPrincipal;
  if (caller.kind === 'assumed-role' && caller.role) {
    const role = await storedPrincipal(deps, 'role', caller.role.id, caller.accountId);
    const policies = sessionPolicies(deps, caller);
    built = { set: { ...role.set, ...(policies.length > 0 ? { session: { policies } } : {}) }, tags: withSessionTags(role.tags, caller), ...(role.gone ? { gone: true } : {}) };
  } else if (caller.kind === 'federated-user') {
    // The parent's permissions intersected with the session policy; none means no permissions.
    const parent = caller.user
      ? await storedPrincipal(deps, 'user', caller.user.id, caller.accountId)
      : { set: { identity: [{ id: 'root', policy: deps.policyCache.get(ALLOW_ALL, { kind: 'identity' }) }] }, tags: {} };
    built = { set: { ...parent.set, session: { policies: sessionPolicies(deps, caller), federated: true } }, tags: withSessionTags(parent.tags, caller), ...('gone' in parent && parent.gone ? { gone: true } : {}) };
  } else {
    return { set: { identity: [] }, tags: {} };
  }
  deps.principals.set(key, caller.accountId, built, epoch);
  return built;
}

/** A boundary that failed to compile must not become "no boundary". */
/** A policy that denies everything, in the place of one that cannot be used (it fails closed). */
function denyAll(cache: PolicyCache, id = 'invalid-boundary', kind: 'boundary' | 'session' = 'boundary'): AttachedPolicy {
  return { id, policy: cache.get(DENY_ALL, { kind }) };
}

const DENY_ALL = '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}';

const PRINCIPAL_TYPE: Record<Caller['kind'], string> = { root: 'Account', user: 'User', 'assumed-role': 'AssumedRole', 'federated-user': 'FederatedUser' };

/** The global condition keys AWS sets for the caller (shared/SPEC.md §5). */
export function callerContext(caller: Caller, tags: Readonly<Record<string, string>>, req: AuthorizationRequest): Record<string, ContextValueInput | undefined> {
  const session = caller.session;
  const values: Record<string, ContextValueInput | undefined> = {
    // For a role session AWS sets aws:PrincipalArn to the role's ARN, not the session's.
    'aws:PrincipalArn': caller.kind === 'assumed-role' ? caller.principal.parentArn : caller.arn,
    'aws:PrincipalAccount': caller.accountId,
    'aws:PrincipalType': PRINCIPAL_TYPE[caller.kind],
    'aws:userid': caller.userId,
    'aws:username': caller.kind === 'user' ? caller.user?.name : undefined,
    'aws:SourceIp': req.sourceIp,
    'aws:SecureTransport': req.secureTransport,
    'aws:CurrentTime': req.now.toISOString(),
    'aws:EpochTime': Math.floor(req.now.getTime() / 1000),
    'aws:ViaAWSService': false,
  };
  if (session) {
    values['aws:TokenIssueTime'] = new Date(session.iat * 1000).toISOString();
    // Present (true or false) only for temporary credentials, as AWS does.
    values['aws:MultiFactorAuthPresent'] = session.mfa !== undefined;
    if (session.mfa !== undefined) values['aws:MultiFactorAuthAge'] = Math.max(0, Math.floor(req.now.getTime() / 1000) - session.mfa);
    if (session.sid !== undefined) values['aws:SourceIdentity'] = session.sid;
    // A session that began with a web identity: its provider, and the provider's aud and sub keys.
    if (session.wi !== undefined) Object.assign(values, sessionKeys(session.wi.p, session.wi.u, session.wi.aud, session.wi.sub));
    // A session that began with a SAML sign-in: its provider, and the keys AWS keeps usable after the assumption.
    if (session.saml !== undefined) {
      values['aws:FederatedProvider'] = session.saml.p;
      values['saml:namequalifier'] = session.saml.nq;
      values['saml:sub'] = session.saml.sub;
      values['saml:sub_type'] = session.saml.st;
    }
  }
  for (const [k, v] of Object.entries(tags)) values[`aws:PrincipalTag/${k}`] = v;
  return { ...values, ...req.context };
}

/** The decision for the request; `context` is its condition keys, when the caller already built them. */
export function evaluateFor(
  principal: CompiledPrincipal,
  caller: Caller,
  req: AuthorizationRequest,
  context: Readonly<Record<string, ContextValueInput | undefined>> = callerContext(caller, principal.tags, req),
): Decision {
  return evaluate(principal.set, { principal: caller.principal, action: req.action, resource: req.resource, context: createRequestContext(context) });
}

const DENY_SOURCE: Record<PolicyType, string> = {
  identity: 'an identity-based policy',
  resource: 'a resource-based policy',
  boundary: 'a permissions boundary',
  session: 'a session policy',
  scp: 'a service control policy',
};

/**
 * AWS's wording ("Troubleshoot access denied error messages", IAM User Guide): `User: ARN is not
 * authorized to perform: ACTION on resource: RESOURCE`, then the reason AWS has appended since
 * 2021 — "with an explicit deny in a TYPE" or "because no TYPE allows the ACTION action" — except
 * where AWS's own answers carry none:
 * - the AssumeRole family (sts:AssumeRole, and sts:TagSession and sts:SetSourceIdentity on the
 *   role), decided by the role's trust policy together with the caller's policies: AWS's STS
 *   answers name no reason, whichever side refused (recorded answers, 2014 to 2025:
 *   "User: arn:aws:iam::…:user/x is not authorized to perform: sts:AssumeRole on resource:
 *   arn:aws:iam::…:role/r"; the same for sts:SetSourceIdentity), and a role that does not exist
 *   reads the same;
 * - STS actions that have no resource type (`*`: DecodeAuthorizationMessage, GetAccessKeyInfo)
 *   name no resource: "… is not authorized to perform:
 *   sts:DecodeAuthorizationMessage because no identity-based policy allows the
 *   sts:DecodeAuthorizationMessage action". IAM's account-level actions keep "on resource: *"
 *   (GetAccountSummary, as AWS answers it).
 * A service control policy is named as an explicit deny even when it denies implicitly, as AWS
 * does ("the error message always includes the phrase … explicit deny in a service control
 * policy, even if the denial is implicit").
 */
export function accessDeniedMessage(caller: Caller, req: AuthorizationRequest, decision: Decision): string {
  const onResource = req.resource === '*' && req.action.startsWith('sts:') ? '' : ` on resource: ${req.resource}`;
  const head = `User: ${caller.arn} is not authorized to perform: ${req.action}${onResource}`;
  if (isRoleAssumption(req)) return head;
  if (decision.decision === 'ExplicitDeny') return `${head} with an explicit deny in ${DENY_SOURCE[decision.matchedStatements[0]?.policyType ?? 'identity']}`;
  if (decision.deniedBy === 'scp') return `${head} with an explicit deny in ${DENY_SOURCE.scp}`;
  return `${head} because no ${IMPLICIT_SOURCE[decision.deniedBy ?? 'identity']} allows the ${req.action} action`;
}

const IMPLICIT_SOURCE: Record<Exclude<PolicyType, 'scp'>, string> = {
  identity: 'identity-based policy',
  resource: 'resource-based policy',
  boundary: 'permissions boundary',
  session: 'session policy',
};

/**
 * Assuming a role (whatever the RoleArn names, even a resource that is no role), or tagging or
 * naming the session that assumes it (sts:TagSession, sts:SetSourceIdentity on the role).
 */
function isRoleAssumption(req: AuthorizationRequest): boolean {
  if (!req.action.startsWith('sts:')) return false;
  return req.action.startsWith('sts:AssumeRole') || /^arn:[^:]+:iam::[^:]*:role\//.test(req.resource);
}

/**
 * AccessDenied for a policy decision. By default it reads exactly as AWS's IAM and STS denials,
 * which carry nothing more. With AUTHORIZATION_FAILURE_MESSAGES=encoded it also carries the
 * details, in the form of the AWS services that attach them ("… Encoded authorization failure
 * message: …"): "Some AWS operations additionally return an encoded message that can provide
 * details about this authorization failure" (STS API Reference, DecodeAuthorizationMessage).
 * Only a caller of the same account allowed sts:DecodeAuthorizationMessage can read it
 * (src/auth/authorization-message.ts). `context` is the condition keys the decision was
 * evaluated with.
 */
export function accessDenied(deps: DenialDeps, caller: Caller, req: AuthorizationRequest, decision: Decision, context: Readonly<Record<string, ContextValueInput | undefined>>): AwsError {
  const message = accessDeniedMessage(caller, req, decision);
  const denial = { denial: { action: req.action, resource: req.resource } };
  if (deps.failureMessages !== 'encoded') return new AwsError('AccessDenied', message, denial);
  const details = describeAuthorization({
    // AWS names the principal by its unique id; an IAM user also by its name.
    principal: { id: caller.userId, name: caller.kind === 'user' ? caller.user?.name : undefined, arn: caller.arn },
    action: req.action,
    resource: req.resource,
    decision,
    context,
  });
  const encoded = encodeAuthorizationMessage(deps.keyring, caller.accountId, details);
  return new AwsError('AccessDenied', `${message}${ENCODED_MESSAGE}${encoded}`, denial);
}

const ENCODED_MESSAGE = '. Encoded authorization failure message: ';

/**
 * An AccessDenied message without its encoded authorization failure message, if it has one: the
 * reason alone (the audit trail keeps that; the sealed details repeat the event's own fields, and
 * run to kilobytes).
 */
export function deniedReason(message: string): string {
  // The last one, followed by base64url only: the reason may quote a caller-supplied resource.
  const at = message.lastIndexOf(ENCODED_MESSAGE);
  return at >= 0 && /^[A-Za-z0-9_-]+$/.test(message.slice(at + ENCODED_MESSAGE.length)) ? message.slice(0, at) : message;
}

/** Throws AccessDenied unless the caller may perform the request. */
export async function authorize(deps: AuthorizeDeps, caller: Caller, req: AuthorizationRequest): Promise<void> {
  // Root may do anything to its own account's resources (its identity side always allows).
  if (caller.kind === 'root') {
    const account = arnAccountField(req.resource);
    // `aws` owns AWS managed policies: naming one is not a cross-account call (it is simply not found here).
    if (account === undefined || account === caller.accountId || account === 'aws') return;
    // Another account's resource needs that account's resource-based policy, and IAM has none here.
    const decision: Decision = { decision: 'ImplicitDeny', matchedStatements: [], missingContextKeys: [], deniedBy: 'resource' };
    throw accessDenied(deps, caller, req, decision, callerContext(caller, {}, req));
  }
  const principal = await principalFor(deps, caller);
  // Built once: evaluated with, and, on a refusal, described in the encoded message (when on).
  const context = callerContext(caller, principal.tags, req);
  const decision = evaluateFor(principal, caller, req, context);
  if (decision.decision !== 'Allow') throw accessDenied(deps, caller, req, decision, context);
}
