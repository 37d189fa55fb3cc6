/**
 * Schema validation of a received SAML Response against the SAML 2.0 protocol schema (and the
 * assertion, XML-DSig and XML-Encryption schemas it imports), before anything else reads it:
 * python3-saml's strict-mode check, which refuses documents whose elements are where the
 * standard does not allow them (many signature-wrapping forms), unknown elements in SAML's
 * namespaces, and missing required attributes.
 *
 * The validator is libxml2 (libxml2-wasm, the one importer of it in src/): the schemas are parsed
 * once, at first use, into one validator that every call shares, and each call's document is
 * disposed of as soon as it has been validated, so nothing grows per call (a test runs thousands
 * of validations and watches the WebAssembly memory). The schemas, OASIS's and the W3C's as
 * published, are in xsd/ and read from there alone: no import reaches the network or the disk
 * beyond those four files. DTDs are refused before this runs (no-dtd.ts), and the parse loads no
 * external entity.
 *
 * Refusing is all this does: what the document says is read by xmldom from the signed bytes
 * (samlify.ts), so a difference between the two parsers can only ever refuse more.
 */
import { readFileSync } from 'node:fs';
import { XmlDocument, xmlRegisterInputProvider, XsdValidator } from 'libxml2-wasm';
import { AwsError } from '../../errors.js';

const SCHEMA_FILES = ['saml-schema-protocol-2.0.xsd', 'saml-schema-assertion-2.0.xsd', 'xmldsig-core-schema.xsd', 'xenc-schema.xsd'] as const;
/** A base URL no real location has: schema imports resolve against it, to the files above only. */
const SCHEMA_BASE = 'latchkey-xsd:/';

let validator: XsdValidator | undefined;

function schemaValidator(): XsdValidator {
  if (validator) return validator;
  // The same depth under src/ and dist/, so the folder is found from either.
  const dir = new URL('../../../xsd/', import.meta.url);
  const files = new Map<string, Uint8Array>(SCHEMA_FILES.map((f) => [`${SCHEMA_BASE}${f}`, readFileSync(new URL(f, dir))]));
  const open = new Map<number, { readonly bytes: Uint8Array; at: number }>();
  let nextFd = 1;
  xmlRegisterInputProvider({
    match: (name) => files.has(name),
    open: (name) => {
      const bytes = files.get(name);
      if (!bytes) return undefined;
      const fd = nextFd++;
      open.set(fd, { bytes, at: 0 });
      return fd;
    },
    read: (fd, buffer) => {
      const file = open.get(fd);
      if (!file) return -1;
      const n = Math.min(buffer.length, file.bytes.length - file.at);
      buffer.set(file.bytes.subarray(file.at, file.at + n));
      file.at += n;
      return n;
    },
    close: (fd) => open.delete(fd),
  });
  const main = files.get(`${SCHEMA_BASE}${SCHEMA_FILES[0]}`);
  if (!main) throw new Error('the SAML protocol schema is missing');
  const schema = XmlDocument.fromBuffer(main, { url: `${SCHEMA_BASE}${SCHEMA_FILES[0]}` });
  try {
    validator = XsdValidator.fromDoc(schema);
  } finally {
    schema.dispose();
  }
  return validator;
}

/** Refuses a document that is not a schema-valid SAML 2.0 protocol message. */
export function checkSchema(xml: string): void {
  const valid = schemaValidator();
  let doc: XmlDocument;
  try {
    doc = XmlDocument.fromString(xml);
  } catch {
    throw new AwsError('InvalidIdentityToken', 'Invalid SAML response: the document is not well-formed XML.');
  }
  try {
    valid.validate(doc);
  } catch {
    throw new AwsError('InvalidIdentityToken', 'Invalid SAML response: the document does not follow the SAML 2.0 schema.');
  } finally {
    doc.dispose();
  }
}
