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
 */
import { AwsError } from '../../errors.js';
import { checkAlgorithms } from './algorithms.js';
import { checkAudience } from './audience.js';
import { checkConditions } from './conditions.js';
import { checkIssuers } from './issuer.js';
import { refuseDoctype } from './no-dtd.js';
import { NS, readAssertion, readDocument, type DocumentFacts } from './samlify.js';
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

export function verifySamlResponse(base64: string, provider: SamlIssuerKeys, acceptance: SamlAcceptance, now: Date): VerifiedAssertion {
  checkAssertionSize(base64);
  const xml = decode(base64);
  refuseDoctype(xml);
  const facts = documentFacts(xml);
  checkSchema(xml);
  checkShape(facts, provider, acceptance);

  const signed = verifiedAssertion(xml, provider.certificates);
  let assertion;
  try {
    assertion = readAssertion(signed);
  } catch {
    // A signed Response whose signed bytes hold no plain assertion (an EncryptedAssertion, until
    // this service decrypts them).
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
