import { describe, expect, test } from 'vitest';
import { AwsError } from '../../src/errors.js';
import { renderError, renderResult } from '../../src/protocol/index.js';
import { escapeXml } from '../../src/protocol/xml.js';
import { iam, sts } from './helpers.js';

const STS_NS = 'https://sts.amazonaws.com/doc/2011-06-15/';

describe('renderResult', () => {
  test('members in shape order whatever the result object order; absent members omitted', () => {
    const { status, contentType, body } = renderResult(sts('GetCallerIdentity'), STS_NS, { arn: 'A', account: undefined, userId: 'U' }, 'req-1');
    expect([status, contentType]).toEqual([200, 'text/xml']);
    expect(body).toBe(`<GetCallerIdentityResponse xmlns="${STS_NS}"><GetCallerIdentityResult><UserId>U</UserId><Arn>A</Arn>`
      + '</GetCallerIdentityResult><ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></GetCallerIdentityResponse>');
  });

  test('an operation without output: only ResponseMetadata', () => {
    expect(renderResult(iam('DeleteUser'), 'ns', undefined, 'r').body).toBe(
      '<DeleteUserResponse xmlns="ns"><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></DeleteUserResponse>');
  });

  test.each([
    [{ userId: 1 }, 'GetCallerIdentityResponse.userId is not a string'],
    ['nope', 'is not an object'],
  ])('a result that does not fit the shape is our bug: a plain Error (→ InternalFailure)', (result, message) => {
    let thrown: unknown;
    try {
      renderResult(sts('GetCallerIdentity'), STS_NS, result, 'r');
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(Error);
    expect(thrown).not.toBeInstanceOf(AwsError);
    expect((thrown as Error).message).toContain(message);
  });

  test('types are checked: integers, booleans, dates', () => {
    expect(() => renderResult(iam('ListUsers'), 'ns', { users: [], isTruncated: 'yes' }, 'r')).toThrow('a boolean');
    expect(() => renderResult(sts('AssumeRole'), 'ns', { packedPolicySize: 1.5 }, 'r')).toThrow('an integer');
    expect(() => renderResult(sts('AssumeRole'), 'ns', {
      credentials: { accessKeyId: 'a', secretAccessKey: 'b', sessionToken: 'c', expiration: new Date(NaN) },
    }, 'r')).toThrow('a valid Date');
  });
});

describe('renderError', () => {
  test('AWS error document with Type, Code, Message, RequestId and the status from the table', () => {
    const r = renderError(new AwsError('AccessDenied', 'User: a is not authorized to perform: iam:CreateUser on resource: <b>'), 'r-1', 'urn:x');
    expect(r.status).toBe(403);
    expect(r.body).toBe('<ErrorResponse xmlns="urn:x"><Error><Type>Sender</Type><Code>AccessDenied</Code>'
      + '<Message>User: a is not authorized to perform: iam:CreateUser on resource: &lt;b&gt;</Message></Error>'
      + '<RequestId>r-1</RequestId></ErrorResponse>');
  });

  test('Receiver faults, and no namespace when no service was identified', () => {
    const r = renderError(new AwsError('ServiceUnavailable'), 'r');
    expect(r.status).toBe(503);
    expect(r.body).toContain('<ErrorResponse><Error><Type>Receiver</Type><Code>ServiceUnavailable</Code>');
  });
});

describe('escapeXml', () => {
  test('markup characters, CR, and characters XML 1.0 cannot carry', () => {
    expect(escapeXml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;');
    expect(escapeXml('a\r\nb\tc')).toBe('a&#13;\nb\tc');
    expect(escapeXml('\u0000\u001F\uFFFE\uD800x\uDC00')).toBe('\uFFFD\uFFFD\uFFFD\uFFFDx\uFFFD');
    expect(escapeXml('😀 é')).toBe('😀 é');
  });
  test('the shortcut for text with nothing to escape changes no answer (20,000 generated strings)', () => {
    // The reference: the full replacement, applied to every string.
    const SPECIAL = /[&<>"'\r]|[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/gu;
    const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;', '\r': '&#13;' };
    const reference = (text: string) => text.replace(SPECIAL, (c) => ENTITIES[c] ?? '\uFFFD');
    const alphabet = ['a', 'Z', '0', ':', '/', ' ', '\t', '\n', '\r', '&', '<', '>', '"', "'", '\u0000', '\u0008', '\u000B', '\u001F', '\u007F', 'é', '\uD83D', '\uDE00', '\uFFFD', '\uFFFE', '\uFFFF'];
    let seed = 11;
    const next = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    for (let i = 0; i < 20_000; i++) {
      let text = '';
      for (let n = next(12); n > 0; n--) text += alphabet[next(alphabet.length)];
      expect(escapeXml(text), JSON.stringify(text)).toBe(reference(text));
    }
  });
});
