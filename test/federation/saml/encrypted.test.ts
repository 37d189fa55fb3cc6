/**
 * Encrypted assertions in src/federation/saml/: the private keys IAM accepts (private-key.ts), the
 * XML Encryption allow-list (encryption-algorithms.ts), samlify's decryption (samlify.ts) and the
 * composed verifier (verify-response.ts) over encrypted responses made as an IdP makes them
 * (xml-encryption), with a fixed clock.
 */
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { checkEncryptionAlgorithms } from '../../../src/federation/saml/encryption-algorithms.js';
import { canonicalPrivateKey, newPrivateKeyId, rsaPublicValue } from '../../../src/federation/saml/private-key.js';
import { decryptAssertion, readDocument } from '../../../src/federation/saml/samlify.js';
import { verifySamlResponse, type SamlDecryptionKeys, type SamlIssuerKeys } from '../../../src/federation/saml/verify-response.js';
import { DEFAULT_SAML_SETTINGS } from '../../../src/federation/saml/settings.js';
import { spMetadata } from '../../../src/federation/saml/sp-metadata.js';
import { parseXml } from '../../../src/federation/saml/samlify.js';
import { testKey, TEST_ENTITY_ID } from '../../helpers/saml.js';
import { AES128_CBC, AES128_GCM, AES256_CBC, AES256_GCM, encryptAssertion, RSA_1_5, signResponse, spKey, TRIPLEDES } from '../../helpers/saml-encrypt.js';
import { assertionXml, NOW, responseXml, signAssertion } from '../../helpers/saml-sign.js';

const A = testKey('idp-a').certificateBase64;
const KEY1 = spKey('sp-enc-1').privateKey;
const KEY2 = spKey('sp-enc-2').privateKey;
const invalid = expect.objectContaining({ code: 'InvalidIdentityToken' });
const b64 = (xml: string) => Buffer.from(xml).toString('base64');

function provider(keys: readonly string[], mode: SamlDecryptionKeys['mode'] = 'Allowed'): SamlIssuerKeys {
  return { entityId: TEST_ENTITY_ID, certificates: [A], allowSha1: false, decryption: { mode, keyCount: keys.length, openKeys: () => keys } };
}
const verify = (xml: string, p: SamlIssuerKeys) => verifySamlResponse(b64(xml), p, DEFAULT_SAML_SETTINGS, NOW);

describe('private-key.ts: what AddPrivateKey accepts', () => {
  test('an RSA key in PKCS#8 or PKCS#1 PEM is kept as PKCS#8', () => {
    expect(canonicalPrivateKey(KEY1)).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    const pkcs1 = readFileSync(new URL('../../fixtures/saml/sp-enc-pkcs1.key.pem', import.meta.url), 'utf8');
    expect(pkcs1).toMatch(/^-----BEGIN RSA PRIVATE KEY-----/);
    expect(canonicalPrivateKey(pkcs1)).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
  });

  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const short = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const encrypted = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'x' }).toString();
  test.each([
    ['not PEM', 'hello'],
    ['an EC key', ec],
    ['a 1024-bit RSA key', short],
    ['a passphrase-protected key', encrypted],
    ['a certificate', spKey('sp-enc-1').certificate],
    ['a public key', rsaPublicPem()],
    ['two keys', `${KEY1}${KEY2}`],
    ['a key with text around it', `note\n${KEY1}`],
    ['a damaged key', KEY1.replace(/[A-Za-z]{8}\n/, 'AAAAAAAA\n')],
  ])('refuses %s with InvalidInput, quoting none of it', (_, pem) => {
    let error: unknown;
    try {
      canonicalPrivateKey(pem);
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: 'InvalidInput' });
    expect(String((error as Error).message)).not.toContain('MII');
  });

  test('KeyIds have AWS shape (22..64 of [A-Z0-9]) and differ', () => {
    const ids = new Set(Array.from({ length: 50 }, () => newPrivateKeyId()));
    expect(ids.size).toBe(50);
    for (const id of ids) expect(id).toMatch(/^[A-Z0-9]{22,64}$/);
  });

  test('the public half, as RSAKeyValue', () => {
    const { modulus, exponent } = rsaPublicValue(KEY1);
    expect(exponent).toBe('AQAB');
    expect(Buffer.from(modulus, 'base64').length).toBe(256);
  });
});

function rsaPublicPem(): string {
  return generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
}

describe('encryption-algorithms.ts: RSA-OAEP key transport, AES-GCM or AES-CBC data', () => {
  const facts = (keyTransport: string[], data: string[]) => ({ keyTransportAlgorithms: keyTransport, dataEncryptionAlgorithms: data });
  const OAEP = 'http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p';
  test.each([AES128_GCM, AES256_GCM, AES128_CBC, AES256_CBC])('accepts RSA-OAEP with %s', (data) => {
    expect(() => checkEncryptionAlgorithms(facts([OAEP], [data]))).not.toThrow();
  });
  test.each([
    ['rsa-1_5 key transport', facts([RSA_1_5], [AES256_GCM])],
    ['rsa-1_5 beside rsa-oaep', facts([OAEP, RSA_1_5], [AES256_GCM])],
    ['XML Encryption 1.1 rsa-oaep (not implemented by the decryption)', facts(['http://www.w3.org/2009/xmlenc11#rsa-oaep'], [AES256_GCM])],
    ['triple DES data', facts([OAEP], [TRIPLEDES])],
    ['no EncryptedKey', facts([], [AES256_GCM])],
    ['two EncryptedData', facts([OAEP], [AES256_GCM, AES256_GCM])],
  ])('refuses %s', (_, f) => {
    expect(() => checkEncryptionAlgorithms(f)).toThrow(invalid);
  });

  test('the facts are read from the document: the OAEP DigestMethod is not taken for a signature digest', async () => {
    const doc = readDocument(await encryptAssertion(responseXml(), { data: AES128_CBC }));
    expect(doc.keyTransportAlgorithms).toEqual([OAEP]);
    expect(doc.dataEncryptionAlgorithms).toEqual([AES128_CBC]);
    expect(doc.digestAlgorithms).toEqual([]);
    expect(doc.encryptedAssertions).toBe(1);
    expect(doc.assertions).toBe(1);
  });
});

describe('samlify.ts decryptAssertion', () => {
  test('the right key decrypts; another key, or tampered ciphertext, gives nothing (and prints nothing)', async () => {
    const xml = await encryptAssertion(responseXml());
    const out = await decryptAssertion(xml, KEY1);
    expect(out?.assertion).toContain('<saml:NameID');
    expect(out?.document).toContain('<saml:Assertion');
    expect(out?.document).not.toContain('EncryptedAssertion');
    const printed: unknown[] = [];
    const print = console.error;
    console.error = (...args: unknown[]) => void printed.push(args);
    try {
      expect(await decryptAssertion(xml, KEY2)).toBeUndefined();
    } finally {
      console.error = print;
    }
    expect(printed).toEqual([]);
  });
});

describe('verify-response.ts with encrypted assertions', () => {
  const signedEncrypted = (options: Parameters<typeof encryptAssertion>[1] = {}, assertion = assertionXml()) => encryptAssertion(signAssertion(responseXml(assertion)), options);

  test.each([AES256_GCM, AES128_GCM, AES256_CBC, AES128_CBC])('an encrypted signed assertion (%s) is accepted, read from the decrypted signed bytes', async (data) => {
    const out = await verify(await signedEncrypted({ data }), provider([KEY1]));
    expect(out).toMatchObject({ id: '_a1', nameId: 'alice', issuer: TEST_ENTITY_ID });
  });

  test('rotation: each of two keys decrypts what was encrypted to it', async () => {
    expect((await verify(await signedEncrypted({ key: 'sp-enc-1' }), provider([KEY1, KEY2]))).nameId).toBe('alice');
    expect((await verify(await signedEncrypted({ key: 'sp-enc-2' }), provider([KEY1, KEY2]))).nameId).toBe('alice');
    await expect(verify(await signedEncrypted({ key: 'sp-enc-2' }), provider([KEY1]))).rejects.toThrow(invalid);
  });

  test('a signed Response wrapping an encrypted (unsigned) assertion: the Response signature verifies, then the signed bytes are decrypted', async () => {
    const xml = signResponse(await encryptAssertion(responseXml()));
    expect((await verify(xml, provider([KEY1]))).nameId).toBe('alice');
    // The Response signature covers the ciphertext: another ciphertext (a different assertion) breaks it.
    const other = await encryptAssertion(responseXml(assertionXml({ nameId: 'mallory' })));
    const swapped = xml.replace(/<saml:EncryptedAssertion[\s\S]*<\/saml:EncryptedAssertion>/, other.match(/<saml:EncryptedAssertion[\s\S]*<\/saml:EncryptedAssertion>/)?.[0] ?? '');
    expect(swapped).not.toBe(xml);
    await expect(verify(swapped, provider([KEY1]))).rejects.toThrow(expect.objectContaining({ code: 'InvalidIdentityToken', message: 'Response signature invalid' }));
  });

  test('a signed Response by a stranger wrapping an encrypted assertion is refused', async () => {
    await expect(verify(signResponse(await encryptAssertion(responseXml()), 'stranger'), provider([KEY1]))).rejects.toThrow(invalid);
  });

  test('an encrypted but unsigned assertion in an unsigned Response is refused (anyone can encrypt to a public key)', async () => {
    await expect(verify(await encryptAssertion(responseXml()), provider([KEY1]))).rejects.toThrow(expect.objectContaining({ message: 'Response signature invalid' }));
  });

  test('Required: a plaintext assertion is refused; Allowed and never set accept either', async () => {
    await expect(verify(signAssertion(responseXml()), provider([KEY1], 'Required'))).rejects.toThrow(expect.objectContaining({ message: expect.stringContaining('encrypted assertions only') }));
    expect((await verify(await signedEncrypted(), provider([KEY1], 'Required'))).nameId).toBe('alice');
    expect((await verify(signAssertion(responseXml()), provider([KEY1], 'Allowed'))).nameId).toBe('alice');
    expect((await verify(signAssertion(responseXml()), provider([KEY1], null))).nameId).toBe('alice');
    expect((await verify(await signedEncrypted(), provider([KEY1], null))).nameId).toBe('alice');
  });

  test('a provider without keys refuses an EncryptedAssertion, and never opens a key for a plaintext one', async () => {
    await expect(verify(await signedEncrypted(), provider([]))).rejects.toThrow(expect.objectContaining({ message: expect.stringContaining('no private key') }));
    await expect(verify(await signedEncrypted(), { entityId: TEST_ENTITY_ID, certificates: [A], allowSha1: false })).rejects.toThrow(invalid);
    let opened = 0;
    const counting: SamlIssuerKeys = { entityId: TEST_ENTITY_ID, certificates: [A], allowSha1: false, decryption: { mode: 'Allowed', keyCount: 1, openKeys: () => (opened++, [KEY1]) } };
    await verify(signAssertion(responseXml()), counting);
    expect(opened).toBe(0);
  });

  test('rsa-1_5 key transport is refused before anything is decrypted', async () => {
    let opened = 0;
    const counting: SamlIssuerKeys = { entityId: TEST_ENTITY_ID, certificates: [A], allowSha1: false, decryption: { mode: 'Allowed', keyCount: 1, openKeys: () => (opened++, [KEY1]) } };
    await expect(verify(await signedEncrypted({ keyTransport: RSA_1_5 }), counting)).rejects.toThrow(expect.objectContaining({ message: expect.stringContaining('rsa-1_5') }));
    expect(opened).toBe(0);
  });

  test('tampered ciphertext is refused (GCM tag, CBC garbage under the signature)', async () => {
    for (const data of [AES256_GCM, AES256_CBC]) {
      const xml = await signedEncrypted({ data });
      const values = [...xml.matchAll(/<xenc:CipherValue>([^<]+)<\/xenc:CipherValue>/g)];
      const last = values.at(-1);
      if (!last || last.index === undefined) throw new Error('no CipherValue');
      const bytes = Buffer.from(last[1] ?? '', 'base64');
      bytes[40] = (bytes[40] ?? 0) ^ 1;
      const tampered = `${xml.slice(0, last.index)}<xenc:CipherValue>${bytes.toString('base64')}</xenc:CipherValue>${xml.slice(last.index + last[0].length)}`;
      await expect(verify(tampered, provider([KEY1]))).rejects.toThrow(invalid);
    }
  });

  test('what decryption reveals passes the document checks again: the schemas, a second assertion, an encrypted one, comments, a DTD', async () => {
    const misplaced = (a: string) => a.replace('<saml:AttributeStatement>', '<saml:Advice/><saml:AttributeStatement>');
    await expect(verify(await signedEncrypted({ content: misplaced }), provider([KEY1]))).rejects.toThrow(expect.objectContaining({ message: expect.stringContaining('schema') }));
    const advice = (a: string) => a.replace('</saml:Conditions>', `</saml:Conditions><saml:Advice>${assertionXml({ id: '_evil', nameId: 'admin' })}</saml:Advice>`);
    await expect(verify(await signedEncrypted({ content: advice }), provider([KEY1]))).rejects.toThrow(expect.objectContaining({ message: expect.stringContaining('exactly one assertion') }));
    const nested = (a: string) => a.replace('<saml:AttributeStatement>', '<saml:Advice><saml:EncryptedAssertion/></saml:Advice><saml:AttributeStatement>');
    await expect(verify(await signedEncrypted({ content: nested }), provider([KEY1]))).rejects.toThrow(invalid);
    const comment = (a: string) => a.replace('>alice</saml:NameID>', '>alice<!-- x --></saml:NameID>');
    await expect(verify(await signedEncrypted({ content: comment }), provider([KEY1]))).rejects.toThrow(expect.objectContaining({ message: expect.stringContaining('comments') }));
    const dtd = (a: string) => `<!DOCTYPE x [<!ENTITY e "alice">]>${a}`;
    await expect(verify(await signedEncrypted({ content: dtd }), provider([KEY1]))).rejects.toThrow(invalid);
  });

  test('the same defences hold inside: a signature by a key not in the provider, an expired assertion, another audience', async () => {
    await expect(verify(await encryptAssertion(signAssertion(responseXml(), { key: 'stranger' })), provider([KEY1]))).rejects.toThrow(invalid);
    const old = assertionXml({ now: new Date(NOW.getTime() - 3600_000) });
    await expect(verify(await signedEncrypted({}, old), provider([KEY1]))).rejects.toThrow();
    await expect(verify(await signedEncrypted({}, assertionXml({ audience: 'urn:someone:else' })), provider([KEY1]))).rejects.toThrow(invalid);
  });
});

describe('encryption-structure.ts: exactly the XML Encryption that decryption reads, before any key is opened', () => {
  const signedEncrypted = (options: Parameters<typeof encryptAssertion>[1] = {}) => encryptAssertion(signAssertion(responseXml()), options);

  /** A provider that counts how often its keys are opened. */
  function counting(): { readonly provider: SamlIssuerKeys; readonly opened: () => number } {
    let n = 0;
    return { provider: { entityId: TEST_ENTITY_ID, certificates: [A], allowSha1: false, decryption: { mode: 'Allowed', keyCount: 1, openKeys: () => (n++, [KEY1]) } }, opened: () => n };
  }

  /** The EncryptedKey element of an encrypted response (xml-encryption writes it with a prefix of its own). */
  function encryptedKeyOf(xml: string): string {
    const m = /<(\w+):EncryptedKey[\s\S]*?<\/\1:EncryptedKey>/.exec(xml);
    if (!m) throw new Error('no EncryptedKey');
    return m[0];
  }

  /** The EncryptedKey moved beside the EncryptedData with this Id, and a RetrievalMethod (URI as given) in its place. */
  function retrieved(xml: string, uri: string, id = 'ek1', extra = ''): string {
    const key = encryptedKeyOf(xml);
    // Its unprefixed children (DigestMethod, KeyInfo) took XML-DSig's namespace from the KeyInfo it leaves.
    const moved = key.replace(/^<(\w+):EncryptedKey/, `<$1:EncryptedKey xmlns="http://www.w3.org/2000/09/xmldsig#" Id="${id}"`);
    return xml.replace(key, `<RetrievalMethod URI="${uri}" Type="http://www.w3.org/2001/04/xmlenc#EncryptedKey"/>${extra}`).replace('</xenc:EncryptedData>', `</xenc:EncryptedData>${moved}`);
  }

  test('the EncryptedKey may also sit beside the EncryptedData, named by a plain RetrievalMethod (#Id), as some IdPs write it', async () => {
    const out = await verify(retrieved(await signedEncrypted(), '#ek1'), provider([KEY1]));
    expect(out).toMatchObject({ id: '_a1', nameId: 'alice' });
  });

  test('an XPath written into a RetrievalMethod URI is refused, unread and without opening a key (unsigned: anyone may send it)', async () => {
    // Found in review: xml-encryption built an XPath from this URI; with filler elements its evaluation took hours.
    const filler = `<x:f xmlns:x="urn:x">${'<x:a/>'.repeat(200)}</x:f>`;
    const c = counting();
    const injected = retrieved(await encryptAssertion(responseXml()), "#x' or count(//*/following::*) > 0 or '", 'x', filler);
    await expect(verify(injected, c.provider)).rejects.toThrow(expect.objectContaining({ code: 'InvalidIdentityToken', message: expect.stringContaining('RetrievalMethod') }));
    expect(c.opened()).toBe(0);
    // A reference that names no EncryptedKey, or one with a space in it, the same.
    for (const uri of ['#nothing', '#ek1 ', 'http://example.com/#ek1', '#ek1\'']) {
      await expect(verify(retrieved(await signedEncrypted(), uri), c.provider)).rejects.toThrow(invalid);
    }
    expect(c.opened()).toBe(0);
  });

  test('an rsa-1_5 EncryptedKey in a namespace of its own, beside an RSA-OAEP decoy, is refused without opening a key', async () => {
    // Found in review: the allow-list read the xenc decoy; xml-encryption, by local name, used the other.
    const xml = await signedEncrypted({ keyTransport: RSA_1_5 });
    const key = encryptedKeyOf(xml);
    const prefix = /^<(\w+):/.exec(key)?.[1] ?? '';
    // (Without its OAEP DigestMethod, which outside an xenc EncryptionMethod reads as a SHA-1 signature digest.)
    const evil = key
      .replaceAll(`<${prefix}:`, '<evil:')
      .replaceAll(`</${prefix}:`, '</evil:')
      .replace('<evil:EncryptedKey', '<evil:EncryptedKey xmlns:evil="urn:evil"')
      .replace(/<DigestMethod[^>]*\/>/, '');
    const decoy = '<xenc:EncryptedKey xmlns:xenc="http://www.w3.org/2001/04/xmlenc#"><xenc:EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p"/><xenc:CipherData><xenc:CipherValue>AAAA</xenc:CipherValue></xenc:CipherData></xenc:EncryptedKey>';
    const c = counting();
    await expect(verify(xml.replace(key, evil + decoy), c.provider)).rejects.toThrow(expect.objectContaining({ code: 'InvalidIdentityToken', message: expect.stringContaining('outside its namespace') }));
    // Triple DES slipped in the same way (a foreign EncryptedData/EncryptionMethod first).
    const tripleDes = (await signedEncrypted()).replace('<xenc:EncryptedData', '<z:EncryptedData xmlns:z="urn:z"><z:EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#tripledes-cbc"/></z:EncryptedData><xenc:EncryptedData');
    await expect(verify(tripleDes, c.provider)).rejects.toThrow(invalid);
    expect(c.opened()).toBe(0);
  });

  test('decoys where the schemas let other elements in, and extra parts, are refused', async () => {
    const xml = await signedEncrypted();
    const key = encryptedKeyOf(xml);
    const prefix = /^<(\w+):/.exec(key)?.[1] ?? '';
    const cases: [string, string][] = [
      // A second CipherValue inside the recipient's X509Data (xml-encryption takes the first in document order).
      ['a CipherValue in X509Data', xml.replace('<X509Data>', `<X509Data><${prefix}:CipherValue xmlns:${prefix}="http://www.w3.org/2001/04/xmlenc#">AAAA</${prefix}:CipherValue>`)],
      // A KeyName beside the EncryptedKey in the EncryptedData's KeyInfo.
      ['a KeyName beside the EncryptedKey', xml.replace(key, `<KeyName>k</KeyName>${key}`)],
      // An EncryptedKey inside and another beside.
      ['two EncryptedKeys', xml.replace('</xenc:EncryptedData>', `</xenc:EncryptedData>${key}`)],
      // A parameter in the data's EncryptionMethod.
      ['a KeySize', xml.replace(/(<xenc:EncryptionMethod Algorithm="[^"]+")\s*\/>/, '$1><xenc:KeySize>256</xenc:KeySize></xenc:EncryptionMethod>')],
    ];
    const c = counting();
    for (const [what, forged] of cases) {
      expect(forged, what).not.toBe(xml);
      await expect(verify(forged, c.provider), what).rejects.toThrow(invalid);
    }
    expect(c.opened()).toBe(0);
  });
});

describe('sp-metadata.ts: a provider\'s SP metadata with its encryption keys', () => {
  test('one KeyDescriptor per key, well-formed; an IdP encrypting to the published RSAKeyValue reaches the private key', async () => {
    const published = rsaPublicValue(KEY2);
    const xml = spMetadata(DEFAULT_SAML_SETTINGS, [{ keyId: 'K1'.padEnd(32, '0'), ...rsaPublicValue(KEY1) }, { keyId: 'K2'.padEnd(32, '0'), ...published }]);
    const doc = parseXml(xml);
    expect(doc.getElementsByTagNameNS('urn:oasis:names:tc:SAML:2.0:metadata', 'KeyDescriptor').length).toBe(2);
    const modulus = doc.getElementsByTagNameNS('http://www.w3.org/2000/09/xmldsig#', 'Modulus').item(1)?.textContent ?? '';
    const exponent = doc.getElementsByTagNameNS('http://www.w3.org/2000/09/xmldsig#', 'Exponent').item(1)?.textContent ?? '';
    const fromMetadata = createPublicKey({ key: { kty: 'RSA', n: Buffer.from(modulus, 'base64').toString('base64url'), e: Buffer.from(exponent, 'base64').toString('base64url') }, format: 'jwk' });
    const xmlResponse = await encryptAssertion(signAssertion(responseXml()), { key: 'sp-enc-2', publicKey: fromMetadata.export({ type: 'spki', format: 'pem' }).toString() });
    expect((await verify(xmlResponse, provider([KEY1, KEY2]))).nameId).toBe('alice');
    expect(spMetadata(DEFAULT_SAML_SETTINGS)).not.toContain('KeyDescriptor');
  });
});
