/**
 * Managed policies: CreatePolicy, GetPolicy, DeletePolicy, ListPolicies and their tags (the tag
 * family: TagPolicy, UntagPolicy, ListPolicyTags). POLICY is the kind they are known by. Versions
 * live in policy-versions.ts, attachments in attachments.ts. AWS managed policies
 * (`arn:aws:iam::aws:policy/…`, loaded from aws-managed/) are seen by every account and
 * changed by none: the operations that would change one answer AccessDenied (outsideAccount).
 */
import { AwsError } from '../errors.js';
import { defineOperation, type DefinedOperation, type ResourceContext } from '../operation.js';
import { nonWhitespaceLength, type PolicyCache } from '../policy/index.js';
import { lockQuota } from '../store/accounts.js';
import {
  countCustomerPolicies,
  countVersions,
  deletePolicy,
  findPolicy,
  findPolicyByName,
  insertPolicy,
  listPolicies,
  listSortKey,
  lockPolicy,
  policyUsage,
  type ManagedPolicyRow,
  type PolicyUsage,
} from '../store/policies/managed.js';
import { deleteAllTags, putTags } from '../store/tags.js';
import { hasArnShape, parsePolicyArn, policyArn } from '../arn.js';
import { DOCUMENT_LIMITS, validateDocument } from './documents.js';
import { newUniqueId } from './ids.js';
import { pathOr } from './names.js';
import { decodeMarker, limitOf, pageOf, pageResult } from './pagination.js';
import { entityTarget, requireTarget, type EntityKind } from './entities.js';
import { checkTags, requestTagContext, tagOperations, type Tag } from './tags.js';

/** IAM's default quota of customer managed policies per account. */
export const MAX_POLICIES = 1500;

export function noSuchPolicy(arn: string): AwsError {
  return new AwsError('NoSuchEntity', `Policy ${arn} does not exist or is not attachable.`);
}

/**
 * A PolicyArn must be a policy ARN. Something that is no ARN at all (a bare policy name, say) is
 * ValidationError "Invalid ARN:  Could not be parsed!" (two spaces, as recorded against AWS for
 * Attach{User,Role}Policy in LocalStack's AWS-validated snapshots); an ARN of something other than
 * a policy is InvalidInput "ARN x is not valid.".
 */
export function checkPolicyArn(arn: string): void {
  if (!hasArnShape(arn)) throw new AwsError('ValidationError', 'Invalid ARN:  Could not be parsed!');
  if (!parsePolicyArn(arn)) throw new AwsError('InvalidInput', `ARN ${arn} is not valid.`);
}

/**
 * Managed policies as an entity kind: named by ARN (the caller's account's, or an AWS managed
 * one), authorized against that ARN as the caller gave it, tagged (only `aws:ResourceTag/…`, as
 * AWS's `policy` resource type has it), counted as `Policies` (customer managed ones only).
 */
export const POLICY: EntityKind<ManagedPolicyRow, 'policyArn', 'policy'> = {
  type: 'policy',
  label: 'Policy',
  key: 'policyArn',
  find: findPolicy,
  arn: (_accountId, arn) => arn,
  notFound: noSuchPolicy,
  checkName: checkPolicyArn,
  resourceTags: ['aws'],
  summary: { usage: 'Policies', quota: ['PoliciesQuota', MAX_POLICIES], count: countCustomerPolicies },
};

/**
 * Every operation on an existing policy (GetPolicy, DeletePolicy, the version operations,
 * ListEntitiesForPolicy, the tag family) reads it once (load) and is authorized on its ARN with
 * its tags as aws:ResourceTag/…; the writes read it again (and lock it) in their transaction.
 */
export const policyTarget = entityTarget(POLICY);

/**
 * The caller's account's policy, or the AWS managed policy, with this ARN (checkPolicyArn first);
 * another account's policy does not exist here.
 */
export async function requirePolicy(ctx: ResourceContext, arn: string, notFound: (arn: string) => AwsError = noSuchPolicy): Promise<ManagedPolicyRow> {
  checkPolicyArn(arn);
  const policy = await findPolicy(ctx.db, ctx.accountId, arn);
  if (!policy) throw notFound(arn);
  return policy;
}

/**
 * As requirePolicy, with the policy row locked until the write transaction ends. An AWS managed
 * policy is not locked: nothing here deletes or changes it, and every account attaches it.
 */
export async function requireLockedPolicy(ctx: ResourceContext, arn: string, notFound: (arn: string) => AwsError = noSuchPolicy): Promise<ManagedPolicyRow> {
  const found = await requirePolicy(ctx, arn, notFound);
  if (found.accountId === null) return found;
  const policy = await lockPolicy(ctx.db, found.id);
  if (!policy) throw notFound(arn);
  return policy;
}

/**
 * AWS refuses to change a policy of another account, AWS managed ones included, with AccessDenied
 * and a wording per operation ("Cannot delete policies outside your own account.", "Cannot create
 * versions for policies outside your own account.", as AWS answers them), whatever the caller's
 * own permissions. Checked on the ARN, before any lookup.
 */
export function refuseOutsideAccount(ctx: { readonly accountId: string }, arn: string, message: string): void {
  // An ARN that is no policy ARN passes here and is refused by requirePolicy's checkPolicyArn next.
  const parsed = parsePolicyArn(arn);
  if (parsed && parsed.accountId !== ctx.accountId) throw new AwsError('AccessDenied', message);
}

/**
 * AWS answers a managed policy document over the size quota with LimitExceeded, not
 * MalformedPolicyDocument; then the engine validates it (and caches the compiled form).
 */
export function checkManagedDocument(deps: { readonly policyCache: PolicyCache }, text: string): void {
  if (nonWhitespaceLength(text) > DOCUMENT_LIMITS.managed) {
    throw new AwsError('LimitExceeded', `Cannot exceed quota for PolicySize: ${DOCUMENT_LIMITS.managed}`);
  }
  validateDocument(deps.policyCache, text, 'identity', DOCUMENT_LIMITS.managed);
}

/**
 * A policy as IAM's `Policy` shape. GetPolicy (and CreatePolicy) carry the description and tags;
 * ListPolicies carries neither (AWS: "IAM resource-listing operations return a subset of the
 * available attributes").
 */
export function policyResult(policy: ManagedPolicyRow, usage: PolicyUsage, details?: { tags: readonly Tag[] }) {
  return {
    policyName: policy.name,
    policyId: policy.id,
    arn: policy.arn,
    path: policy.path,
    defaultVersionId: policy.defaultVersionId,
    attachmentCount: usage.attachmentCount,
    permissionsBoundaryUsageCount: usage.boundaryUsageCount,
    isAttachable: true,
    ...(details && policy.description !== null ? { description: policy.description } : {}),
    createDate: policy.createdAt,
    updateDate: policy.updatedAt,
    ...(details && details.tags.length > 0 ? { tags: details.tags } : {}),
  };
}

export const createPolicy = defineOperation('CreatePolicy', {
  authentication: 'sigv4',
  write: true,
  resource: (input, ctx) => policyArn(ctx.accountId, { path: pathOr(input.path), name: input.policyName }),
  context: (input) => requestTagContext(input.tags),
  async handle(input, ctx, deps) {
    const tags = checkTags(input.tags);
    checkManagedDocument(deps, input.policyDocument);
    const duplicate = () => new AwsError('EntityAlreadyExists', `A policy called ${input.policyName} already exists. Duplicate names are not allowed.`);
    await lockQuota(ctx.db, 'PoliciesPerAccount', ctx.accountId);
    if (await findPolicyByName(ctx.db, ctx.accountId, input.policyName)) throw duplicate();
    if ((await countCustomerPolicies(ctx.db, ctx.accountId)) >= MAX_POLICIES) {
      throw new AwsError('LimitExceeded', `Cannot exceed quota for PoliciesPerAccount: ${MAX_POLICIES}`);
    }
    const path = pathOr(input.path);
    const policy = {
      id: newUniqueId('policy'),
      accountId: ctx.accountId,
      name: input.policyName,
      path,
      arn: policyArn(ctx.accountId, { path, name: input.policyName }),
      description: input.description ?? null,
      createdAt: ctx.now,
      updatedAt: ctx.now,
    };
    // A concurrent CreatePolicy may have taken the name since the check above.
    if (!(await insertPolicy(ctx.db, policy, input.policyDocument))) throw duplicate();
    await putTags(ctx.db, policy.id, tags);
    const row: ManagedPolicyRow = { ...policy, defaultVersionId: 'v1', nextVersion: 2 };
    return { policy: policyResult(row, { attachmentCount: 0, boundaryUsageCount: 0 }, { tags }) };
  },
});

export const getPolicy = defineOperation('GetPolicy', {
  authentication: 'sigv4',
  write: false,
  ...policyTarget,
  async handle(_input, ctx, _deps, target) {
    const policy = requireTarget(POLICY, target);
    return { policy: policyResult(policy, await policyUsage(ctx.db, policy.id, ctx.accountId), { tags: target.tags }) };
  },
});

export const deletePolicyOp = defineOperation('DeletePolicy', {
  authentication: 'sigv4',
  write: true,
  ...policyTarget,
  async handle(input, ctx) {
    refuseOutsideAccount(ctx, input.policyArn, 'Cannot delete policies outside your own account.');
    // AWS's wording for a missing policy differs here: "Policy ARN was not found." (recorded).
    const policy = await requireLockedPolicy(ctx, input.policyArn, (arn) => new AwsError('NoSuchEntity', `Policy ${arn} was not found.`));
    // AWS: detach it from every user, group and role and remove it as a boundary first, then
    // delete the versions other than the default one.
    const usage = await policyUsage(ctx.db, policy.id, ctx.accountId);
    if (usage.attachmentCount > 0 || usage.boundaryUsageCount > 0) {
      throw new AwsError('DeleteConflict', 'Cannot delete a policy attached to entities.');
    }
    if ((await countVersions(ctx.db, policy.id)) > 1) {
      throw new AwsError(
        'DeleteConflict',
        "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.",
      );
    }
    await deleteAllTags(ctx.db, policy.id);
    await deletePolicy(ctx.db, policy.id);
    return {};
  },
});

export const listPoliciesOp = defineOperation('ListPolicies', {
  authentication: 'sigv4',
  write: false,
  resource: () => '*',
  async handle(input, ctx) {
    const after = decodeMarker(input.marker);
    const rows = await listPolicies(ctx.db, ctx.accountId, {
      scope: input.scope,
      pathPrefix: input.pathPrefix,
      onlyAttached: input.onlyAttached,
      usage: input.policyUsageFilter,
      after,
      limit: limitOf(input) + 1,
    });
    const page = pageOf(rows, input, listSortKey);
    return pageResult('policies', { ...page, items: page.items.map((p) => policyResult(p, p)) });
  },
});

export const managedPolicyOperations: readonly DefinedOperation[] = [
  createPolicy,
  getPolicy,
  deletePolicyOp,
  listPoliciesOp,
  // AWS refuses to change the tags of another account's policy (AWS managed ones included) in its own words.
  ...tagOperations(POLICY, { refuse: (ctx, arn, verb) => refuseOutsideAccount(ctx, arn, `Cannot ${verb} policies outside your own account.`) }),
];
