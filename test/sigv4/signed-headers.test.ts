import { describe, expect, it } from 'vitest';
import { parseSignedHeaders, requireSignedHeaders } from '../../src/sigv4/index.js';

describe('parseSignedHeaders', () => {
  it('splits on ;', () => {
    expect(parseSignedHeaders('content-type;host;x-amz-date')).toEqual(['content-type', 'host', 'x-amz-date']);
  });
  it.each(['', 'host;', ';host', 'Host;x-amz-date', 'host;host', 'ho st', 'host,x-amz-date'])('rejects %j', (value) => {
    expect(() => parseSignedHeaders(value)).toThrow(expect.objectContaining({ code: 'IncompleteSignature' }));
  });
});

describe('requireSignedHeaders', () => {
  it('passes when all are signed', () => {
    expect(() => requireSignedHeaders(['host', 'x-amz-date'], ['host', 'x-amz-date'])).not.toThrow();
  });
  it('names host as AWS does', () => {
    expect(() => requireSignedHeaders(['x-amz-date'], ['host'])).toThrow("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
  });
  it('names X-Amz-Date', () => {
    expect(() => requireSignedHeaders(['host'], ['host', 'x-amz-date'])).toThrow(expect.objectContaining({ code: 'IncompleteSignature', message: expect.stringContaining("'X-Amz-Date'") }));
  });
});
