/**
 * An allow-list for XML Encryption in an EncryptedAssertion, checked before anything is decrypted:
 * the key transport is RSA-OAEP (`rsa-oaep-mgf1p`) only, never RSA PKCS#1 v1.5 (`rsa-1_5`, open to
 * Bleichenbacher's padding oracle; samlify would take it: federation-facts §2.2, item 3), and the
 * data is encrypted with AES-GCM or AES-CBC (AWS: "a .pem file that uses AES-GCM or AES-CBC
 * encryption algorithm to decrypt SAML assertions"), 128 or 256 bits, never triple DES.
 *
 * Exactly one EncryptedData and at least one EncryptedKey: an assertion encrypted under a key this
 * service cannot unwrap with its own RSA key (key agreement, a key by name) is not accepted.
 * XML Encryption 1.1's `xmlenc11#rsa-oaep` (with a chosen MGF) is not on the list: samlify's
 * decryption does not implement it.
 */
import { AwsError } from '../../errors.js';
import type { DocumentFacts } from './samlify.js';

const XMLENC = 'http://www.w3.org/2001/04/xmlenc#';
const XMLENC11 = 'http://www.w3.org/2009/xmlenc11#';

export const KEY_TRANSPORT_ALGORITHMS: readonly string[] = [`${XMLENC}rsa-oaep-mgf1p`];
export const DATA_ENCRYPTION_ALGORITHMS: readonly string[] = [`${XMLENC11}aes128-gcm`, `${XMLENC11}aes256-gcm`, `${XMLENC}aes128-cbc`, `${XMLENC}aes256-cbc`];

function invalid(detail: string): AwsError {
  return new AwsError('InvalidIdentityToken', `Invalid SAML response: ${detail}`);
}

export function checkEncryptionAlgorithms(facts: Pick<DocumentFacts, 'keyTransportAlgorithms' | 'dataEncryptionAlgorithms'>): void {
  if (facts.dataEncryptionAlgorithms.length !== 1) throw invalid('the encrypted assertion must have exactly one EncryptedData with an EncryptionMethod.');
  if (facts.keyTransportAlgorithms.length === 0) throw invalid('the encrypted assertion carries no EncryptedKey.');
  const badKey = facts.keyTransportAlgorithms.find((a) => !KEY_TRANSPORT_ALGORITHMS.includes(a));
  if (badKey !== undefined) throw invalid(`key transport algorithm ${badKey} is not accepted.`);
  const badData = facts.dataEncryptionAlgorithms.find((a) => !DATA_ENCRYPTION_ALGORITHMS.includes(a));
  if (badData !== undefined) throw invalid(`data encryption algorithm ${badData} is not accepted.`);
}
