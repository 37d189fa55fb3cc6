/**
 * The SAML 2.0 schema check (src/federation/saml/schema.ts): valid responses pass, elements where
 * the standard does not allow them are refused, and validation does not leak per call (the
 * issue's "a validator that does not leak per call"): libxml2's own diagnostics count no
 * undisposed document, and thousands of calls leave the WebAssembly heap where it was.
 */
import { diag } from 'libxml2-wasm';
import { describe, expect, it } from 'vitest';
import { checkSchema } from '../../../src/federation/saml/schema.js';
import { assertionXml, responseXml, signAssertion } from '../../helpers/saml-sign.js';

const valid = signAssertion(responseXml());

function code(fn: () => void): string {
  try {
    fn();
    return 'ok';
  } catch (err) {
    return `${(err as { code?: string }).code}: ${(err as Error).message}`;
  }
}

describe('checkSchema', () => {
  it('accepts a signed response as IdPs send it', () => {
    expect(code(() => checkSchema(valid))).toBe('ok');
  });

  it('refuses elements out of their order, unknown SAML elements, missing required attributes and non-XML', () => {
    const refused = 'InvalidIdentityToken: Invalid SAML response: the document does not follow the SAML 2.0 schema.';
    // Status before Issuer
    expect(code(() => checkSchema(valid.replace(/(<saml:Issuer>[^<]*<\/saml:Issuer>)(<samlp:Status>.*?<\/samlp:Status>)/, '$2$1')))).toBe(refused);
    // an element SAML does not define, in its namespace
    expect(code(() => checkSchema(valid.replace('<samlp:Status>', '<samlp:Wrapper/><samlp:Status>')))).toBe(refused);
    // an assertion inside Subject (one wrapping form)
    expect(code(() => checkSchema(responseXml(assertionXml().replace('<saml:SubjectConfirmation ', `${assertionXml({ id: '_evil' })}<saml:SubjectConfirmation `))))).toBe(refused);
    // a Response without its required ID
    expect(code(() => checkSchema(valid.replace(' ID="_r1"', '')))).toBe(refused);
    expect(code(() => checkSchema('<samlp:Response'))).toBe('InvalidIdentityToken: Invalid SAML response: the document is not well-formed XML.');
  });

  it('leaves no document behind, valid or not, and the heap does not grow with calls', () => {
    diag.configure({ enabled: true });
    try {
      const invalid = valid.replace('<samlp:Status>', '<samlp:Wrapper/><samlp:Status>');
      for (let i = 0; i < 200; i++) {
        checkSchema(valid);
        code(() => checkSchema(invalid));
        code(() => checkSchema('<samlp:Response'));
      }
      const live = JSON.stringify(diag.report() ?? {});
      expect(live).not.toContain('XmlDocument');
    } finally {
      diag.configure({ enabled: false });
    }
    for (let i = 0; i < 500; i++) checkSchema(valid);
    const before = process.memoryUsage().rss;
    for (let i = 0; i < 5000; i++) checkSchema(valid);
    // 5,000 leaked documents of this size would be tens of MB.
    expect(process.memoryUsage().rss - before).toBeLessThan(16 * 1024 * 1024);
  });
});
