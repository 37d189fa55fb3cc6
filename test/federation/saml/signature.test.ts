/**
 * The signature defence through samlify: the provider's certificates only (any of them, for
 * rotation), never a certificate in KeyInfo alone, and the assertion read from the signed bytes.
 */
import { describe, expect, test } from 'vitest';
import { readAssertion, readDocument } from '../../../src/federation/saml/samlify.js';
import { verifiedAssertion } from '../../../src/federation/saml/signature.js';
import { testKey, TEST_ENTITY_ID } from '../../helpers/saml.js';
import { assertionXml, RECIPIENT, responseXml, signAssertion } from '../../helpers/saml-sign.js';

const A = testKey('idp-a').certificateBase64;
const B = testKey('idp-b').certificateBase64;
const STRANGER = testKey('stranger').certificateBase64;
const invalid = { code: 'InvalidIdentityToken', message: 'Response signature invalid' };

describe('verifiedAssertion', () => {
  test('a response whose assertion is signed by the provider key verifies; the facts come from the signed assertion', () => {
    const signed = verifiedAssertion(signAssertion(responseXml()), [A]);
    const facts = readAssertion(signed);
    expect(facts.id).toBe('_a1');
    expect(facts.nameId).toBe('alice');
    expect(facts.issuers).toEqual(['https://idp.example.test/saml']);
    expect(facts.audienceRestrictions).toEqual([['urn:amazon:webservices']]);
    expect(facts.subjectConfirmations).toEqual([
      { method: 'urn:oasis:names:tc:SAML:2.0:cm:bearer', recipient: 'https://signin.aws.amazon.com/saml', notOnOrAfter: '2026-06-01T12:05:00.000Z', notBefore: undefined },
    ]);
  });

  test('rotation: any of the provider certificates verifies (signed by the second, KeyInfo naming it)', () => {
    expect(() => verifiedAssertion(signAssertion(responseXml(), { key: 'idp-b' }), [A, B])).not.toThrow();
  });

  test('rotation without KeyInfo: each provider certificate is tried, not only the first', () => {
    expect(() => verifiedAssertion(signAssertion(responseXml(), { key: 'idp-b', keyInfo: null }), [A, B])).not.toThrow();
  });

  test('a signature by a key the provider does not list is refused', () => {
    expect(() => verifiedAssertion(signAssertion(responseXml(), { key: 'stranger' }), [A, B])).toThrow(expect.objectContaining(invalid));
  });

  test('a certificate only in KeyInfo is never trusted (signed by the stranger, KeyInfo carrying its certificate)', () => {
    const xml = signAssertion(responseXml(), { key: 'stranger', keyInfo: 'stranger' });
    expect(xml).toContain(STRANGER);
    expect(() => verifiedAssertion(xml, [A])).toThrow(expect.objectContaining(invalid));
  });

  test('KeyInfo naming a provider certificate does not make a stranger signature valid', () => {
    expect(() => verifiedAssertion(signAssertion(responseXml(), { key: 'stranger', keyInfo: 'idp-a' }), [A])).toThrow(expect.objectContaining(invalid));
  });

  test('an unsigned response is refused', () => {
    expect(() => verifiedAssertion(responseXml(), [A])).toThrow(expect.objectContaining(invalid));
  });

  test('a signed assertion altered after signing is refused', () => {
    const xml = signAssertion(responseXml()).replace('>alice<', '>admin<');
    expect(() => verifiedAssertion(xml, [A])).toThrow(expect.objectContaining(invalid));
  });

  test('readDocument sees the algorithms and the SignedInfo count of every Signature, the root, the Response Issuer, status, Destination and comments', () => {
    const facts = readDocument(signAssertion(responseXml()));
    expect(facts).toEqual({
      assertions: 1,
      signatureAlgorithms: ['http://www.w3.org/2001/04/xmldsig-more#rsa-sha256'],
      digestAlgorithms: ['http://www.w3.org/2001/04/xmlenc#sha256'],
      signedInfosPerSignature: [1],
      root: '{urn:oasis:names:tc:SAML:2.0:protocol}Response',
      responseIssuers: [TEST_ENTITY_ID],
      status: 'urn:oasis:names:tc:SAML:2.0:status:Success',
      destination: RECIPIENT,
      comments: 0,
      responseSignatures: 0,
      encryptedAssertions: 0,
      keyTransportAlgorithms: [],
      dataEncryptionAlgorithms: [],
    });
    expect(readDocument(responseXml().replace('alice</saml:NameID>', 'ali<!-- x -->ce</saml:NameID>')).comments).toBe(1);
  });

  test('readDocument counts an assertion hidden in samlp:Extensions', () => {
    const hidden = responseXml().replace('<samlp:Status>', `<samlp:Extensions>${assertionXml({ id: '_evil' })}</samlp:Extensions><samlp:Status>`);
    expect(readDocument(hidden).assertions).toBe(2);
  });
});
