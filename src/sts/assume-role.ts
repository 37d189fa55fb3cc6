/**
 * AssumeRole: temporary credentials for a role, in this account or another of this deployment
 * (STS API Reference, AssumeRole; IAM User Guide, "Switch to an IAM role (AWS API)", "Passing
 * session tags in AWS STS", "Monitor and control actions taken with assumed roles").
 *
 * The steps, in order:
 * 1. Who may call: an IAM user or a role session (federated users are refused before the handler,
 *    src/auth/credential-type.ts); root gets AWS's "Roles may not be assumed by root accounts.".
 *    SerialNumber/TokenCode fail closed: MFA devices are not built yet, and a request that asks
 *    for MFA must never get credentials without it.
 * 2. What the request alone can be checked for: the RoleArn's form, the session tags (AWS's
 *    InvalidParameterValue rules), the session policies (count, 2,048-character plaintext,
 *    MalformedPolicyDocument), and SourceIdentity, which is set once for a whole chain.
 * 3. The role: one that does not exist answers like a refusal (AccessDenied naming the ARN, as AWS
 *    does), so a caller learns nothing about roles it may not assume.
 * 4. Authorization by the engine, trust policy and caller's policies together
 *    (src/policy/README.md, "Evaluation order": the trust policy must allow; in the same account a
 *    trust policy naming the caller itself suffices, one naming the account defers to the
 *    caller's identity policies; across accounts both sides must allow): `sts:AssumeRole`, then
 *    `sts:TagSession` when tags are passed or inherited, then `sts:SetSourceIdentity` when a source
 *    identity is set or carried.
 * 5. Duration: 900 (the model) up to the role's MaxSessionDuration, default one hour; with
 *    temporary credentials (a role chain, or GetSessionToken credentials, which AWS caps the same
 *    way) at most one hour, and a longer explicit DurationSeconds fails as on AWS. Checked after
 *    authorization so that the role's settings are not told to callers it does not trust.
 * 6. PolicyArns are resolved in the role's account, the packed size checked, the credentials
 *    issued, and the role's last use recorded.
 */
import type { CompiledPrincipal } from '../auth/authorize.js';
import { AwsError } from '../errors.js';
import { assumedRoleArn, isArn, parseRoleArn, roleArn as roleArnOf } from '../arn.js';
import { DOCUMENT_LIMITS } from '../iam/documents.js';
import { defineOperation, type ContextValues, type OperationContext, type OperationDef } from '../operation.js';
import { evaluate, type CompiledPolicy, type PolicySet } from '../policy/index.js';
import { markRoleUsed, type AssumableRole } from '../store/sts-lookups.js';
import type { SessionTag } from '../tokens/session-token.js';
import { issueCredentials, sourceKeyOf } from './issue.js';
import { assertTokenFits, checkPackedPolicySize, checkSessionPolicyInput, resolvePolicyArns, type PolicyDescriptor } from './session-policies.js';
import { checkRequestTags, checkTransitiveKeys, inheritedTags, mergeSessionTags, sessionTagContext } from './session-tags.js';

interface Input {
  readonly roleArn: string;
  readonly roleSessionName: string;
  readonly policyArns?: readonly PolicyDescriptor[];
  readonly policy?: string;
  readonly durationSeconds?: number;
  readonly tags?: readonly SessionTag[];
  readonly transitiveTagKeys?: readonly string[];
  readonly externalId?: string;
  readonly serialNumber?: string;
  readonly tokenCode?: string;
  readonly sourceIdentity?: string;
}

/** DurationSeconds when the request gives none (the role's maximum is never below it). */
export const DEFAULT_ROLE_SESSION_SECONDS = 3600;
/** The longest session a chained AssumeRole may ask for. */
export const CHAINED_MAX_SECONDS = 3600;

const ACTION = 'sts:AssumeRole';

/** A stored trust policy that no longer compiles (a stricter engine) trusts nobody. */
function compileTrust(ctx: OperationContext, role: AssumableRole): CompiledPolicy | undefined {
  try {
    return ctx.policyCache.get(role.trustPolicy, { kind: 'trust', maxLength: DOCUMENT_LIMITS.trust });
  } catch {
    return undefined;
  }
}

/** Every action the call needs, evaluated against the trust policy and the caller's own policies. */
function authorizeAssumption(ctx: OperationContext, principal: CompiledPrincipal, trust: CompiledPolicy, roleArn: string, roleAccount: string, actions: readonly string[], extra: ContextValues): void {
  const set: PolicySet = { ...principal.set, resource: { id: roleArn, policy: trust, account: roleAccount }, resourceIsTrustPolicy: true };
  for (const action of actions) {
    const decision = evaluate(set, { principal: ctx.caller.principal, action, resource: roleArn, context: ctx.conditionContext(principal, action, roleArn, extra) });
    if (decision.decision !== 'Allow') throw ctx.denied(action, roleArn, decision);
  }
}

function durationFor(input: Input, role: AssumableRole, chained: boolean): number {
  const requested = input.durationSeconds;
  if (requested === undefined) return DEFAULT_ROLE_SESSION_SECONDS;
  if (requested > role.maxSessionDuration) {
    throw new AwsError('ValidationError', 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.');
  }
  if (chained && requested > CHAINED_MAX_SECONDS) {
    throw new AwsError('ValidationError', 'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.');
  }
  return requested;
}

/** A request with MFA parameters is refused until MFA devices exist (never silently ignored). */
const MFA_NOT_SUPPORTED = 'MultiFactorAuthentication failed: MFA is not supported yet, so SerialNumber and TokenCode cannot be verified.';

/**
 * SourceIdentity: "The value that is set persists when a role is used to assume another role …
 * The value that is set cannot be changed during the role session." A chained call carries the
 * calling session's value; asking for another one is refused **(choice of code and message: AWS
 * does not document them)**.
 */
function sourceIdentityFor(input: Input, inherited: string | undefined): string | undefined {
  if (inherited !== undefined && input.sourceIdentity !== undefined && input.sourceIdentity !== inherited) {
    throw new AwsError('InvalidParameterValue', `SourceIdentity cannot be changed once set: the calling session's source identity is ${inherited}.`);
  }
  return inherited ?? input.sourceIdentity;
}

export const assumeRole = defineOperation({
  name: 'AssumeRole',
  action: ACTION,
  // Not a write: the pipeline records the issuance's audit event before the credentials are
  // returned (no event, no credentials). The only write here, the role's last use, changes no
  // authorization decision: announcing it would empty every node's caches for the caller's
  // account on every AssumeRole.
  write: false,
  authorization: 'handler',
  resource: (input: Input) => input.roleArn,
  handle: async (input: Input, ctx) => {
    const { caller } = ctx;
    // 1. who may call
    if (caller.kind === 'root') throw new AwsError('AccessDenied', 'Roles may not be assumed by root accounts.');
    if (caller.kind === 'federated-user') throw new AwsError('AccessDenied', 'Cannot call AssumeRole with session credentials');
    if (input.serialNumber !== undefined || input.tokenCode !== undefined) throw new AwsError('AccessDenied', MFA_NOT_SUPPORTED);

    // 2. the request itself
    if (!isArn(input.roleArn)) throw new AwsError('ValidationError', `${input.roleArn} is invalid`);
    const requestTags = checkRequestTags(input.tags);
    const requestTransitive = checkTransitiveKeys(requestTags, input.transitiveTagKeys);
    const sessionTags = mergeSessionTags(inheritedTags(caller.session), requestTags, requestTransitive);
    const policyArns = checkSessionPolicyInput(ctx.policyCache, input);
    const sourceIdentity = sourceIdentityFor(input, caller.session?.sid);

    // 3. the role
    const ref = parseRoleArn(input.roleArn);
    const role = ref ? await ctx.findRole(ref) : undefined;
    const trust = role ? compileTrust(ctx, role) : undefined;
    // A missing role (or one whose trust policy no longer compiles) is refused exactly like a
    // trust policy that does not allow the caller: nothing tells the two apart.
    if (!role || !trust) throw ctx.denied(ACTION, input.roleArn, { decision: 'ImplicitDeny', matchedStatements: [], missingContextKeys: [], deniedBy: 'resource' });
    const roleArn = roleArnOf(role.accountId, role);

    // 4. authorization
    const actions = [ACTION];
    if (sessionTags.tags.length > 0) actions.push('sts:TagSession');
    if (sourceIdentity !== undefined) actions.push('sts:SetSourceIdentity');
    const extra: ContextValues = {
      'sts:RoleSessionName': input.roleSessionName,
      'sts:ExternalId': input.externalId,
      'sts:SourceIdentity': sourceIdentity,
      ...sessionTagContext(sessionTags),
    };
    for (const [k, v] of Object.entries(role.tags)) extra[`aws:ResourceTag/${k}`] = v;
    authorizeAssumption(ctx, await ctx.principal(), trust, roleArn, role.accountId, actions, extra);

    // 5. duration
    const duration = durationFor(input, role, caller.session !== undefined);

    // 6. session policies, packed size, credentials
    const managed = await resolvePolicyArns(ctx.db, ctx.policyCache, ctx.awsManagedPolicies, role.accountId, policyArns);
    const policies = input.policy !== undefined ? [input.policy, ...managed] : managed;
    const packedPolicySize = checkPackedPolicySize({ policies, tags: sessionTags.tags, transitive: sessionTags.transitive });
    const arn = assumedRoleArn(role.accountId, role.name, input.roleSessionName);
    const uid = `${role.id}:${input.roleSessionName}`;
    const { credentials } = issueCredentials(ctx.keyring, ctx.now, duration, {
      kind: 'role',
      acct: role.accountId,
      arn,
      uid,
      role: { id: role.id, name: role.name, path: role.path },
      name: input.roleSessionName,
      pol: policies.length > 0 ? policies : undefined,
      tags: sessionTags.tags.length > 0 ? sessionTags.tags : undefined,
      tt: sessionTags.transitive.length > 0 ? sessionTags.transitive : undefined,
      sid: sourceIdentity,
      // MFA verified earlier in the chain (GetSessionToken with MFA, then AssumeRole) carries on,
      // as aws:MultiFactorAuthPresent does on AWS.
      mfa: caller.session?.mfa,
      depth: caller.session?.kind === 'role' ? caller.session.depth + 1 : 0,
      ...sourceKeyOf(caller),
    });
    assertTokenFits(credentials.sessionToken);
    // At most once a minute per role and region from this node (AWS reports last use with a delay too).
    if (!ctx.recentlyDone(`role-used:${role.id}:${ctx.region}`, 60_000)) await markRoleUsed(ctx.db, role.id, ctx.now, ctx.region);

    return {
      credentials,
      assumedRoleUser: { assumedRoleId: uid, arn },
      // AWS returns PackedPolicySize only when the session carries policies or tags.
      packedPolicySize: policies.length > 0 || sessionTags.tags.length > 0 ? packedPolicySize : undefined,
      sourceIdentity,
    };
  },
});

export const assumeRoleOperations: readonly OperationDef[] = [assumeRole];
