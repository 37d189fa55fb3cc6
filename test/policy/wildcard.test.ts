/**
 * The wildcard matchers against an independent oracle (a regular expression, safe on these
 * tiny inputs) over many generated patterns and inputs, with a fixed seed.
 */
import { describe, expect, it } from 'vitest';
import { compileTemplate } from '../../src/policy/template.js';
import { ANY, ONE, SEG, compileWildcard, matchWildcard } from '../../src/policy/wildcard.js';

function oracle(pattern: string): RegExp {
  let src = '^';
  for (const c of pattern) {
    if (c === ANY) src += '[\\s\\S]*';
    else if (c === SEG) src += '[^:]*';
    else if (c === ONE) src += '[\\s\\S]';
    else src += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(src + '$');
}

/** Deterministic xorshift, so a failure reproduces. */
function rng(seed: number): () => number {
  let x = seed;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x1_0000_0000;
  };
}

describe('wildcard matching', () => {
  it('agrees with a regex oracle on 20,000 generated cases', () => {
    const rand = rng(42);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
    for (let i = 0; i < 20_000; i++) {
      const pattern = Array.from({ length: Math.floor(rand() * 8) }, () => pick(['a', 'b', ':', '/', ANY, SEG, ONE])).join('');
      const input = Array.from({ length: Math.floor(rand() * 10) }, () => pick(['a', 'b', ':', '/'])).join('');
      const want = oracle(pattern).test(input);
      expect(compileWildcard(pattern)(input), `${JSON.stringify(pattern)} ~ ${JSON.stringify(input)}`).toBe(want);
      expect(matchWildcard(pattern, input), `${JSON.stringify(pattern)} ~ ${JSON.stringify(input)}`).toBe(want);
    }
  });

  it('reads a star at the end of a colon segment as spanning colons, others as staying inside', () => {
    const arn = (text: string) => compileTemplate(text, false, 'arn').constant ?? '';
    expect(arn('arn:aws:logs:*')).toBe(`arn:aws:logs:${ANY}`);
    expect(arn('arn:aws:iam::*:role/a*b')).toBe(`arn:aws:iam::${ANY}:role/a${SEG}b`);
    expect(arn('arn:aws:s3:::bucket/*')).toBe(`arn:aws:s3:::bucket/${ANY}`);
    expect(compileTemplate('a*?', false, 'plain').constant).toBe(`a${ANY}${ONE}`);
  });

  it('keeps escapes and substituted values literal', () => {
    const t = compileTemplate('arn:aws:s3:::b/${*}/${aws:username}/*', true, 'arn');
    expect(t.parts).toEqual(['arn:aws:s3:::b/*/', { key: 'aws:username', lowerKey: 'aws:username', fallback: undefined }, `/${ANY}`]);
    expect(compileTemplate('${aws:x, \'none\'}', true, 'none').parts).toEqual([{ key: 'aws:x', lowerKey: 'aws:x', fallback: 'none' }]);
    expect(compileTemplate('${aws:username}', false, 'none').constant).toBe('${aws:username}');
  });
});
