/** The part of xml-encryption (auth0's XML Encryption, samlp's dependency) the tests use to encrypt assertions as an IdP does. */
declare module 'xml-encryption' {
  export interface EncryptOptions {
    /** The recipient's RSA public key (PEM). */
    rsa_pub: string | Buffer;
    /** The recipient's certificate (PEM), put in the EncryptedKey's KeyInfo. */
    pem: string | Buffer;
    encryptionAlgorithm: string;
    keyEncryptionAlgorithm: string;
    keyEncryptionDigest?: string;
    disallowEncryptionWithInsecureAlgorithm?: boolean;
    warnInsecureAlgorithm?: boolean;
  }
  export function encrypt(content: string, options: EncryptOptions, callback: (err: Error | null, result: string) => void): void;
  export function decrypt(xml: string, options: { key: string | Buffer }, callback: (err: Error | null, result: string) => void): void;
}
