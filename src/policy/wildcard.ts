/**
 * Wildcard matching for actions, resources and `…Like` conditions, in bounded time.
 *
 * Patterns are kept as strings in which the wildcards are private-use sentinels, so that a
 * literal `*` (written `${*}`, or substituted from a variable) can never act as a wildcard:
 * policy text is limited to U+0000..U+00FF, so no sentinel can come from the document itself.
 *
 * - `ANY` (`*`) matches any run of characters, colons included.
 * - `SEG` (`*` inside an ARN segment) matches any run without a colon (IAM User Guide,
 *   "Resource": only a `*` that ends a colon-delimited segment expands across colons).
 * - `ONE` (`?`) matches exactly one character.
 *
 * No regular expressions: the worst case is O(pattern × input) with no backtracking blow-up.
 */
export const ANY = '\uE000';
export const SEG = '\uE001';
export const ONE = '\uE002';

const ANY_CODE = 0xe000;
const SEG_CODE = 0xe001;
const ONE_CODE = 0xe002;
const COLON = 0x3a;

export type Matcher = (input: string) => boolean;

/** True if `s` holds a wildcard sentinel (then it must not be substituted into a pattern). */
export function hasSentinel(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= ANY_CODE && c <= ONE_CODE) return true;
  }
  return false;
}

/** Compile a sentinel pattern into the cheapest matcher that is exact for it. */
export function compileWildcard(pattern: string): Matcher {
  if (pattern === ANY) return () => true;
  let stars = 0;
  let ones = 0;
  let segs = 0;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern.charCodeAt(i);
    if (c === ANY_CODE) stars++;
    else if (c === SEG_CODE) segs++;
    else if (c === ONE_CODE) ones++;
  }
  if (stars + segs + ones === 0) return (s) => s === pattern;
  if (segs === 0 && ones === 0 && stars === 1 && pattern.charCodeAt(pattern.length - 1) === ANY_CODE) {
    const prefix = pattern.slice(0, -1);
    return (s) => s.startsWith(prefix);
  }
  if (segs === 0) return (s) => matchSimple(pattern, s);
  return (s) => matchWildcard(pattern, s);
}

/** Match a pattern that is only known at request time (after variable substitution). */
export function matchWildcard(pattern: string, s: string): boolean {
  // A segment star is an ordinary star when the input has no colon to refuse.
  if (pattern.indexOf(SEG) === -1 || s.indexOf(':') === -1) return matchSimple(pattern, s, true);
  return matchSegmented(pattern, s);
}

/**
 * The classic iterative star matcher: on a mismatch, go back to the last star and let it take
 * one more character. Exact for `*` and `?`; O(n·m) at worst, no recursion.
 */
function matchSimple(p: string, s: string, segAsAny = false): boolean {
  let pi = 0;
  let si = 0;
  let starP = -1;
  let starS = 0;
  const pl = p.length;
  const sl = s.length;
  while (si < sl) {
    if (pi < pl) {
      const pc = p.charCodeAt(pi);
      if (pc === ANY_CODE || (segAsAny && pc === SEG_CODE)) {
        starP = pi++;
        starS = si;
        continue;
      }
      if (pc === ONE_CODE || pc === s.charCodeAt(si)) {
        pi++;
        si++;
        continue;
      }
    }
    if (starP < 0) return false;
    pi = starP + 1;
    si = ++starS;
  }
  while (pi < pl) {
    const pc = p.charCodeAt(pi);
    if (pc !== ANY_CODE && !(segAsAny && pc === SEG_CODE)) return false;
    pi++;
  }
  return true;
}

/**
 * A set-of-states simulation for patterns with both kinds of star, where the greedy matcher is
 * not exact. O(n·m) time, O(m) memory.
 */
function matchSegmented(p: string, s: string): boolean {
  const m = p.length;
  let cur = new Uint8Array(m + 1);
  let next = new Uint8Array(m + 1);
  cur[0] = 1;
  closeOverStars(p, cur);
  for (let si = 0; si < s.length; si++) {
    const c = s.charCodeAt(si);
    next.fill(0);
    let alive = false;
    for (let i = 0; i < m; i++) {
      if (cur[i] === 0) continue;
      const pc = p.charCodeAt(i);
      if (pc === ANY_CODE || (pc === SEG_CODE && c !== COLON)) {
        next[i] = 1;
        alive = true;
      } else if (pc === ONE_CODE || pc === c) {
        next[i + 1] = 1;
        alive = true;
      }
    }
    if (!alive) return false;
    closeOverStars(p, next);
    const t = cur;
    cur = next;
    next = t;
  }
  return cur[m] === 1;
}

/** A state before a star also stands after it (the star may match nothing). */
function closeOverStars(p: string, states: Uint8Array): void {
  for (let i = 0; i < p.length; i++) {
    if (states[i] === 1) {
      const pc = p.charCodeAt(i);
      if (pc === ANY_CODE || pc === SEG_CODE) states[i + 1] = 1;
    }
  }
}
