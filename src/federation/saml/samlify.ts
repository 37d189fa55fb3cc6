/**
 * The one file that touches samlify and its XML stack (its DOM parser @xmldom/xmldom, its
 * signature verifier xml-crypto): everything else in src/federation/saml/ works on the plain facts
 * returned here, so that each defence is a pure function with its own tests (STYLE.md, "samlify
 * imported in exactly one file").
 *
 * What is read from a document here is only what a defence needs. For a response, the facts of the
 * assertion come from the bytes the signature covers (`verifySignedAssertion`), never from the
 * document as received: samlify's own `response` extractor reads the unsigned document
 * (federation-facts §2.2, item 5).
 *
 * xmldom is samlify's dependency, used here with the same fatal error handler samlify installs
 * (samlify's `getContext` is not exported from its package entry point). DTDs are refused before
 * any of this runs (no-dtd.ts); the handler also makes malformed XML and unknown entities fatal.
 */
import { DOMParser } from '@xmldom/xmldom';
import samlify from 'samlify';

// samlify is CommonJS: node's ESM loader sees only the exports its static analysis finds, and
// SamlLib is not among them (vitest's interop hid that), so it is read from the default export.
const { SamlLib } = samlify;

export const NS = {
  md: 'urn:oasis:names:tc:SAML:2.0:metadata',
  ds: 'http://www.w3.org/2000/09/xmldsig#',
  xenc: 'http://www.w3.org/2001/04/xmlenc#',
  saml: 'urn:oasis:names:tc:SAML:2.0:assertion',
  samlp: 'urn:oasis:names:tc:SAML:2.0:protocol',
} as const;

/** Parse XML; malformed XML, an unknown entity or any parser error throws. */
export function parseXml(xml: string): Document {
  const parser = new DOMParser({
    errorHandler: {
      warning: () => undefined,
      error: (msg: string) => {
        throw new Error(`XML parsing error: ${msg}`);
      },
      fatalError: (msg: string) => {
        throw new Error(`XML fatal error: ${msg}`);
      },
    },
  });
  const doc = parser.parseFromString(xml, 'text/xml');
  if (!doc.documentElement) throw new Error('XML parsing error: no document element');
  return doc;
}

function isElement(node: Node): node is Element {
  return node.nodeType === 1;
}

/** The element children of `parent` named {ns}local, in document order. */
function children(parent: Element, ns: string, local: string): Element[] {
  const out: Element[] = [];
  for (let i = 0; i < parent.childNodes.length; i++) {
    const node = parent.childNodes.item(i);
    if (node && isElement(node) && node.namespaceURI === ns && node.localName === local) out.push(node);
  }
  return out;
}

function descendants(root: Document | Element, ns: string, local: string): Element[] {
  const list = root.getElementsByTagNameNS(ns, local);
  const out: Element[] = [];
  for (let i = 0; i < list.length; i++) {
    const el = list.item(i);
    if (el) out.push(el);
  }
  return out;
}

function attr(el: Element, name: string): string | undefined {
  return el.hasAttribute(name) ? el.getAttribute(name) ?? undefined : undefined;
}

function text(el: Element): string {
  return el.textContent ?? '';
}

/* IdP metadata ------------------------------------------------------------------------------ */

/** What an IdP metadata document says, unchecked (metadata.ts decides what is acceptable). */
export interface MetadataFacts {
  /** `{namespace}localName` of the document element. */
  readonly root: string;
  readonly entityId: string | undefined;
  readonly validUntil: string | undefined;
  /** IDPSSODescriptor children of the root. */
  readonly idpDescriptors: number;
  /** Base64 of each signing certificate (KeyDescriptor use="signing" or no use), whitespace removed. */
  readonly signingCertificates: readonly string[];
}

export function readMetadata(xml: string): MetadataFacts {
  const root = parseXml(xml).documentElement;
  if (!root) throw new Error('XML parsing error: no document element');
  const idps = root.namespaceURI === NS.md ? children(root, NS.md, 'IDPSSODescriptor') : [];
  const signingCertificates: string[] = [];
  for (const idp of idps) {
    for (const kd of children(idp, NS.md, 'KeyDescriptor')) {
      const use = attr(kd, 'use');
      if (use !== undefined && use !== 'signing') continue;
      for (const keyInfo of children(kd, NS.ds, 'KeyInfo')) {
        for (const data of children(keyInfo, NS.ds, 'X509Data')) {
          for (const cert of children(data, NS.ds, 'X509Certificate')) signingCertificates.push(text(cert).replace(/\s+/g, ''));
        }
      }
    }
  }
  return {
    root: `{${root.namespaceURI ?? ''}}${root.localName ?? ''}`,
    entityId: attr(root, 'entityID'),
    validUntil: attr(root, 'validUntil'),
    idpDescriptors: idps.length,
    signingCertificates,
  };
}

/* A response, as received --------------------------------------------------------------------- */

/** What the whole received document holds, before anything is trusted. */
export interface DocumentFacts {
  /** Assertion and EncryptedAssertion elements anywhere (Extensions, Advice and wrappers included). */
  readonly assertions: number;
  /** Every SignatureMethod Algorithm in the document. */
  readonly signatureAlgorithms: readonly string[];
  /** Every DigestMethod Algorithm in the document. */
  readonly digestAlgorithms: readonly string[];
  /** SignedInfo elements per Signature (the 2025 multiple-SignedInfo form has more than one). */
  readonly signedInfosPerSignature: readonly number[];
  /** `{namespace}localName` of the document element. */
  readonly root: string;
  /** The Issuer children of a Response root (unsigned when only the assertion is signed: checked, never trusted). */
  readonly responseIssuers: readonly string[];
  /** The top-level StatusCode Value of a Response root. */
  readonly status: string | undefined;
  /** A Response root's Destination attribute. */
  readonly destination: string | undefined;
  /** Comment nodes anywhere in the document (the comment-truncation and comment-in-digest forms). */
  readonly comments: number;
  /** ds:Signature children of a Response root (a signature over the whole Response). */
  readonly responseSignatures: number;
  /** EncryptedAssertion elements anywhere (also counted in `assertions`). */
  readonly encryptedAssertions: number;
  /** The Algorithm of every xenc:EncryptedKey's EncryptionMethod (the key transport). */
  readonly keyTransportAlgorithms: readonly string[];
  /** The Algorithm of every xenc:EncryptedData's EncryptionMethod (the data encryption). */
  readonly dataEncryptionAlgorithms: readonly string[];
}

function countComments(node: Node): number {
  let n = 0;
  const stack: Node[] = [node];
  for (let current = stack.pop(); current; current = stack.pop()) {
    if (current.nodeType === 8) n++;
    // xmldom gives text and comment nodes no child list at all.
    const kids = current.childNodes as NodeListOf<ChildNode> | null;
    if (!kids) continue;
    for (let i = 0; i < kids.length; i++) {
      const child = kids.item(i);
      if (child) stack.push(child);
    }
  }
  return n;
}

export function readDocument(xml: string): DocumentFacts {
  const doc = parseXml(xml);
  const root = doc.documentElement;
  if (!root) throw new Error('XML parsing error: no document element');
  // A ds:DigestMethod inside an xenc:EncryptionMethod is RSA-OAEP's digest, not a signature's (encryption-algorithms.ts checks that part).
  const inEncryptionMethod = (el: Element) => el.parentNode !== null && isElement(el.parentNode) && el.parentNode.namespaceURI === NS.xenc && el.parentNode.localName === 'EncryptionMethod';
  const algorithms = (local: string) => descendants(doc, NS.ds, local).filter((el) => !inEncryptionMethod(el)).map((el) => attr(el, 'Algorithm') ?? '');
  const encryptionMethods = (local: string) => descendants(doc, NS.xenc, local).flatMap((el) => children(el, NS.xenc, 'EncryptionMethod').map((m) => attr(m, 'Algorithm') ?? ''));
  const isResponse = root.namespaceURI === NS.samlp && root.localName === 'Response';
  const status = isResponse ? children(root, NS.samlp, 'Status')[0] : undefined;
  const statusCode = status ? children(status, NS.samlp, 'StatusCode')[0] : undefined;
  return {
    assertions: descendants(doc, NS.saml, 'Assertion').length + descendants(doc, NS.saml, 'EncryptedAssertion').length,
    signatureAlgorithms: algorithms('SignatureMethod'),
    digestAlgorithms: algorithms('DigestMethod'),
    signedInfosPerSignature: descendants(doc, NS.ds, 'Signature').map((sig) => children(sig, NS.ds, 'SignedInfo').length),
    root: `{${root.namespaceURI ?? ''}}${root.localName ?? ''}`,
    responseIssuers: isResponse ? children(root, NS.saml, 'Issuer').map(text) : [],
    status: statusCode && attr(statusCode, 'Value'),
    destination: isResponse ? attr(root, 'Destination') : undefined,
    comments: countComments(doc),
    responseSignatures: isResponse ? children(root, NS.ds, 'Signature').length : 0,
    encryptedAssertions: descendants(doc, NS.saml, 'EncryptedAssertion').length,
    keyTransportAlgorithms: encryptionMethods('EncryptedKey'),
    dataEncryptionAlgorithms: encryptionMethods('EncryptedData'),
  };
}

/**
 * The assertion the signature covers, as XML, when a signature over the Response or the Assertion
 * verifies with one of `certificates` (base64 DER, the provider's): each is tried on its own, so
 * any of a rotating set verifies, and a certificate in the signature's KeyInfo is used only when it
 * is that very certificate (samlify refuses one that is not, and xml-crypto 6 never trusts KeyInfo
 * alone). Undefined when none verifies, or the signed bytes hold no single assertion.
 */
export function verifySignedAssertion(xml: string, certificates: readonly string[]): string | undefined {
  for (const certificate of certificates) {
    const metadata = {
      xmlString: '',
      getMetadata: () => '',
      exportMetadata: () => undefined,
      getEntityID: () => '',
      getX509Certificate: () => [certificate],
      getNameIDFormat: () => [],
      getSingleLogoutService: () => '',
      getSupportBindings: () => [],
    };
    let result: [boolean, string | null];
    try {
      result = SamlLib.verifySignature(xml, { metadata });
    } catch {
      // Each certificate is a verification of its own, and only a success counts: a KeyInfo
      // certificate that is another one (samlify throws), a signature value this key did not make
      // (xml-crypto 6 throws), samlify's wrapping detection (throws for every certificate alike).
      continue;
    }
    const [verified, signed] = result;
    if (verified && signed !== null) return signed;
  }
  return undefined;
}

/* An encrypted assertion --------------------------------------------------------------------- */

/** An EncryptedAssertion decrypted: the Response with the Assertion in its place, and the Assertion alone. */
export interface DecryptedResponse {
  /** The Response as given, its EncryptedAssertion replaced by the decrypted Assertion. */
  readonly document: string;
  /** The decrypted Assertion's XML, as the IdP encrypted it. */
  readonly assertion: string;
}

/** An element as a structure check sees it: its `{namespace}local` name, its attributes, its element children. */
export interface XmlShape {
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: readonly XmlShape[];
}

/**
 * What decryption would be handed (src/federation/saml/encryption-structure.ts decides whether it
 * may be): the root's EncryptedAssertion children, as element shapes, and the `{ns}local` name of
 * every element in the document whose local name is one that @authenio/xml-encryption looks up by
 * local name alone (it finds EncryptedKey, EncryptionMethod, CipherValue, KeyInfo, RetrievalMethod
 * with `local-name()` XPath, and builds one XPath from a RetrievalMethod's URI).
 */
export interface EncryptedAssertionFacts {
  readonly encryptedAssertions: readonly XmlShape[];
  readonly lookedUpByLocalName: readonly string[];
}

const XML_ENCRYPTION_LOOKUPS: ReadonlySet<string> = new Set(['EncryptedAssertion', 'EncryptedData', 'EncryptedKey', 'EncryptionMethod', 'CipherData', 'CipherValue', 'KeyInfo', 'RetrievalMethod']);

function qualified(el: Element): string {
  return `{${el.namespaceURI ?? ''}}${el.localName ?? ''}`;
}

function shapeOf(el: Element): XmlShape {
  const attributes: Record<string, string> = {};
  for (let i = 0; i < el.attributes.length; i++) {
    const a = el.attributes.item(i);
    // By qualified name: xml-encryption's `@Id` is an unprefixed Id, not some:Id.
    if (a && a.namespaceURI !== 'http://www.w3.org/2000/xmlns/') attributes[a.name] = a.value;
  }
  const kids: XmlShape[] = [];
  for (let i = 0; i < el.childNodes.length; i++) {
    const node = el.childNodes.item(i);
    if (node && isElement(node)) kids.push(shapeOf(node));
  }
  return { name: qualified(el), attributes, children: kids };
}

export function readEncryptedAssertion(xml: string): EncryptedAssertionFacts {
  const doc = parseXml(xml);
  const root = doc.documentElement;
  if (!root) throw new Error('XML parsing error: no document element');
  const lookedUp: string[] = [];
  const all = doc.getElementsByTagName('*');
  for (let i = 0; i < all.length; i++) {
    const el = all.item(i);
    if (el && XML_ENCRYPTION_LOOKUPS.has(el.localName ?? '')) lookedUp.push(qualified(el));
  }
  return { encryptedAssertions: children(root, NS.saml, 'EncryptedAssertion').map(shapeOf), lookedUpByLocalName: lookedUp };
}

/**
 * The Response's EncryptedAssertion (a child of the root; samlify looks nowhere else) decrypted
 * with samlify's `decryptAssertion` (its XML Encryption, @authenio/xml-encryption) and
 * `privateKeyPem`; undefined when this key does not decrypt it (another key's, tampered
 * ciphertext, a GCM tag that fails, bad padding, an algorithm it does not know). Which algorithms
 * are acceptable is decided before this is called (encryption-algorithms.ts): samlify would also
 * take rsa-1_5 key transport (federation-facts §2.2, item 3).
 *
 * samlify prints every failed decryption with console.error; with two keys (rotation) and
 * attacker-made ciphertext that would be a line on stderr per request, so console.error is
 * silenced for this synchronous call only (samlify's promise executor runs xml-encryption's
 * synchronous decrypt before it returns: nothing else runs in between).
 */
export async function decryptAssertion(xml: string, privateKeyPem: string): Promise<DecryptedResponse | undefined> {
  // decryptAssertion reads only entitySetting.encPrivateKey; the metadata is an empty stand-in.
  const entityMeta = {
    xmlString: '',
    getMetadata: () => '',
    exportMetadata: () => undefined,
    getEntityID: () => '',
    getX509Certificate: () => [],
    getNameIDFormat: () => [],
    getSingleLogoutService: () => '',
    getSupportBindings: () => [],
  };
  const here = { entitySetting: { encPrivateKey: privateKeyPem }, entityMeta };
  const print = console.error;
  let pending: Promise<[string, string]>;
  console.error = () => undefined;
  try {
    pending = SamlLib.decryptAssertion(here, xml);
  } catch {
    return undefined;
  } finally {
    console.error = print;
  }
  try {
    const [document, assertion] = await pending;
    return { document, assertion };
  } catch {
    return undefined;
  }
}

/* The signed assertion ------------------------------------------------------------------------ */

export interface SubjectConfirmationFacts {
  readonly method: string | undefined;
  /** Of its SubjectConfirmationData; undefined when there is none. */
  readonly recipient: string | undefined;
  readonly notOnOrAfter: string | undefined;
  readonly notBefore: string | undefined;
}

export interface AssertionFacts {
  readonly id: string | undefined;
  readonly issuers: readonly string[];
  readonly nameId: string | undefined;
  readonly nameIdFormat: string | undefined;
  readonly subjectConfirmations: readonly SubjectConfirmationFacts[];
  readonly conditions: { readonly notBefore: string | undefined; readonly notOnOrAfter: string | undefined } | undefined;
  /** Audience values of every AudienceRestriction (each restriction's list). */
  readonly audienceRestrictions: readonly (readonly string[])[];
  readonly sessionNotOnOrAfter: string | undefined;
  /** Attribute Name → its AttributeValue texts (Names are case-sensitive). */
  readonly attributes: ReadonlyMap<string, readonly string[]>;
}

/** The facts of a signed assertion (the XML `verifySignedAssertion` returned). */
export function readAssertion(xml: string): AssertionFacts {
  const a = parseXml(xml).documentElement;
  if (!a || a.namespaceURI !== NS.saml || a.localName !== 'Assertion') throw new Error('not a SAML assertion');
  const subject = children(a, NS.saml, 'Subject')[0];
  const nameId = subject && children(subject, NS.saml, 'NameID')[0];
  const conditions = children(a, NS.saml, 'Conditions')[0];
  const attributes = new Map<string, string[]>();
  for (const statement of children(a, NS.saml, 'AttributeStatement')) {
    for (const attribute of children(statement, NS.saml, 'Attribute')) {
      const name = attr(attribute, 'Name') ?? '';
      const values = children(attribute, NS.saml, 'AttributeValue').map(text);
      attributes.set(name, [...(attributes.get(name) ?? []), ...values]);
    }
  }
  const authn = children(a, NS.saml, 'AuthnStatement')[0];
  return {
    id: attr(a, 'ID'),
    issuers: children(a, NS.saml, 'Issuer').map(text),
    nameId: nameId && text(nameId),
    nameIdFormat: nameId && attr(nameId, 'Format'),
    subjectConfirmations: (subject ? children(subject, NS.saml, 'SubjectConfirmation') : []).map((sc) => {
      const data = children(sc, NS.saml, 'SubjectConfirmationData')[0];
      return {
        method: attr(sc, 'Method'),
        recipient: data && attr(data, 'Recipient'),
        notOnOrAfter: data && attr(data, 'NotOnOrAfter'),
        notBefore: data && attr(data, 'NotBefore'),
      };
    }),
    conditions: conditions && { notBefore: attr(conditions, 'NotBefore'), notOnOrAfter: attr(conditions, 'NotOnOrAfter') },
    audienceRestrictions: (conditions ? children(conditions, NS.saml, 'AudienceRestriction') : []).map((r) => children(r, NS.saml, 'Audience').map((x) => text(x).trim())),
    sessionNotOnOrAfter: authn && attr(authn, 'SessionNotOnOrAfter'),
    attributes,
  };
}
