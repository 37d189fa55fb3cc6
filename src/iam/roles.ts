/**
 * Roles: CreateRole, GetRole, UpdateRole, UpdateRoleDescription, UpdateAssumeRolePolicy,
 * DeleteRole, ListRoles and role tags (TagRole, UntagRole, ListRoleTags, from the tag family).
 * ROLE is the kind the families (tags, boundaries, inline policies, attachments) and
 * GetAccountSummary know roles by.
 */
import { AwsError } from '../errors.js';
import { defineOperation, type DefinedOperation, type Registry } from '../operation.js';
import { builtInTrustProblem, multiTenantTrustProblem, nonWhitespaceLength, parsePolicy, wildcardTrustProblem } from '../policy/index.js';
import type { Db } from '../store/db.js';
import { lockQuota } from '../store/accounts.js';
import { countInlinePolicies } from '../store/policies/inline.js';
import { countRoleAttachments, countRoles, deleteRole, findRole, insertRole, listRoles, updateRole, type RoleRow } from '../store/roles.js';
import { deleteAllTags, listTags, putTags } from '../store/tags.js';
import { roleArn } from '../arn.js';
import { PERMISSIONS_BOUNDARY_TYPE, resolveBoundary } from './boundary.js';
import { DOCUMENT_LIMITS, encodeDocument, validateDocument } from './documents.js';
import { newUniqueId } from './ids.js';
import { pathOr } from './names.js';
import { decodeMarker, limitOf, pageOf, pageResult } from './pagination.js';
import { entityTarget, pathArn, requireEntity, requireTarget, type EntityKind } from './entities.js';
import { checkTags, requestTagContext, tagOperations, type Tag } from './tags.js';
import { shownTrustPolicies, shownTrustPolicy, storedTrustPolicy } from './trust-principals.js';

/** IAM's default quota of roles per account. */
export const MAX_ROLES = 1000;
/** MaxSessionDuration when CreateRole does not give one (one hour); the model bounds it to 1 to 12 hours. */
export const DEFAULT_MAX_SESSION_DURATION = 3600;

export function noSuchRole(name: string): AwsError {
  return new AwsError('NoSuchEntity', `The role with name ${name} cannot be found.`);
}

/** IAM roles as an entity kind: tagged (aws: and iam:ResourceTag), bounded, counted as `Roles`. */
export const ROLE: EntityKind<RoleRow, 'roleName', 'role'> = {
  type: 'role',
  label: 'Role',
  key: 'roleName',
  find: findRole,
  arn: pathArn('role'),
  notFound: noSuchRole,
  resourceTags: ['aws', 'iam'],
  summary: { usage: 'Roles', quota: ['RolesQuota', MAX_ROLES], count: countRoles },
};

function roleExists(name: string): AwsError {
  return new AwsError('EntityAlreadyExists', `Role with name ${name} already exists.`);
}

/**
 * What a result shows beyond the role's own attributes. ListRoles leaves all three out, as AWS's
 * does ("This operation does not return the following attributes, even though they are an
 * attribute of the returned object: PermissionsBoundary, RoleLastUsed, Tags").
 */
export interface RoleResultOptions {
  readonly tags?: readonly Tag[];
  readonly boundary?: boolean;
  /** GetRole: RoleLastUsed, always present (empty when the role was never used). */
  readonly lastUsed?: boolean;
  /** CreateRole's result has no MaxSessionDuration (as recorded against AWS); every other result has it. */
  readonly omitMaxSessionDuration?: boolean;
}

/** A role as IAM's `Role` shape; the trust policy (as shown: withShownTrust) URL-encoded as IAM returns it. */
export function roleResult(role: RoleRow, options: RoleResultOptions = {}) {
  return {
    path: role.path,
    roleName: role.name,
    roleId: role.id,
    arn: roleArn(role.accountId, role),
    createDate: role.createdAt,
    assumeRolePolicyDocument: encodeDocument(role.trustPolicy),
    ...(role.description !== null ? { description: role.description } : {}),
    ...(options.omitMaxSessionDuration ? {} : { maxSessionDuration: role.maxSessionDuration }),
    ...(options.boundary && role.boundaryArn
      ? { permissionsBoundary: { permissionsBoundaryType: PERMISSIONS_BOUNDARY_TYPE, permissionsBoundaryArn: role.boundaryArn } }
      : {}),
    ...(options.tags && options.tags.length > 0 ? { tags: options.tags } : {}),
    ...(options.lastUsed
      ? {
          roleLastUsed: {
            ...(role.lastUsedAt ? { lastUsedDate: role.lastUsedAt } : {}),
            ...(role.lastUsedRegion ? { region: role.lastUsedRegion } : {}),
          },
        }
      : {}),
  };
}

/**
 * A trust policy: AWS's size quota first (LimitExceeded "Cannot exceed quota for ACLSizePerRole"),
 * then the engine, which refuses what AWS refuses in trust policies (non-sts actions, Resource,
 * NotPrincipal), then the users, roles and OpenID Connect providers it names must exist, then
 * it must not trust a multi-tenant identity provider (GitHub Actions, GitLab, …) without a
 * condition on the token's subject, nor a built-in one (Google, Facebook, Login with Amazon,
 * Cognito) without a condition on the app (policy/multi-tenant.ts). Returns the document to store,
 * with those users and roles as unique ids (trust-principals.ts).
 */
async function checkTrustPolicy(db: Db, deps: Pick<Registry, 'policyCache' | 'identityProviders'>, text: string): Promise<string> {
  if (nonWhitespaceLength(text) > DOCUMENT_LIMITS.trust) {
    throw new AwsError('LimitExceeded', `Cannot exceed quota for ACLSizePerRole: ${DOCUMENT_LIMITS.trust}`);
  }
  const stored = await storedTrustPolicy(db, text, (t) => validateDocument(deps.policyCache, t, 'trust', DOCUMENT_LIMITS.trust));
  const { multiTenantIssuers } = deps.identityProviders;
  // Parsed again only here (the engine's cache keeps compiled documents): the guardrails read the conditions' values as written.
  const doc = parsePolicy(text, { kind: 'trust', maxLength: DOCUMENT_LIMITS.trust });
  const problem = multiTenantTrustProblem(doc, multiTenantIssuers) ?? builtInTrustProblem(doc) ?? wildcardTrustProblem(doc);
  if (problem !== undefined) throw new AwsError('MalformedPolicyDocument', problem);
  return stored;
}

/** Roles as results show them: the stored trust policy with its principals' current ARNs. */
async function withShownTrust<R extends RoleRow>(db: Db, rows: readonly R[]): Promise<R[]> {
  const shown = await shownTrustPolicies(db, rows.map((r) => r.trustPolicy));
  return rows.map((r, i) => ({ ...r, trustPolicy: shown[i] ?? r.trustPolicy }));
}

async function withShownTrustOne<R extends RoleRow>(db: Db, row: R): Promise<R> {
  return { ...row, trustPolicy: await shownTrustPolicy(db, row.trustPolicy) };
}

/**
 * Every operation on an existing role reads it once (load) and is authorized on its ARN with its
 * tags as aws:ResourceTag/… and iam:ResourceTag/…: a policy can then allow GetRole or UpdateRole
 * only on roles tagged team=x. The writes read the role again in their transaction.
 */
const roleTarget = entityTarget(ROLE);

export const createRole = defineOperation('CreateRole', {
  authentication: 'sigv4',
  write: true,
  resource: (input, ctx) => roleArn(ctx.accountId, { path: pathOr(input.path), name: input.roleName }),
  context: (input) => ({
    ...requestTagContext(input.tags),
    ...(input.permissionsBoundary ? { 'iam:PermissionsBoundary': input.permissionsBoundary } : {}),
  }),
  async handle(input, ctx, deps) {
    const tags = checkTags(input.tags);
    const trustPolicy = await checkTrustPolicy(ctx.db, deps, input.assumeRolePolicyDocument);
    await lockQuota(ctx.db, 'RolesPerAccount', ctx.accountId);
    if (await findRole(ctx.db, ctx.accountId, input.roleName)) throw roleExists(input.roleName);
    if ((await countRoles(ctx.db, ctx.accountId)) >= MAX_ROLES) {
      throw new AwsError('LimitExceeded', `Cannot exceed quota for RolesPerAccount: ${MAX_ROLES}`);
    }
    const boundary = input.permissionsBoundary ? await resolveBoundary(ctx, input.permissionsBoundary) : undefined;
    const role = {
      id: newUniqueId('role'),
      accountId: ctx.accountId,
      name: input.roleName,
      path: pathOr(input.path),
      createdAt: ctx.now,
      trustPolicy,
      description: input.description ?? null,
      maxSessionDuration: input.maxSessionDuration ?? DEFAULT_MAX_SESSION_DURATION,
      boundaryPolicyId: boundary?.id ?? null,
    };
    if (!(await insertRole(ctx.db, role))) throw roleExists(input.roleName);
    await putTags(ctx.db, role.id, tags);
    const row = await withShownTrustOne(ctx.db, { ...role, boundaryArn: boundary?.arn ?? null, lastUsedAt: null, lastUsedRegion: null });
    return { role: roleResult(row, { tags, boundary: true, omitMaxSessionDuration: true }) };
  },
});

export const getRole = defineOperation('GetRole', {
  authentication: 'sigv4',
  write: false,
  ...roleTarget,
  async handle(_input, ctx, _deps, target) {
    const role = await withShownTrustOne(ctx.db, requireTarget(ROLE, target));
    return { role: roleResult(role, { tags: target.tags, boundary: true, lastUsed: true }) };
  },
});

export const updateRoleOp = defineOperation('UpdateRole', {
  authentication: 'sigv4',
  write: true,
  ...roleTarget,
  async handle(input, ctx) {
    const role = await requireEntity(ROLE, ctx, input.roleName);
    // Members left out are left unchanged (AWS: "If you do not specify a value, the setting is not changed").
    await updateRole(ctx.db, role.id, {
      ...(input.description !== undefined ? { description: input.description } : {}),
      ...(input.maxSessionDuration !== undefined ? { maxSessionDuration: input.maxSessionDuration } : {}),
    });
    return {};
  },
});

export const updateRoleDescription = defineOperation('UpdateRoleDescription', {
  authentication: 'sigv4',
  write: true,
  ...roleTarget,
  async handle(input, ctx) {
    const role = await withShownTrustOne(ctx.db, await requireEntity(ROLE, ctx, input.roleName));
    await updateRole(ctx.db, role.id, { description: input.description });
    const tags = await listTags(ctx.db, role.id);
    return { role: roleResult({ ...role, description: input.description }, { tags, boundary: true, lastUsed: true }) };
  },
});

export const updateAssumeRolePolicy = defineOperation('UpdateAssumeRolePolicy', {
  authentication: 'sigv4',
  write: true,
  ...roleTarget,
  async handle(input, ctx, deps) {
    const role = await requireEntity(ROLE, ctx, input.roleName);
    await updateRole(ctx.db, role.id, { trustPolicy: await checkTrustPolicy(ctx.db, deps, input.policyDocument) });
    return {};
  },
});

export const deleteRoleOp = defineOperation('DeleteRole', {
  authentication: 'sigv4',
  write: true,
  ...roleTarget,
  async handle(input, ctx) {
    const role = await requireEntity(ROLE, ctx, input.roleName);
    // AWS refuses to delete a role that still has policies; a permissions boundary is no obstacle.
    if ((await countInlinePolicies(ctx.db, role.id)) > 0) {
      throw new AwsError('DeleteConflict', 'Cannot delete entity, must delete policies first.');
    }
    if ((await countRoleAttachments(ctx.db, role.id)) > 0) {
      throw new AwsError('DeleteConflict', 'Cannot delete entity, must detach all policies first.');
    }
    await deleteAllTags(ctx.db, role.id);
    await deleteRole(ctx.db, role.id);
    return {};
  },
});

export const listRolesOp = defineOperation('ListRoles', {
  authentication: 'sigv4',
  write: false,
  resource: () => '*',
  async handle(input, ctx) {
    const rows = await listRoles(ctx.db, ctx.accountId, { pathPrefix: input.pathPrefix, after: decodeMarker(input.marker), limit: limitOf(input) + 1 });
    const page = pageOf(rows, input, (r) => r.nameLower);
    return pageResult('roles', { ...page, items: (await withShownTrust(ctx.db, page.items)).map((r) => roleResult(r)) });
  },
});

export const roleOperations: readonly DefinedOperation[] = [
  createRole,
  getRole,
  updateRoleOp,
  updateRoleDescription,
  updateAssumeRolePolicy,
  deleteRoleOp,
  listRolesOp,
  ...tagOperations(ROLE),
];
