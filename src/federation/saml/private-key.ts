/**
 * A SAML provider's private keys for encrypted assertions (IAM's AddPrivateKey): what is accepted,
 * its canonical form, and its public half for this service's per-provider SP metadata.
 *
 * Accepted: one unencrypted RSA private key in PEM, PKCS#1 (`BEGIN RSA PRIVATE KEY`) or PKCS#8
 * (`BEGIN PRIVATE KEY`), of at least 2048 bits; nothing before or after it but whitespace.
 * Refused with InvalidInput: any other key type (EC, Ed25519, RSA-PSS-only), a passphrase-protected
 * key, a certificate, a public key, several PEM blocks, a short modulus. AWS's model says only "a
 * .pem file" (1..16384 characters, the model checks that); the key decrypts the RSA-OAEP key
 * transport of XML Encryption, so RSA is what works. The 2048-bit floor is this service's choice.
 *
 * The key is kept as PKCS#8 PEM (what node:crypto exports), sealed by the keyring; nothing here
 * writes it anywhere, and no error carries any of its text.
 */
import { constants, createPrivateKey, createPublicKey, privateDecrypt, publicEncrypt, randomBytes, type KeyObject } from 'node:crypto';
import { AwsError } from '../../errors.js';

/** RSA moduli shorter than this are refused. */
export const MIN_RSA_BITS = 2048;

const PEM = /^\s*-----BEGIN (RSA PRIVATE KEY|PRIVATE KEY)-----\r?\n([A-Za-z0-9+/=\r\n]+)-----END \1-----\s*$/;

function refused(): AwsError {
  // (choice of wording: AWS's text for an unusable key is not recorded)
  return new AwsError('InvalidInput', 'The private key must be an unencrypted RSA private key of at least 2048 bits in PEM format (PKCS#1 or PKCS#8).');
}

/** The key as PKCS#8 PEM, or InvalidInput. */
export function canonicalPrivateKey(pem: string): string {
  if (!PEM.test(pem)) throw refused();
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    throw refused();
  }
  if (key.asymmetricKeyType !== 'rsa' || (key.asymmetricKeyDetails?.modulusLength ?? 0) < MIN_RSA_BITS) throw refused();
  // A damaged key may still parse (node checks no consistency): it must undo RSA-OAEP as it will have to.
  const probe = randomBytes(32);
  try {
    const back = privateDecrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING }, publicEncrypt({ key: createPublicKey(key), padding: constants.RSA_PKCS1_OAEP_PADDING }, probe));
    if (!back.equals(probe)) throw refused();
  } catch {
    throw refused();
  }
  return key.export({ type: 'pkcs8', format: 'pem' }).toString();
}

/** AWS's KeyId shape (22..64 of [A-Z0-9]): 128 random bits in upper-case hex. */
export function newPrivateKeyId(): string {
  return randomBytes(16).toString('hex').toUpperCase();
}

/** The RSA public key of a private key, as XML-DSig's RSAKeyValue wants it: base64 Modulus and Exponent. */
export function rsaPublicValue(pem: string): { readonly modulus: string; readonly exponent: string } {
  const jwk = createPublicKey(createPrivateKey({ key: pem, format: 'pem' })).export({ format: 'jwk' });
  const b64 = (v: string | undefined) => Buffer.from(v ?? '', 'base64url').toString('base64');
  return { modulus: b64(jwk.n), exponent: b64(jwk.e) };
}

/** The keyring's associated data for a provider's private key: a sealed key copied onto another provider or key id does not open. */
export function samlKeyAad(providerArn: string, keyId: string): string {
  return `saml-key:${providerArn}:${keyId}`;
}
