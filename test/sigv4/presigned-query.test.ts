import { describe, expect, it } from 'vitest';
import { MAX_EXPIRES_SECONDS, parseExpires, parsePresignedQuery } from '../../src/sigv4/index.js';

const FULL =
  'Action=GetCallerIdentity&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20150830%2Fus-east-1%2Fsts%2Faws4_request' +
  '&X-Amz-Date=20150830T123600Z&X-Amz-Expires=900&X-Amz-SignedHeaders=host&X-Amz-Signature=abc';
const incomplete = expect.objectContaining({ code: 'IncompleteSignature' });

describe('parsePresignedQuery', () => {
  it('is undefined for a query that is not presigned', () => {
    expect(parsePresignedQuery('Action=GetCallerIdentity&X-Amz-Date=20150830T123600Z')).toBeUndefined();
    expect(parsePresignedQuery('')).toBeUndefined();
  });
  it('reads and decodes the parameters', () => {
    expect(parsePresignedQuery(`${FULL}&X-Amz-Security-Token=a%2Bb%3D`)).toEqual({
      credential: 'AKID/20150830/us-east-1/sts/aws4_request',
      amzDate: '20150830T123600Z',
      expires: 900,
      signedHeaders: 'host',
      signature: 'abc',
      securityToken: 'a+b=',
    });
  });
  it('lists the missing parameters', () => {
    expect(() => parsePresignedQuery(FULL.replace('&X-Amz-Signature=abc', ''))).toThrow(
      "AWS query-string parameters must include 'X-Amz-Signature'. Re-examine the query-string parameters.",
    );
  });
  it('rejects a repeated parameter', () => {
    expect(() => parsePresignedQuery(`${FULL}&X-Amz-Signature=def`)).toThrow(incomplete);
  });
  it('rejects another algorithm', () => {
    expect(() => parsePresignedQuery(FULL.replace('AWS4-HMAC-SHA256', 'AWS4-HMAC-SHA1'))).toThrow(incomplete);
  });
});

describe('parseExpires', () => {
  it('accepts 0 to seven days', () => {
    expect(parseExpires('0')).toBe(0);
    expect(parseExpires('604800')).toBe(MAX_EXPIRES_SECONDS);
  });
  it.each(['604801', '99999999', '-1', '1.5', '', 'abc', '1e3'])('rejects %j', (value) => {
    expect(() => parseExpires(value)).toThrow(incomplete);
  });
});
