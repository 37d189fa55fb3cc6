/**
 * An allow-list for both the signature and the digest algorithms of every Signature in the
 * document: RSA and ECDSA with SHA-256/384/512, and SHA-1 only for a provider that opts in
 * (federation-facts §2.2, item 6: xml-crypto takes the algorithm from the document and keeps
 * rsa-sha1 registered, and samlify has no list of its own). HMAC is never accepted: its key would
 * be the public certificate.
 */
import { AwsError } from '../../errors.js';
import type { DocumentFacts } from './samlify.js';

const DSIG_MORE = 'http://www.w3.org/2001/04/xmldsig-more#';
const XMLENC = 'http://www.w3.org/2001/04/xmlenc#';

export const SIGNATURE_ALGORITHMS: readonly string[] = [
  `${DSIG_MORE}rsa-sha256`,
  `${DSIG_MORE}rsa-sha384`,
  `${DSIG_MORE}rsa-sha512`,
  `${DSIG_MORE}ecdsa-sha256`,
  `${DSIG_MORE}ecdsa-sha384`,
  `${DSIG_MORE}ecdsa-sha512`,
];
export const DIGEST_ALGORITHMS: readonly string[] = [`${XMLENC}sha256`, `${DSIG_MORE}sha384`, `${XMLENC}sha512`];

export const SHA1_SIGNATURE = 'http://www.w3.org/2000/09/xmldsig#rsa-sha1';
export const SHA1_DIGEST = 'http://www.w3.org/2000/09/xmldsig#sha1';

export interface AlgorithmPolicy {
  /** The provider accepts rsa-sha1 signatures and sha1 digests (legacy IdPs such as old ADFS). */
  readonly allowSha1: boolean;
}

export function checkAlgorithms(facts: Pick<DocumentFacts, 'signatureAlgorithms' | 'digestAlgorithms'>, policy: AlgorithmPolicy): void {
  const signatures = policy.allowSha1 ? [...SIGNATURE_ALGORITHMS, SHA1_SIGNATURE] : SIGNATURE_ALGORITHMS;
  const digests = policy.allowSha1 ? [...DIGEST_ALGORITHMS, SHA1_DIGEST] : DIGEST_ALGORITHMS;
  const badSignature = facts.signatureAlgorithms.find((a) => !signatures.includes(a));
  if (badSignature !== undefined) throw new AwsError('InvalidIdentityToken', `Invalid SAML response: signature algorithm ${badSignature} is not accepted.`);
  const badDigest = facts.digestAlgorithms.find((a) => !digests.includes(a));
  if (badDigest !== undefined) throw new AwsError('InvalidIdentityToken', `Invalid SAML response: digest algorithm ${badDigest} is not accepted.`);
}
