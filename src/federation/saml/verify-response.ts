/**
 * A SAML Response, verified: every defence of this folder, in order, over the base64 document that
 * AssumeRoleWithSAML receives. What comes out was read from the bytes the signature covers and
 * nothing else (verifiedAssertion); the unsigned rest of the document is only ever checked, to
 * refuse, never believed.
 *
 * Order (each step refuses with AWS's code; see each module for its rule):
 * 1. size, before anything is decoded (AWS: at most 100,000 base64 characters), then strict base64;
 * 2. no DTD (entity expansion, external entities), well-formed XML, valid against the SAML 2.0
 *    schemas (schema.ts), a `samlp:Response` root;
 * 3. the whole document's shape: exactly one assertion anywhere (Extensions, Advice and wrappers
 *    included), one SignedInfo per Signature, no comments, only allowed algorithms, a Success
 *    status, the Response's Issuer (when present) and Destination (when present) ours to accept;
 * 4. the signature, by one of the provider's certificates only;
 * 5. the signed assertion: an ID, every Issuer the provider's entity id, Conditions in time, our
 *    audience, exactly one bearer SubjectConfirmation to one of our Recipients, a NameID, and
 *    SessionNotOnOrAfter (when present) in the future.
 *
 * An EncryptedAssertion (the provider's AssertionEncryptionMode and private keys) takes the place
 * of step 4, and the rest is the same:
 * - a plaintext assertion is refused when the mode is Required; an EncryptedAssertion when the
 *   provider has no private key; the key transport must be RSA-OAEP and the data AES-GCM or
 *   AES-CBC (encryption-algorithms.ts), and the EncryptedAssertion exactly the structure that
 *   decryption reads, every part in its namespace (encryption-structure.ts), before any key is
 *   tried;
 * - a Response that carries its own signature: that signature is verified over the received
 *   document first, and the assertion is decrypted from the signed bytes (the signature covers
 *   the ciphertext);
 * - an unsigned Response: the assertion is decrypted, and it must carry its own signature, which
 *   must verify over the decrypted assertion (anyone can encrypt to a public key: an unsigned
 *   decrypted assertion is nobody's word);
 * - each of the provider's keys is tried (rotation); one answer for any failure;
 * - the decrypted document goes through steps 2 and 3 again (no DTD, the schemas, one assertion
 *   and no other encrypted one, no comments, allowed algorithms), since its content was hidden
 *   from them.
 */
import { AwsError } from '../../errors.js';
import { checkAlgorithms } from './algorithms.js';
import { checkAudience } from './audience.js';
import { checkConditions } from './conditions.js';
import { checkEncryptionAlgorithms } from './encryption-algorithms.js';
import { checkEncryptedStructure } from './encryption-structure.js';
import { checkIssuers } from './issuer.js';
import { refuseDoctype } from './no-dtd.js';
import { decryptAssertion, NS, readAssertion, readDocument, readEncryptedAssertion, type DecryptedResponse, type DocumentFacts } from './samlify.js';
import { verifiedAssertion } from './signature.js';
import { checkSchema } from './schema.js';
import { checkOneSignedInfo } from './signed-info.js';
import { checkSingleAssertion } from './single-assertion.js';
import { checkAssertionSize } from './size.js';
import { checkBearerConfirmation } from './subject-confirmation.js';

export const STATUS_SUCCESS = 'urn:oasis:names:tc:SAML:2.0:status:Success';

/** What this service accepts, the same for every provider (config: SAML_AUDIENCES, SAML_RECIPIENTS, SAML_SKEW_SECONDS). */
export interface SamlAcceptance {
  /** AudienceRestriction values that name this service (its SP entity id, and what IdPs set up for AWS send). */
  readonly audiences: readonly string[];
  /** SubjectConfirmationData Recipient (and Response Destination) values that name this service. */
  readonly recipients: readonly string[];
  /** Clock skew allowed each way on every time bound. */
  readonly skewMs: number;
}

/** The provider's part: who it is and which keys sign for it. */
export interface SamlIssuerKeys {
  readonly entityId: string;
  /** Base64 DER signing certificates from its metadata; any one verifies. */
  readonly certificates: readonly string[];
  /** The provider accepts rsa-sha1 and sha1 digests (SAML_ALLOW_SHA1_PROVIDERS). */
  readonly allowSha1: boolean;
  /** Encrypted assertions; absent: none accepted, plaintext only. */
  readonly decryption?: SamlDecryptionKeys;
}

/** The provider's AssertionEncryptionMode and private keys. */
export interface SamlDecryptionKeys {
  /** Required: only encrypted assertions; Allowed or never set: either (encrypted ones only with a key). */
  readonly mode: 'Required' | 'Allowed' | null;
  /** How many private keys the provider has. */
  readonly keyCount: number;
  /** The private keys (PEM), opened only when an EncryptedAssertion has arrived and passed the checks before decryption. */
  readonly openKeys: () => readonly string[];
}

export interface VerifiedAssertion {
  readonly id: string;
  readonly issuer: string;
  readonly nameId: string;
  /** The NameID Format; SAML's "unspecified" when the element has none. */
  readonly nameIdFormat: string;
  /** The SubjectConfirmationData Recipient: the result's Audience and `SAML:aud`. */
  readonly recipient: string;
  readonly attributes: ReadonlyMap<string, readonly string[]>;
  /** AuthnStatement SessionNotOnOrAfter: the session may not outlive it. */
  readonly sessionNotOnOrAfter: Date | undefined;
  /** Past this, the assertion is refused as expired anyway (the replay store keeps its id until then). */
  readonly acceptableUntil: Date;
}

const UNSPECIFIED = 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified';
// The padding part starts with `=`, which the body cannot hold: no overlap, so no backtracking on hostile input.
const BASE64 = /^[A-Za-z0-9+/\r\n\t ]*(?:=[\r\n\t ]*){0,2}$/;

function invalid(detail: string): AwsError {
  return new AwsError('InvalidIdentityToken', `Invalid SAML response: ${detail}`);
}

function decode(base64: string): string {
  if (!BASE64.test(base64)) throw invalid('the assertion is not base64.');
  const xml = Buffer.from(base64, 'base64').toString('utf8');
  if (xml.trim() === '') throw invalid('the assertion is empty.');
  return xml;
}

function documentFacts(xml: string): DocumentFacts {
  try {
    return readDocument(xml);
  } catch {
    throw invalid('the document is not well-formed XML.');
  }
}

function checkShape(facts: DocumentFacts, provider: SamlIssuerKeys, acceptance: SamlAcceptance): void {
  if (facts.root !== `{${NS.samlp}}Response`) throw invalid('the document must be a samlp:Response.');
  if (facts.comments > 0) throw invalid('comments are not accepted.');
  checkSingleAssertion(facts);
  checkOneSignedInfo(facts);
  checkAlgorithms(facts, { allowSha1: provider.allowSha1 });
  if (facts.status !== STATUS_SUCCESS) throw invalid('the identity provider did not report success.');
  if (facts.responseIssuers.length > 0) checkIssuers(facts.responseIssuers, provider.entityId);
  if (facts.destination !== undefined && !acceptance.recipients.includes(facts.destination)) throw invalid('the Response Destination is not this service.');
}

function date(value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : new Date(ms);
}

/** The EncryptedAssertion decrypted with the first of the provider's keys that decrypts it. */
async function decryptWithKeys(xml: string, keys: SamlDecryptionKeys): Promise<DecryptedResponse> {
  // Exactly the structure decryption will read, before any key is opened (encryption-structure.ts).
  let shape;
  try {
    shape = readEncryptedAssertion(xml);
  } catch {
    throw invalid('the encrypted assertion could not be read.');
  }
  checkEncryptedStructure(shape);
  for (const pem of keys.openKeys()) {
    const decrypted = await decryptAssertion(xml, pem);
    if (decrypted) return decrypted;
  }
  // One answer for a wrong key, tampered ciphertext, a failed GCM tag or bad CBC padding.
  throw invalid('the encrypted assertion could not be decrypted with the provider\'s private keys.');
}

/** Steps 2 and 3 again, over what decryption revealed: the assertion is now in plaintext and must be the only one. */
function checkDecrypted(decrypted: DecryptedResponse, provider: SamlIssuerKeys, acceptance: SamlAcceptance): void {
  refuseDoctype(decrypted.assertion);
  const facts = documentFacts(decrypted.document);
  checkSchema(decrypted.document);
  if (facts.encryptedAssertions !== 0) throw invalid('the encrypted assertion holds another encrypted assertion.');
  checkShape(facts, provider, acceptance);
}

/** The signed assertion's XML, from an EncryptedAssertion (see the header for the two forms). */
async function decryptedSignedAssertion(xml: string, facts: DocumentFacts, provider: SamlIssuerKeys, acceptance: SamlAcceptance): Promise<string> {
  const keys = provider.decryption;
  if (!keys || keys.keyCount === 0) throw invalid('this provider has no private key for encrypted assertions.');
  checkEncryptionAlgorithms(facts);
  if (facts.responseSignatures > 0) {
    // The Response's signature first, over the document as received; then only its signed bytes are decrypted.
    const signedResponse = verifiedAssertion(xml, provider.certificates);
    const decrypted = await decryptWithKeys(signedResponse, keys);
    checkDecrypted(decrypted, provider, acceptance);
    return decrypted.assertion;
  }
  const decrypted = await decryptWithKeys(xml, keys);
  checkDecrypted(decrypted, provider, acceptance);
  // The decrypted assertion's own signature, over the decrypted assertion; none: refused.
  return verifiedAssertion(decrypted.document, provider.certificates);
}

export async function verifySamlResponse(base64: string, provider: SamlIssuerKeys, acceptance: SamlAcceptance, now: Date): Promise<VerifiedAssertion> {
  checkAssertionSize(base64);
  const xml = decode(base64);
  refuseDoctype(xml);
  const facts = documentFacts(xml);
  checkSchema(xml);
  checkShape(facts, provider, acceptance);

  let signed: string;
  if (facts.encryptedAssertions > 0) {
    signed = await decryptedSignedAssertion(xml, facts, provider, acceptance);
  } else {
    if (provider.decryption?.mode === 'Required') throw invalid('this provider accepts encrypted assertions only.');
    signed = verifiedAssertion(xml, provider.certificates);
  }
  let assertion;
  try {
    assertion = readAssertion(signed);
  } catch {
    // A signed Response whose signed bytes hold no plain assertion.
    throw invalid('the signed part holds no assertion.');
  }
  if (assertion.id === undefined || assertion.id === '') throw invalid('the assertion has no ID.');
  checkIssuers(assertion.issuers, provider.entityId);
  checkConditions(assertion.conditions, now, acceptance.skewMs);
  checkAudience(assertion.audienceRestrictions, acceptance.audiences);
  const recipient = checkBearerConfirmation(assertion.subjectConfirmations, acceptance.recipients, now, acceptance.skewMs);
  const nameId = assertion.nameId?.trim();
  if (nameId === undefined || nameId === '') throw invalid('the assertion has no NameID.');

  let sessionNotOnOrAfter: Date | undefined;
  if (assertion.sessionNotOnOrAfter !== undefined) {
    sessionNotOnOrAfter = date(assertion.sessionNotOnOrAfter);
    if (!sessionNotOnOrAfter) throw invalid('SessionNotOnOrAfter is not a date.');
    if (sessionNotOnOrAfter.getTime() <= now.getTime()) throw new AwsError('ExpiredTokenException', 'Token is expired.');
  }
  // Both bounds were checked above; the later one is when nothing could accept the assertion any more.
  const bounds = [assertion.conditions?.notOnOrAfter, ...assertion.subjectConfirmations.map((c) => c.notOnOrAfter)].map(date).filter((d): d is Date => d !== undefined);
  const latest = Math.max(...bounds.map((d) => d.getTime()));
  return {
    id: assertion.id,
    issuer: provider.entityId,
    nameId,
    nameIdFormat: assertion.nameIdFormat ?? UNSPECIFIED,
    recipient,
    attributes: assertion.attributes,
    sessionNotOnOrAfter,
    acceptableUntil: new Date(latest + acceptance.skewMs),
  };
}
