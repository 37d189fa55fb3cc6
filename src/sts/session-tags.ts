/**
 * Session tags (IAM User Guide, "Passing session tags in AWS STS"): at most 50 (the model), keys
 * unique regardless of case, transitive keys a subset of the request's keys, and the transitive
 * tags of the calling session passed on to the next session of a role chain, where they cannot be
 * set again. Error codes and messages are AWS's (InvalidParameterValue, as recorded from AWS in
 * LocalStack's STS parity snapshots).
 */
import { AwsError } from '../errors.js';
import type { ContextValues } from '../operation.js';
import type { SessionClaims, SessionTag } from '../tokens/session-token.js';

const DUPLICATE_KEYS = 'Duplicate tag keys found. Please note that Tag keys are case insensitive.';
const TRANSITIVE_NOT_IN_TAGS = 'The specified transitive tag key must be included in the requested tags.';
const CONFLICTS_WITH_CALLER =
  "One of the specified transitive tag keys can't be set because it conflicts with a transitive tag key from the calling session.";
/** IAM's rule for tag names, which session tags follow ("aws:" is reserved for AWS). */
const RESERVED_PREFIX = 'User-defined tag keys can\'t start with "aws:". This prefix is reserved for AWS tags.';

export interface SessionTagSet {
  readonly tags: readonly SessionTag[];
  /** The keys that pass to the next session of a chain, with the case of their tag. */
  readonly transitive: readonly string[];
}

/** The request's own tags: unique keys regardless of case, none starting with `aws:`. */
export function checkRequestTags(tags: readonly SessionTag[] | undefined): readonly SessionTag[] {
  if (!tags) return [];
  const seen = new Set<string>();
  for (const t of tags) {
    const lower = t.key.toLowerCase();
    if (seen.has(lower)) throw new AwsError('InvalidParameterValue', DUPLICATE_KEYS);
    if (lower.startsWith('aws:')) throw new AwsError('InvalidParameterValue', RESERVED_PREFIX);
    seen.add(lower);
  }
  return tags;
}

/** TransitiveTagKeys must name tags of this request (case-insensitively); returned with their tag's case. */
export function checkTransitiveKeys(tags: readonly SessionTag[], keys: readonly string[] | undefined): readonly string[] {
  if (!keys || keys.length === 0) return [];
  const byLower = new Map(tags.map((t) => [t.key.toLowerCase(), t.key]));
  const out: string[] = [];
  for (const k of keys) {
    const key = byLower.get(k.toLowerCase());
    if (key === undefined) throw new AwsError('InvalidParameterValue', TRANSITIVE_NOT_IN_TAGS);
    if (!out.includes(key)) out.push(key);
  }
  return out;
}

/** The calling session's transitive tags: they pass to every later session of the chain. */
export function inheritedTags(caller: SessionClaims | undefined): SessionTagSet {
  const keys = new Set((caller?.tt ?? []).map((k) => k.toLowerCase()));
  if (keys.size === 0) return { tags: [], transitive: [] };
  const tags = (caller?.tags ?? []).filter((t) => keys.has(t.key.toLowerCase()));
  return { tags, transitive: tags.map((t) => t.key) };
}

/**
 * The new session's tags: the inherited transitive tags and the request's. A request tag whose
 * key (in any case) is inherited fails: "If you pass a session tag with the same key as an
 * inherited tag, the operation fails" (STS API Reference, AssumeRole, Tags).
 */
export function mergeSessionTags(inherited: SessionTagSet, request: readonly SessionTag[], requestTransitive: readonly string[]): SessionTagSet {
  const taken = new Set(inherited.tags.map((t) => t.key.toLowerCase()));
  if (request.some((t) => taken.has(t.key.toLowerCase()))) throw new AwsError('InvalidParameterValue', CONFLICTS_WITH_CALLER);
  return { tags: [...inherited.tags, ...request], transitive: [...inherited.transitive, ...requestTransitive] };
}

/**
 * The condition keys of a request that passes tags: `aws:RequestTag/KEY`, `aws:TagKeys` and
 * `sts:TransitiveTagKeys`. Inherited transitive tags are passed to the new session just as the
 * request's own, so they are in these keys too (a trust policy limiting `aws:TagKeys` limits them
 * as well) **(choice: AWS does not document it)**.
 */
export function sessionTagContext(set: SessionTagSet): ContextValues {
  const out: ContextValues = {};
  for (const t of set.tags) out[`aws:RequestTag/${t.key}`] = t.value;
  if (set.tags.length > 0) out['aws:TagKeys'] = set.tags.map((t) => t.key);
  if (set.transitive.length > 0) out['sts:TransitiveTagKeys'] = [...set.transitive];
  return out;
}
