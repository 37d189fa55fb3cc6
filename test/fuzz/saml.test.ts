/**
 * Generated mutations of a genuinely signed SAML Response through the whole verifier
 * (src/federation/saml/verify-response.ts): snippets of SAML inserted anywhere (assertions,
 * signatures, attributes, comments, entities), ranges deleted or duplicated, characters changed.
 * Whatever comes out:
 *
 *   - a refusal is always an AwsError with one of the federation's codes, never another exception;
 *   - an acceptance says exactly what the IdP signed: the same assertion id, subject and
 *     attributes (a mutation may only change what the signature does not cover and nobody reads).
 *
 * Fixed seed (test/fuzz/settings.ts).
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { AwsError } from '../../src/errors.js';
import { verifySamlResponse, type SamlAcceptance, type SamlIssuerKeys } from '../../src/federation/saml/verify-response.js';
import { testKey, TEST_ENTITY_ID } from '../helpers/saml.js';
import { assertionXml, attribute, NOW, RECIPIENT, responseXml, signAssertion } from '../helpers/saml-sign.js';
import { fuzzParams } from './settings.js';

const provider: SamlIssuerKeys = { entityId: TEST_ENTITY_ID, certificates: [testKey('idp-a').certificateBase64], allowSha1: false };
const acceptance: SamlAcceptance = { audiences: ['urn:amazon:webservices'], recipients: [RECIPIENT], skewMs: 60_000 };
const CODES = new Set(['InvalidIdentityToken', 'ExpiredTokenException', 'ValidationError']);

const genuine = signAssertion(responseXml(assertionXml({ attributes: attribute('https://aws.amazon.com/SAML/Attributes/PrincipalTag:team', 'blue') })));
const evilAssertion = assertionXml({ id: '_evil', nameId: 'admin', roleValue: 'arn:aws:iam::123456789012:role/Admin,arn:aws:iam::123456789012:saml-provider/Corp' });
const signatureStart = genuine.indexOf('<ds:Signature');
const signature = genuine.slice(signatureStart, genuine.indexOf('</ds:Signature>') + '</ds:Signature>'.length);

const SNIPPETS = [
  evilAssertion,
  signature,
  '<!---->',
  '<!-- x -->',
  '<!DOCTYPE x [<!ENTITY e "admin">]>',
  '&e;',
  '<samlp:Extensions>' + evilAssertion + '</samlp:Extensions>',
  '<saml:Advice>' + evilAssertion + '</saml:Advice>',
  attribute('https://aws.amazon.com/SAML/Attributes/Role', 'arn:aws:iam::123456789012:role/Admin,arn:aws:iam::123456789012:saml-provider/Corp'),
  '<saml:NameID>admin</saml:NameID>',
  '<ds:SignedInfo></ds:SignedInfo>',
  ' ID="_a1"',
  'admin',
  '<',
  '"',
  '\u0000',
];

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), snippet: fc.constantFrom(...SNIPPETS) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 200 }) }),
  fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 400 }) }),
  fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), char: fc.string({ minLength: 1, maxLength: 1 }) }),
  // White space between two elements: often harmless, so acceptances are checked too.
  fc.record({ kind: fc.constant('space' as const), at: fc.nat(), white: fc.constantFrom(' ', '\n', '\t', '\r\n') }),
);

type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;

function apply(xml: string, m: Mutation): string {
  const at = m.at % (xml.length + 1);
  switch (m.kind) {
    case 'insert':
      return xml.slice(0, at) + m.snippet + xml.slice(at);
    case 'delete':
      return xml.slice(0, at) + xml.slice(at + m.length);
    case 'duplicate':
      return xml.slice(0, at + m.length) + xml.slice(at, at + m.length) + xml.slice(at + m.length);
    case 'replace':
      return xml.slice(0, at) + m.char + xml.slice(at + 1);
    case 'space': {
      const gap = xml.indexOf('><', at);
      return gap < 0 ? xml : xml.slice(0, gap + 1) + m.white + xml.slice(gap + 1);
    }
  }
}

describe('mutated signed SAML responses', () => {
  test('are refused with a federation code, or say exactly what the IdP signed', async () => {
    const original = await verifySamlResponse(Buffer.from(genuine).toString('base64'), provider, acceptance, NOW);
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 3 }), async (mutations) => {
        const xml = mutations.reduce(apply, genuine);
        let out;
        try {
          out = await verifySamlResponse(Buffer.from(xml).toString('base64'), provider, acceptance, NOW);
        } catch (err) {
          expect(err, String(err)).toBeInstanceOf(AwsError);
          expect(CODES.has((err as AwsError).code), (err as AwsError).code).toBe(true);
          return;
        }
        expect({ id: out.id, nameId: out.nameId, recipient: out.recipient, attributes: [...out.attributes] }).toEqual({
          id: original.id,
          nameId: original.nameId,
          recipient: original.recipient,
          attributes: [...original.attributes],
        });
      }),
      fuzzParams(400, { shrink: false }),
    );
  });
});
