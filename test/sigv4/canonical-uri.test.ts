import { describe, expect, it } from 'vitest';
import { canonicalUri } from '../../src/sigv4/index.js';

describe('canonicalUri', () => {
  it.each([
    ['', '/'],
    ['/', '/'],
    ['/example/..', '/'], // get-relative
    ['/example1/example2/../..', '/'], // get-relative-relative
    ['//', '/'], // get-slash
    ['/./', '/'], // get-slash-dot-slash
    ['/./example', '/example'], // get-slash-pointless-dot
    ['//example//', '/example/'], // get-slashes
    ['/a/b/', '/a/b/'],
    ['/..', '/'],
  ])('normalises %j to %j', (raw, expected) => {
    expect(canonicalUri(raw)).toBe(expected);
  });
  it('encodes the raw (already encoded) path once more, as non-S3 signers do', () => {
    expect(canonicalUri('/a%20b')).toBe('/a%2520b');
    expect(canonicalUri('/a%2Fb')).toBe('/a%252Fb');
  });
  it('encodes sub-delimiters that may appear raw in a path', () => {
    expect(canonicalUri("/d!(x)*'$")).toBe('/d%21%28x%29%2A%27%24');
  });
  it('does not treat encoded dots as dot segments', () => {
    expect(canonicalUri('/a/%2E%2E')).toBe('/a/%252E%252E');
  });
});
