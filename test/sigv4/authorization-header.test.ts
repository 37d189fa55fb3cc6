import { describe, expect, it } from 'vitest';
import { parseAuthorizationHeader } from '../../src/sigv4/index.js';

const CRED = 'Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request';
const incomplete = (message?: string) => expect.objectContaining({ code: 'IncompleteSignature', ...(message === undefined ? {} : { message }) });

describe('parseAuthorizationHeader', () => {
  it('reads the three parameters, with or without spaces after commas', () => {
    const expected = { credential: 'AKIDEXAMPLE/20150830/us-east-1/service/aws4_request', signedHeaders: 'host;x-amz-date', signature: 'abc' };
    expect(parseAuthorizationHeader(`AWS4-HMAC-SHA256 ${CRED}, SignedHeaders=host;x-amz-date, Signature=abc`)).toEqual(expected);
    expect(parseAuthorizationHeader(`AWS4-HMAC-SHA256 ${CRED},SignedHeaders=host;x-amz-date,Signature=abc`)).toEqual(expected);
  });
  it('ignores unknown parameters', () => {
    expect(parseAuthorizationHeader(`AWS4-HMAC-SHA256 ${CRED}, Foo=bar, SignedHeaders=host, Signature=abc`).signature).toBe('abc');
  });
  it("says which parameter is missing, in AWS's words", () => {
    expect(() => parseAuthorizationHeader(`AWS4-HMAC-SHA256 ${CRED}, SignedHeaders=host`)).toThrow(incomplete("Authorization header requires 'Signature' parameter."));
    expect(() => parseAuthorizationHeader('AWS4-HMAC-SHA256')).toThrow(
      incomplete("Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter."),
    );
  });
  it('treats an empty signature as missing', () => {
    expect(() => parseAuthorizationHeader(`AWS4-HMAC-SHA256 ${CRED}, SignedHeaders=host, Signature=`)).toThrow(incomplete("Authorization header requires 'Signature' parameter."));
  });
  it('rejects a duplicated parameter', () => {
    expect(() => parseAuthorizationHeader(`AWS4-HMAC-SHA256 ${CRED}, SignedHeaders=host, Signature=a, Signature=b`)).toThrow(incomplete("Authorization header has a duplicate 'Signature' parameter."));
  });
  it('rejects a part without =, without echoing the header', () => {
    expect(() => parseAuthorizationHeader(`AWS4-HMAC-SHA256 ${CRED}, SignedHeaders=host, Signature=a, secretgarbage`)).toThrow(
      expect.objectContaining({ code: 'IncompleteSignature', message: expect.not.stringContaining('secretgarbage') }),
    );
  });
  it.each(['Bearer eyJhbGciOi.x.y', 'Basic dXNlcjpwYXNz', 'AWS AKID:c2ln', 'AWS4-HMAC-SHA512 Credential=a', 'garbage', '   '])(
    'rejects other schemes and garbage: %j',
    (value) => {
      expect(() => parseAuthorizationHeader(value)).toThrow(incomplete());
    },
  );
});
