/**
 * This service's SAML service provider metadata: what an IdP administrator imports (or points the
 * IdP at: `GET /static/saml-metadata.xml`, the path AWS serves its own at) to send assertions this
 * service accepts. The entity id and the assertion consumer URLs are the configured ones
 * (SAML_SP_ENTITY_ID, SAML_RECIPIENTS), AWS's by default, and the attributes are AWS's.
 */
import { escapeXml } from '../../protocol/xml.js';
import type { SamlSettings } from './settings.js';
import { ROLE_SESSION_NAME_ATTRIBUTE } from './aws-attributes.js';
import { ROLE_ATTRIBUTE } from './role-attribute.js';

export const SP_METADATA_PATH = '/static/saml-metadata.xml';

const NAME_ID_FORMATS = [
  'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
  'urn:oasis:names:tc:SAML:2.0:nameid-format:transient',
  'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
  'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified',
];

export function spMetadata(settings: Pick<SamlSettings, 'entityId' | 'recipients'>): string {
  const acs = settings.recipients
    .map((url, i) => `    <md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="${escapeXml(url)}" index="${i + 1}"${i === 0 ? ' isDefault="true"' : ''}/>`)
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="${escapeXml(settings.entityId)}">
  <md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol" AuthnRequestsSigned="false" WantAssertionsSigned="true">
${NAME_ID_FORMATS.map((f) => `    <md:NameIDFormat>${f}</md:NameIDFormat>`).join('\n')}
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
