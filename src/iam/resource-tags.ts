/**
 * The tags of the user or role a request acts on, as condition keys. AWS puts the target's tags in
 * the request context under two names for IAM users and roles: the global `aws:ResourceTag/KEY`
 * and IAM's own `iam:ResourceTag/KEY` (Service Authorization Reference, IAM resource types
 * `user` and `role`; IAM User Guide, "Controlling access to and for IAM users and roles using
 * tags"). So a policy can allow, say, GetRole only on roles tagged `team=x`.
 *
 * The keys describe the resource as it is before the call: TagRole is judged on the role's
 * current tags (its new ones are `aws:RequestTag/…`), and a name that does not exist has none
 * (the call then fails with NoSuchEntity, or, for Create*, makes the resource).
 */
import type { ContextValues, ResourceContext } from '../operation.js';
import { findRole } from '../store/roles.js';
import { listTags } from '../store/tags.js';
import { findUser } from '../store/users.js';
import type { Tag } from './tags.js';

/** The kinds of IAM entity that carry tags and are named by a `UserName`/`RoleName` member. */
export type TaggedEntityKind = 'user' | 'role';

/**
 * `aws:ResourceTag/KEY` and `iam:ResourceTag/KEY` for each tag (keys are case-insensitive in the
 * context). Other IAM resources that carry tags (managed policies, OIDC/SAML providers) have only
 * the global spelling: pass `['aws']` for them.
 */
export function resourceTagValues(tags: readonly Tag[], prefixes: readonly ('aws' | 'iam')[] = ['aws', 'iam']): ContextValues {
  const out: ContextValues = {};
  for (const t of tags) for (const p of prefixes) out[`${p}:ResourceTag/${t.key}`] = t.value;
  return out;
}

/** The unique id of user or role `name`, when it exists. */
async function entityId(ctx: ResourceContext, kind: TaggedEntityKind, name: string): Promise<string | undefined> {
  const row = kind === 'user' ? await findUser(ctx.db, ctx.accountId, name) : await findRole(ctx.db, ctx.accountId, name);
  return row?.id;
}

/**
 * The resource-tag condition keys of user or role `name` (empty when it does not exist). For the
 * `context()` of every operation whose resource is that user or role, except its Create.
 */
export async function resourceTagContext(ctx: ResourceContext, kind: TaggedEntityKind, name: string): Promise<ContextValues> {
  const id = await entityId(ctx, kind, name);
  return id === undefined ? {} : resourceTagValues(await listTags(ctx.db, id));
}
