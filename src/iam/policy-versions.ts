/**
 * Versions of customer managed policies: at most five, ids `v1`, `v2`, … never reused, exactly
 * one of them the default (the one in force). Changing the default changes what every attached
 * entity may do on its next request: writes invalidate the account's compiled policies. Each is
 * authorized on the policy with its tags as aws:ResourceTag/… (policyTarget).
 */
import { AwsError } from '../errors.js';
import { defineOperation, type DefinedOperation } from '../operation.js';
import {
  countVersions,
  deleteVersion,
  findVersion,
  insertVersion,
  listVersions,
  setDefaultVersion,
  type ManagedPolicyRow,
  type PolicyVersionRow,
} from '../store/policies/managed.js';
import { encodeDocument } from './documents.js';
import { requireTarget } from './entities.js';
import { checkManagedDocument, POLICY, policyTarget, refuseOutsideAccount, requireLockedPolicy } from './managed-policies.js';
import { decodeMarker, pageOf, pageResult } from './pagination.js';

/** IAM keeps at most five versions of a managed policy. */
export const MAX_VERSIONS = 5;

function noSuchVersion(arn: string, versionId: string): AwsError {
  return new AwsError('NoSuchEntity', `Policy ${arn} version ${versionId} does not exist or is not attachable.`);
}

/** The number in `v12` (0 for an id we never issue, e.g. `v1.x`). */
function versionNumber(versionId: string): number {
  const m = /^v([1-9][0-9]*)$/.exec(versionId);
  return m ? Number(m[1]) : 0;
}

/**
 * A version as IAM's `PolicyVersion` shape. Only GetPolicyVersion carries the document
 * (CreatePolicyVersion and ListPolicyVersions answer without it, as AWS's examples show).
 */
function versionResult(policy: ManagedPolicyRow, v: PolicyVersionRow, withDocument: boolean, defaultVersionId = policy.defaultVersionId) {
  return {
    ...(withDocument ? { document: encodeDocument(v.document) } : {}),
    versionId: v.versionId,
    isDefaultVersion: v.versionId === defaultVersionId,
    createDate: v.createdAt,
  };
}

export const createPolicyVersion = defineOperation('CreatePolicyVersion', {
  authentication: 'sigv4',
  write: true,
  ...policyTarget,
  async handle(input, ctx, deps) {
    refuseOutsideAccount(ctx, input.policyArn, 'Cannot create versions for policies outside your own account.');
    const policy = await requireLockedPolicy(ctx, input.policyArn);
    checkManagedDocument(deps, input.policyDocument);
    if ((await countVersions(ctx.db, policy.id)) >= MAX_VERSIONS) {
      throw new AwsError(
        'LimitExceeded',
        `A managed policy can have up to ${MAX_VERSIONS} versions. Before you create a new version, you must delete an existing version.`,
      );
    }
    const setAsDefault = input.setAsDefault === true;
    const versionId = await insertVersion(ctx.db, policy.id, input.policyDocument, ctx.now, setAsDefault);
    const row = { versionId, document: input.policyDocument, createdAt: ctx.now };
    return { policyVersion: versionResult(policy, row, false, setAsDefault ? versionId : policy.defaultVersionId) };
  },
});

export const getPolicyVersion = defineOperation('GetPolicyVersion', {
  authentication: 'sigv4',
  write: false,
  ...policyTarget,
  async handle(input, ctx, _deps, target) {
    const policy = requireTarget(POLICY, target);
    const version = await findVersion(ctx.db, policy.id, input.versionId);
    if (!version) throw noSuchVersion(input.policyArn, input.versionId);
    return { policyVersion: versionResult(policy, version, true) };
  },
});

export const listPolicyVersions = defineOperation('ListPolicyVersions', {
  authentication: 'sigv4',
  write: false,
  ...policyTarget,
  async handle(input, ctx, _deps, target) {
    const after = decodeMarker(input.marker);
    const policy = requireTarget(POLICY, target);
    // Newest first, as AWS lists them; at most five, so paged in memory. The marker is the
    // number of the last version returned.
    const afterNumber = after === undefined ? Number.POSITIVE_INFINITY : Number(after);
    if (Number.isNaN(afterNumber)) throw new AwsError('InvalidInput', 'Invalid Marker.');
    const versions = (await listVersions(ctx.db, policy.id))
      .map((v) => ({ v, n: versionNumber(v.versionId) }))
      .sort((a, b) => b.n - a.n)
      .filter((x) => x.n < afterNumber);
    const page = pageOf(versions, input, (x) => String(x.n));
    return pageResult('versions', { ...page, items: page.items.map((x) => versionResult(policy, x.v, false)) });
  },
});

export const deletePolicyVersion = defineOperation('DeletePolicyVersion', {
  authentication: 'sigv4',
  write: true,
  ...policyTarget,
  async handle(input, ctx) {
    refuseOutsideAccount(ctx, input.policyArn, 'Cannot delete policy versions for policies outside your own account.');
    const policy = await requireLockedPolicy(ctx, input.policyArn);
    if (!(await findVersion(ctx.db, policy.id, input.versionId))) throw noSuchVersion(input.policyArn, input.versionId);
    // AWS: the default version goes only with the policy itself (DeletePolicy).
    if (input.versionId === policy.defaultVersionId) {
      throw new AwsError('DeleteConflict', 'Cannot delete the default version of a policy.');
    }
    await deleteVersion(ctx.db, policy.id, input.versionId);
    return {};
  },
});

export const setDefaultPolicyVersion = defineOperation('SetDefaultPolicyVersion', {
  authentication: 'sigv4',
  write: true,
  ...policyTarget,
  async handle(input, ctx) {
    refuseOutsideAccount(ctx, input.policyArn, 'Cannot update policies outside your own account.');
    const policy = await requireLockedPolicy(ctx, input.policyArn);
    if (!(await findVersion(ctx.db, policy.id, input.versionId))) throw noSuchVersion(input.policyArn, input.versionId);
    await setDefaultVersion(ctx.db, policy.id, input.versionId, ctx.now);
    return {};
  },
});

export const policyVersionOperations: readonly DefinedOperation[] = [
  createPolicyVersion,
  getPolicyVersion,
  listPolicyVersions,
  deletePolicyVersion,
  setDefaultPolicyVersion,
];
