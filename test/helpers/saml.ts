/**
 * SAML test material: the test IdP keys of test/fixtures/saml/ and IdP metadata built from them.
 */
import { readFileSync } from 'node:fs';

const dir = new URL('../fixtures/saml/', import.meta.url);

export type TestKeyName = 'idp-a' | 'idp-b' | 'stranger';

export function testKey(name: TestKeyName): { readonly privateKey: string; readonly certificate: string; readonly certificateBase64: string } {
  const certificate = readFileSync(new URL(`${name}.cert.pem`, dir), 'utf8');
  return {
    privateKey: readFileSync(new URL(`${name}.key.pem`, dir), 'utf8'),
    certificate,
    certificateBase64: certificate.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, ''),
  };
}

export const TEST_ENTITY_ID = 'https://idp.example.test/saml';

/** An IdP EntityDescriptor with these signing certificates (base64), padded past IAM's 1,000-character minimum. */
export function idpMetadata(certificates: readonly string[], options: { entityId?: string; validUntil?: string; extra?: string } = {}): string {
  const keys = certificates
    .map((c) => `<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${c}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`)
    .join('');
  const validUntil = options.validUntil ? ` validUntil="${options.validUntil}"` : '';
  return `<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="${options.entityId ?? TEST_ENTITY_ID}"${validUntil}>
  <md:IDPSSODescriptor WantAuthnRequestsSigned="false" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    ${keys}
    <md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:persistent</md:NameIDFormat>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://idp.example.test/saml/sso"/>
  </md:IDPSSODescriptor>${options.extra ?? ''}
</md:EntityDescriptor>
`;
}
