/**
 * What a verified assertion says to AWS (IAM User Guide, "Configure SAML assertions for the
 * authentication response", and "Passing session tags using AssumeRoleWithSAML"): the session's
 * name, how long it may last, its tags and source identity, and the `SAML:*` condition keys the
 * role's trust policy is evaluated with, including NameQualifier.
 *
 * Attribute Names are matched exactly (AWS: case-sensitive).
 */
import { createHash } from 'node:crypto';
import { AwsError } from '../../errors.js';
import type { SessionTag } from '../../tokens/session-token.js';
import { sessionTagProblem } from '../session-tag-rules.js';
import type { VerifiedAssertion } from './verify-response.js';

const AWS_ATTR = 'https://aws.amazon.com/SAML/Attributes/';
export const ROLE_SESSION_NAME_ATTRIBUTE = `${AWS_ATTR}RoleSessionName`;
export const SESSION_DURATION_ATTRIBUTE = `${AWS_ATTR}SessionDuration`;
export const SOURCE_IDENTITY_ATTRIBUTE = `${AWS_ATTR}SourceIdentity`;
export const PRINCIPAL_TAG_PREFIX = `${AWS_ATTR}PrincipalTag:`;
export const TRANSITIVE_TAG_KEYS_ATTRIBUTE = `${AWS_ATTR}TransitiveTagKeys`;

const PERSISTENT = 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent';
const TRANSIENT = 'urn:oasis:names:tc:SAML:2.0:nameid-format:transient';

/**
 * eduPerson and eduOrg attributes (by their OID names) and the multivalued keys AWS maps them to
 * ("Mapping SAML attributes to AWS trust policy context keys"), and `saml:cn` for the common name.
 */
const MAPPED_ATTRIBUTES: Readonly<Record<string, string>> = {
  'urn:oid:1.3.6.1.4.1.5923.1.1.1.1': 'saml:edupersonaffiliation',
  'urn:oid:1.3.6.1.4.1.5923.1.1.1.2': 'saml:edupersonnickname',
  'urn:oid:1.3.6.1.4.1.5923.1.1.1.3': 'saml:edupersonorgdn',
  'urn:oid:1.3.6.1.4.1.5923.1.1.1.4': 'saml:edupersonorgunitdn',
  'urn:oid:1.3.6.1.4.1.5923.1.1.1.5': 'saml:edupersonprimaryaffiliation',
  'urn:oid:1.3.6.1.4.1.5923.1.1.1.6': 'saml:edupersonprincipalname',
  'urn:oid:1.3.6.1.4.1.5923.1.1.1.7': 'saml:edupersonentitlement',
  'urn:oid:1.3.6.1.4.1.5923.1.1.1.8': 'saml:edupersonprimaryorgunitdn',
  'urn:oid:1.3.6.1.4.1.5923.1.1.1.9': 'saml:edupersonscopedaffiliation',
  'urn:oid:1.3.6.1.4.1.5923.1.1.1.10': 'saml:edupersontargetedid',
  'urn:oid:1.3.6.1.4.1.5923.1.1.1.11': 'saml:edupersonassurance',
  'urn:oid:1.3.6.1.4.1.5923.1.2.1.2': 'saml:eduorghomepageuri',
  'urn:oid:1.3.6.1.4.1.5923.1.2.1.3': 'saml:eduorgidentityauthnpolicyuri',
  'urn:oid:1.3.6.1.4.1.5923.1.2.1.4': 'saml:eduorglegalname',
  'urn:oid:1.3.6.1.4.1.5923.1.2.1.5': 'saml:eduorgsuperioruri',
  'urn:oid:1.3.6.1.4.1.5923.1.2.1.6': 'saml:eduorgwhitepagesuri',
  'urn:oid:2.5.4.3': 'saml:cn',
};

function invalid(detail: string): AwsError {
  return new AwsError('InvalidIdentityToken', `Invalid SAML response: ${detail}`);
}

function single(attributes: ReadonlyMap<string, readonly string[]>, name: string): string | undefined {
  const values = attributes.get(name);
  if (values === undefined) return undefined;
  if (values.length !== 1) throw invalid(`the ${name} attribute must have exactly one value.`);
  return values[0]?.trim();
}

/** RoleSessionName: required, 2 to 64 characters of letters, digits and +=,.@-_ (as the API's RoleSessionName). */
export function roleSessionNameOf(attributes: ReadonlyMap<string, readonly string[]>): string {
  const name = single(attributes, ROLE_SESSION_NAME_ATTRIBUTE);
  if (name === undefined) throw invalid(`the ${ROLE_SESSION_NAME_ATTRIBUTE} attribute is required.`);
  if (!/^[\w+=,.@-]{2,64}$/.test(name)) throw invalid(`the ${ROLE_SESSION_NAME_ATTRIBUTE} attribute must be 2 to 64 characters of letters, digits and +=,.@-_`);
  return name;
}

/**
 * The session's duration in seconds: the request's, shortened (never lengthened) by the
 * SessionDuration attribute (900 to 43200), and never past SessionNotOnOrAfter.
 */
export function samlSessionSeconds(requested: number, assertion: Pick<VerifiedAssertion, 'attributes' | 'sessionNotOnOrAfter'>, now: Date): number {
  let seconds = requested;
  const raw = single(assertion.attributes, SESSION_DURATION_ATTRIBUTE);
  if (raw !== undefined) {
    if (!/^\d{1,5}$/.test(raw) || Number(raw) < 900 || Number(raw) > 43200) throw invalid(`the ${SESSION_DURATION_ATTRIBUTE} attribute must be a number of seconds from 900 to 43200.`);
    seconds = Math.min(seconds, Number(raw));
  }
  if (assertion.sessionNotOnOrAfter !== undefined) {
    const left = Math.floor((assertion.sessionNotOnOrAfter.getTime() - now.getTime()) / 1000);
    if (left <= 0) throw new AwsError('ExpiredTokenException', 'Token is expired.');
    seconds = Math.min(seconds, left);
  }
  return seconds;
}

/** SourceIdentity: optional, 2 to 64 characters, not beginning with `aws:`. */
export function sourceIdentityOf(attributes: ReadonlyMap<string, readonly string[]>): string | undefined {
  const value = single(attributes, SOURCE_IDENTITY_ATTRIBUTE);
  if (value === undefined) return undefined;
  if (!/^[\w+=,.@-]{2,64}$/.test(value) || value.toLowerCase().startsWith('aws:')) throw invalid(`the ${SOURCE_IDENTITY_ATTRIBUTE} attribute must be 2 to 64 characters of letters, digits and +=,.@-_`);
  return value;
}

/** PrincipalTag:KEY attributes (one value each) and TransitiveTagKeys, under the rules of the request's own Tags (session-tag-rules.ts). */
export function sessionTagsOf(attributes: ReadonlyMap<string, readonly string[]>): { readonly tags: readonly SessionTag[] | undefined; readonly transitive: readonly string[] | undefined } {
  const tags: SessionTag[] = [];
  for (const [name, values] of attributes) {
    if (!name.startsWith(PRINCIPAL_TAG_PREFIX)) continue;
    const key = name.slice(PRINCIPAL_TAG_PREFIX.length);
    if (values.length !== 1) throw invalid(`the ${name} attribute must have exactly one value.`);
    tags.push({ key, value: values[0] ?? '' });
  }
  const given = attributes.get(TRANSITIVE_TAG_KEYS_ATTRIBUTE);
  const transitive = given === undefined ? undefined : given.map((k) => k.trim());
  const problem = sessionTagProblem(tags, transitive);
  if (problem !== undefined) throw invalid(`the PrincipalTag and TransitiveTagKeys attributes: ${problem}.`);
  return { tags: tags.length > 0 ? tags : undefined, transitive };
}

/** `SAML:sub_type`: persistent, transient, or the full Format URI. */
export function subjectType(format: string): string {
  if (format === PERSISTENT) return 'persistent';
  if (format === TRANSIENT) return 'transient';
  return format;
}

/** NameQualifier = BASE64(SHA1(Issuer + AccountId + "/" + ProviderName)), no separator before the account id. */
export function nameQualifier(issuer: string, accountId: string, providerName: string): string {
  return createHash('sha1').update(`${issuer}${accountId}/${providerName}`, 'utf8').digest('base64');
}

/** The provider the assertion came through, as the keys name it. */
export interface SamlProviderName {
  readonly accountId: string;
  readonly name: string;
}

/**
 * The `SAML:*` keys of the trust policy's evaluation. `SAML:aud` is the Recipient, not the
 * Audience element; `SAML:doc` is `ACCOUNT/PROVIDER`; the mapped eduPerson/eduOrg attributes are
 * multivalued keys (ForAnyValue/ForAllValues).
 */
export function samlTrustKeys(assertion: VerifiedAssertion, provider: SamlProviderName): Record<string, string | readonly string[]> {
  const keys: Record<string, string | readonly string[]> = {
    'saml:aud': assertion.recipient,
    'saml:iss': assertion.issuer,
    'saml:sub': assertion.nameId,
    'saml:sub_type': subjectType(assertion.nameIdFormat),
    'saml:namequalifier': nameQualifier(assertion.issuer, provider.accountId, provider.name),
    'saml:doc': `${provider.accountId}/${provider.name}`,
  };
  for (const [name, values] of assertion.attributes) {
    const key = MAPPED_ATTRIBUTES[name];
    if (key !== undefined) keys[key] = values;
  }
  return keys;
}
