import { BoundedCache } from '../cache.js';
import { AwsError } from '../errors.js';

/** One or more lowercase header names (RFC 9110 tokens), separated by ';'. */
const LIST = /^[a-z0-9!#$%&'*+.^_`|~-]+(?:;[a-z0-9!#$%&'*+.^_`|~-]+)*$/;

/** SignedHeaders lists already checked, frozen: a client sends the same few (see parseCredential's memo). */
const parsed = new BoundedCache<string, readonly string[]>({ maxEntries: 256 });

/** SignedHeaders: lowercase header names joined with ';', each once. */
export function parseSignedHeaders(value: string): readonly string[] {
  const known = parsed.get(value);
  if (known !== undefined) return known;
  const names = Object.freeze(readSignedHeaders(value));
  parsed.set(value, names);
  return names;
}

/** parseSignedHeaders without the memo (its reference in tests). */
export function readSignedHeaders(value: string): string[] {
  const names = LIST.test(value) ? value.split(';') : undefined;
  if (names === undefined || hasRepeat(names)) {
    throw new AwsError('IncompleteSignature', `SignedHeaders must be lowercase header names separated by ';', each once: '${value}'.`);
  }
  return names;
}

/** Whether a name appears twice: pairwise for the few names a request signs, a Set past that. */
function hasRepeat(names: readonly string[]): boolean {
  if (names.length > 16) return new Set(names).size !== names.length;
  for (let i = 1; i < names.length; i++) {
    for (let j = 0; j < i; j++) if (names[i] === names[j]) return true;
  }
  return false;
}

/** `host` (and, for the Authorization header, `x-amz-date`) must be covered by the signature. */
export function requireSignedHeaders(signedHeaders: readonly string[], required: readonly string[]): void {
  for (const name of required) {
    if (!signedHeaders.includes(name)) {
      const shown = name === 'host' ? "'Host' or ':authority'" : `'${name === 'x-amz-date' ? 'X-Amz-Date' : name}'`;
      throw new AwsError('IncompleteSignature', `${shown} must be a 'SignedHeader' in the AWS Authorization.`);
    }
  }
}
