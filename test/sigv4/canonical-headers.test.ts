import { getCanonicalHeaders } from '@smithy/signature-v4';
import { describe, expect, it } from 'vitest';
import { canonicalHeaders, canonicalHeaderValue, rawHeaderMap } from '../../src/sigv4/index.js';
import { Rng } from './helpers/rng.js';

describe('canonicalHeaderValue', () => {
  it('trims and collapses runs of spaces and tabs (get-header-value-trim)', () => {
    expect(canonicalHeaderValue('  "a   b \t  c"  ')).toBe('"a b c"');
  });
  it('answers like the full replacement on 20,000 generated values (the shortcut for values with nothing to trim)', () => {
    const full = (v: string) => v.replace(/[\r\n]/g, ' ').replace(/[ \t]+/g, ' ').replace(/^ | $/g, '');
    const rng = new Rng(3);
    const chars = [' ', ' ', '\t', '\r', '\n', 'a', 'b', ',', '\u00a0'];
    for (let i = 0; i < 20_000; i++) {
      const v = rng.string(chars, 0, 8);
      expect(canonicalHeaderValue(v), JSON.stringify(v)).toBe(full(v));
    }
  });
});

describe('canonicalHeaders', () => {
  it('writes name:value lines in SignedHeaders order, names lowercased', () => {
    expect(canonicalHeaders({ Host: 'example.com', 'X-Amz-Date': '20150830T123600Z' }, ['host', 'x-amz-date'])).toBe(
      'host:example.com\nx-amz-date:20150830T123600Z\n',
    );
  });
  it("joins a repeated header's values with ',' in order (get-header-key-duplicate)", () => {
    expect(canonicalHeaders({ 'my-header1': ['value2', ' value2 ', 'value1'] }, ['my-header1'])).toBe('my-header1:value2,value2,value1\n');
  });
  it('collects one header given under two spellings', () => {
    expect(canonicalHeaders({ 'X-A': '1', 'x-a': '2' }, ['x-a'])).toBe('x-a:1,2\n');
  });
  it('signs an absent header as empty', () => {
    expect(canonicalHeaders({}, ['x-missing'])).toBe('x-missing:\n');
  });
  it('ignores headers that are not signed', () => {
    expect(canonicalHeaders({ host: 'h', 'user-agent': 'x' }, ['host'])).toBe('host:h\n');
  });
  it('agrees with the SDK signer on 300 generated header sets', () => {
    const rng = new Rng(7);
    const chars = 'abcXYZ09 \t",;=/:'.split('');
    for (let i = 0; i < 300; i++) {
      const headers: Record<string, string> = {};
      for (let n = rng.int(1, 5); n > 0; n--) headers[`X-H${rng.int(0, 99)}`] = rng.string(chars, 0, 20);
      const theirs = getCanonicalHeaders({ method: 'GET', protocol: 'https:', hostname: 'h', path: '/', query: {}, headers });
      const names = Object.keys(theirs).sort();
      expect(canonicalHeaders(headers, names)).toBe(names.map((n) => `${n}:${theirs[n] ?? ''}\n`).join(''));
    }
  });
});

describe('rawHeaderMap', () => {
  it("keeps node's rawHeaders as sent: names lowercased, repeated headers kept apart and in order", () => {
    const map = rawHeaderMap(['Host', 'h', 'X-Amz-Date', '20261122T100000Z', 'My-Header', ' a ', 'my-header', 'b', 'MY-HEADER', 'c, d']);
    expect(Object.fromEntries(map)).toEqual({ host: ['h'], 'x-amz-date': ['20261122T100000Z'], 'my-header': [' a ', 'b', 'c, d'] });
    expect(canonicalHeaders(map, ['host', 'my-header'])).toBe('host:h\nmy-header:a,b,c, d\n');
  });
  it('gives the same canonical headers as the headers it came from', () => {
    const headers = { Host: 'example.com', 'X-Amz-Date': '20150830T123600Z', 'Content-Type': ' text/plain ' };
    const raw = Object.entries(headers).flat();
    const names = ['content-type', 'host', 'x-amz-date'];
    expect(canonicalHeaders(rawHeaderMap(raw), names)).toBe(canonicalHeaders(headers, names));
  });
  it('takes names like __proto__ and constructor as plain names, with no prototype for them to reach', () => {
    const map = rawHeaderMap(['__proto__', 'x', 'constructor', 'y']);
    expect([...map.keys()]).toEqual(['__proto__', 'constructor']);
    expect(map.get('__proto__')).toEqual(['x']);
    expect(Object.getPrototypeOf(map)).toBe(Map.prototype);
    expect(canonicalHeaders(map, ['__proto__', 'constructor', 'tostring'])).toBe('__proto__:x\nconstructor:y\ntostring:\n');
  });
});
