import { getSigningKey } from '@smithy/signature-v4';
import { Sha256 } from '@aws-crypto/sha256-js';
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalRequest, computeSignature, constantTimeEqual, constantTimeEqualHex, deriveSigningKey, hashedPayload, stringToSign, verifySignature, type ParsedSignedRequest } from '../../src/sigv4/index.js';

const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('hashedPayload', () => {
  it('is the SHA-256 of the body', () => {
    expect(hashedPayload(new Uint8Array(0))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(hashedPayload(new TextEncoder().encode('Param1=value1'))).toBe('9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e');
  });
});

describe('canonicalRequest and stringToSign', () => {
  it('join the parts as the suite does (get-vanilla)', () => {
    const creq = canonicalRequest({
      method: 'GET',
      canonicalUri: '/',
      canonicalQuery: '',
      canonicalHeaders: 'host:example.amazonaws.com\nx-amz-date:20150830T123600Z\n',
      signedHeaders: ['host', 'x-amz-date'],
      hashedPayload: hashedPayload(new Uint8Array(0)),
    });
    expect(creq).toBe(
      'GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
    const sts = stringToSign('20150830T123600Z', '20150830/us-east-1/service/aws4_request', creq);
    expect(sts).toBe('AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\nbb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63');
    expect(computeSignature(deriveSigningKey(SECRET, '20150830', 'us-east-1', 'service'), sts)).toBe(
      '5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31',
    );
  });
});

describe('computeSignature', () => {
  it('equals createHmac for keys and messages of every size, the same key used again and again', () => {
    let seed = 5;
    const next = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    const keys = [new Uint8Array(0), new Uint8Array(32).fill(7), Uint8Array.from({ length: 64 }, (_, i) => i), Uint8Array.from({ length: 65 }, (_, i) => 255 - i)];
    for (let i = 0; i < 500; i++) {
      const key = keys[next(keys.length)] ?? new Uint8Array(32);
      // Lengths up to past the pad buffer's first size (256 bytes), with multi-byte characters.
      const message = Array.from({ length: next(400) }, () => 'aZ9\né€😀'.charAt(next(7))).join('');
      expect(computeSignature(key, message)).toBe(createHmac('sha256', key).update(message, 'utf8').digest('hex'));
    }
  });
  it('equals createHmac when a multi-byte character straddles the end of the room kept for messages', () => {
    // A fresh key per message, so each one meets the first room (256 bytes after the 64-byte block).
    for (let filler = 250; filler <= 258; filler++) {
      for (const tail of ['€', '😀', 'é', 'a€😀']) {
        const key = Uint8Array.from({ length: 32 }, (_, i) => (i * 7 + filler + tail.length) & 0xff);
        const message = 'a'.repeat(filler) + tail;
        expect(computeSignature(key, message), `${filler}+${tail}`).toBe(createHmac('sha256', key).update(message, 'utf8').digest('hex'));
        expect(computeSignature(key, message), `${filler}+${tail}, again`).toBe(createHmac('sha256', key).update(message, 'utf8').digest('hex'));
      }
    }
  });
});

describe('deriveSigningKey', () => {
  it("matches AWS's documented example (20150830/us-east-1/iam)", () => {
    expect(hex(deriveSigningKey(SECRET, '20150830', 'us-east-1', 'iam'))).toBe('c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9');
  });
  it('matches the SDK derivation', async () => {
    for (const [date, region, service] of [['20120215', 'us-east-1', 'iam'], ['20991231', 'eu-west-3', 'sts']] as const) {
      const theirs = await getSigningKey(Sha256, { accessKeyId: 'AKID', secretAccessKey: SECRET }, date, region, service);
      expect(hex(deriveSigningKey(SECRET, date, region, service))).toBe(hex(theirs));
    }
  });
});

describe('constantTimeEqual', () => {
  it('is equality', () => {
    expect(constantTimeEqual('abc', 'abc')).toBe(true);
    expect(constantTimeEqual('abc', 'abd')).toBe(false);
    expect(constantTimeEqual('abc', 'ab')).toBe(false);
    expect(constantTimeEqual('', '')).toBe(true);
    expect(constantTimeEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 2))).toBe(true);
  });
  it('does not accept a signature that differs only in case', () => {
    expect(constantTimeEqual('5fa00fa3', '5FA00FA3')).toBe(false);
  });
});

describe('constantTimeEqualHex', () => {
  it('is equality for lowercase hex of the same length, and false for any other shape', () => {
    expect(constantTimeEqualHex('5fa00fa3', '5fa00fa3')).toBe(true);
    expect(constantTimeEqualHex('5fa00fa3', '5fa00fa4')).toBe(false);
    expect(constantTimeEqualHex('5fa00fa3', '5FA00FA3')).toBe(false);
    expect(constantTimeEqualHex('5fa00fa3', '5fa00fa')).toBe(false);
    expect(constantTimeEqualHex('5fa00fa3', '5f\u0161\u0130\u0130fa3')).toBe(false);
    expect(constantTimeEqualHex('', '')).toBe(true);
  });
  it('compares one use after another without leftovers', () => {
    const a = 'a'.repeat(64);
    expect(constantTimeEqualHex(a, a)).toBe(true);
    // 64 digits (every SigV4 signature) go through views made once: a last digit apart still tells.
    expect(constantTimeEqualHex(a, `${'a'.repeat(63)}b`)).toBe(false);
    expect(constantTimeEqualHex(`${'a'.repeat(63)}b`, a)).toBe(false);
    expect(constantTimeEqualHex(a, a)).toBe(true);
    expect(constantTimeEqualHex('ab', 'ab')).toBe(true);
    expect(constantTimeEqualHex('ab', 'ac')).toBe(false);
  });
});

describe('verifySignature', () => {
  const secret = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
  const parsed = (signature: string): ParsedSignedRequest => ({
    accessKeyId: 'AKIDEXAMPLE',
    region: 'us-east-1',
    service: 'iam',
    securityToken: undefined,
    signedHeaders: ['host', 'x-amz-date'],
    presigned: false,
    requestTime: 0,
    scopeDate: '20150830',
    stringToSign: 'AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/iam/aws4_request\nf536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59',
    signature,
  });
  const right = computeSignature(deriveSigningKey(secret, '20150830', 'us-east-1', 'iam'), parsed('').stringToSign);

  it('accepts the signature the secret gives, and no other', () => {
    expect(verifySignature(parsed(right), secret)).toBe(true);
    expect(verifySignature(parsed(right.replace(/.$/, (c) => (c === '0' ? '1' : '0'))), secret)).toBe(false);
    expect(verifySignature(parsed(right), `${secret}x`)).toBe(false);
  });

  it('refuses the right digits in another shape: upper case, too short or long, or characters that only look alike in one byte', () => {
    expect(verifySignature(parsed(right.toUpperCase()), secret)).toBe(right === right.toUpperCase());
    expect(verifySignature(parsed(right.slice(0, 63)), secret)).toBe(false);
    expect(verifySignature(parsed(`${right}0`), secret)).toBe(false);
    // U+0161 written as latin1 is 0x61 ('a'): the shape check, not the byte compare, refuses it.
    const i = right.indexOf('a');
    expect(i).toBeGreaterThanOrEqual(0);
    expect(verifySignature(parsed(`${right.slice(0, i)}\u0161${right.slice(i + 1)}`), secret)).toBe(false);
  });
});
