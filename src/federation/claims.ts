/**
 * Claims → condition keys (IAM User Guide, "Available keys for AWS web identity federation";
 * shared/research/federation-facts.md §1.2). Pure: no IO, no clock.
 *
 * - Every OpenID Connect provider: `HOST/PATH:aud`, `:sub`, `:amr`, in the trust policy; `aud` and
 *   `sub` also in the session's later calls (policy variables such as `${HOST/PATH:sub}`).
 * - GitHub's issuer: also `actor`, `actor_id`, `job_workflow_ref`, `repository`, `repository_id`,
 *   `workflow`, `ref`, `environment`, `enterprise_id`, in the trust policy only (AWS, January 2026:
 *   "not carried into the session").
 * - The `https://aws.amazon.com/tags` claim: session tags (`principal_tags`, `transitive_tag_keys`).
 */
import type { ContextValueInput } from '../policy/index.js';
import type { SessionTag } from '../tokens/session-token.js';

export const GITHUB_ISSUER = 'https://token.actions.githubusercontent.com';
const GITHUB_KEYS = ['actor', 'actor_id', 'job_workflow_ref', 'repository', 'repository_id', 'workflow', 'ref', 'environment', 'enterprise_id'] as const;
export const TAGS_CLAIM = 'https://aws.amazon.com/tags';

type Values = Record<string, ContextValueInput | undefined>;
type Claims = Readonly<Record<string, unknown>>;

function stringsOf(v: unknown): string | string[] | undefined {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) {
    const s = v.filter((x): x is string => typeof x === 'string');
    return s.length > 0 ? s : undefined;
  }
  return undefined;
}

/** The keys the role's trust policy is evaluated with. `prefix` is the provider's URL as IAM shows it (host/path). */
export function trustKeys(prefix: string, issuer: string, claims: Claims, audience: string, subject: string): Values {
  const values: Values = { [`${prefix}:aud`]: audience, [`${prefix}:sub`]: subject, [`${prefix}:amr`]: stringsOf(claims.amr) };
  if (issuer === GITHUB_ISSUER) {
    for (const k of GITHUB_KEYS) {
      const v = claims[k];
      if (typeof v === 'string' || (typeof v === 'number' && Number.isSafeInteger(v))) values[`${prefix}:${k}`] = String(v);
    }
  }
  return values;
}

/** The keys a web identity session carries into its later calls. */
export function sessionKeys(providerArn: string, prefix: string, audience: string, subject: string): Values {
  return { 'aws:FederatedProvider': providerArn, [`${prefix}:aud`]: audience, [`${prefix}:sub`]: subject };
}

export type TagsClaim = { readonly ok: true; readonly tags: readonly SessionTag[] | undefined; readonly transitive: readonly string[] | undefined } | { readonly ok: false; readonly message: string };

/**
 * The session tags claim (IAM User Guide, "Passing session tags using AssumeRoleWithWebIdentity"):
 * `{"principal_tags": {"Key": ["Value"]}, "transitive_tag_keys": ["Key"]}`, each tag value a
 * one-element array of strings. The tag rules themselves (counts, lengths) are the request's.
 */
export function tagsClaim(claims: Claims): TagsClaim {
  const raw = claims[TAGS_CLAIM];
  if (raw === undefined) return { ok: true, tags: undefined, transitive: undefined };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { ok: false, message: `The ${TAGS_CLAIM} claim must be an object` };
  const { principal_tags: principal, transitive_tag_keys: transitive } = raw as Record<string, unknown>;
  const tags: SessionTag[] = [];
  if (principal !== undefined) {
    if (typeof principal !== 'object' || principal === null || Array.isArray(principal)) return { ok: false, message: 'principal_tags must be an object' };
    for (const [key, value] of Object.entries(principal)) {
      const v = Array.isArray(value) && value.length === 1 ? value[0] : value;
      if (typeof v !== 'string') return { ok: false, message: `principal_tags.${key} must be a string in a one-element array` };
      tags.push({ key, value: v });
    }
  }
  if (transitive !== undefined && !(Array.isArray(transitive) && transitive.every((k) => typeof k === 'string'))) return { ok: false, message: 'transitive_tag_keys must be an array of strings' };
  return { ok: true, tags: tags.length > 0 ? tags : undefined, transitive: transitive as string[] | undefined };
}

export const SOURCE_IDENTITY_CLAIM = 'https://aws.amazon.com/source_identity';

/**
 * The source identity claim (IAM User Guide, "Monitor and control actions taken with assumed
 * roles": an OIDC provider sets it in `https://aws.amazon.com/source_identity`), with the
 * SourceIdentity parameter's rules: 2 to 64 characters of [\w+=,.@-], not starting with `aws:`.
 */
export function sourceIdentityClaim(claims: Claims): { readonly ok: true; readonly value: string | undefined } | { readonly ok: false; readonly message: string } {
  const v = claims[SOURCE_IDENTITY_CLAIM];
  if (v === undefined) return { ok: true, value: undefined };
  if (typeof v !== 'string' || !/^[\w+=,.@-]{2,64}$/.test(v) || v.toLowerCase().startsWith('aws:')) return { ok: false, message: `The ${SOURCE_IDENTITY_CLAIM} claim must be 2 to 64 characters of letters, digits and +=,.@-_` };
  return { ok: true, value: v };
}
