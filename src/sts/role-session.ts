/**
 * The rules every AssumeRole* action shares (STS API Reference: AssumeRole,
 * AssumeRoleWithWebIdentity, AssumeRoleWithSAML; IAM User Guide, "Passing session tags in AWS
 * STS", "Monitor and control actions taken with assumed roles"): the role ARN, the role and its
 * trust policy, authorization of every action the call needs, the duration and the chaining cap,
 * session policies and tags, SourceIdentity, and the issued role session. Each action's file
 * says who its principal is and what its proof is; what follows is the same for all of them.
 */
import { assumedRoleArn, isArn, parseRoleArn, roleArn as roleArnOf } from '../arn.js';
import { AwsError } from '../errors.js';
import { DOCUMENT_LIMITS } from '../iam/documents.js';
import { Issued, type CallContext, type ContextValues, type Registry } from '../operation.js';
import { createRequestContext, evaluate, type CompiledPolicy, type Decision, type PolicySet, type RequestPrincipal } from '../policy/index.js';
import type { Db } from '../store/db.js';
import { markRoleUsed, type AssumableRole, type RoleRef } from '../store/roles.js';
import type { SessionClaims, SessionTag } from '../tokens/session-token.js';
import { issueCredentials, type TemporaryCredentials } from './issue.js';
import { assertTokenFits, checkPackedPolicySize, checkSessionPolicyInput, resolvePolicyArns, type PolicyDescriptor } from './session-policies.js';
import { checkRequestTags, checkTransitiveKeys, mergeSessionTags, sessionTagContext, type SessionTagSet } from './session-tags.js';

/** DurationSeconds when the request gives none (the role's maximum is never below it). */
export const DEFAULT_ROLE_SESSION_SECONDS = 3600;
/** The longest session a chained AssumeRole may ask for. */
export const CHAINED_MAX_SECONDS = 3600;

/** A role that may be assumed, with the trust policy that decides who may. */
export interface Assumable {
  readonly role: AssumableRole;
  /** The role's ARN as stored (exact case). */
  readonly arn: string;
  readonly trust: CompiledPolicy;
}

/** The decision nobody is given: a missing role, or one whose trust policy no longer compiles. */
export const NOT_TRUSTED: Decision = { decision: 'ImplicitDeny', matchedStatements: [], missingContextKeys: [], deniedBy: 'resource' };

/**
 * A RoleArn that is not an ARN is a ValidationError; one that is an ARN but names no role (another
 * service's resource) is kept as undefined, to be refused like a role that does not trust the
 * caller.
 */
export function checkRoleArn(roleArnInput: string): RoleRef | undefined {
  if (!isArn(roleArnInput)) throw new AwsError('ValidationError', `${roleArnInput} is invalid`);
  return parseRoleArn(roleArnInput);
}

/**
 * The role a RoleArn names. A role that does not exist, or whose trust policy no longer compiles
 * (a stricter engine: it trusts nobody, and is logged), is undefined, and the caller refuses it
 * exactly like a trust policy that does not allow it (NOT_TRUSTED): nothing tells the two apart.
 */
export async function findAssumable(deps: Registry, db: Db, ref: RoleRef | undefined): Promise<Assumable | undefined> {
  const role = ref ? await deps.roles.find(ref, db) : undefined;
  if (!role) return undefined;
  let trust: CompiledPolicy;
  try {
    trust = deps.policyCache.get(role.trustPolicy, { kind: 'trust', maxLength: DOCUMENT_LIMITS.trust });
  } catch (err) {
    deps.reportUnusable(`trust policy of role ${role.id}`, err);
    return undefined;
  }
  return { role, arn: roleArnOf(role.accountId, role), trust };
}

/** Who asks to assume the role, as the engine evaluates it. */
export interface Assumer {
  /** The principal the trust policy's Principal element is matched against. */
  readonly principal: RequestPrincipal;
  /** The caller's own policies (identity, boundary, session) for a signed caller; none for a federated one. */
  readonly set: PolicySet;
  /** The condition keys of one action (global keys + the call's own). */
  context(action: string, resource: string): ContextValues;
  /** AccessDenied in AWS's words for a refused action. */
  deny(action: string, resource: string, decision: Decision, context: ContextValues): AwsError;
  /** The caller's user or role no longer exists: no trust policy trusts it, even by its old unique id. */
  readonly gone?: boolean | undefined;
}

/**
 * Every action the call needs (`sts:AssumeRole…`, then `sts:TagSession` and
 * `sts:SetSourceIdentity` when used), each evaluated against the trust policy and the assumer's
 * own policies together (src/policy/README.md, "Evaluation order").
 */
export function authorizeAssumption(assumer: Assumer, target: Assumable, actions: readonly string[]): void {
  const set: PolicySet = { ...assumer.set, resource: { id: target.arn, policy: target.trust, account: target.role.accountId }, resourceIsTrustPolicy: true };
  for (const action of actions) {
    const context = assumer.context(action, target.arn);
    if (assumer.gone) throw assumer.deny(action, target.arn, { decision: 'ImplicitDeny', matchedStatements: [], missingContextKeys: [], deniedBy: 'resource' }, context);
    const decision = evaluate(set, { principal: assumer.principal, action, resource: target.arn, context: createRequestContext(context) });
    if (decision.decision !== 'Allow') throw assumer.deny(action, target.arn, decision, context);
  }
}

/** A federated caller brings no session of ours: no transitive tags to inherit. */
export const NO_INHERITED_TAGS: SessionTagSet = { tags: [], transitive: [] };

/** AWS's refusal of AssumeRoleWithWebIdentity and AssumeRoleWithSAML, whatever was refused (the trust policy, or a role that does not exist). */
export function notAuthorizedFederated(action: string): AwsError {
  return new AwsError('AccessDenied', `Not authorized to perform ${action}`);
}

/**
 * AssumeRoleWithWebIdentity's and AssumeRoleWithSAML's authorization: the role's trust policy
 * alone (a federated caller has no policies of its own), with the call's condition keys, for
 * every action the call needs; AWS's federated refusal otherwise.
 */
export function authorizeFederatedAssumption(principal: RequestPrincipal, target: Assumable, context: ContextValues, actions: readonly string[]): void {
  authorizeAssumption({ principal, set: {}, context: () => context, deny: (action) => notAuthorizedFederated(action) }, target, actions);
}

/** The actions a role session's request needs on the role. */
export function assumptionActions(action: string, tags: SessionTagSet, sourceIdentity: string | undefined): string[] {
  const actions = [action];
  if (tags.tags.length > 0) actions.push('sts:TagSession');
  if (sourceIdentity !== undefined) actions.push('sts:SetSourceIdentity');
  return actions;
}

/** The condition keys every AssumeRole* request adds: the session's name, tags and source identity, and the role's tags. */
export function assumptionContext(role: AssumableRole, sessionName: string, tags: SessionTagSet, sourceIdentity: string | undefined, extra: ContextValues): ContextValues {
  const values: ContextValues = { 'sts:RoleSessionName': sessionName, ...extra, 'sts:SourceIdentity': sourceIdentity, ...sessionTagContext(tags) };
  for (const [k, v] of Object.entries(role.tags)) values[`aws:ResourceTag/${k}`] = v;
  return values;
}

/**
 * The session's duration: 900 (the model) up to the role's MaxSessionDuration, default one hour;
 * a chained session (from temporary credentials) at most one hour, and a longer explicit
 * DurationSeconds fails as on AWS. Checked after authorization so that the role's settings are not
 * told to callers it does not trust.
 */
export function sessionDuration(requested: number | undefined, role: AssumableRole, chained: boolean): number {
  if (requested === undefined) return DEFAULT_ROLE_SESSION_SECONDS;
  if (requested > role.maxSessionDuration) {
    throw new AwsError('ValidationError', 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.');
  }
  if (chained && requested > CHAINED_MAX_SECONDS) {
    throw new AwsError('ValidationError', 'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.');
  }
  return requested;
}

/**
 * The session's tags: the request's (AWS's InvalidParameterValue rules), merged over the
 * transitive tags the calling session carries (none for a federated caller).
 */
export function sessionTagsFor(inherited: SessionTagSet, tags: readonly SessionTag[] | undefined, transitiveTagKeys: readonly string[] | undefined): SessionTagSet {
  const requestTags = checkRequestTags(tags);
  return mergeSessionTags(inherited, requestTags, checkTransitiveKeys(requestTags, transitiveTagKeys));
}

/**
 * SourceIdentity: "The value that is set persists when a role is used to assume another role …
 * The value that is set cannot be changed during the role session." A chained call carries the
 * calling session's value; asking for another one is refused **(choice of code and message: AWS
 * does not document them)**.
 */
export function sourceIdentityFor(requested: string | undefined, inherited: string | undefined): string | undefined {
  if (inherited !== undefined && requested !== undefined && requested !== inherited) {
    throw new AwsError('InvalidParameterValue', `SourceIdentity cannot be changed once set: the calling session's source identity is ${inherited}.`);
  }
  return inherited ?? requested;
}

/** The request's session policies (count, plaintext size, MalformedPolicyDocument), checked before any lookup. */
export function checkSessionPolicies(deps: Registry, input: { readonly policy?: string | undefined; readonly policyArns?: readonly PolicyDescriptor[] | undefined }): readonly string[] {
  return checkSessionPolicyInput(deps.policyCache, input);
}

/** The global keys of an unsigned request (AssumeRoleWithWebIdentity, AssumeRoleWithSAML): what the request itself says, and the time. */
export function unsignedRequestKeys(ctx: CallContext): ContextValues {
  return {
    'aws:SourceIp': ctx.request.sourceIp,
    'aws:SecureTransport': ctx.request.secureTransport,
    'aws:CurrentTime': ctx.now.toISOString(),
    'aws:EpochTime': Math.floor(ctx.now.getTime() / 1000),
    'aws:ViaAWSService': false,
  };
}

/** What the issued role session is made of, beyond the role. */
export interface RoleSessionFacts {
  readonly sessionName: string;
  readonly durationSeconds: number;
  /** The inline session policy, if any. */
  readonly policy: string | undefined;
  /** PolicyArns as checked by checkSessionPolicies, resolved in the role's account. */
  readonly policyArns: readonly string[];
  readonly tags: SessionTagSet;
  readonly sourceIdentity: string | undefined;
  /** The rest of the session's claims: MFA, chain depth, source key, the federation's own facts. */
  readonly claims: Pick<SessionClaims, 'mfa' | 'depth' | 'src' | 'srcAcct' | 'srcOff' | 'wi' | 'saml'>;
}

export interface RoleSessionOutput {
  readonly credentials: TemporaryCredentials;
  readonly assumedRoleUser: { readonly assumedRoleId: string; readonly arn: string };
  readonly packedPolicySize: number | undefined;
  readonly sourceIdentity: string | undefined;
}

/**
 * Session policies resolved and the packed size checked, the credentials issued, and the role's
 * last use recorded (at most once a minute per role and region from this node: AWS reports last
 * use with a delay too).
 */
export async function issueRoleSession(deps: Registry, db: Db, now: Date, region: string | undefined, target: Assumable, facts: RoleSessionFacts): Promise<Issued<RoleSessionOutput>> {
  const { role } = target;
  const managed = await resolvePolicyArns(db, deps.policyCache, deps.awsManagedPolicies, role.accountId, facts.policyArns);
  const policies = facts.policy !== undefined ? [facts.policy, ...managed] : managed;
  const { tags, transitive } = facts.tags;
  const packedPolicySize = checkPackedPolicySize({ policies, tags, transitive });
  const arn = assumedRoleArn(role.accountId, role.name, facts.sessionName);
  const uid = `${role.id}:${facts.sessionName}`;
  const { credentials, claims } = issueCredentials(deps.keyring, now, facts.durationSeconds, {
    kind: 'role',
    acct: role.accountId,
    arn,
    uid,
    role: { id: role.id, name: role.name, path: role.path },
    name: facts.sessionName,
    pol: policies.length > 0 ? policies : undefined,
    tags: tags.length > 0 ? tags : undefined,
    tt: transitive.length > 0 ? transitive : undefined,
    sid: facts.sourceIdentity,
    ...facts.claims,
  });
  assertTokenFits(credentials.sessionToken);
  const usedIn = region ?? '';
  if (!deps.recentlyDone(`role-used:${role.id}:${usedIn}`, 60_000, now.getTime())) await markRoleUsed(db, role.id, now, usedIn);
  return new Issued(
    {
      credentials,
      assumedRoleUser: { assumedRoleId: uid, arn },
      // AWS returns PackedPolicySize only when the session carries policies or tags.
      packedPolicySize: policies.length > 0 || tags.length > 0 ? packedPolicySize : undefined,
      sourceIdentity: facts.sourceIdentity,
    },
    claims,
  );
}
