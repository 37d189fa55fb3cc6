/**
 * botocore `pattern` constraints are Java regular expressions that must match the whole value
 * (`Matcher.matches()`). They are translated once into anchored JavaScript `u` regexes.
 *
 * Translation: `\uXXXXX` with five or six hex digits (`\u10000-\u10FFFF`, which means "astral
 * planes" in the models) becomes `\u{…}`; an escaped punctuation character that `u` mode refuses
 * (`\:`) loses its backslash. `\w`, `\d`, `\p{L}` mean the same in both engines.
 *
 * Guard against catastrophic backtracking: a pattern with nested quantifiers (a quantified group
 * that itself holds a quantifier, star height > 1) only runs on values up to `NESTED_LIMIT`
 * characters; a longer value is reported as not matching (its length constraint fails anyway:
 * every such pattern in the models has max ≤ 512). Every model pattern is also exercised against
 * hostile inputs in test/protocol/pattern.test.ts.
 */

export interface CompiledPattern {
  /** The pattern as the model writes it (and as AWS quotes it in messages). */
  readonly source: string;
  test(value: string): boolean;
}

export const NESTED_LIMIT = 4096;

const SYNTAX = new Set('^$\\.*+?()[]{}|/'.split(''));

/** Translate a Java pattern to a JavaScript `u`-mode pattern body. */
export function translatePattern(java: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < java.length; i++) {
    const c = java[i] ?? '';
    if (c !== '\\') {
      if (c === '[' && !inClass) inClass = true;
      else if (c === ']' && inClass) inClass = false;
      out += c;
      continue;
    }
    const next = java[i + 1] ?? '';
    if (next === 'u') {
      const hex = /^[0-9A-Fa-f]{4,6}/.exec(java.slice(i + 2, i + 8))?.[0] ?? '';
      if (hex.length > 4 && Number.parseInt(hex, 16) <= 0x10ffff) {
        out += `\\u{${hex}}`;
        i += 1 + hex.length;
        continue;
      }
    }
    if (/[A-Za-z0-9]/.test(next) || SYNTAX.has(next) || (next === '-' && inClass)) {
      out += c + next;
    } else {
      out += next; // identity escape of a punctuation character: the character itself
    }
    i++;
  }
  return out;
}

/** Star height > 1: a group that holds a quantifier and is itself repeated, e.g. `(a+)*`. */
export function hasNestedQuantifier(source: string): boolean {
  const groups: boolean[] = []; // per open group: does it hold a quantifier?
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') {
      i++;
    } else if (c === '[') {
      while (i + 1 < source.length && source[i + 1] !== ']') i += source[i + 1] === '\\' ? 2 : 1;
      i++;
    } else if (c === '(') {
      groups.push(false);
    } else if (c === ')') {
      const inner = groups.pop() ?? false;
      const q = source[i + 1];
      if (inner && (q === '*' || q === '+' || q === '{')) return true;
      if (inner && groups.length > 0) groups[groups.length - 1] = true;
    } else if ((c === '*' || c === '+' || c === '{' || (c === '?' && source[i - 1] !== '(')) && groups.length > 0) {
      groups[groups.length - 1] = true;
    }
  }
  return false;
}

export function compilePattern(java: string): CompiledPattern {
  const re = new RegExp(`^(?:${translatePattern(java)})$`, 'u');
  const limit = hasNestedQuantifier(java) ? NESTED_LIMIT : Infinity;
  return {
    source: java,
    test: (value) => value.length <= limit && re.test(value),
  };
}
