import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { compilePattern, type CompiledPattern } from '../../src/protocol/index.js';
import { hasNestedQuantifier, NESTED_LIMIT, translatePattern } from '../../src/protocol/pattern.js';

function modelPatterns(): string[] {
  const out = new Set<string>();
  for (const file of ['sts', 'iam']) {
    const json: unknown = JSON.parse(readFileSync(new URL(`../../src/protocol/models/${file}.json`, import.meta.url), 'utf8'));
    const shapes = (json as { shapes: Record<string, { pattern?: string }> }).shapes;
    for (const s of Object.values(shapes)) if (s.pattern !== undefined) out.add(s.pattern);
  }
  return [...out];
}

describe('compilePattern', () => {
  test.each([
    ['[\\w+=,.@-]*', ['', 'a_b+c=d,e.f@g-h'], ['a:b', 'a b', 'é']],
    ['[\\w+=,.@\\:-]*', ['a:b'], ['a/b']],
    ['[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*', ['héllo wörld 42', 'a-b'], ['a(b)']],
    ['[\\u0009\\u000A\\u000D\\u0020-\\u007E\\u0085\\u00A0-\\uD7FF\\uE000-\\uFFFD\\u10000-\\u10FFFF]+', ['x', '😀', 'a\tb'], ['', '\u0000', '\u0001']],
    ['(\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)', ['/', '/a/b/'], ['/a', 'a/', '//x']],
    ['((/[A-Za-z0-9\\.,\\+@=_-]+)*)/', ['/', '/a/b/'], ['/a', '']],
    ['\\d{12}', ['123456789012'], ['12345678901', '1234567890123']],
    ['v[1-9][0-9]*(\\.[A-Za-z0-9-]*)?', ['v1', 'v12.abc', 'v1.'], ['v0', 'v1x']],
    ['^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$', ['my-alias'], ['my--alias', '-a']],
  ])('%s (whole-value match)', (source, good, bad) => {
    const p = compilePattern(source);
    for (const v of good) expect(p.test(v), v).toBe(true);
    for (const v of bad) expect(p.test(v), v).toBe(false);
  });

  test('translation: astral escapes and u-mode identity escapes', () => {
    expect(translatePattern('[\\uFFFD\\u10000-\\u10FFFF]')).toBe('[\\uFFFD\\u{10000}-\\u{10FFFF}]');
    expect(translatePattern('[\\w\\:-]')).toBe('[\\w:-]');
    expect(translatePattern('[a\\-b]')).toBe('[a\\-b]');
  });

  test('nested quantifiers are detected', () => {
    expect(hasNestedQuantifier('((/[A-Za-z]+)*)/')).toBe(true);
    expect(hasNestedQuantifier('(a+)+')).toBe(true);
    expect(hasNestedQuantifier('[\\w+=,.@-]*')).toBe(false);
    expect(hasNestedQuantifier('^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$')).toBe(false);
    expect(hasNestedQuantifier('v[1-9][0-9]*(\\.[A-Za-z0-9-]*)?')).toBe(false);
  });

  test('a pattern with nested quantifiers does not run on values past NESTED_LIMIT', () => {
    const p = compilePattern('(a+)+b');
    expect(p.test('aab')).toBe(true);
    const start = performance.now();
    expect(p.test('a'.repeat(NESTED_LIMIT + 1))).toBe(false);
    // Run, (a+)+b on 4,097 a's would not end this century: a second is a bound a loaded machine keeps.
    expect(performance.now() - start).toBeLessThan(1_000);
  });

  test('every model pattern compiles and answers hostile 100k-character values quickly', () => {
    const patterns = modelPatterns();
    expect(patterns.length).toBeGreaterThan(30);
    const hostile = ['a'.repeat(100_000), `${'/a'.repeat(50_000)}`, `${'a-'.repeat(50_000)}!`, `${'/'.repeat(100_000)}x`, `v1${'.'.repeat(100_000)}`, `${'1'.repeat(100_000)}x`];
    for (const source of patterns) {
      const p: CompiledPattern = compilePattern(source);
      const start = performance.now();
      for (const v of hostile) p.test(v);
      expect(performance.now() - start, source).toBeLessThan(500);
    }
  });
});
