/**
 * A role's trust policy names IAM users and roles by unique id, as IAM stores it (IAM User Guide,
 * "AWS JSON policy elements: Principal", IAM role and IAM user principals): when the policy is
 * saved each user or role ARN among its `AWS` principals becomes that principal's unique id
 * (`AIDA…`, `AROA…`), so the policy keeps naming that principal and no other. A principal
 * deleted and recreated under the same name gets a new id and is not trusted until an
 * administrator saves the policy again; a renamed one still is. When the policy is shown, each id
 * whose user or role still exists reads as its current ARN, and the id of one that is gone stays.
 *
 * Account principals (`arn:aws:iam::ID:root` and bare ids), `*`, role-session and
 * federated-user ARNs, Service, Federated and CanonicalUser principals are kept as written, as IAM
 * keeps them. The engine matches a caller's unique id (a user's, or the role's behind a session)
 * against the stored ids with no read of its own: the id is in the caller's key or session token.
 */
import { AwsError } from '../errors.js';
import { awsPrincipalValues, mapAwsPrincipals, type CompiledPolicy } from '../policy/index.js';
import type { Db } from '../store/db.js';
import { entityArn, entityPrincipal, parseOidcProviderArn, parseSamlProviderArn, type EntityPrincipalRef } from '../arn.js';
import { existingOidcProviders } from '../store/oidc-providers.js';
import { existingSamlProviders } from '../store/saml-providers.js';
import { existingPrincipals, principalRefKey, principalsById } from '../store/roles.js';

function invalidPrincipal(arn: string, type: 'AWS' | 'Federated' = 'AWS'): AwsError {
  return new AwsError('MalformedPolicyDocument', `Invalid principal in policy: "${type}":${JSON.stringify(arn)}`);
}

/**
 * The trust policy as IAM stores it: every user or role ARN among its `AWS` principals replaced
 * by the principal's unique id, the rest of the text as written. `compile` is the engine's
 * reading of a document (cached; it throws MalformedPolicyDocument for one it refuses).
 *
 * Each such ARN must name a user or role that exists, or the call fails with
 * MalformedPolicyDocument `Invalid principal in policy: "AWS":"ARN"` (AWS Knowledge Center, "How
 * do I resolve the IAM trust policy error 'Invalid principal in policy'?": check that the user or
 * role was not deleted). They are looked up by their full ARN, path included, in whichever account
 * of this deployment the ARN names; an account that is not in this deployment has none, so its
 * users and roles are refused too. The root of any account is accepted: we cannot know every AWS
 * account, so any syntactically valid one passes. `*`, role-session and federated-user ARNs (their
 * session part is free), unique ids and Service principals are accepted too.
 *
 * A `Federated` OpenID Connect provider ARN (`arn:aws:iam::ACCOUNT:oidc-provider/HOST/PATH`) or
 * SAML provider ARN (`arn:aws:iam::ACCOUNT:saml-provider/NAME`) must name a provider that exists, in whichever account of this deployment it names, or the call
 * fails with `Invalid principal in policy: "Federated":"ARN"`; it is kept as written. The built-in
 * providers (`accounts.google.com`, `graph.facebook.com`, `www.amazon.com`,
 * `cognito-identity.amazonaws.com`) and other names are accepted as written.
 */
export async function storedTrustPolicy(db: Db, text: string, compile: (text: string) => CompiledPolicy): Promise<string> {
  const compiled = compile(text);
  await checkFederatedProviders(db, compiled);
  const named = entityArns(compiled);
  if (named.length === 0) return text;
  const refs = named.flatMap((n) => (n.ref ? [n.ref] : []));
  const ids = refs.length === 0 ? new Map<string, string>() : await existingPrincipals(db, refs);
  const missing = named.find((n) => !n.ref || !ids.has(principalRefKey(n.ref)));
  if (missing) throw invalidPrincipal(missing.arn);
  const stored = mapAwsPrincipals(text, (value) => {
    const ref = entityPrincipal(value);
    return ref ? ids.get(principalRefKey(ref)) : undefined;
  });
  // The text scan and the engine must agree on where the principals are: a user or role ARN the
  // engine still reads in the stored document would be matched by name, which is what this
  // module exists to stop. Refused rather than stored, should they ever disagree.
  const left = entityArns(compile(stored))[0];
  if (left) throw invalidPrincipal(left.arn);
  return stored;
}

/**
 * Every OpenID Connect and SAML provider ARN among the Federated principals exists (in this
 * deployment's partition), or MalformedPolicyDocument naming the first that does not.
 */
async function checkFederatedProviders(db: Db, compiled: CompiledPolicy): Promise<void> {
  const oidc: string[] = [];
  const saml: string[] = [];
  for (const statement of compiled.statements) {
    for (const value of statement.principal?.federated ?? []) {
      if (parseOidcProviderArn(value) && !oidc.includes(value)) oidc.push(value);
      else if (parseSamlProviderArn(value) && !saml.includes(value)) saml.push(value);
    }
  }
  if (oidc.length === 0 && saml.length === 0) return;
  const found = new Set([
    ...(oidc.length > 0 ? await existingOidcProviders(db, oidc.filter((arn) => parseOidcProviderArn(arn)?.partition === 'aws')) : []),
    ...(saml.length > 0 ? await existingSamlProviders(db, saml.filter((arn) => parseSamlProviderArn(arn)?.partition === 'aws')) : []),
  ]);
  const missing = [...oidc, ...saml].find((arn) => !found.has(arn));
  if (missing !== undefined) throw invalidPrincipal(missing, 'Federated');
}

/** The user and role ARNs among the document's AWS principals; `ref` undefined for one that can name no user or role of this deployment. */
function entityArns(compiled: CompiledPolicy): { arn: string; ref: EntityPrincipalRef | undefined }[] {
  const named: { arn: string; ref: EntityPrincipalRef | undefined }[] = [];
  for (const statement of compiled.statements) {
    for (const arn of statement.principal?.aws ?? []) {
      const ref = entityPrincipal(arn);
      // Only this deployment's partition holds users and roles; a name ending in `/` names none.
      if (ref) named.push({ arn, ref: ref.partition === 'aws' && ref.name !== '' ? ref : undefined });
    }
  }
  return named;
}

/** Does this `AWS` principal look like a unique id (what IAM stores for a user or role)? */
const UNIQUE_ID = /^A[A-Z0-9]{15,127}$/;

/**
 * Stored trust policies as IAM shows them, in the same order: each unique id of a user or role
 * that still exists (in any account of the deployment) replaced by its current ARN; the id of one
 * that is gone stays. One read per entity type for all of them together.
 */
export async function shownTrustPolicies(db: Db, stored: readonly string[]): Promise<string[]> {
  const ids = new Set<string>();
  for (const text of stored) for (const v of awsPrincipalValues(text)) if (UNIQUE_ID.test(v)) ids.add(v);
  if (ids.size === 0) return [...stored];
  const found = await principalsById(db, [...ids]);
  if (found.size === 0) return [...stored];
  return stored.map((text) =>
    mapAwsPrincipals(text, (value) => {
      const ref = found.get(value);
      return ref ? entityArn(ref.accountId, ref.type, ref.path, ref.name) : undefined;
    }),
  );
}

export async function shownTrustPolicy(db: Db, stored: string): Promise<string> {
  const [shown] = await shownTrustPolicies(db, [stored]);
  return shown ?? stored;
}
