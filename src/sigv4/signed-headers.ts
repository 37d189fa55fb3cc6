import { AwsError } from '../errors.js';

const TOKEN = /^[a-z0-9!#$%&'*+.^_`|~-]+$/;

/** SignedHeaders: lowercase header names joined with ';', each once. */
export function parseSignedHeaders(value: string): readonly string[] {
  const names = value.split(';');
  const seen = new Set<string>();
  for (const name of names) {
    if (!TOKEN.test(name) || seen.has(name)) {
      throw new AwsError('IncompleteSignature', `SignedHeaders must be lowercase header names separated by ';', each once: '${value}'.`);
    }
    seen.add(name);
  }
  return names;
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
