/**
 * The independent oracle: the AWS SDK's own signer (@smithy/signature-v4 with the pure-JS
 * @aws-crypto/sha256-js, so not even the hash is shared with the code under test). It signs
 * or presigns a request; we then put it on the "wire" (raw path, raw query string) the way an
 * HTTP client would, in one of several legitimate encodings.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import type { PlainSigV4Request } from '../../../src/sigv4/index.js';
import type { Rng } from './rng.js';

export interface OracleRequest {
  readonly method: string;
  /** Raw wire path; the SDK signer encodes it once more, as it does for the paths it builds. */
  readonly path: string;
  /** Decoded query parameters. */
  readonly query: Record<string, string | string[]>;
  readonly headers: Record<string, string>;
  readonly body: Uint8Array;
}

export interface OracleKey {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly region: string;
  readonly service: string;
}

export interface OracleOptions {
  readonly signingDate: Date;
  /** Presign with this X-Amz-Expires instead of signing the Authorization header. */
  readonly presignExpires?: number;
  /** Let the signer add and sign x-amz-content-sha256 (header signing only). */
  readonly applyChecksum?: boolean;
}

type Encoder = (s: string) => string;

/** RFC 3986 strict, as SigV4 itself encodes. */
export const strictEncode: Encoder = (s) =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
/** What most HTTP clients send: !'()* left raw. */
const lenientEncode: Encoder = (s) => encodeURIComponent(s);
/** Lower-case hex digits, which servers must accept. */
const lowerHexEncode: Encoder = (s) => strictEncode(s).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase());

/** A wire query string for decoded params, in a random legitimate encoding and order. */
export function toWireQuery(query: Record<string, string | string[]>, rng?: Rng): string {
  const encode = rng === undefined ? strictEncode : rng.pick([strictEncode, lenientEncode, lowerHexEncode]);
  const pairs: string[] = [];
  for (const [key, value] of Object.entries(query)) {
    for (const v of Array.isArray(value) ? value : [value]) pairs.push(`${encode(key)}=${encode(v)}`);
  }
  return (rng === undefined ? pairs : rng.shuffle(pairs)).join('&');
}

export async function signWithOracle(req: OracleRequest, key: OracleKey, options: OracleOptions, rng?: Rng): Promise<PlainSigV4Request> {
  const signer = new SignatureV4({
    credentials: {
      accessKeyId: key.accessKeyId,
      secretAccessKey: key.secretAccessKey,
      ...(key.sessionToken === undefined ? {} : { sessionToken: key.sessionToken }),
    },
    region: key.region,
    service: key.service,
    sha256: Sha256,
    applyChecksum: options.applyChecksum ?? false,
  });
  const input = {
    method: req.method,
    protocol: 'https:',
    hostname: req.headers['host'] ?? 'localhost',
    path: req.path,
    query: req.query,
    headers: { ...req.headers },
    body: req.body,
  };
  const signed =
    options.presignExpires === undefined
      ? await signer.sign(input, { signingDate: options.signingDate })
      : await signer.presign(input, { signingDate: options.signingDate, expiresIn: options.presignExpires });
  const query: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(signed.query ?? {})) {
    if (typeof v === 'string' || Array.isArray(v)) query[k] = v;
  }
  return { method: signed.method, path: req.path, query: toWireQuery(query, rng), headers: { ...signed.headers }, body: req.body };
}

/** The Authorization header or presigned parameter holding the signature. */
export function signatureOf(req: PlainSigV4Request): string {
  const auth = req.headers['authorization'];
  if (typeof auth === 'string') return /Signature=([0-9a-f]+)/.exec(auth)?.[1] ?? '';
  return /(?:^|&)X-Amz-Signature=([0-9a-f]+)/.exec(req.query)?.[1] ?? '';
}
