/**
 * IAM tags: at most 50 per entity, keys unique case-insensitively (IAM refuses two keys that differ
 * only in case), `aws:` keys reserved. Lengths and character patterns are checked by the protocol
 * layer from the model.
 */
import { AwsError } from '../errors.js';
import type { ContextValues } from '../operation.js';

export interface Tag {
  readonly key: string;
  readonly value: string;
}

export const MAX_TAGS = 50;

export function checkTags(tags: readonly Tag[] | undefined): readonly Tag[] {
  if (!tags) return [];
  const seen = new Set<string>();
  for (const t of tags) {
    const lower = t.key.toLowerCase();
    if (seen.has(lower)) throw new AwsError('InvalidInput', 'Duplicate tag keys found. Please note that Tag keys are case insensitive.');
    if (lower.startsWith('aws:')) throw new AwsError('InvalidInput', 'User-defined tag keys can\'t start with "aws:". This prefix is reserved for AWS tags.');
    seen.add(lower);
  }
  if (tags.length > MAX_TAGS) throw new AwsError('LimitExceeded', `The number of tags has reached the maximum limit (${MAX_TAGS}).`);
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
