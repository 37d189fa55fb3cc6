/**
 * Managed policies: CreatePolicy, GetPolicy, DeletePolicy, ListPolicies and their tags. Versions
 * live in policy-versions.ts, attachments in attachments.ts. AWS managed policies
 * (`arn:aws:iam::aws:policy/…`, loaded from aws-managed/) are seen by every account and
 * changed by none: the operations that would change one answer AccessDenied (outsideAccount).
 */
import { AwsError } from '../errors.js';
import { defineOperation, type DefinedOperation, type ResourceContext } from '../operation.js';
import { nonWhitespaceLength, type PolicyCache } from '../policy/index.js';
import { countRows, lockQuota } from '../store/accounts.js';
import {
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
import { countTags, deleteAllTags, listTags, putTags, removeTags } from '../store/tags.js';
import { hasArnShape, parsePolicyArn, policyArn } from '../arn.js';
import { DOCUMENT_LIMITS, validateDocument } from './documents.js';
import { newUniqueId } from './ids.js';
import { pathOr } from './names.js';
import { pageInMemory } from './memory-page.js';
import { decodeMarker, limitOf, pageOf, pageResult } from './pagination.js';
import { checkTags, MAX_TAGS, requestTagContext, type Tag } from './tags.js';

/** IAM's default quota of customer managed policies per account. */
export const MAX_POLICIES = 1500;

/** The ARN AWS authorizes a call on a managed policy against: the policy ARN, as the caller gave it. */
export function policyResource(arn: string): string {
  return arn;
}

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
    if ((await countRows(ctx.db, 'managedPolicies', ctx.accountId)) >= MAX_POLICIES) {
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
  resource: (input) => policyResource(input.policyArn),
  async handle(input, ctx) {
    const policy = await requirePolicy(ctx, input.policyArn);
    return { policy: policyResult(policy, await policyUsage(ctx.db, policy.id, ctx.accountId), { tags: await listTags(ctx.db, policy.id) }) };
  },
});

export const deletePolicyOp = defineOperation('DeletePolicy', {
  authentication: 'sigv4',
  write: true,
  resource: (input) => policyResource(input.policyArn),
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

export const tagPolicy = defineOperation('TagPolicy', {
  authentication: 'sigv4',
  write: true,
  resource: (input) => policyResource(input.policyArn),
  context: (input) => requestTagContext(input.tags),
  async handle(input, ctx) {
    const tags = checkTags(input.tags);
    refuseOutsideAccount(ctx, input.policyArn, 'Cannot tag policies outside your own account.');
    const policy = await requirePolicy(ctx, input.policyArn);
    await lockQuota(ctx.db, 'TagsPerResource', policy.id);
    await putTags(ctx.db, policy.id, tags);
    // The quota counts the tags the policy ends with (a key given again replaces, not adds).
    if ((await countTags(ctx.db, policy.id)) > MAX_TAGS) {
      throw new AwsError('LimitExceeded', `The number of tags has reached the maximum limit (${MAX_TAGS}).`);
    }
    return {};
  },
});

export const untagPolicy = defineOperation('UntagPolicy', {
  authentication: 'sigv4',
  write: true,
  resource: (input) => policyResource(input.policyArn),
  context: (input) => requestTagContext(undefined, input.tagKeys),
  async handle(input, ctx) {
    refuseOutsideAccount(ctx, input.policyArn, 'Cannot untag policies outside your own account.');
    const policy = await requirePolicy(ctx, input.policyArn);
    // Keys that are not on the policy are ignored, as AWS does.
    await removeTags(ctx.db, policy.id, input.tagKeys);
    return {};
  },
});

export const listPolicyTags = defineOperation('ListPolicyTags', {
  authentication: 'sigv4',
  write: false,
  resource: (input) => policyResource(input.policyArn),
  async handle(input, ctx) {
    decodeMarker(input.marker); // a bad marker is InvalidInput before anything is read
    const policy = await requirePolicy(ctx, input.policyArn);
    // At most 50 tags: paged in memory, by key case-insensitively (keys are unique that way).
    const page = pageInMemory(await listTags(ctx.db, policy.id), input, (t) => t.key.toLowerCase());
    return pageResult('tags', page);
  },
});

export const managedPolicyOperations: readonly DefinedOperation[] = [createPolicy, getPolicy, deletePolicyOp, listPoliciesOp, tagPolicy, untagPolicy, listPolicyTags];
