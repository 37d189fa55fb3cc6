/** LIKE patterns built from a caller's text (path prefixes, audit action prefixes, jtis). */

/** `s` with LIKE's wildcards and escape character escaped, so it matches only itself. */
export function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}
