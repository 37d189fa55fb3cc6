/**
 * Encrypted assertions for tests, made as an IdP makes them: the signed (or unsigned) assertion
 * encrypted with xml-encryption (auth0's XML Encryption, which samlp uses; not the copy samlify
 * decrypts with) to the SP's public key, and put in a saml:EncryptedAssertion in place of the
 * saml:Assertion. Test-only.
 */
import { createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { SignedXml } from 'xml-crypto';
import { encrypt } from 'xml-encryption';
import { testKey, type TestKeyName } from './saml.js';

const dir = new URL('../fixtures/saml/', import.meta.url);

export type SpKeyName = 'sp-enc-1' | 'sp-enc-2';

export function spKey(name: SpKeyName): { readonly privateKey: string; readonly certificate: string } {
  return { privateKey: readFileSync(new URL(`${name}.key.pem`, dir), 'utf8'), certificate: readFileSync(new URL(`${name}.cert.pem`, dir), 'utf8') };
}

export const RSA_OAEP = 'http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p';
export const RSA_1_5 = 'http://www.w3.org/2001/04/xmlenc#rsa-1_5';
export const AES256_GCM = 'http://www.w3.org/2009/xmlenc11#aes256-gcm';
export const AES128_GCM = 'http://www.w3.org/2009/xmlenc11#aes128-gcm';
export const AES256_CBC = 'http://www.w3.org/2001/04/xmlenc#aes256-cbc';
export const AES128_CBC = 'http://www.w3.org/2001/04/xmlenc#aes128-cbc';
export const TRIPLEDES = 'http://www.w3.org/2001/04/xmlenc#tripledes-cbc';

export interface EncryptOptions {
  readonly key?: SpKeyName;
  readonly keyTransport?: string;
  readonly data?: string;
  /** Encrypt to this public key (PEM) instead of the named key's. */
  readonly publicKey?: string;
  /** What is encrypted in place of the assertion as it is (to hide something in it). */
  readonly content?: (assertion: string) => string;
}

/** The first saml:Assertion element of `xml` (the whole element, signature included). */
function assertionOf(xml: string): { readonly start: number; readonly end: number } {
  const start = xml.indexOf('<saml:Assertion');
  const close = '</saml:Assertion>';
  const end = xml.indexOf(close, start) + close.length;
  if (start < 0 || end < close.length) throw new Error('no saml:Assertion to encrypt');
  return { start, end };
}

/** `responseXml` with its saml:Assertion replaced by a saml:EncryptedAssertion of it. */
export async function encryptAssertion(responseXml: string, options: EncryptOptions = {}): Promise<string> {
  const { start, end } = assertionOf(responseXml);
  const key = spKey(options.key ?? 'sp-enc-1');
  const encrypted = await new Promise<string>((resolve, reject) =>
    encrypt(
      (options.content ?? ((a: string) => a))(responseXml.slice(start, end)),
      {
        rsa_pub: options.publicKey ?? createPublicKey(key.privateKey).export({ type: 'spki', format: 'pem' }),
        pem: key.certificate,
        encryptionAlgorithm: options.data ?? AES256_GCM,
        keyEncryptionAlgorithm: options.keyTransport ?? RSA_OAEP,
        disallowEncryptionWithInsecureAlgorithm: false,
        warnInsecureAlgorithm: false,
      },
      (err, result) => (err ? reject(err) : resolve(result)),
    ),
  );
  return `${responseXml.slice(0, start)}<saml:EncryptedAssertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion">${encrypted}</saml:EncryptedAssertion>${responseXml.slice(end)}`;
}

/** The whole Response signed (enveloped, exclusive c14n, SHA-256), the Signature after its Issuer, as SAML's schema places it. */
export function signResponse(xml: string, key: TestKeyName = 'idp-a'): string {
  const signer = testKey(key);
  const sig = new SignedXml({
    privateKey: signer.privateKey,
    publicCert: signer.certificate,
    signatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    canonicalizationAlgorithm: 'http://www.w3.org/2001/10/xml-exc-c14n#',
  });
  sig.addReference({
    xpath: "/*[local-name(.)='Response']",
    digestAlgorithm: 'http://www.w3.org/2001/04/xmlenc#sha256',
    transforms: ['http://www.w3.org/2000/09/xmldsig#enveloped-signature', 'http://www.w3.org/2001/10/xml-exc-c14n#'],
  });
  sig.computeSignature(xml, { location: { reference: "/*[local-name(.)='Response']/*[local-name(.)='Issuer']", action: 'after' } });
  return sig.getSignedXml();
}
