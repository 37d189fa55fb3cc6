/**
 * IAM tags: at most 50 per entity, keys unique case-insensitively (IAM refuses two keys that differ
 * only in case), `aws:` keys reserved. Lengths and character patterns are checked by the protocol
 * layer from the model.
 *
 * Every taggable entity kind gets its Tag*, Untag* and List*Tags from tagOperations(kind), with one
 * order of checks: the request's tags (or marker), then the kind's refusals (another account's
 * policy), then the entity's name and existence, then the quota on the tags it ends with.
 */
import { AwsError } from '../errors.js';
import { defineFamilyOperation, type ContextValues, type DefinedOperation } from '../operation.js';
import { lockQuota } from '../store/accounts.js';
import { listTags, putTags, removeTags } from '../store/tags.js';
import { entityTarget, requireEntity, requireTarget, type EntityKind, type EntityRow, type Named, type Target } from './entities.js';
import { pageInMemory } from './memory-page.js';
import { decodeMarker, pageResult } from './pagination.js';

export interface Tag {
  readonly key: string;
  readonly value: string;
}

export const MAX_TAGS = 50;

function tooManyTags(): AwsError {
  return new AwsError('LimitExceeded', `The number of tags has reached the maximum limit (${MAX_TAGS}).`);
}

export function checkTags(tags: readonly Tag[] | undefined): readonly Tag[] {
  if (!tags) return [];
  const seen = new Set<string>();
  for (const t of tags) {
    const lower = t.key.toLowerCase();
    if (seen.has(lower)) throw new AwsError('InvalidInput', 'Duplicate tag keys found. Please note that Tag keys are case insensitive.');
    if (lower.startsWith('aws:')) throw new AwsError('InvalidInput', 'User-defined tag keys can\'t start with "aws:". This prefix is reserved for AWS tags.');
    seen.add(lower);
  }
  if (tags.length > MAX_TAGS) throw tooManyTags();
  return tags;
}

/** `aws:RequestTag/KEY` and `aws:TagKeys` for a request that sets tags. */
export function requestTagContext(tags: readonly Tag[] | undefined, keys?: readonly string[]): ContextValues {
  const out: ContextValues = {};
  for (const t of tags ?? []) out[`aws:RequestTag/${t.key}`] = t.value;
  const all = keys ?? (tags ?? []).map((t) => t.key);
  if (all.length > 0) out['aws:TagKeys'] = [...all];
  return out;
}

export interface TagFamilyOptions {
  /** Refuses a change the kind never allows, whatever the caller's permissions (another account's policy). */
  refuse?(ctx: { readonly accountId: string }, name: string, verb: 'tag' | 'untag'): void;
}

/**
 * Tag{Label}, Untag{Label} and List{Label}Tags for a taggable kind. Each is authorized on the
 * entity with its current tags as aws:ResourceTag/… (entityTarget); Tag and Untag add the
 * request's keys (aws:RequestTag/…, aws:TagKeys). Tag and Untag read the entity again in their
 * transaction; List*Tags answers from the target loaded once.
 */
export function tagOperations<R extends EntityRow, K extends string>(kind: EntityKind<R, K>, options: TagFamilyOptions = {}): DefinedOperation[] {
  const target = entityTarget(kind);
  type TagInput = Named<K> & { readonly tags: Tag[] };
  type UntagInput = Named<K> & { readonly tagKeys: string[] };
  type ListInput = Named<K> & { readonly marker?: string; readonly maxItems?: number };

  const tag = defineFamilyOperation<TagInput, unknown, Target<R>>(`Tag${kind.label}`, {
    authentication: 'sigv4',
    write: true,
    load: target.load,
    resource: target.resource,
    // The new tags are aws:RequestTag/…; aws:ResourceTag/… are the tags it has before the call.
    context: (input, ctx, loaded) => ({ ...requestTagContext(input.tags), ...target.context(input, ctx, loaded) }),
    async handle(input, ctx) {
      const tags = checkTags(input.tags);
      const name = input[kind.key];
      options.refuse?.(ctx, name, 'tag');
      const row = await requireEntity(kind, ctx, name);
      await lockQuota(ctx.db, 'TagsPerResource', row.id);
      // The quota counts the tags it ends with: a key given again (in any case) replaces, not adds.
      const keys = new Set((await listTags(ctx.db, row.id)).map((t) => t.key.toLowerCase()));
      for (const t of tags) keys.add(t.key.toLowerCase());
      if (keys.size > MAX_TAGS) throw tooManyTags();
      await putTags(ctx.db, row.id, tags);
      return {};
    },
  });

  const untag = defineFamilyOperation<UntagInput, unknown, Target<R>>(`Untag${kind.label}`, {
    authentication: 'sigv4',
    write: true,
    load: target.load,
    resource: target.resource,
    context: (input, ctx, loaded) => ({ ...requestTagContext(undefined, input.tagKeys), ...target.context(input, ctx, loaded) }),
    async handle(input, ctx) {
      const name = input[kind.key];
      options.refuse?.(ctx, name, 'untag');
      const row = await requireEntity(kind, ctx, name);
      // Keys it does not have are ignored, as AWS does.
      await removeTags(ctx.db, row.id, input.tagKeys);
      return {};
    },
  });

  const list = defineFamilyOperation<ListInput, unknown, Target<R>>(`List${kind.label}Tags`, {
    authentication: 'sigv4',
    write: false,
    load: target.load,
    resource: target.resource,
    context: target.context,
    async handle(input, _ctx, _deps, loaded) {
      decodeMarker(input.marker); // a bad marker is InvalidInput whatever the entity
      requireTarget(kind, loaded);
      // At most 50 tags: paged in memory, by key case-insensitively (keys are unique that way).
      return pageResult('tags', pageInMemory(loaded.tags, input, (t) => t.key.toLowerCase()));
    },
  });

  return [tag, untag, list];
}
