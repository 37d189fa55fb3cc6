/**
 * Roles: CreateRole, GetRole, UpdateRole, UpdateRoleDescription, UpdateAssumeRolePolicy,
 * DeleteRole, ListRoles, TagRole, UntagRole, ListRoleTags. Inline role policies live in
 * inline-policies.ts and role boundaries in boundaries.ts; both use the helpers exported here.
 */
import { AwsError } from '../errors.js';
import { defineOperation, type DefinedOperation, type ResourceContext } from '../operation.js';
import { nonWhitespaceLength, type PolicyCache } from '../policy/index.js';
import type { Db } from '../store/db.js';
import { countRows, lockQuota } from '../store/accounts.js';
import { countInlinePolicies } from '../store/policies/inline.js';
import { countRoleAttachments, deleteRole, findRole, insertRole, listRoles, updateRole, type RoleRow } from '../store/roles.js';
import { deleteAllTags, listTags, putTags, removeTags } from '../store/tags.js';
import { roleArn } from '../arn.js';
import { PERMISSIONS_BOUNDARY_TYPE, resolveBoundary } from './boundary.js';
import { DOCUMENT_LIMITS, encodeDocument, validateDocument } from './documents.js';
import { newUniqueId } from './ids.js';
import { pageInMemory } from './memory-page.js';
import { pathOr } from './names.js';
import { decodeMarker, limitOf, pageOf, pageResult } from './pagination.js';
import { resourceTagContext } from './resource-tags.js';
import { checkTags, MAX_TAGS, requestTagContext, type Tag } from './tags.js';
import { shownTrustPolicies, shownTrustPolicy, storedTrustPolicy } from './trust-principals.js';

/** IAM's default quota of roles per account. */
export const MAX_ROLES = 1000;
/** MaxSessionDuration when CreateRole does not give one (one hour); the model bounds it to 1 to 12 hours. */
export const DEFAULT_MAX_SESSION_DURATION = 3600;

/** The ARN AWS authorizes a call on role `name` against: the real path if the role exists. */
export async function roleResource(ctx: ResourceContext, name: string): Promise<string> {
  const role = await findRole(ctx.db, ctx.accountId, name);
  return roleArn(ctx.accountId, { path: role?.path ?? '/', name: role?.name ?? name });
}

export function noSuchRole(name: string): AwsError {
  return new AwsError('NoSuchEntity', `The role with name ${name} cannot be found.`);
}

function roleExists(name: string): AwsError {
  return new AwsError('EntityAlreadyExists', `Role with name ${name} already exists.`);
}

export async function requireRole(ctx: ResourceContext, name: string): Promise<RoleRow> {
  const role = await findRole(ctx.db, ctx.accountId, name);
  if (!role) throw noSuchRole(name);
  return role;
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
 * NotPrincipal), then the users and roles it names must exist. Returns the document to store,
 * with those principals as unique ids (trust-principals.ts).
 */
async function checkTrustPolicy(db: Db, policyCache: PolicyCache, text: string): Promise<string> {
  if (nonWhitespaceLength(text) > DOCUMENT_LIMITS.trust) {
    throw new AwsError('LimitExceeded', `Cannot exceed quota for ACLSizePerRole: ${DOCUMENT_LIMITS.trust}`);
  }
  return storedTrustPolicy(db, text, (t) => validateDocument(policyCache, t, 'trust', DOCUMENT_LIMITS.trust));
}

/** Roles as results show them: the stored trust policy with its principals' current ARNs. */
async function withShownTrust<R extends RoleRow>(db: Db, rows: readonly R[]): Promise<R[]> {
  const shown = await shownTrustPolicies(db, rows.map((r) => r.trustPolicy));
  return rows.map((r, i) => ({ ...r, trustPolicy: shown[i] ?? r.trustPolicy }));
}

async function withShownTrustOne<R extends RoleRow>(db: Db, row: R): Promise<R> {
  return { ...row, trustPolicy: await shownTrustPolicy(db, row.trustPolicy) };
}

const roleNameResource = <I extends { roleName: string }>(input: I, ctx: ResourceContext): Promise<string> => roleResource(ctx, input.roleName);

/**
 * The role's own tags as aws:ResourceTag/… and iam:ResourceTag/…, for every operation on an
 * existing role: a policy can then allow GetRole or UpdateRole only on roles tagged team=x.
 */
const roleTagContext = <I extends { roleName: string }>(input: I, ctx: ResourceContext) => resourceTagContext(ctx, 'role', input.roleName);

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
    const trustPolicy = await checkTrustPolicy(ctx.db, deps.policyCache, input.assumeRolePolicyDocument);
    await lockQuota(ctx.db, 'RolesPerAccount', ctx.accountId);
    if (await findRole(ctx.db, ctx.accountId, input.roleName)) throw roleExists(input.roleName);
    if ((await countRows(ctx.db, 'roles', ctx.accountId)) >= MAX_ROLES) {
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
  resource: roleNameResource,
  context: roleTagContext,
  async handle(input, ctx) {
    const role = await withShownTrustOne(ctx.db, await requireRole(ctx, input.roleName));
    return { role: roleResult(role, { tags: await listTags(ctx.db, role.id), boundary: true, lastUsed: true }) };
  },
});

export const updateRoleOp = defineOperation('UpdateRole', {
  authentication: 'sigv4',
  write: true,
  resource: roleNameResource,
  context: roleTagContext,
  async handle(input, ctx) {
    const role = await requireRole(ctx, input.roleName);
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
  resource: roleNameResource,
  context: roleTagContext,
  async handle(input, ctx) {
    const role = await withShownTrustOne(ctx.db, await requireRole(ctx, input.roleName));
    await updateRole(ctx.db, role.id, { description: input.description });
    const tags = await listTags(ctx.db, role.id);
    return { role: roleResult({ ...role, description: input.description }, { tags, boundary: true, lastUsed: true }) };
  },
});

export const updateAssumeRolePolicy = defineOperation('UpdateAssumeRolePolicy', {
  authentication: 'sigv4',
  write: true,
  resource: roleNameResource,
  context: roleTagContext,
  async handle(input, ctx, deps) {
    const role = await requireRole(ctx, input.roleName);
    await updateRole(ctx.db, role.id, { trustPolicy: await checkTrustPolicy(ctx.db, deps.policyCache, input.policyDocument) });
    return {};
  },
});

export const deleteRoleOp = defineOperation('DeleteRole', {
  authentication: 'sigv4',
  write: true,
  resource: roleNameResource,
  context: roleTagContext,
  async handle(input, ctx) {
    const role = await requireRole(ctx, input.roleName);
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

export const tagRole = defineOperation('TagRole', {
  authentication: 'sigv4',
  write: true,
  resource: roleNameResource,
  context: async (input, ctx) => ({ ...requestTagContext(input.tags), ...(await roleTagContext(input, ctx)) }),
  async handle(input, ctx) {
    const role = await requireRole(ctx, input.roleName);
    const tags = checkTags(input.tags);
    await lockQuota(ctx.db, 'TagsPerResource', role.id);
    // The quota counts the tags the role will have: new keys add, keys already there are replaced.
    const existing = new Set((await listTags(ctx.db, role.id)).map((t) => t.key.toLowerCase()));
    const added = tags.filter((t) => !existing.has(t.key.toLowerCase())).length;
    if (existing.size + added > MAX_TAGS) {
      throw new AwsError('LimitExceeded', `The number of tags has reached the maximum limit (${MAX_TAGS}).`);
    }
    await putTags(ctx.db, role.id, tags);
    return {};
  },
});

export const untagRole = defineOperation('UntagRole', {
  authentication: 'sigv4',
  write: true,
  resource: roleNameResource,
  context: async (input, ctx) => ({ ...requestTagContext(undefined, input.tagKeys), ...(await roleTagContext(input, ctx)) }),
  async handle(input, ctx) {
    const role = await requireRole(ctx, input.roleName);
    // Keys the role does not have are ignored, as AWS does.
    await removeTags(ctx.db, role.id, input.tagKeys);
    return {};
  },
});

export const listRoleTags = defineOperation('ListRoleTags', {
  authentication: 'sigv4',
  write: false,
  resource: roleNameResource,
  context: roleTagContext,
  async handle(input, ctx) {
    const role = await requireRole(ctx, input.roleName);
    const page = pageInMemory(await listTags(ctx.db, role.id), input, (t) => t.key.toLowerCase());
    return pageResult('tags', page);
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
  tagRole,
  untagRole,
  listRoleTags,
];
