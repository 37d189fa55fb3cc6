/**
 * The shapes shared by the SigV4 steps. A request arrives here transport-neutral: the HTTP layer
 * hands over the raw path and query exactly as they were on the wire, so that nothing is decoded
 * twice or normalised differently from what the client signed.
 */
import type { HeaderMap } from './canonical-headers.js';

/** A request as the HTTP layer saw it. */
export interface SigV4Request {
  readonly method: string;
  /** The raw request path as sent (percent-encoded, not decoded, no query). */
  readonly path: string;
  /** The raw query string as sent, without the leading '?'. */
  readonly query: string;
  /**
   * Header names (any case; they are lowercased here) to values. A header sent more than once
   * should be passed as an array of its values (e.g. node's `req.headersDistinct`): SigV4 joins
   * them with ',' after trimming each, which a pre-joined ", " string cannot reproduce. A Map
   * (a HeaderMap, as rawHeaderMap() makes of node's rawHeaders) is taken as it is: its names
   * must be lowercase already.
   */
  readonly headers: HeaderRecord | HeaderMap;
  readonly body: Uint8Array;
}

/** Headers as a plain object: names in any case, one value or a list of them. */
export type HeaderRecord = Readonly<Record<string, string | readonly string[] | undefined>>;

/** A request whose headers are a plain object (what tests and other callers build by hand). */
export interface PlainSigV4Request extends SigV4Request {
  readonly headers: HeaderRecord;
}

/** Which credential scopes the caller accepts. */
export interface AllowedScope {
  /** Services the credential scope may name, e.g. ['sts', 'iam']. */
  readonly services: readonly string[];
  /** Regions the credential scope may name; absent means any region. */
  readonly regions?: readonly string[] | undefined;
}

/** The parts of `Credential=AKID/date/region/service/aws4_request`. */
export interface Credential {
  readonly accessKeyId: string;
  /** yyyyMMdd */
  readonly date: string;
  readonly region: string;
  readonly service: string;
}

/** Who signed, once the signature has been checked. */
export interface SigV4Identity {
  readonly accessKeyId: string;
  readonly region: string;
  readonly service: string;
  /**
   * `X-Amz-Security-Token`, if sent. It need not be signed (AWS accepts a token added after
   * signing; see the suite's post-sts-header-after), so the caller MUST check that the token
   * belongs to `accessKeyId`.
   */
  readonly securityToken: string | undefined;
  readonly signedHeaders: readonly string[];
  readonly presigned: boolean;
  /** X-Amz-Date, in ms since the epoch. */
  readonly requestTime: number;
}

/** A request whose shape, time and scope are valid; only the signature is left to check. */
export interface ParsedSignedRequest extends SigV4Identity {
  /** yyyyMMdd from the credential scope (the signing-key date). */
  readonly scopeDate: string;
  readonly stringToSign: string;
  /** The signature the client sent (lowercase hex, as sent). */
  readonly signature: string;
}
