/**
 * The guardrail for multi-tenant identity providers. GitHub Actions, GitLab CI and the like issue
 * tokens from one issuer to every user of the platform: a trust policy that lets
 * `sts:AssumeRoleWithWebIdentity` through for such an issuer with no condition on who the token's
 * subject is lets anyone on that platform assume the role (Datadog Security Labs, 2023; AWS has
 * since refused new GitHub trust policies without a `sub` condition). Such a policy is refused
 * with MalformedPolicyDocument, saying why.
 *
 * A statement is caught when it is an Allow, its Principal names the issuer as `Federated` (the
 * provider's ARN in any account, or its bare URL), and its Action (or NotAction) lets
 * `sts:AssumeRoleWithWebIdentity` through; it passes when one of its conditions restricts the
 * subject: a positive operator (not `…Not…`, not `Null`, not `…IfExists`, not `ForAllValues:`,
 * all of which hold whatever or whoever the subject is) on `<url>:sub`, or for GitHub's issuer on
 * `<url>:repository` or `<url>:repository_id`, with no value that matches everything (`*`
 * alone under a `…Like` operator).
 *
 * A wildcard principal (`"Principal": "*"`, `{"AWS": "*"}`) that lets sts:AssumeRoleWithWebIdentity
 * through trusts every identity provider at once, Google's whole user base included
 * (wildcardTrustProblem): refused, unless a positive condition on a key no web identity request
 * carries (aws:PrincipalOrgID, aws:PrincipalAccount, aws:PrincipalArn, …) keeps web identities out.
 * The provider must be named as `Federated`, where the checks above apply.
 *
 * The built-in web identity providers are multi-tenant too, by app rather than by subject: any
 * app registered with Google, Facebook, Login with Amazon or a Cognito identity pool gets tokens
 * for its users that the provider vouches for exactly as it does for yours. A statement that lets
 * `sts:AssumeRoleWithWebIdentity` through for `accounts.google.com`, `graph.facebook.com`,
 * `www.amazon.com` or `cognito-identity.amazonaws.com` must name the app the same way
 * (builtInTrustProblem): `accounts.google.com:aud` or `:oaud`, `graph.facebook.com:app_id`,
 * `www.amazon.com:app_id`, `cognito-identity.amazonaws.com:aud` (the condition the IAM User Guide
 * and AWS's STS API Reference, RoleArn, require for Cognito). Always on: there is no client id list
 * behind these providers, the trust policy is the only place the app is checked.
 *
 * Pure: the parsed document in, a message or undefined out.
 */
import type { ConditionClause, PolicyDocument, Statement } from './types.js';

/** The issuers that serve every user of their platform: GitHub Actions and GitLab.com. */
export const DEFAULT_MULTI_TENANT_ISSUERS: readonly string[] = ['token.actions.githubusercontent.com', 'gitlab.com'];

const GITHUB = 'token.actions.githubusercontent.com';

/** Claims besides `sub` that name the subject well enough, by issuer (GitHub's trust-policy-only keys). */
const SUBJECT_KEYS: Readonly<Record<string, readonly string[]>> = {
  [GITHUB]: ['sub', 'repository', 'repository_id'],
};

const ACTION = 'sts:assumerolewithwebidentity';
const OIDC_PROVIDER_ARN = /^arn:[^:]+:iam::\d{12}:oidc-provider\/(.+)$/;

/** An issuer as the list names it: host[:port]/path, any case, with or without `https://`. */
export function normalizeIssuer(url: string): string {
  return url.replace(/^https?:\/\//i, '').replace(/\/+$/, '').toLowerCase();
}

/** Does the action pattern (with `*` and `?`) match sts:AssumeRoleWithWebIdentity? */
function patternMatches(pattern: string): boolean {
  const re = new RegExp(`^${pattern.toLowerCase().replace(/[.+^${}()|[\]\\]/g, '\\$&').replaceAll('*', '.*').replaceAll('?', '.')}$`, 's');
  return re.test(ACTION);
}

function allowsWebIdentity(s: Statement): boolean {
  if (s.effect !== 'Allow') return false;
  if (s.action) return s.action.some(patternMatches);
  if (s.notAction) return !s.notAction.some(patternMatches);
  return false;
}

/** The multi-tenant issuers this statement's Principal names as Federated (normalised). */
function namedIssuers(s: Statement, issuers: ReadonlySet<string>): string[] {
  const named: string[] = [];
  for (const value of s.principal?.federated ?? []) {
    const url = normalizeIssuer(OIDC_PROVIDER_ARN.exec(value)?.[1] ?? value);
    if (issuers.has(url) && !named.includes(url)) named.push(url);
  }
  return named;
}

/** A value that a `…Like` operator matches whatever the claim is. */
function matchesAnything(clause: ConditionClause, value: string): boolean {
  return clause.base.endsWith('Like') && /^[*?]*\*[*?]*$/.test(value);
}

/**
 * A value with a policy variable in it (other than the escapes `${*}`, `${?}`, `${$}`): the engine
 * substitutes it from the request, so `"…:sub": "${…:sub}"` compares the claim with itself and
 * restricts nothing (found in review). Such a value is never taken for a restriction.
 */
function hasVariable(value: string): boolean {
  return /\$\{(?![*?$]\})/.test(value);
}

function restricts(clause: ConditionClause, keys: ReadonlySet<string>): boolean {
  if (!keys.has(clause.key.toLowerCase())) return false;
  if (clause.base === 'Null' || clause.base.includes('Not') || clause.ifExists || clause.qualifier === 'ForAllValues') return false;
  return clause.values.length > 0 && !clause.values.some((v) => matchesAnything(clause, v) || hasVariable(v));
}

/** The built-in providers, and the keys that name the app a token was issued to. */
const BUILT_IN_APP_KEYS: Readonly<Record<string, { readonly keys: readonly string[]; readonly who: string; readonly example: string }>> = {
  'accounts.google.com': { keys: ['accounts.google.com:aud', 'accounts.google.com:oaud'], who: "any Google app's users", example: '"StringEquals": {"accounts.google.com:aud": "1234567890-abc.apps.googleusercontent.com"}' },
  'graph.facebook.com': { keys: ['graph.facebook.com:app_id'], who: "any Facebook app's users", example: '"StringEquals": {"graph.facebook.com:app_id": "111222333444555"}' },
  'www.amazon.com': { keys: ['www.amazon.com:app_id'], who: "any Login with Amazon app's users", example: '"StringEquals": {"www.amazon.com:app_id": "amzn1.application-oa2-client.…"}' },
  'cognito-identity.amazonaws.com': { keys: ['cognito-identity.amazonaws.com:aud'], who: "any identity pool's users", example: '"StringEquals": {"cognito-identity.amazonaws.com:aud": "us-east-1:…"}' },
};

/**
 * The reason a trust policy that trusts a built-in provider (Google, Facebook, Login with Amazon,
 * Cognito) must be refused, or undefined: a statement that allows sts:AssumeRoleWithWebIdentity
 * for one of them with no positive condition on the key that names the app.
 */
export function builtInTrustProblem(doc: PolicyDocument): string | undefined {
  for (const s of doc.statements) {
    if (!allowsWebIdentity(s)) continue;
    for (const name of new Set(s.principal?.federated ?? [])) {
      const rule = BUILT_IN_APP_KEYS[name];
      if (!rule) continue;
      const keys = new Set(rule.keys.map((k) => k.toLowerCase()));
      if (s.conditions.some((c) => restricts(c, keys))) continue;
      const which = s.sid !== undefined ? `statement ${JSON.stringify(s.sid)}` : `statement ${s.index + 1}`;
      return (
        `Trust policy ${which} allows sts:AssumeRoleWithWebIdentity for the built-in identity provider ${name} ` +
        `without a condition on ${rule.keys.join(' or ')}: ${rule.who} can get a token from it. Name your app, e.g. ${rule.example}.`
      );
    }
  }
  return undefined;
}

/** Keys only a signed caller carries: a positive condition on one keeps every web identity out of a statement. */
const SIGNED_CALLER_KEYS: ReadonlySet<string> = new Set(['aws:principalorgid', 'aws:principalorgpaths', 'aws:principalaccount', 'aws:principalarn', 'aws:userid', 'aws:username', 'aws:sourceaccount']);

/**
 * The reason a trust policy must be refused, or undefined: a statement that allows
 * sts:AssumeRoleWithWebIdentity to a wildcard principal, with no positive condition that only a
 * signed caller could meet.
 */
export function wildcardTrustProblem(doc: PolicyDocument): string | undefined {
  for (const s of doc.statements) {
    if (!allowsWebIdentity(s) || !s.principal?.wildcard) continue;
    if (s.conditions.some((c) => restricts(c, SIGNED_CALLER_KEYS))) continue;
    const which = s.sid !== undefined ? `statement ${JSON.stringify(s.sid)}` : `statement ${s.index + 1}`;
    return (
      `Trust policy ${which} allows sts:AssumeRoleWithWebIdentity for every principal ("*"): a token from any identity provider ` +
      `this service accepts, Google's among them, would do. Name the provider as "Federated", e.g. "Principal": {"Federated": "arn:aws:iam::ACCOUNT:oidc-provider/HOST"}.`
    );
  }
  return undefined;
}

function subjectKeys(issuer: string): string[] {
  return (SUBJECT_KEYS[issuer] ?? ['sub']).map((k) => `${issuer}:${k}`);
}

function message(issuer: string, statement: Statement): string {
  const keys = subjectKeys(issuer);
  const which = statement.sid !== undefined ? `statement ${JSON.stringify(statement.sid)}` : `statement ${statement.index + 1}`;
  const example = issuer === GITHUB ? `"StringLike": {"${issuer}:sub": "repo:my-org/my-repo:*"}` : `"StringEquals": {"${issuer}:sub": "…"}`;
  return (
    `Trust policy ${which} allows sts:AssumeRoleWithWebIdentity for the multi-tenant identity provider ${issuer} ` +
    `without a condition on ${keys.join(' or ')}: anyone on that platform can get a token from it. ` +
    `Restrict the subject, e.g. ${example}.`
  );
}

/**
 * The reason the trust policy must be refused, or undefined. `issuers` are the multi-tenant
 * issuers' URLs (host[:port]/path; normalised here).
 */
export function multiTenantTrustProblem(doc: PolicyDocument, issuers: readonly string[]): string | undefined {
  if (issuers.length === 0) return undefined;
  const set = new Set(issuers.map(normalizeIssuer));
  for (const s of doc.statements) {
    if (!allowsWebIdentity(s)) continue;
    for (const issuer of namedIssuers(s, set)) {
      const keys = new Set(subjectKeys(issuer));
      if (!s.conditions.some((c) => restricts(c, keys))) return message(issuer, s);
    }
  }
  return undefined;
}
