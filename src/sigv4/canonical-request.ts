/** The six parts of a CanonicalRequest, each already canonical. */
export interface CanonicalRequestParts {
  readonly method: string;
  readonly canonicalUri: string;
  readonly canonicalQuery: string;
  /** `name:value\n` lines, as canonicalHeaders() returns them. */
  readonly canonicalHeaders: string;
  readonly signedHeaders: readonly string[];
  readonly hashedPayload: string;
}

export function canonicalRequest(parts: CanonicalRequestParts): string {
  return `${parts.method}\n${parts.canonicalUri}\n${parts.canonicalQuery}\n${parts.canonicalHeaders}\n${parts.signedHeaders.join(';')}\n${parts.hashedPayload}`;
}
