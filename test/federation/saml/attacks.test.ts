/**
 * The attack generators of test/helpers/saml-attacks.ts, on responses a real IdP signed (samlp on
 * loopback): each form is what it says (the genuine signature still verifies over the untouched
 * original, and the evil content sits where the form puts it), and the verification
 * AssumeRoleWithSAML runs (src/federation/saml/verify-response.ts) refuses it. The AssumeRoleWithSAML handler is tested with the same forms
 * over HTTP in test/integration/sts-assume-role-with-saml-attacks.test.ts.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { SignedXml } from 'xml-crypto';
import { checkAlgorithms } from '../../../src/federation/saml/algorithms.js';
import { checkConditions, DEFAULT_SKEW_MS } from '../../../src/federation/saml/conditions.js';
import { parseIdpMetadata } from '../../../src/federation/saml/metadata.js';
import { checkRolePair } from '../../../src/federation/saml/role-attribute.js';
import { readAssertion, readDocument } from '../../../src/federation/saml/samlify.js';
import { checkSingleAssertion } from '../../../src/federation/saml/single-assertion.js';
import { DEFAULT_SAML_SETTINGS } from '../../../src/federation/saml/settings.js';
import { verifiedAssertion } from '../../../src/federation/saml/signature.js';
import { verifySamlResponse, type VerifiedAssertion } from '../../../src/federation/saml/verify-response.js';
import { testKey } from '../../helpers/saml.js';
import {
  all,
  b64,
  billionLaughs,
  childrenOf,
  commentInDigest,
  commentInNameId,
  digestOf,
  EVIL_ASSERTION_ID,
  EVIL_RESPONSE_ID,
  externalEntity,
  hiddenInExtensions,
  multipleSignedInfo,
  NS,
  oversized,
  parse,
  resigned,
  secondAssertion,
  unsignedBeside,
  withDoctype,
  XSW,
} from '../../helpers/saml-attacks.js';
import { startSamlIdp, type SamlIdp, type SamlUser } from '../../helpers/saml-idp.js';

const ACCOUNT = '123456789012';
const PROVIDER = `arn:aws:iam::${ACCOUNT}:saml-provider/Corp`;
const READER = `arn:aws:iam::${ACCOUNT}:role/Reader`;
const ADMIN = `arn:aws:iam::${ACCOUNT}:role/Admin`;
const alice: SamlUser = { name: 'alice', roles: [`${READER},${PROVIDER}`] };
const FORGERY = { nameId: 'admin', roles: [`${ADMIN},${PROVIDER}`] };

let idp: SamlIdp;
let certificates: readonly string[];
/** alice's response, the assertion signed (samlp's default). */
let signed: string;
/** alice's response, the Response signed instead. */
let responseSigned: string;

beforeAll(async () => {
  idp = await startSamlIdp();
  certificates = parseIdpMetadata(await idp.metadata()).certificates;
  signed = await idp.signInXml(alice);
  responseSigned = await idp.signInXml(alice, { signResponse: true, signAssertion: false });
});
afterAll(async () => {
  await idp?.close();
});

/** The whole verification AssumeRoleWithSAML runs (verify-response.ts, AWS's defaults), then the Role pair: what it read from the signed assertion. */
async function defend(xml: string): Promise<VerifiedAssertion> {
  const verified = await verifySamlResponse(b64(xml), { entityId: idp.entityId, certificates, allowSha1: false }, DEFAULT_SAML_SETTINGS, new Date());
  checkRolePair(verified.attributes, { roleArn: READER, providerArn: PROVIDER });
  return verified;
}

const refused = expect.objectContaining({ code: 'InvalidIdentityToken' });

/** The document's signatures, each checked by xml-crypto 6 against the IdP certificate alone: the NameIDs of what each covers, or 'invalid'. */
function rawSignatures(xml: string): string[] {
  return all(parse(xml), NS.ds, 'Signature').map((node) => {
    const sig = new SignedXml({ publicCert: testKey('idp-a').certificate, getCertFromKeyInfo: () => null });
    try {
      sig.loadSignature(node);
      if (!sig.checkSignature(xml)) return 'invalid';
    } catch {
      return 'invalid';
    }
    return sig
      .getSignedReferences()
      .map((r) => all(parse(r), NS.saml, 'NameID').map((n) => n.textContent).join('+'))
      .join(',');
  });
}

/** The assertion's own Subject/NameID (not one of an assertion nested in it). */
const nameIdOf = (el: Element) => {
  const subject = childrenOf(el, NS.saml, 'Subject')[0];
  return subject && childrenOf(subject, NS.saml, 'NameID')[0]?.textContent;
};
const root = (xml: string) => {
  const r = parse(xml).documentElement;
  if (!r) throw new Error('no root');
  return r;
};

describe('the genuine responses', () => {
  test('pass every defence, and their signature covers alice', async () => {
    expect((await defend(signed)).nameId).toBe('alice');
    expect((await defend(responseSigned)).nameId).toBe('alice');
    expect(rawSignatures(signed)).toEqual(['alice']);
  });

  test("digestOf reproduces the IdP's own DigestValue (so the forged digests below are real)", () => {
    const assertion = childrenOf(root(signed), NS.saml, 'Assertion')[0];
    if (!assertion) throw new Error('no assertion');
    expect(digestOf(assertion)).toBe(all(assertion, NS.ds, 'DigestValue')[0]?.textContent);
  });
});

describe('XML signature wrapping, Somorovsky et al. XSW1–XSW8', () => {
  /** Where each form puts the evil element and the signed original (paths from the Response). */
  const placement: Record<keyof typeof XSW, (r: Element) => { evil: Element | undefined; original: Element | undefined }> = {
    // The original is the whole Response (unsigned copy); its assertion is what it says.
    xsw1: (r) => {
      const copy = childrenOf(childrenOf(r, NS.ds, 'Signature')[0] ?? r, NS.samlp, 'Response')[0];
      return { evil: childrenOf(r, NS.saml, 'Assertion')[0], original: copy && childrenOf(copy, NS.saml, 'Assertion')[0] };
    },
    xsw2: (r) => {
      const copy = childrenOf(r, NS.samlp, 'Response')[0];
      return { evil: childrenOf(r, NS.saml, 'Assertion')[0], original: copy && childrenOf(copy, NS.saml, 'Assertion')[0] };
    },
    xsw3: (r) => ({ evil: childrenOf(r, NS.saml, 'Assertion')[0], original: childrenOf(r, NS.saml, 'Assertion')[1] }),
    xsw4: (r) => {
      const evil = childrenOf(r, NS.saml, 'Assertion')[0];
      return { evil, original: evil && childrenOf(evil, NS.saml, 'Assertion')[0] };
    },
    xsw5: (r) => ({ evil: childrenOf(r, NS.saml, 'Assertion')[0], original: childrenOf(r, NS.saml, 'Assertion')[1] }),
    xsw6: (r) => {
      const evil = childrenOf(r, NS.saml, 'Assertion')[0];
      const sig = evil && childrenOf(evil, NS.ds, 'Signature')[0];
      return { evil, original: sig && childrenOf(sig, NS.saml, 'Assertion')[0] };
    },
    xsw7: (r) => ({ evil: childrenOf(childrenOf(r, null, 'Extensions')[0] ?? r, NS.saml, 'Assertion')[0], original: childrenOf(r, NS.saml, 'Assertion')[0] }),
    xsw8: (r) => {
      const evil = childrenOf(r, NS.saml, 'Assertion')[0];
      const sig = evil && childrenOf(evil, NS.ds, 'Signature')[0];
      const object = sig && childrenOf(sig, NS.ds, 'Object')[0];
      return { evil, original: object && childrenOf(object, NS.saml, 'Assertion')[0] };
    },
  };

  for (const [name, generate] of Object.entries(XSW) as [keyof typeof XSW, (typeof XSW)[keyof typeof XSW]][]) {
    const responseForm = name === 'xsw1' || name === 'xsw2';
    test(`${name.toUpperCase()}: the genuine signature still verifies over the original, the evil content is where the form puts it, and the defences refuse it`, async () => {
      const source = responseForm ? responseSigned : signed;
      const xml = generate(source, FORGERY);
      // The untouched original is still there and still signed: a verifier that resolves the reference by ID is satisfied.
      expect(rawSignatures(xml)).toEqual(['alice']);
      const { evil, original } = placement[name](root(xml));
      expect(evil && nameIdOf(evil)).toBe('admin');
      expect(evil?.getAttribute('ID')).toBe(EVIL_ASSERTION_ID);
      expect(original && nameIdOf(original)).toBe('alice');
      if (responseForm) expect(root(xml).getAttribute('ID')).toBe(EVIL_RESPONSE_ID);
      // Refused as a whole; the one-assertion count refuses it on its own too (the schema check may answer first);
      // and even the signature check alone never yields the evil assertion.
      await expect(defend(xml)).rejects.toThrow(refused);
      expect(() => checkSingleAssertion(readDocument(xml))).toThrow(refused);
      let covered: string | undefined;
      try {
        covered = readAssertion(verifiedAssertion(xml, certificates)).nameId;
      } catch {
        covered = undefined;
      }
      expect(covered).not.toBe('admin');
    });
  }
});

describe('other wrapping forms', () => {
  test('the signed assertion hidden in samlp:Extensions, an evil one in its place', async () => {
    const xml = hiddenInExtensions(signed, FORGERY);
    const r = root(xml);
    expect(nameIdOf(childrenOf(r, NS.saml, 'Assertion')[0] ?? r)).toBe('admin');
    expect(nameIdOf(childrenOf(childrenOf(r, NS.samlp, 'Extensions')[0] ?? r, NS.saml, 'Assertion')[0] ?? r)).toBe('alice');
    expect(rawSignatures(xml)).toEqual(['alice']);
    expect(readDocument(xml).assertions).toBe(2);
    await expect(defend(xml)).rejects.toThrow(refused);
  });

  test('an unsigned assertion beside the signed one', async () => {
    const xml = unsignedBeside(signed, FORGERY);
    expect(childrenOf(root(xml), NS.saml, 'Assertion').map(nameIdOf)).toEqual(['alice', 'admin']);
    expect(rawSignatures(xml)).toEqual(['alice']);
    await expect(defend(xml)).rejects.toThrow(refused);
  });

  test('a second, also genuinely signed, assertion', async () => {
    const bob = await idp.signInXml({ name: 'bob', roles: [`${ADMIN},${PROVIDER}`] });
    const xml = secondAssertion(signed, bob);
    expect(childrenOf(root(xml), NS.saml, 'Assertion').map(nameIdOf)).toEqual(['alice', 'bob']);
    expect(rawSignatures(xml)).toEqual(['alice', 'bob']);
    await expect(defend(xml)).rejects.toThrow(refused);
  });
});

describe('the 2025 xml-crypto forms', () => {
  test('CVE-2025-29774: a second SignedInfo carrying the digest of the rewritten assertion', async () => {
    const xml = multipleSignedInfo(signed, FORGERY);
    const assertion = childrenOf(root(xml), NS.saml, 'Assertion')[0];
    if (!assertion) throw new Error('no assertion');
    expect(nameIdOf(assertion)).toBe('admin');
    const sig = childrenOf(assertion, NS.ds, 'Signature')[0];
    const infos = sig ? childrenOf(sig, NS.ds, 'SignedInfo') : [];
    expect(infos).toHaveLength(2);
    const originalInfo = childrenOf(childrenOf(childrenOf(root(signed), NS.saml, 'Assertion')[0] ?? root(signed), NS.ds, 'Signature')[0] ?? root(signed), NS.ds, 'SignedInfo')[0];
    expect(infos[0]?.toString()).toBe(originalInfo?.toString());
    expect(all(infos[1] ?? assertion, NS.ds, 'DigestValue')[0]?.textContent).toBe(digestOf(assertion));
    expect(readDocument(xml).signedInfosPerSignature).toEqual([2]);
    await expect(defend(xml)).rejects.toThrow(refused);
    expect(() => verifiedAssertion(xml, certificates)).toThrow(refused);
  });

  test('CVE-2025-29775: the digest of the rewritten assertion in a comment inside DigestValue', async () => {
    const xml = commentInDigest(signed, FORGERY);
    const assertion = childrenOf(root(xml), NS.saml, 'Assertion')[0];
    if (!assertion) throw new Error('no assertion');
    expect(nameIdOf(assertion)).toBe('admin');
    const digest = all(assertion, NS.ds, 'DigestValue')[0];
    // The comment carries the evil digest; the text (what c14n and the SignatureValue see) is the original.
    expect(digest?.firstChild?.nodeType).toBe(8);
    expect((digest?.firstChild as Comment | null)?.data).toBe(digestOf(assertion));
    expect(digest?.textContent).toBe(all(parse(signed), NS.ds, 'DigestValue')[0]?.textContent);
    expect(rawSignatures(xml)).toEqual(['invalid']);
    await expect(defend(xml)).rejects.toThrow(refused);
  });
});

describe('comment truncation (2018)', () => {
  test('a comment inside the signed NameID keeps the signature valid; the verifier refuses comments, and the signed bytes read admin.evil, never admin', async () => {
    const genuine = await idp.signInXml({ name: 'admin.evil', roles: [`${READER},${PROVIDER}`] });
    const xml = commentInNameId(genuine, 'admin');
    expect(xml).toContain('>admin<!---->.evil<');
    expect(rawSignatures(xml)).toEqual(['admin.evil']);
    await expect(defend(xml)).rejects.toThrow(expect.objectContaining({ code: 'InvalidIdentityToken', message: 'Invalid SAML response: comments are not accepted.' }));
    expect(readAssertion(verifiedAssertion(xml, certificates)).nameId).toBe('admin.evil');
  });
});

describe('keys', () => {
  test('signed by a key the provider does not list (KeyInfo naming the provider certificate)', async () => {
    const xml = resigned(signed, { key: 'stranger', keyInfo: 'idp-a' }, FORGERY);
    expect(xml).toContain(testKey('idp-a').certificateBase64);
    expect(rawSignatures(xml)).toEqual(['invalid']);
    await expect(defend(xml)).rejects.toThrow(expect.objectContaining({ code: 'InvalidIdentityToken', message: 'Response signature invalid' }));
  });

  test('a certificate only in KeyInfo: signed by the stranger, carrying its certificate', async () => {
    const xml = resigned(signed, { key: 'stranger', keyInfo: 'stranger' }, FORGERY);
    expect(xml).toContain(testKey('stranger').certificateBase64);
    // It is a valid signature by the certificate it carries: only trusting KeyInfo would accept it.
    const sig = new SignedXml({ publicCert: testKey('stranger').certificate });
    const node = all(parse(xml), NS.ds, 'Signature')[0];
    if (!node) throw new Error('no signature');
    sig.loadSignature(node);
    expect(sig.checkSignature(xml)).toBe(true);
    await expect(defend(xml)).rejects.toThrow(expect.objectContaining({ code: 'InvalidIdentityToken', message: 'Response signature invalid' }));
  });

  test('SHA-1 from the IdP itself is refused when not allowed, accepted when the provider opts in', async () => {
    const xml = await idp.signInXml(alice, { signatureAlgorithm: 'rsa-sha1', digestAlgorithm: 'sha1' });
    expect(readDocument(xml).signatureAlgorithms).toEqual(['http://www.w3.org/2000/09/xmldsig#rsa-sha1']);
    await expect(defend(xml)).rejects.toThrow(refused);
    expect(() => checkAlgorithms(readDocument(xml), { allowSha1: true })).not.toThrow();
  });
});

describe('what the IdP says, genuinely signed', () => {
  test.each([
    ['wrong Recipient', { recipient: 'https://evil.example/acs' }],
    ['wrong Audience', { audience: 'https://evil.example/sp' }],
    ['wrong Issuer', { issuer: 'https://evil.example/idp' }],
  ])('%s', async (_, rp) => {
    const xml = await idp.signInXml(alice, rp);
    expect(rawSignatures(xml)).toEqual(['alice']);
    await expect(defend(xml)).rejects.toThrow(refused);
  });

  test("a Role attribute naming another account's role", async () => {
    const xml = await idp.signInXml({ name: 'alice', roles: [`arn:aws:iam::999999999999:role/Reader,${PROVIDER}`] });
    await expect(defend(xml)).rejects.toThrow(refused);
  });

  test('expired (NotOnOrAfter past) and not yet valid are judged on the verifier clock', () => {
    const facts = readAssertion(verifiedAssertion(signed, certificates));
    const later = new Date(Date.now() + 3600_000);
    expect(() => checkConditions(facts.conditions, later, DEFAULT_SKEW_MS)).toThrow(expect.objectContaining({ code: 'ExpiredTokenException' }));
    const earlier = new Date(Date.now() - 3600_000);
    expect(() => checkConditions(facts.conditions, earlier, DEFAULT_SKEW_MS)).toThrow(refused);
  });
});

describe('parser attacks', () => {
  test.each([
    ['billion laughs', billionLaughs],
    ['an external entity (SYSTEM file:///etc/passwd)', externalEntity],
    ['a bare DOCTYPE', withDoctype],
  ])('%s is refused before parsing', async (_, generate) => {
    const xml = generate(signed);
    expect(xml).toMatch(/<!DOCTYPE samlp:Response/);
    await expect(defend(xml)).rejects.toThrow(refused);
  });

  test('billion laughs and XXE reference their entity from an unsigned StatusMessage', () => {
    expect(billionLaughs(signed)).toMatch(/<samlp:StatusMessage>&lol9;<\/samlp:StatusMessage>/);
    expect(externalEntity(signed)).toMatch(/<!ENTITY xxe SYSTEM "file:\/\/\/etc\/passwd">[\s\S]*<samlp:StatusMessage>&xxe;<\/samlp:StatusMessage>/);
  });

  test('an oversized document (base64 longer than 100,000) still carries a valid signature, and is refused by size', async () => {
    const xml = oversized(signed);
    expect(b64(xml).length).toBeGreaterThan(100_000);
    expect(b64(xml).length).toBeLessThan(100_200);
    expect(rawSignatures(xml)).toEqual(['alice']);
    await expect(defend(xml)).rejects.toThrow(expect.objectContaining({ code: 'ValidationError' }));
  });
});
