/**
 * Signed SAML responses for tests, made with xml-crypto (samlify's signer) directly, so that a
 * test controls every part: which key signs, the algorithms, whether KeyInfo carries the
 * certificate. Test-only: src/ reaches this stack through src/federation/saml/samlify.ts alone.
 */
import { SignedXml } from 'xml-crypto';
import { testKey, TEST_ENTITY_ID, type TestKeyName } from './saml.js';

export const NOW = new Date('2026-06-01T12:00:00Z');
export const RECIPIENT = 'https://signin.aws.amazon.com/saml';
export const ACCOUNT = '123456789012';
export const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/SamlRole`;
export const PROVIDER_ARN = `arn:aws:iam::${ACCOUNT}:saml-provider/Corp`;

const iso = (offsetSeconds: number, base: Date = NOW) => new Date(base.getTime() + offsetSeconds * 1000).toISOString();

export interface AssertionOptions {
  id?: string;
  issuer?: string;
  audience?: string;
  recipient?: string;
  roleValue?: string;
  nameId?: string;
  /** RoleSessionName's value; null: no RoleSessionName attribute. */
  roleSessionName?: string | null;
  /** More saml:Attribute elements. */
  attributes?: string;
  /** Seconds from NOW to AuthnStatement's SessionNotOnOrAfter (default 3600). */
  sessionSeconds?: number;
  /** The instant the assertion is made at (default NOW); every time in it is relative to this. */
  now?: Date;
}

/** A saml:Attribute element. */
export function attribute(name: string, ...values: string[]): string {
  return `<saml:Attribute Name="${name}">${values.map((v) => `<saml:AttributeValue>${v}</saml:AttributeValue>`).join('')}</saml:Attribute>`;
}

export function assertionXml(options: AssertionOptions = {}): string {
  const sessionName = options.roleSessionName === null ? '' : attribute('https://aws.amazon.com/SAML/Attributes/RoleSessionName', options.roleSessionName ?? 'alice');
  const at = options.now ?? NOW;
  return `<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${options.id ?? '_a1'}" Version="2.0" IssueInstant="${iso(0, at)}"><saml:Issuer>${options.issuer ?? TEST_ENTITY_ID}</saml:Issuer><saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent">${options.nameId ?? 'alice'}</saml:NameID><saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData NotOnOrAfter="${iso(300, at)}" Recipient="${options.recipient ?? RECIPIENT}"/></saml:SubjectConfirmation></saml:Subject><saml:Conditions NotBefore="${iso(-60, at)}" NotOnOrAfter="${iso(300, at)}"><saml:AudienceRestriction><saml:Audience>${options.audience ?? 'urn:amazon:webservices'}</saml:Audience></saml:AudienceRestriction></saml:Conditions><saml:AuthnStatement AuthnInstant="${iso(0, at)}" SessionNotOnOrAfter="${iso(options.sessionSeconds ?? 3600, at)}"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement><saml:AttributeStatement><saml:Attribute Name="https://aws.amazon.com/SAML/Attributes/Role"><saml:AttributeValue>${options.roleValue ?? `${ROLE_ARN},${PROVIDER_ARN}`}</saml:AttributeValue></saml:Attribute>${sessionName}${options.attributes ?? ''}</saml:AttributeStatement></saml:Assertion>`;
}

export function responseXml(assertion = assertionXml(), now: Date = NOW): string {
  return `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_r1" Version="2.0" IssueInstant="${iso(0, now)}" Destination="${RECIPIENT}"><saml:Issuer>${TEST_ENTITY_ID}</saml:Issuer><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>${assertion}</samlp:Response>`;
}

export interface SignOptions {
  readonly key?: TestKeyName;
  /** Put this key's certificate in KeyInfo (default: the signing key's; null: no KeyInfo). */
  readonly keyInfo?: TestKeyName | null;
  readonly signatureAlgorithm?: string;
  readonly digestAlgorithm?: string;
}

/** The response with its assertion signed (enveloped, exclusive c14n). */
export function signAssertion(xml: string, options: SignOptions = {}): string {
  const key = testKey(options.key ?? 'idp-a');
  const keyInfo = options.keyInfo === undefined ? key : options.keyInfo === null ? undefined : testKey(options.keyInfo);
  const sig = new SignedXml({
    privateKey: key.privateKey,
    ...(keyInfo ? { publicCert: keyInfo.certificate } : { getKeyInfoContent: () => null }),
    signatureAlgorithm: options.signatureAlgorithm ?? 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    canonicalizationAlgorithm: 'http://www.w3.org/2001/10/xml-exc-c14n#',
  });
  sig.addReference({
    xpath: "//*[local-name(.)='Assertion']",
    digestAlgorithm: options.digestAlgorithm ?? 'http://www.w3.org/2001/04/xmlenc#sha256',
    transforms: ['http://www.w3.org/2000/09/xmldsig#enveloped-signature', 'http://www.w3.org/2001/10/xml-exc-c14n#'],
  });
  sig.computeSignature(xml, { location: { reference: "//*[local-name(.)='Assertion']/*[local-name(.)='Issuer']", action: 'after' } });
  return sig.getSignedXml();
}
