/**
 * Claims → condition keys (IAM User Guide, "Available keys for AWS web identity federation";
 * shared/research/federation-facts.md §1.2). Pure: no IO, no clock.
 *
 * - Every OpenID Connect provider: `HOST/PATH:aud`, `:sub`, `:amr`, in the trust policy; `aud` and
 *   `sub` also in the session's later calls (policy variables such as `${HOST/PATH:sub}`).
 * - GitHub's issuer: also `actor`, `actor_id`, `job_workflow_ref`, `repository`, `repository_id`,
 *   `workflow`, `ref`, `environment`, `enterprise_id`, in the trust policy only (AWS, January 2026:
 *   "not carried into the session").
 * - The built-in providers, which need no IAM object (src/federation/google.ts, oauth.ts): Google's
 *   `accounts.google.com:aud` (the token's `azp` when it has one, else its `aud`), `:oaud` (always
 *   its `aud`) and `:sub`; Facebook's `graph.facebook.com:app_id` and `:id`; Login with Amazon's
 *   `www.amazon.com:app_id` and `:user_id`. All of them also in the session's later calls (the
 *   IAM User Guide's `${www.amazon.com:user_id}` policy variable), except Google's `:oaud`.
 * - The `https://aws.amazon.com/tags` claim: session tags (`principal_tags`, `transitive_tag_keys`).
 */
import type { ContextValueInput } from '../policy/index.js';
import type { SessionTag } from '../tokens/session-token.js';
import { sessionTagProblem } from './session-tag-rules.js';

export const GITHUB_ISSUER = 'https://token.actions.githubusercontent.com';
const GITHUB_KEYS = ['actor', 'actor_id', 'job_workflow_ref', 'repository', 'repository_id', 'workflow', 'ref', 'environment', 'enterprise_id'] as const;
export const TAGS_CLAIM = 'https://aws.amazon.com/tags';

/** The built-in providers' names: their `Federated` principal, aws:FederatedProvider and key prefix. */
export const GOOGLE = 'accounts.google.com';
export const FACEBOOK = 'graph.facebook.com';
export const AMAZON = 'www.amazon.com';

/** The names of a built-in OAuth 2.0 provider's two keys: the app the token was issued to, and the user. */
const OAUTH_KEY_NAMES: Readonly<Record<string, { readonly app: string; readonly user: string }>> = {
  [FACEBOOK]: { app: `${FACEBOOK}:app_id`, user: `${FACEBOOK}:id` },
  [AMAZON]: { app: `${AMAZON}:app_id`, user: `${AMAZON}:user_id` },
};

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

/** Google's keys: `:aud` is `azp` when the token has one (the client that asked), `:oaud` always `aud`. */
export function googleTrustKeys(claims: Claims, subject: string): Values {
  const aud = stringsOf(claims.aud);
  const azp = typeof claims.azp === 'string' ? claims.azp : undefined;
  return { [`${GOOGLE}:aud`]: azp ?? aud, [`${GOOGLE}:oaud`]: aud, [`${GOOGLE}:sub`]: subject };
}

/** Facebook's or Login with Amazon's keys: the app (client) id and the user id the provider reported. */
export function oauthTrustKeys(provider: string, appId: string, userId: string): Values {
  const names = OAUTH_KEY_NAMES[provider];
  return names ? { [names.app]: appId, [names.user]: userId } : {};
}

/**
 * The keys a web identity session carries into its later calls. `provider` is the provider's ARN,
 * or a built-in provider's name (no ARN is ever one), whose keys have their own names.
 */
export function sessionKeys(provider: string, prefix: string, audience: string, subject: string): Values {
  const names = OAUTH_KEY_NAMES[provider];
  if (names) return { 'aws:FederatedProvider': provider, [names.app]: audience, [names.user]: subject };
  return { 'aws:FederatedProvider': provider, [`${prefix}:aud`]: audience, [`${prefix}:sub`]: subject };
}

export type TagsClaim = { readonly ok: true; readonly tags: readonly SessionTag[] | undefined; readonly transitive: readonly string[] | undefined } | { readonly ok: false; readonly message: string };

/**
 * The session tags claim (IAM User Guide, "Passing session tags using AssumeRoleWithWebIdentity"):
 * `{"principal_tags": {"Key": ["Value"]}, "transitive_tag_keys": ["Key"]}`, each tag value a
 * one-element array of strings, under the rules of the request's own Tags (session-tag-rules.ts).
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
  const keys = transitive as string[] | undefined;
  const problem = sessionTagProblem(tags, keys);
  if (problem !== undefined) return { ok: false, message: `The ${TAGS_CLAIM} claim: ${problem}` };
  return { ok: true, tags: tags.length > 0 ? tags : undefined, transitive: keys };
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
