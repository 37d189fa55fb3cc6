/**
 * Every ARN the service builds or parses, in one place: IAM entities (the path sits between the
 * type and the name, as AWS writes them), the account root, STS session principals, AWS managed
 * policies, and the few shape checks AWS applies to an ARN it is handed.
 *
 * A leaf: pure string work, no IO, no clock, imports nothing. The policy engine keeps its own
 * grammar, as it imports nothing outside src/policy (test/policy/engine.test.ts): the *patterns*
 * of Resource elements and Arn* condition values (wildcards, variables) in policy/arn.ts, and the
 * principal ARN shapes a Principal element accepts in policy/principal.ts.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-arns
 */

/**
 * The resource type of an IAM entity ARN `arn:aws:iam::ACCOUNT:TYPE/PATH/NAME` (`user`, `group`,
 * `role`, `policy`, `oidc-provider`, …): each IAM entity kind names its own (src/iam/entities.ts),
 * so a new kind needs nothing here.
 */
export type EntityType = string;

/** An IAM entity named by an ARN: its account, path (`/` or `/a/b/`) and name. */
export interface ArnEntityParts {
  readonly accountId: string;
  readonly path: string;
  readonly name: string;
}

interface PathName {
  readonly path: string;
  readonly name: string;
}

// ---- building ----

export function entityArn(accountId: string, type: EntityType, path: string, name: string): string {
  return `arn:aws:iam::${accountId}:${type}${path}${name}`;
}

export function rootArn(accountId: string): string {
  return `arn:aws:iam::${accountId}:root`;
}

export function userArn(accountId: string, user: PathName): string {
  return entityArn(accountId, 'user', user.path, user.name);
}

export function groupArn(accountId: string, group: PathName): string {
  return entityArn(accountId, 'group', group.path, group.name);
}

export function roleArn(accountId: string, role: PathName): string {
  return entityArn(accountId, 'role', role.path, role.name);
}

export function policyArn(accountId: string, policy: PathName): string {
  return entityArn(accountId, 'policy', policy.path, policy.name);
}

/** An AWS managed policy: owned by the pseudo-account `aws`. */
export function awsManagedPolicyArn(policy: PathName): string {
  return `arn:aws:iam::aws:policy${policy.path}${policy.name}`;
}

/** Is this the ARN of an AWS managed policy (rather than a customer managed one)? */
export function isAwsManagedPolicyArn(arn: string): boolean {
  return arn.startsWith('arn:aws:iam::aws:');
}

/**
 * An IAM OpenID Connect provider: `arn:aws:iam::ACCOUNT:oidc-provider/URL`, URL as IAM shows it
 * (host[:port]/path, no scheme), e.g. `oidc-provider/token.actions.githubusercontent.com`.
 */
export function oidcProviderArn(accountId: string, url: string): string {
  return `arn:aws:iam::${accountId}:oidc-provider/${url}`;
}

/** An IAM SAML provider: `arn:aws:iam::ACCOUNT:saml-provider/NAME`. */
export function samlProviderArn(accountId: string, name: string): string {
  return `arn:aws:iam::${accountId}:saml-provider/${name}`;
}

/** The principal of an AssumeRole* session. */
export function assumedRoleArn(accountId: string, roleName: string, sessionName: string): string {
  return `arn:aws:sts::${accountId}:assumed-role/${roleName}/${sessionName}`;
}

/** The principal of a GetFederationToken session. */
export function federatedUserArn(accountId: string, name: string): string {
  return `arn:aws:sts::${accountId}:federated-user/${name}`;
}

// ---- shape checks ----

/**
 * AWS's own check of an ARN's form ("X is invalid", as recorded from AWS in LocalStack's STS
 * parity snapshots): six colon-separated parts with a partition, a service and a resource.
 */
export function isArn(text: string): boolean {
  const parts = text.split(':');
  return parts.length >= 6 && parts[0] === 'arn' && parts[1] !== '' && parts[2] !== '' && parts.slice(5).join(':') !== '';
}

/** Six colon-separated parts, the last one not empty: what IAM can parse as an ARN at all. */
const ARN_SHAPE = /^arn:[^:]*:[^:]*:[^:]*:[^:]*:./;

export function hasArnShape(text: string): boolean {
  return ARN_SHAPE.test(text);
}

/** The account field of an ARN (`arn:aws:iam::ACCOUNT:…`), whatever it holds, or undefined when empty or absent. */
export function arnAccountField(arn: string): string | undefined {
  return arn.split(':', 5)[4] || undefined;
}

/** The account field of an ARN when it is a 12-digit account id, else undefined. */
export function arnAccountId(arn: string): string | undefined {
  const account = arn.split(':', 5)[4];
  return account && /^\d{12}$/.test(account) ? account : undefined;
}

// ---- parsing IAM entity ARNs (partition `aws`, names as IAM allows them) ----

const POLICY_ARN = /^arn:aws:iam::(\d{12}|aws):policy(\/(?:[\x21-\x7e]*\/)?)([\w+=,.@-]+)$/;
const ROLE_ARN = /^arn:aws:iam::(\d{12}):role(\/|\/[\x21-\x7e]*\/)([\w+=,.@-]+)$/;
const USER_ARN = /^arn:aws:iam::(\d{12}):user\/(?:[\x21-\x7e]*\/)?[\w+=,.@-]+$/;
const USER_GROUP_ROLE_ARN = /^arn:aws:iam::(\d{12}):(user|group|role)(\/(?:[\x21-\x7e]*\/)?)([\w+=,.@-]+)$/;
const ACCOUNT_OWNER = /^(?:arn:aws:iam::(\d{12}):root|(\d{12}))$/;

/** `arn:aws:iam::ACCOUNT:policy/path/name` (ACCOUNT may be `aws`) → its parts, or undefined if it is not a policy ARN. */
export function parsePolicyArn(arn: string): ArnEntityParts | undefined {
  const m = POLICY_ARN.exec(arn);
  if (!m) return undefined;
  return { accountId: m[1] as string, path: m[2] as string, name: m[3] as string };
}

/** `arn:aws:iam::ACCOUNT:role/PATH/NAME` → its parts; undefined for anything else (which names no role). */
export function parseRoleArn(arn: string): ArnEntityParts | undefined {
  const m = ROLE_ARN.exec(arn);
  if (!m) return undefined;
  return { accountId: m[1] as string, path: m[2] as string, name: m[3] as string };
}

/** The account of `arn:aws:iam::ACCOUNT:user/PATH/NAME`; undefined for anything else. */
export function userArnAccount(arn: string): string | undefined {
  return USER_ARN.exec(arn)?.[1];
}

/** `arn:aws:iam::ACCOUNT:{user,group,role}/PATH/NAME` → its kind and parts; undefined for anything else. */
export function parseUserGroupOrRoleArn(arn: string): (ArnEntityParts & { readonly kind: 'user' | 'group' | 'role' }) | undefined {
  const m = USER_GROUP_ROLE_ARN.exec(arn);
  if (!m) return undefined;
  const [, accountId = '', kind, path = '', name = ''] = m;
  return { accountId, kind: kind === 'user' ? 'user' : kind === 'group' ? 'group' : 'role', path, name };
}

/** An account id, or the account's root ARN `arn:aws:iam::ID:root` → the account id; undefined for anything else. */
export function accountOwner(value: string): string | undefined {
  const m = ACCOUNT_OWNER.exec(value);
  return m ? (m[1] ?? m[2]) : undefined;
}

// ---- principal ARNs (any partition) ----

/** An OIDC provider as a `Federated` principal (or a request) names it, in any partition. */
export interface OidcProviderArnParts {
  readonly partition: string;
  readonly accountId: string;
  /** host[:port]/path, as in the ARN. */
  readonly url: string;
}

const OIDC_PROVIDER_ARN = /^arn:([^:]+):iam::(\d{12}):oidc-provider\/(.+)$/;

/** `arn:PARTITION:iam::ACCOUNT:oidc-provider/URL` → its parts; undefined for anything else. */
export function parseOidcProviderArn(arn: string): OidcProviderArnParts | undefined {
  const m = OIDC_PROVIDER_ARN.exec(arn);
  if (!m) return undefined;
  const [, partition = '', accountId = '', url = ''] = m;
  return { partition, accountId, url };
}

/** A SAML provider as a `Federated` principal (or a request) names it, in any partition. */
export interface SamlProviderArnParts {
  readonly partition: string;
  readonly accountId: string;
  readonly name: string;
}

/** The name is the model's SAMLProviderNameType, `[\w._-]{1,128}`. */
const SAML_PROVIDER_ARN = /^arn:([^:]+):iam::(\d{12}):saml-provider\/([\w.-]{1,128})$/;

/** `arn:PARTITION:iam::ACCOUNT:saml-provider/NAME` → its parts; undefined for anything else. */
export function parseSamlProviderArn(arn: string): SamlProviderArnParts | undefined {
  const m = SAML_PROVIDER_ARN.exec(arn);
  if (!m) return undefined;
  const [, partition = '', accountId = '', name = ''] = m;
  return { partition, accountId, name };
}

/** A user or role as a principal ARN names it: its account, path and name, exactly. */
export interface EntityPrincipalRef {
  readonly type: 'user' | 'role';
  readonly accountId: string;
  readonly path: string;
  readonly name: string;
}

/** `arn:PARTITION:iam::ACCOUNT:user/PATH/NAME` (or role/…) → its parts; undefined for any other principal. */
const ENTITY_PRINCIPAL = /^arn:([^:]+):iam::(\d{12}):(user|role)(\/.*)$/;

/** The user or role an AWS principal ARN names, with the ARN's partition; undefined for any other principal. */
export function entityPrincipal(arn: string): (EntityPrincipalRef & { partition: string }) | undefined {
  const m = ENTITY_PRINCIPAL.exec(arn);
  if (!m) return undefined;
  const [, partition = '', accountId = '', type, rest = ''] = m;
  const cut = rest.lastIndexOf('/');
  return { partition, accountId, type: type === 'user' ? 'user' : 'role', path: rest.slice(0, cut + 1), name: rest.slice(cut + 1) };
}
