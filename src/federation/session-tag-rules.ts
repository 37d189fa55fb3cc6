/**
 * The rules STS's own `Tags` and `TransitiveTagKeys` parameters follow (the model's tagKeyType,
 * tagValueType, tagListType, tagKeyListType), applied to session tags that arrive inside a token
 * or an assertion (`https://aws.amazon.com/tags`, `PrincipalTag:*`), which never pass through the
 * model's validation: at most 50 tags and 50 transitive keys, keys of 1 to 128 and values of 0 to
 * 256 characters, letters, digits, spaces and `_ . : / = + - @` only. Found in review: a token
 * could carry 60 tags or an empty key into the session.
 */
import type { SessionTag } from '../tokens/session-token.js';

export const MAX_SESSION_TAGS = 50;
const KEY = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u;
const VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u;

/** Why these tags could not be a request's, or undefined. Never quotes a value. */
export function sessionTagProblem(tags: readonly SessionTag[] | undefined, transitive: readonly string[] | undefined): string | undefined {
  if ((tags?.length ?? 0) > MAX_SESSION_TAGS) return `at most ${MAX_SESSION_TAGS} session tags may be passed`;
  if ((transitive?.length ?? 0) > MAX_SESSION_TAGS) return `at most ${MAX_SESSION_TAGS} transitive tag keys may be passed`;
  for (const t of tags ?? []) {
    if (!KEY.test(t.key)) return 'a session tag key must be 1 to 128 letters, digits, spaces or _.:/=+-@';
    if (!VALUE.test(t.value)) return 'a session tag value must be at most 256 letters, digits, spaces or _.:/=+-@';
  }
  for (const k of transitive ?? []) if (!KEY.test(k)) return 'a transitive tag key must be 1 to 128 letters, digits, spaces or _.:/=+-@';
  return undefined;
}
