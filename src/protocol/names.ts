/**
 * Names at the protocol edge. AWS wire names (`RoleSessionName`, `SAMLAssertion`) become camelCase
 * inside (`roleSessionName`, `samlAssertion`); validation messages use AWS's own member path, which
 * only lower-cases the first letter (`sAMLAssertion`, as AWS's Java beans do).
 */

/** `RoleArn` → `roleArn`, `SAMLAssertion` → `samlAssertion`, `MFADevices` → `mfaDevices`, `ARN` → `arn`. */
export function toCamel(wire: string): string {
  let upper = 0;
  while (upper < wire.length && isUpper(wire.charCodeAt(upper))) upper++;
  if (upper === 0) return wire;
  if (upper === 1 || upper === wire.length) return wire.slice(0, upper).toLowerCase() + wire.slice(upper);
  // A run of capitals followed by lower case: the last capital starts the next word (`SAMLAssertion`).
  const next = wire.charCodeAt(upper);
  const keep = next >= 0x61 && next <= 0x7a ? upper - 1 : upper;
  return wire.slice(0, keep).toLowerCase() + wire.slice(keep);
}

/** AWS's member path segment: first letter lower-cased (`SAMLAssertion` → `sAMLAssertion`). */
export function toPathName(wire: string): string {
  return wire.slice(0, 1).toLowerCase() + wire.slice(1);
}

function isUpper(code: number): boolean {
  return code >= 0x41 && code <= 0x5a;
}
