/**
 * The structure of an EncryptedAssertion, checked before anything is decrypted (and before any
 * private key is opened): exactly the XML Encryption that this service reads, so that what the
 * other checks saw is what decryption uses.
 *
 * Why: samlify hands the EncryptedAssertion to @authenio/xml-encryption, which finds its parts by
 * local name alone (`//*[local-name(.)='EncryptedKey']`, the first CipherValue in the document, …)
 * and, when KeyInfo holds a RetrievalMethod, builds an XPath expression out of its URI. Found in
 * review: a URI with a quote injected an XPath whose evaluation grows with the cube of the
 * document (13 s for 10 KB, days for 100 KB) on an unsigned request; an `rsa-1_5` EncryptedKey in
 * another namespace, beside a decoy `xenc:EncryptedKey` with RSA-OAEP, passed the algorithm check
 * (encryption-algorithms.ts reads the xenc one) and was the one decrypted.
 *
 * So, namespace by namespace:
 * - no element anywhere in the document has one of the local names xml-encryption looks up
 *   (EncryptedAssertion, EncryptedData, EncryptedKey, EncryptionMethod, CipherData, CipherValue,
 *   KeyInfo, RetrievalMethod) in any namespace but its own;
 * - one saml:EncryptedAssertion, a child of the Response, holding one xenc:EncryptedData and at
 *   most one xenc:EncryptedKey beside it;
 * - EncryptedData: EncryptionMethod (no parameters), ds:KeyInfo, CipherData with a CipherValue;
 *   its KeyInfo holds either the EncryptedKey itself (nothing beside it) or one ds:RetrievalMethod
 *   whose URI is `#` and an XML name (no quote, no space) naming the EncryptedKey beside the
 *   EncryptedData by its Id;
 * - EncryptedKey: EncryptionMethod (with at most a ds:DigestMethod and an xenc:OAEPparams), an
 *   optional ds:KeyInfo naming the recipient's key (X509Data, KeyName, KeyValue), CipherData with a
 *   CipherValue, and optionally ReferenceList and CarriedKeyName;
 * - and in the whole EncryptedAssertion exactly two EncryptionMethods, two CipherValues, one
 *   EncryptedKey and one EncryptedData (a decoy nested where the schema allows other namespaces'
 *   elements, say in an X509Data, is refused).
 * Anything else is InvalidIdentityToken, before any key is tried.
 */
import { AwsError } from '../../errors.js';
import type { EncryptedAssertionFacts, XmlShape } from './samlify.js';

const SAML = 'urn:oasis:names:tc:SAML:2.0:assertion';
const DS = 'http://www.w3.org/2000/09/xmldsig#';
const XENC = 'http://www.w3.org/2001/04/xmlenc#';

const q = (ns: string, local: string): string => `{${ns}}${local}`;

/** The namespace each looked-up local name must have. */
const HOME: Readonly<Record<string, string>> = {
  EncryptedAssertion: SAML,
  EncryptedData: XENC,
  EncryptedKey: XENC,
  EncryptionMethod: XENC,
  CipherData: XENC,
  CipherValue: XENC,
  KeyInfo: DS,
  RetrievalMethod: DS,
};

/** `#` and an NCName: what an Id reference is, and nothing an XPath string could be broken out of with. */
const ID_REFERENCE = /^#[A-Za-z_][A-Za-z0-9_.-]{0,255}$/;

function invalid(detail: string): AwsError {
  return new AwsError('InvalidIdentityToken', `Invalid SAML response: the encrypted assertion ${detail}`);
}

function localOf(name: string): string {
  return name.slice(name.indexOf('}') + 1);
}

/** `el`'s children are exactly `names`, in this order, where a name ending in `?` may be absent. */
function expectChildren(el: XmlShape, names: readonly string[], what: string): void {
  let i = 0;
  for (const pattern of names) {
    const optional = pattern.endsWith('?');
    const name = optional ? pattern.slice(0, -1) : pattern;
    if (el.children[i]?.name === name) i++;
    else if (!optional) throw invalid(`has no ${localOf(name)} where ${what} needs one.`);
  }
  if (i !== el.children.length) throw invalid(`has ${localOf(el.children[i]?.name ?? '')} where ${what} allows none.`);
}

function count(el: XmlShape, name: string): number {
  let n = el.name === name ? 1 : 0;
  for (const child of el.children) n += count(child, name);
  return n;
}

function checkCipherData(cipherData: XmlShape | undefined, what: string): void {
  if (!cipherData) throw invalid(`has no CipherData in ${what}.`);
  expectChildren(cipherData, [q(XENC, 'CipherValue')], `${what}'s CipherData`);
}

function checkEncryptedKey(key: XmlShape): void {
  expectChildren(key, [q(XENC, 'EncryptionMethod'), `${q(DS, 'KeyInfo')}?`, q(XENC, 'CipherData'), `${q(XENC, 'ReferenceList')}?`, `${q(XENC, 'CarriedKeyName')}?`], 'an EncryptedKey');
  const [method] = key.children;
  if (method) expectChildren(method, [`${q(DS, 'DigestMethod')}?`, `${q(XENC, 'OAEPparams')}?`], "the EncryptedKey's EncryptionMethod");
  const keyInfo = key.children.find((c) => c.name === q(DS, 'KeyInfo'));
  const naming = [q(DS, 'X509Data'), q(DS, 'KeyName'), q(DS, 'KeyValue')];
  if (keyInfo && (keyInfo.children.length === 0 || keyInfo.children.some((c) => !naming.includes(c.name)))) {
    throw invalid("has an EncryptedKey whose KeyInfo holds more than the recipient key's X509Data, KeyName or KeyValue.");
  }
  checkCipherData(key.children.find((c) => c.name === q(XENC, 'CipherData')), 'the EncryptedKey');
}

export function checkEncryptedStructure(facts: EncryptedAssertionFacts): void {
  for (const name of facts.lookedUpByLocalName) {
    const local = localOf(name);
    if (HOME[local] !== name.slice(1, name.indexOf('}'))) throw invalid(`sits beside an element named ${local} outside its namespace.`);
  }
  const [assertion, ...more] = facts.encryptedAssertions;
  if (!assertion || more.length > 0) throw invalid('must be exactly one EncryptedAssertion, a child of the Response.');
  const [data, ...beside] = assertion.children;
  if (!data || data.name !== q(XENC, 'EncryptedData')) throw invalid('must begin with its EncryptedData.');
  if (beside.length > 1 || beside.some((b) => b.name !== q(XENC, 'EncryptedKey'))) throw invalid('may hold at most one EncryptedKey beside its EncryptedData.');
  expectChildren(data, [q(XENC, 'EncryptionMethod'), q(DS, 'KeyInfo'), q(XENC, 'CipherData')], 'the EncryptedData');
  const [method, keyInfo, cipherData] = data.children;
  if (method && method.children.length > 0) throw invalid("has parameters in the EncryptedData's EncryptionMethod.");
  checkCipherData(cipherData, 'the EncryptedData');
  const [reference, ...others] = keyInfo?.children ?? [];
  if (!reference || others.length > 0) throw invalid("must have one EncryptedKey or one RetrievalMethod in the EncryptedData's KeyInfo.");
  let key: XmlShape;
  if (reference.name === q(XENC, 'EncryptedKey')) {
    if (beside.length > 0) throw invalid('has an EncryptedKey both inside and beside its EncryptedData.');
    key = reference;
  } else if (reference.name === q(DS, 'RetrievalMethod')) {
    const uri = reference.attributes['URI'] ?? '';
    if (!ID_REFERENCE.test(uri) || reference.children.length > 0) throw invalid('has a RetrievalMethod that is not a plain reference (#Id) to its EncryptedKey.');
    const [named] = beside;
    if (!named || named.attributes['Id'] !== uri.slice(1)) throw invalid("has a RetrievalMethod that names no EncryptedKey beside the EncryptedData.");
    key = named;
  } else {
    throw invalid("must have one EncryptedKey or one RetrievalMethod in the EncryptedData's KeyInfo.");
  }
  checkEncryptedKey(key);
  const counts: [string, number][] = [
    [q(XENC, 'EncryptedData'), 1],
    [q(XENC, 'EncryptedKey'), 1],
    [q(XENC, 'EncryptionMethod'), 2],
    [q(XENC, 'CipherValue'), 2],
    [q(DS, 'RetrievalMethod'), reference.name === q(DS, 'RetrievalMethod') ? 1 : 0],
  ];
  for (const [name, n] of counts) if (count(assertion, name) !== n) throw invalid(`holds ${count(assertion, name)} ${localOf(name)} elements where exactly ${n} belong.`);
}
