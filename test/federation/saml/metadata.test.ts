/** IdP metadata as CreateSAMLProvider takes it: src/federation/saml/metadata.ts. */
import { describe, expect, test } from 'vitest';
import { checkMetadata, MAX_SIGNING_CERTIFICATES, parseIdpMetadata } from '../../../src/federation/saml/metadata.js';
import { NS } from '../../../src/federation/saml/samlify.js';
import { idpMetadata, testKey, TEST_ENTITY_ID } from '../../helpers/saml.js';

const A = testKey('idp-a').certificateBase64;
const B = testKey('idp-b').certificateBase64;
const couldNotParse = expect.objectContaining({ code: 'InvalidInput', message: expect.stringMatching(/^Could not parse metadata/) });

describe('parseIdpMetadata', () => {
  test('reads the entity id, the signing certificates in order (each once) and validUntil', () => {
    expect(parseIdpMetadata(idpMetadata([A, B, A], { validUntil: '2030-01-01T00:00:00Z' }))).toEqual({
      entityId: TEST_ENTITY_ID,
      certificates: [A, B],
      validUntil: new Date('2030-01-01T00:00:00Z'),
    });
  });

  test('a KeyDescriptor without use counts as signing; one for encryption does not', () => {
    const doc = idpMetadata([A]).replace('use="signing"', '');
    expect(parseIdpMetadata(doc).certificates).toEqual([A]);
    expect(() => parseIdpMetadata(idpMetadata([A]).replace('use="signing"', 'use="encryption"'))).toThrow(couldNotParse);
  });

  test('certificates outside the IDPSSODescriptor (an SP descriptor beside it) are not taken', () => {
    const doc = idpMetadata([A], {
      extra: `<md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"><md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${B}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor></md:SPSSODescriptor>`,
    });
    expect(parseIdpMetadata(doc).certificates).toEqual([A]);
  });

  test('malformed XML, an entity and a DTD are refused', () => {
    expect(() => parseIdpMetadata('<md:EntityDescriptor')).toThrow(couldNotParse);
    expect(() => parseIdpMetadata(idpMetadata([A]).replace(TEST_ENTITY_ID, '&xxe;'))).toThrow(couldNotParse);
    expect(() => parseIdpMetadata(`<!DOCTYPE x>${idpMetadata([A])}`)).toThrow(couldNotParse);
  });
});

describe('checkMetadata', () => {
  const facts = { root: `{${NS.md}}EntityDescriptor`, entityId: TEST_ENTITY_ID, validUntil: undefined, idpDescriptors: 1, signingCertificates: [A] };
  test('no entityID, no IdP descriptor or two, another root: refused', () => {
    expect(() => checkMetadata({ ...facts, entityId: undefined })).toThrow(couldNotParse);
    expect(() => checkMetadata({ ...facts, idpDescriptors: 0 })).toThrow(couldNotParse);
    expect(() => checkMetadata({ ...facts, idpDescriptors: 2 })).toThrow(couldNotParse);
    expect(() => checkMetadata({ ...facts, root: `{${NS.md}}EntitiesDescriptor` })).toThrow(couldNotParse);
  });
  test(`more than ${MAX_SIGNING_CERTIFICATES} distinct signing certificates: LimitExceeded`, () => {
    const many = Array.from({ length: MAX_SIGNING_CERTIFICATES + 1 }, (_, i) => `${A}${i}`);
    expect(() => checkMetadata({ ...facts, signingCertificates: many })).toThrow(expect.objectContaining({ code: 'LimitExceeded' }));
  });
  test('a validUntil that is not a date is refused', () => {
    expect(() => checkMetadata({ ...facts, validUntil: 'soon' })).toThrow(couldNotParse);
  });
});
