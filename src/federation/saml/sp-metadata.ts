/**
 * This service's SAML service provider metadata: what an IdP administrator imports (or points the
 * IdP at: `GET /static/saml-metadata.xml`, the path AWS serves its own at) to send assertions this
 * service accepts. The entity id and the assertion consumer URLs are the configured ones
 * (SAML_SP_ENTITY_ID, SAML_RECIPIENTS), AWS's by default, and the attributes are AWS's.
 *
 * Encrypted assertions: AWS serves a provider's own SP metadata, with its encryption certificate,
 * at `https://<region>.signin.aws.amazon.com/static/saml/<IdP-ID>/saml-metadata.xml`; this
 * service serves it at `GET /static/saml/<SAMLProviderUUID>/saml-metadata.xml`. AWS makes the
 * encryption key pair itself; here the customer brings the private key (AddPrivateKey) and no
 * certificate, so each key's public half is published as what XML-DSig has for a bare key: a
 * `KeyDescriptor use="encryption"` with `ds:KeyName` (the KeyId) and `ds:KeyValue/ds:RSAKeyValue`,
 * with the algorithms accepted (`md:EncryptionMethod`). An IdP that takes only a certificate is
 * given the certificate its administrator made for that key (README, "Encrypted assertions").
 */
import { escapeXml } from '../../protocol/xml.js';
import type { SamlSettings } from './settings.js';
import { ROLE_SESSION_NAME_ATTRIBUTE } from './aws-attributes.js';
import { ROLE_ATTRIBUTE } from './role-attribute.js';
import { DATA_ENCRYPTION_ALGORITHMS, KEY_TRANSPORT_ALGORITHMS } from './encryption-algorithms.js';

export const SP_METADATA_PATH = '/static/saml-metadata.xml';
/** A provider's own SP metadata (Hono's route form): its SAMLProviderUUID in the path, as AWS's has its IdP id. */
export const PROVIDER_SP_METADATA_ROUTE = '/static/saml/:uuid/saml-metadata.xml';

export function providerSpMetadataPath(uuid: string): string {
  return `/static/saml/${uuid}/saml-metadata.xml`;
}

/** A provider's private key, public half only. */
export interface EncryptionKey {
  readonly keyId: string;
  readonly modulus: string;
  readonly exponent: string;
}

function encryptionDescriptor(key: EncryptionKey): string {
  const methods = [...DATA_ENCRYPTION_ALGORITHMS, ...KEY_TRANSPORT_ALGORITHMS].map((a) => `      <md:EncryptionMethod Algorithm="${a}"/>`).join('\n');
  return `    <md:KeyDescriptor use="encryption">
      <ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#">
        <ds:KeyName>${escapeXml(key.keyId)}</ds:KeyName>
        <ds:KeyValue><ds:RSAKeyValue><ds:Modulus>${key.modulus}</ds:Modulus><ds:Exponent>${key.exponent}</ds:Exponent></ds:RSAKeyValue></ds:KeyValue>
      </ds:KeyInfo>
${methods}
    </md:KeyDescriptor>
`;
}

const NAME_ID_FORMATS = [
  'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
  'urn:oasis:names:tc:SAML:2.0:nameid-format:transient',
  'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
  'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified',
];

/** The SP metadata; with `encryptionKeys` (a provider's), a KeyDescriptor for each and WantAssertionsEncrypted-style hints. */
export function spMetadata(settings: Pick<SamlSettings, 'entityId' | 'recipients'>, encryptionKeys: readonly EncryptionKey[] = []): string {
  const acs = settings.recipients
    .map((url, i) => `    <md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="${escapeXml(url)}" index="${i + 1}"${i === 0 ? ' isDefault="true"' : ''}/>`)
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="${escapeXml(settings.entityId)}">
  <md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol" AuthnRequestsSigned="false" WantAssertionsSigned="true">
${encryptionKeys.map(encryptionDescriptor).join('')}${NAME_ID_FORMATS.map((f) => `    <md:NameIDFormat>${f}</md:NameIDFormat>`).join('\n')}
${acs}
    <md:AttributeConsumingService index="1">
      <md:ServiceName xml:lang="en">Latchkey</md:ServiceName>
      <md:RequestedAttribute Name="${ROLE_ATTRIBUTE}" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:uri" isRequired="true"/>
      <md:RequestedAttribute Name="${ROLE_SESSION_NAME_ATTRIBUTE}" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:uri" isRequired="true"/>
    </md:AttributeConsumingService>
  </md:SPSSODescriptor>
</md:EntityDescriptor>
`;
}
