/**
 * The composed verifier (src/federation/saml/verify-response.ts): what it refuses before the
 * signature is even looked at, and what it returns for a good response (read from the signed
 * bytes). The attack forms against the whole action are in the integration suites.
 */
import { describe, expect, it } from 'vitest';
import { verifySamlResponse, type SamlAcceptance, type SamlIssuerKeys } from '../../../src/federation/saml/verify-response.js';
import { testKey, TEST_ENTITY_ID } from '../../helpers/saml.js';
import { assertionXml, NOW, RECIPIENT, responseXml, signAssertion } from '../../helpers/saml-sign.js';

const provider: SamlIssuerKeys = { entityId: TEST_ENTITY_ID, certificates: [testKey('idp-a').certificateBase64], allowSha1: false };
const acceptance: SamlAcceptance = { audiences: ['urn:amazon:webservices'], recipients: [RECIPIENT], skewMs: 60_000 };
const b64 = (xml: string) => Buffer.from(xml).toString('base64');
const verify = (xml: string) => verifySamlResponse(b64(xml), provider, acceptance, NOW);

async function refusal(fn: () => Promise<unknown>): Promise<string> {
  try {
    await fn();
    return 'accepted';
  } catch (err) {
    return `${(err as { code?: string }).code}: ${(err as Error).message}`;
  }
}

describe('verifySamlResponse', () => {
  it('returns what the signed assertion says, and until when it could be accepted at all', async () => {
    const out = await verify(signAssertion(responseXml()));
    expect(out).toMatchObject({ id: '_a1', issuer: TEST_ENTITY_ID, nameId: 'alice', nameIdFormat: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent', recipient: RECIPIENT });
    expect(out.acceptableUntil).toEqual(new Date(NOW.getTime() + 300_000 + 60_000));
    expect(out.sessionNotOnOrAfter).toEqual(new Date(NOW.getTime() + 3600_000));
  });

  it('refuses what is not base64 in linear time (no backtracking on hostile padding)', async () => {
    const started = performance.now();
    expect(await refusal(() => verifySamlResponse(`A${' '.repeat(99_000)}!`, provider, acceptance, NOW))).toBe('InvalidIdentityToken: Invalid SAML response: the assertion is not base64.');
    // a quadratic regex takes minutes here
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('refuses a bare assertion, a failed status, a foreign Response Issuer or Destination, and comments, before the signature', async () => {
    const signed = signAssertion(responseXml());
    expect(await refusal(() => verify(signAssertion(assertionXml())))).toMatch(/^InvalidIdentityToken: Invalid SAML response: the document must be a samlp:Response/);
    expect(await refusal(() => verify(signed.replace('status:Success', 'status:Requester')))).toMatch(/did not report success/);
    expect(await refusal(() => verify(signed.replace(`<saml:Issuer>${TEST_ENTITY_ID}</saml:Issuer><samlp:Status>`, '<saml:Issuer>https://evil.example/</saml:Issuer><samlp:Status>')))).toBe('InvalidIdentityToken: Issuer not present in specified provider');
    expect(await refusal(() => verify(signed.replace(`Destination="${RECIPIENT}"`, 'Destination="https://evil.example/acs"')))).toMatch(/Destination is not this service/);
    expect(await refusal(() => verify(signed.replace('>alice</saml:NameID>', '>alice<!---->.evil</saml:NameID>')))).toMatch(/comments are not accepted/);
  });

  it('refuses an assertion past its SessionNotOnOrAfter as expired', async () => {
    expect(await refusal(() => verify(signAssertion(responseXml(assertionXml({ sessionSeconds: -1 })))))).toBe('ExpiredTokenException: Token is expired.');
  });
});
