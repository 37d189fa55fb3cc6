/**
 * IAM entity kinds: what every operation on an existing user, group, role or managed policy needs
 * to know about its kind, defined once per kind (USER in users.ts, GROUP in groups.ts, ROLE in
 * roles.ts, POLICY in managed-policies.ts) and listed once (IAM_ENTITY_KINDS in index.ts).
 *
 * From a kind come: the request's target, read once by `load` and handed to resource(), context()
 * and handle() (entityTarget); the ARN a call on it is authorized against; its tags as
 * `aws:ResourceTag/…` (and `iam:ResourceTag/…` for users and roles); its NoSuchEntity; and its
 * line in GetAccountSummary. The operation families built from a kind live beside this file:
 * tags (tags.ts), permissions boundaries (boundaries.ts), inline policies
 * (inline-policies.ts) and attachments (attachments.ts).
 *
 * Write operations read what they change again inside their transaction (requireEntity): the
 * target was read before it, outside any transaction, and is only what the call was authorized on.
 */
import type { AwsError } from '../errors.js';
import type { ContextValues, ResourceContext } from '../operation.js';
import type { Db } from '../store/db.js';
import { listTags } from '../store/tags.js';
import { entityArn } from '../arn.js';
import type { Tag } from './tags.js';

/** What every entity row has. Users and roles also carry their permissions boundary. */
export interface EntityRow {
  readonly id: string;
  readonly name: string;
  readonly path: string;
  readonly boundaryArn?: string | null;
}

/** The spellings of an entity's tags in the request context. */
export type ResourceTagPrefix = 'aws' | 'iam';

/** An entity kind's usage in GetAccountSummary, and the quota reported beside it. */
export interface SummaryLine {
  /** The SummaryMap key its count adds to (`Users`, `Roles`, `Providers`, …). */
  readonly usage: string;
  /** The quota's key and value, for kinds whose quota AWS reports (`UsersQuota`). */
  readonly quota?: readonly [key: string, value: number];
  count(db: Db, accountId: string): Promise<number>;
}

export interface EntityKind<R extends EntityRow = EntityRow, K extends string = string, T extends string = string> {
  /** The ARN's resource type (`user`, `role`, `policy`), also the owner type the store records. */
  readonly type: T;
  /** `User`, `Group`, `Role`, `Policy`: the middle of the operation names. */
  readonly label: string;
  /** The input member naming the entity: `userName`, `roleName`, `policyArn`. */
  readonly key: K;
  /** The entity the request names, in (or visible to) the caller's account. */
  find(db: Db, accountId: string, name: string): Promise<R | undefined>;
  /** The ARN a call on it is authorized against: its real path when it exists. */
  arn(accountId: string, name: string, row: R | undefined): string;
  notFound(name: string): AwsError;
  /** Checks on the name's form the model does not make (a policy ARN must be one), before any lookup. */
  checkName?(name: string): void;
  /** Kinds that carry tags: the spellings of those tags in the request context. */
  readonly resourceTags?: readonly ResourceTagPrefix[];
  readonly summary?: SummaryLine;
}

/** The ARN of an entity named by type, path and name: the real path when it exists, else `/`. */
export function pathArn<R extends EntityRow>(type: string) {
  return (accountId: string, name: string, row: R | undefined): string => entityArn(accountId, type, row?.path ?? '/', row?.name ?? name);
}

/** The request's target: the entity as it was before the call (undefined when it does not exist), with its tags. */
export interface Target<R extends EntityRow> {
  /** The name (or ARN) the request gave. */
  readonly name: string;
  readonly row: R | undefined;
  /** Its tags; none when it does not exist or its kind has none. */
  readonly tags: readonly Tag[];
}

/** Read the entity `name` and its tags: the `load` of every operation on an existing entity. */
export async function loadTarget<R extends EntityRow>(kind: EntityKind<R>, ctx: ResourceContext, name: string): Promise<Target<R>> {
  const row = await kind.find(ctx.db, ctx.accountId, name);
  const tags = row && kind.resourceTags ? await listTags(ctx.db, row.id) : [];
  return { name, row, tags };
}

/** An input that names an entity by member K (`userName`, `policyArn`). */
export type Named<K extends string> = { readonly [P in K]: string };

/** The entity kind's `load`, `resource` and `context` for operations naming it by `kind.key`. */
export function entityTarget<R extends EntityRow, K extends string>(kind: EntityKind<R, K>) {
  return {
    load: (input: Named<K>, ctx: ResourceContext): Promise<Target<R>> => loadTarget(kind, ctx, input[kind.key]),
    resource: (_input: unknown, ctx: ResourceContext, target: Target<R>): string => kind.arn(ctx.accountId, target.name, target.row),
    context: (_input: unknown, _ctx: ResourceContext, target: Target<R>): ContextValues => resourceTagContext(kind, target),
  };
}

/**
 * The target's tags as condition keys: AWS puts them in the request context of every operation on
 * the resource, under the global `aws:ResourceTag/KEY` and, for IAM users and roles, also IAM's
 * own `iam:ResourceTag/KEY` (Service Authorization Reference, IAM resource types; IAM User Guide,
 * "Controlling access to and for IAM users and roles using tags"). They describe the resource as
 * it is before the call: TagRole is judged on the role's current tags (its new ones are
 * `aws:RequestTag/…`), and a name that does not exist has none (the call then fails with
 * NoSuchEntity, once authorized).
 */
export function resourceTagContext<R extends EntityRow>(kind: EntityKind<R>, target: Target<R>): ContextValues {
  return resourceTagValues(target.tags, kind.resourceTags ?? []);
}

/** `PREFIX:ResourceTag/KEY` for each tag and prefix (keys are case-insensitive in the context). */
export function resourceTagValues(tags: readonly Tag[], prefixes: readonly ResourceTagPrefix[] = ['aws', 'iam']): ContextValues {
  const out: ContextValues = {};
  for (const t of tags) for (const p of prefixes) out[`${p}:ResourceTag/${t.key}`] = t.value;
  return out;
}

/** `iam:PermissionsBoundary` for a boundary ARN; no key at all when there is none. */
export function boundaryContextValue(arn: string | null | undefined): ContextValues {
  return arn ? { 'iam:PermissionsBoundary': arn } : {};
}

/** The target as it was loaded, or NoSuchEntity: for read operations, which need it no fresher. */
export function requireTarget<R extends EntityRow>(kind: EntityKind<R>, target: Target<R>): R {
  kind.checkName?.(target.name);
  if (!target.row) throw kind.notFound(target.name);
  return target.row;
}

/** The entity read again, or NoSuchEntity: for write operations, inside their transaction. */
export async function requireEntity<R extends EntityRow>(kind: EntityKind<R>, ctx: ResourceContext, name: string): Promise<R> {
  kind.checkName?.(name);
  const row = await kind.find(ctx.db, ctx.accountId, name);
  if (!row) throw kind.notFound(name);
  return row;
}
