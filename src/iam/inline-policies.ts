/**
 * Inline policies of users, groups and roles: Put/Get/Delete/List{User,Group,Role}Policy /
 * Policies. The twelve operations are the same four on three kinds of owner (USER, GROUP, ROLE),
 * so they are one family (operationsFor) rather than written out twelve times. Get and List
 * answer from the owner loaded once; Put and Delete read it again in their transaction.
 *
 * AWS's quota is on the owner's inline policies taken together: at most 2,048 (user), 5,120
 * (group) or 10,240 (role) characters, whitespace not counted ("IAM and AWS STS quotas").
 *
 * Condition keys: for a user or role owner, its tags (aws:ResourceTag/…, iam:ResourceTag/…) on all
 * four operations, and for Put and Delete the boundary it already has (iam:PermissionsBoundary),
 * so an administrator can be allowed to manage the policies only of users bounded by a given
 * policy (the delegation pattern of "Permissions boundaries for IAM entities"). Groups have
 * neither tags nor boundaries.
 */
import { AwsError } from '../errors.js';
import { defineFamilyOperation, type DefinedOperation, type ResourceContext } from '../operation.js';
import { nonWhitespaceLength } from '../policy/index.js';
import { deleteInlinePolicy, findInlinePolicy, listInlinePolicies, lockOwnerPolicies, putInlinePolicy, type OwnerType } from '../store/policies/inline.js';
import { boundaryContextValue, entityTarget, requireEntity, requireTarget, type EntityKind, type EntityRow, type Named, type Target } from './entities.js';
import { DOCUMENT_LIMITS, encodeDocument, validateDocument } from './documents.js';
import { GROUP } from './groups.js';
import { pageResult } from './pagination.js';
import { pageInMemory } from './memory-page.js';
import { ROLE } from './roles.js';
import { USER } from './users.js';

/** A kind that owns inline policies (the store records its type). */
type OwnerKind<R extends EntityRow, K extends string> = EntityKind<R, K, OwnerType>;

function noSuchPolicy(kind: { readonly type: OwnerType }, policyName: string): AwsError {
  return new AwsError('NoSuchEntity', `The ${kind.type} policy with name ${policyName} cannot be found.`);
}

type PolicyInput<K extends string> = Named<K> & { readonly policyName: string };

function operationsFor<R extends EntityRow, K extends string>(kind: OwnerKind<R, K>, limit: number): DefinedOperation[] {
  const target = entityTarget(kind);
  const { load, resource } = target;
  // The owner's tags (none for groups) on all four; Put and Delete add the boundary it has.
  const readContext = target.context;
  const writeContext = (input: unknown, ctx: ResourceContext, loaded: Target<R>) => ({ ...target.context(input, ctx, loaded), ...boundaryContextValue(loaded.row?.boundaryArn) });

  const put = defineFamilyOperation<PolicyInput<K> & { readonly policyDocument: string }, unknown, Target<R>>(`Put${kind.label}Policy`, {
    authentication: 'sigv4',
    write: true,
    load,
    resource,
    context: writeContext,
    async handle(input, ctx, deps) {
      const owner = await requireEntity(kind, ctx, input[kind.key]);
      await lockOwnerPolicies(ctx.db, owner.id);
      // The quota counts every inline policy of the owner, the new document in place of any
      // policy it replaces (AWS: "Maximum policy size of N bytes exceeded for user NAME").
      const others = (await listInlinePolicies(ctx.db, owner.id)).filter((p) => p.name !== input.policyName);
      const total = others.reduce((n, p) => n + nonWhitespaceLength(p.document), nonWhitespaceLength(input.policyDocument));
      if (total > limit) {
        throw new AwsError('LimitExceeded', `Maximum policy size of ${limit} bytes exceeded for ${kind.type} ${owner.name}`);
      }
      validateDocument(deps.policyCache, input.policyDocument, 'identity', limit);
      await putInlinePolicy(ctx.db, { ownerId: owner.id, accountId: ctx.accountId, ownerType: kind.type, name: input.policyName, document: input.policyDocument });
      return {};
    },
  });

  const get = defineFamilyOperation<PolicyInput<K>, unknown, Target<R>>(`Get${kind.label}Policy`, {
    authentication: 'sigv4',
    write: false,
    load,
    resource,
    context: readContext,
    async handle(input, ctx, _deps, loaded) {
      const owner = requireTarget(kind, loaded);
      const policy = await findInlinePolicy(ctx.db, owner.id, input.policyName);
      if (!policy) throw noSuchPolicy(kind, input.policyName);
      return { [kind.key]: owner.name, policyName: policy.name, policyDocument: encodeDocument(policy.document) };
    },
  });

  const del = defineFamilyOperation<PolicyInput<K>, unknown, Target<R>>(`Delete${kind.label}Policy`, {
    authentication: 'sigv4',
    write: true,
    load,
    resource,
    context: writeContext,
    async handle(input, ctx) {
      const owner = await requireEntity(kind, ctx, input[kind.key]);
      if (!(await deleteInlinePolicy(ctx.db, owner.id, input.policyName))) throw noSuchPolicy(kind, input.policyName);
      return {};
    },
  });

  const list = defineFamilyOperation<Named<K> & { readonly marker?: string; readonly maxItems?: number }, unknown, Target<R>>(`List${kind.label}Policies`, {
    authentication: 'sigv4',
    write: false,
    load,
    resource,
    context: readContext,
    async handle(input, ctx, _deps, loaded) {
      const owner = requireTarget(kind, loaded);
      const names = (await listInlinePolicies(ctx.db, owner.id)).map((p) => p.name);
      return pageResult('policyNames', pageInMemory(names, input, (n) => n));
    },
  });

  return [put, get, del, list];
}

export const inlinePolicyOperations: readonly DefinedOperation[] = [
  ...operationsFor(USER, DOCUMENT_LIMITS.inlineUser),
  ...operationsFor(GROUP, DOCUMENT_LIMITS.inlineGroup),
  ...operationsFor(ROLE, DOCUMENT_LIMITS.inlineRole),
];
