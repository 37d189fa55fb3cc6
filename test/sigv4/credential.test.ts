import { describe, expect, it } from 'vitest';
import { checkCredentialScope, credentialScope, parseCredential } from '../../src/sigv4/index.js';

const incomplete = expect.objectContaining({ code: 'IncompleteSignature' });

describe('parseCredential', () => {
  it('reads the five parts', () => {
    const c = parseCredential('AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request');
    expect(c).toEqual({ accessKeyId: 'AKIDEXAMPLE', date: '20150830', region: 'us-east-1', service: 'iam' });
    expect(credentialScope(c)).toBe('20150830/us-east-1/iam/aws4_request');
  });
  it.each(['AKID/20150830/us-east-1/iam', 'AKID/20150830/us-east-1/iam/aws4_request/x', '/20150830/us-east-1/iam/aws4_request', 'AKID'])(
    'rejects the wrong number of parts: %j',
    (value) => {
      expect(() => parseCredential(value)).toThrow(incomplete);
    },
  );
  it('gives the same frozen result for the same text, and fails again for text that failed', () => {
    const text = 'AKIDEXAMPLE/20150831/us-east-1/sts/aws4_request';
    const first = parseCredential(text);
    expect(parseCredential(`${text}`)).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    expect(first).toEqual({ accessKeyId: 'AKIDEXAMPLE', date: '20150831', region: 'us-east-1', service: 'sts' });
    expect(() => parseCredential('AKID/20150831/us-east-1/sts/aws5_request')).toThrow(incomplete);
    expect(() => parseCredential('AKID/20150831/us-east-1/sts/aws5_request')).toThrow(incomplete);
  });
  it('rejects a bad date and a bad terminator', () => {
    expect(() => parseCredential('AKID/2015-08-30/us-east-1/iam/aws4_request')).toThrow(incomplete);
    expect(() => parseCredential('AKID/20150830/us-east-1/iam/aws5_request')).toThrow(
      "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'.",
    );
  });
});

describe('checkCredentialScope', () => {
  const c = parseCredential('AKID/20150830/eu-west-1/sts/aws4_request');
  it('accepts the right day, service and any region', () => {
    expect(() => checkCredentialScope(c, '20150830T235959Z', { services: ['sts', 'iam'] })).not.toThrow();
  });
  it('rejects another day than X-Amz-Date', () => {
    expect(() => checkCredentialScope(c, '20150831T000000Z', { services: ['sts'] })).toThrow(
      "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20150830' != '20150831', from '20150831T000000Z'.",
    );
  });
  it('rejects a service not allowed', () => {
    expect(() => checkCredentialScope(c, '20150830T000000Z', { services: ['iam'] })).toThrow(
      expect.objectContaining({ code: 'SignatureDoesNotMatch', message: "Credential should be scoped to correct service: 'iam'." }),
    );
  });
  it('rejects a region not allowed', () => {
    expect(() => checkCredentialScope(c, '20150830T000000Z', { services: ['sts'], regions: ['us-east-1'] })).toThrow(
      expect.objectContaining({ code: 'SignatureDoesNotMatch', message: "Credential should be scoped to a valid region, not 'eu-west-1'." }),
    );
  });
});
