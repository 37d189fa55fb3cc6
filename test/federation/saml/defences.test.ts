/**
 * The SAML defences of src/federation/saml/, one describe per module, each a pure function on the
 * facts samlify.ts reads, with a fixed clock.
 */
import { describe, expect, test } from 'vitest';
import { checkAlgorithms, SHA1_DIGEST, SHA1_SIGNATURE } from '../../../src/federation/saml/algorithms.js';
import { checkAudience } from '../../../src/federation/saml/audience.js';
import { checkConditions, DEFAULT_SKEW_MS } from '../../../src/federation/saml/conditions.js';
import { checkIssuers } from '../../../src/federation/saml/issuer.js';
import { refuseDoctype } from '../../../src/federation/saml/no-dtd.js';
import { checkRolePair, ROLE_ATTRIBUTE, rolePairs } from '../../../src/federation/saml/role-attribute.js';
import { checkOneSignedInfo } from '../../../src/federation/saml/signed-info.js';
import { checkSingleAssertion } from '../../../src/federation/saml/single-assertion.js';
import { checkAssertionSize, MAX_ASSERTION_BASE64 } from '../../../src/federation/saml/size.js';
import { BEARER, checkBearerConfirmation } from '../../../src/federation/saml/subject-confirmation.js';
import { ACCOUNT, NOW, PROVIDER_ARN, RECIPIENT, ROLE_ARN } from '../../helpers/saml-sign.js';

const at = (seconds: number) => new Date(NOW.getTime() + seconds * 1000).toISOString();
const invalid = expect.objectContaining({ code: 'InvalidIdentityToken' });
const expired = expect.objectContaining({ code: 'ExpiredTokenException' });

describe('size.ts: the base64 assertion is capped before it is decoded', () => {
  test('100,000 characters pass, 100,001 are refused', () => {
    expect(() => checkAssertionSize('a'.repeat(MAX_ASSERTION_BASE64))).not.toThrow();
    expect(() => checkAssertionSize('a'.repeat(MAX_ASSERTION_BASE64 + 1))).toThrow(expect.objectContaining({ code: 'ValidationError' }));
  });
});

describe('no-dtd.ts: no DTD, no entities', () => {
  test.each([
    ['a DOCTYPE', '<!DOCTYPE r><r/>'],
    ['billion laughs', '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><r>&lol2;</r>'],
    ['an external entity', '<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>'],
    ['lower case', '<!doctype r><r/>'],
  ])('refuses %s', (_, xml) => {
    expect(() => refuseDoctype(xml)).toThrow(invalid);
  });
  test('accepts a document without one', () => expect(() => refuseDoctype('<r a="&lt;"/>')).not.toThrow());
});

describe('single-assertion.ts', () => {
  test.each([0, 2, 3])('%i assertions are refused', (n) => expect(() => checkSingleAssertion({ assertions: n })).toThrow(invalid));
  test('one passes', () => expect(() => checkSingleAssertion({ assertions: 1 })).not.toThrow());
});

describe('signed-info.ts', () => {
  test('a Signature with two SignedInfo is refused (CVE-2025-29774 form)', () => expect(() => checkOneSignedInfo({ signedInfosPerSignature: [1, 2] })).toThrow(invalid));
  test('a Signature with none is refused', () => expect(() => checkOneSignedInfo({ signedInfosPerSignature: [0] })).toThrow(invalid));
  test('one each passes', () => expect(() => checkOneSignedInfo({ signedInfosPerSignature: [1, 1] })).not.toThrow());
});

describe('algorithms.ts', () => {
  const good = { signatureAlgorithms: ['http://www.w3.org/2001/04/xmldsig-more#rsa-sha256'], digestAlgorithms: ['http://www.w3.org/2001/04/xmlenc#sha256'] };
  test('RSA-SHA256 with SHA-256 passes', () => expect(() => checkAlgorithms(good, { allowSha1: false })).not.toThrow());
  test('rsa-sha1 is refused unless the provider opts in', () => {
    const sha1 = { ...good, signatureAlgorithms: [SHA1_SIGNATURE] };
    expect(() => checkAlgorithms(sha1, { allowSha1: false })).toThrow(invalid);
    expect(() => checkAlgorithms(sha1, { allowSha1: true })).not.toThrow();
  });
  test('a sha1 digest is refused unless the provider opts in', () => {
    const sha1 = { ...good, digestAlgorithms: [SHA1_DIGEST] };
    expect(() => checkAlgorithms(sha1, { allowSha1: false })).toThrow(invalid);
    expect(() => checkAlgorithms(sha1, { allowSha1: true })).not.toThrow();
  });
  test('HMAC is never accepted', () => {
    expect(() => checkAlgorithms({ ...good, signatureAlgorithms: ['http://www.w3.org/2000/09/xmldsig#hmac-sha1'] }, { allowSha1: true })).toThrow(invalid);
  });
  test('every Signature is checked, not only the first', () => {
    expect(() => checkAlgorithms({ ...good, signatureAlgorithms: [...good.signatureAlgorithms, SHA1_SIGNATURE] }, { allowSha1: false })).toThrow(invalid);
  });
});

describe('issuer.ts', () => {
  const id = 'https://idp.example.test/saml';
  test('every Issuer equal to the entity id passes', () => expect(() => checkIssuers([id, id], id)).not.toThrow());
  test.each([
    ['none', []],
    ['another', ['https://evil.example/saml']],
    ['one of two another', [id, 'https://evil.example/saml']],
  ])('%s is refused with AWS text', (_, issuers) => {
    expect(() => checkIssuers(issuers, id)).toThrow(expect.objectContaining({ code: 'InvalidIdentityToken', message: 'Issuer not present in specified provider' }));
  });
});

describe('audience.ts', () => {
  const accepted = ['urn:amazon:webservices', 'https://signin.aws.amazon.com/saml'];
  test('either default audience passes', () => {
    expect(() => checkAudience([['urn:amazon:webservices']], accepted)).not.toThrow();
    expect(() => checkAudience([['https://other.example', 'https://signin.aws.amazon.com/saml']], accepted)).not.toThrow();
  });
  test('no restriction, another audience, or one restriction of two not ours: refused', () => {
    expect(() => checkAudience([], accepted)).toThrow(invalid);
    expect(() => checkAudience([['https://other.example']], accepted)).toThrow(invalid);
    expect(() => checkAudience([['urn:amazon:webservices'], ['https://other.example']], accepted)).toThrow(invalid);
  });
});

describe('subject-confirmation.ts', () => {
  const good = { method: BEARER, recipient: RECIPIENT, notOnOrAfter: at(300), notBefore: undefined };
  test('one bearer confirmation to our Recipient, not expired: returns the Recipient', () => {
    expect(checkBearerConfirmation([good], [RECIPIENT], NOW, DEFAULT_SKEW_MS)).toBe(RECIPIENT);
  });
  test.each([
    ['none', []],
    ['two', [good, good]],
    ['holder-of-key', [{ ...good, method: 'urn:oasis:names:tc:SAML:2.0:cm:holder-of-key' }]],
    ['no Recipient', [{ ...good, recipient: undefined }]],
    ['no NotOnOrAfter', [{ ...good, notOnOrAfter: undefined }]],
    ['another Recipient', [{ ...good, recipient: 'https://evil.example/acs' }]],
    ['NotBefore in the future', [{ ...good, notBefore: at(3600) }]],
  ])('%s is refused', (_, confirmations) => {
    expect(() => checkBearerConfirmation(confirmations, [RECIPIENT], NOW, DEFAULT_SKEW_MS)).toThrow(invalid);
  });
  test('NotOnOrAfter past (beyond the skew) is ExpiredTokenException; within the skew passes', () => {
    expect(() => checkBearerConfirmation([{ ...good, notOnOrAfter: at(-301) }], [RECIPIENT], NOW, DEFAULT_SKEW_MS)).toThrow(expired);
    expect(() => checkBearerConfirmation([{ ...good, notOnOrAfter: at(-200) }], [RECIPIENT], NOW, DEFAULT_SKEW_MS)).not.toThrow();
  });
});

describe('conditions.ts', () => {
  test('inside the window passes', () => expect(() => checkConditions({ notBefore: at(-60), notOnOrAfter: at(300) }, NOW, DEFAULT_SKEW_MS)).not.toThrow());
  test('missing Conditions or either bound is refused', () => {
    expect(() => checkConditions(undefined, NOW, DEFAULT_SKEW_MS)).toThrow(invalid);
    expect(() => checkConditions({ notBefore: undefined, notOnOrAfter: at(300) }, NOW, DEFAULT_SKEW_MS)).toThrow(invalid);
    expect(() => checkConditions({ notBefore: at(-60), notOnOrAfter: undefined }, NOW, DEFAULT_SKEW_MS)).toThrow(invalid);
  });
  test('not yet valid beyond the skew is refused; within it passes', () => {
    expect(() => checkConditions({ notBefore: at(301), notOnOrAfter: at(900) }, NOW, DEFAULT_SKEW_MS)).toThrow(invalid);
    expect(() => checkConditions({ notBefore: at(200), notOnOrAfter: at(900) }, NOW, DEFAULT_SKEW_MS)).not.toThrow();
  });
  test('expired is ExpiredTokenException', () => expect(() => checkConditions({ notBefore: at(-900), notOnOrAfter: at(-301) }, NOW, DEFAULT_SKEW_MS)).toThrow(expired));
  test('the skew is bounded: a configured hour is ten minutes', () => {
    expect(() => checkConditions({ notBefore: at(-900), notOnOrAfter: at(-601) }, NOW, 3600_000)).toThrow(expired);
  });
});

describe('role-attribute.ts', () => {
  test('pairs are read in either order; malformed values are skipped', () => {
    expect(rolePairs([`${ROLE_ARN},${PROVIDER_ARN}`, `${PROVIDER_ARN}, ${ROLE_ARN}`, 'junk', `${ROLE_ARN},${ROLE_ARN}`])).toEqual([
      { roleArn: ROLE_ARN, providerArn: PROVIDER_ARN },
      { roleArn: ROLE_ARN, providerArn: PROVIDER_ARN },
    ]);
  });
  const attrs = (...values: string[]) => new Map([[ROLE_ATTRIBUTE, values]]);
  test('the requested pair passes, in either order', () => {
    expect(() => checkRolePair(attrs(`${PROVIDER_ARN},${ROLE_ARN}`), { roleArn: ROLE_ARN, providerArn: PROVIDER_ARN })).not.toThrow();
  });
  test.each([
    ['no Role attribute', new Map<string, string[]>()],
    ['the attribute Name in another case', new Map([[ROLE_ATTRIBUTE.toLowerCase(), [`${ROLE_ARN},${PROVIDER_ARN}`]]])],
    ['another role', attrs(`arn:aws:iam::${ACCOUNT}:role/Other,${PROVIDER_ARN}`)],
    ["another account's role", attrs(`arn:aws:iam::999999999999:role/SamlRole,${PROVIDER_ARN}`)],
    ['another provider', attrs(`${ROLE_ARN},arn:aws:iam::${ACCOUNT}:saml-provider/Other`)],
  ])('%s is refused', (_, attributes) => {
    expect(() => checkRolePair(attributes, { roleArn: ROLE_ARN, providerArn: PROVIDER_ARN })).toThrow(invalid);
  });
});
