/**
 * Raw AWS Query requests over real HTTP, signed in-process by the AWS SDK's own signer
 * (@smithy/signature-v4 with the pure-JS SHA-256), so the negative suites control every byte:
 * the body, the signing date, the credential scope, the signature itself, the method and the path.
 * node:http rather than fetch, because fetch chooses the Host header and refuses some methods.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { Agent, request as httpRequest, type OutgoingHttpHeaders } from 'node:http';

export type Param = readonly [name: string, value: string];

export interface Key {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** Sent (and signed) as X-Amz-Security-Token. */
  readonly sessionToken?: string;
}

export interface SignOptions {
  readonly key: Key;
  /** The credential scope's service: `iam` unless a test says otherwise. */
  readonly service?: string;
  readonly region?: string;
  readonly signingDate?: Date;
  /** The signer's hash (the pure-JS SHA-256 unless given; the fuzz runner passes node:crypto's). */
  readonly sha256?: ConstructorParameters<typeof SignatureV4>[0]['sha256'];
}

export interface WireRequest {
  readonly method: string;
  /** Path and query exactly as they go on the wire. */
  readonly target: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | Uint8Array;
}

export interface Reply {
  readonly status: number;
  readonly requestId: string | undefined;
  readonly contentType: string | undefined;
  readonly body: string;
  /** `<Code>` of an error response, if any. */
  readonly code: string | undefined;
  /** `<Message>` of an error response, XML entities decoded. */
  readonly message: string | undefined;
}

/** RFC 3986 strict, as SigV4 and the AWS SDKs encode form values. */
export function encode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function formBody(params: readonly Param[]): string {
  return params.map(([k, v]) => `${encode(k)}=${encode(v)}`).join('&');
}

function hostOf(url: string): { hostname: string; host: string } {
  const u = new URL(url);
  return { hostname: u.hostname, host: u.host };
}

function signer(options: SignOptions): SignatureV4 {
  return new SignatureV4({
    credentials: options.key,
    region: options.region ?? 'us-east-1',
    service: options.service ?? 'iam',
    sha256: options.sha256 ?? Sha256,
    applyChecksum: false,
  });
}

/** A POST with a form body, signed with the Authorization header. */
export async function signedPost(url: string, body: string, options: SignOptions): Promise<WireRequest> {
  const { hostname, host } = hostOf(url);
  const signed = await signer(options).sign(
    {
      method: 'POST',
      protocol: 'http:',
      hostname,
      path: '/',
      query: {},
      headers: { host, 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
      body,
    },
    { signingDate: options.signingDate ?? new Date() },
  );
  return { method: 'POST', target: '/', headers: stringHeaders(signed.headers), body };
}

/** The same POST, not signed at all. */
export function unsignedPost(url: string, body: string): WireRequest {
  return { method: 'POST', target: '/', headers: { host: hostOf(url).host, 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body };
}

/** A GET whose signature is in the query string (X-Amz-Algorithm, X-Amz-Signature, …). */
export async function presignedGet(url: string, params: readonly Param[], options: SignOptions & { readonly expiresIn: number }): Promise<WireRequest> {
  const { hostname, host } = hostOf(url);
  const query: Record<string, string> = {};
  for (const [k, v] of params) query[k] = v;
  const signed = await signer(options).presign(
    { method: 'GET', protocol: 'http:', hostname, path: '/', query, headers: { host }, body: undefined },
    { signingDate: options.signingDate ?? new Date(), expiresIn: options.expiresIn },
  );
  const wire: Param[] = [];
  for (const [k, v] of Object.entries(signed.query ?? {})) {
    if (typeof v === 'string') wire.push([k, v]);
  }
  return { method: 'GET', target: `/?${formBody(wire)}`, headers: stringHeaders(signed.headers), body: '' };
}

/** Change the last hex digit of the Authorization header's signature. */
export function tamper(req: WireRequest): WireRequest {
  const auth = req.headers['authorization'] ?? '';
  const changed = auth.replace(/Signature=([0-9a-f]*)([0-9a-f])$/, (_m, head: string, last: string) => `Signature=${head}${last === '0' ? '1' : '0'}`);
  if (changed === auth) throw new Error('no signature to tamper with');
  return { ...req, headers: { ...req.headers, authorization: changed } };
}

function stringHeaders(headers: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) out[k.toLowerCase()] = v;
  return out;
}

/** Keep-alive with a bounded number of sockets: hundreds of requests reuse a handful of connections. */
export function createAgent(maxSockets = 8): Agent {
  return new Agent({ keepAlive: true, maxSockets });
}

/** Send a request as-is to the server at `url` and read the whole reply. */
export function send(url: string, req: WireRequest, agent?: Agent): Promise<Reply> {
  const u = new URL(url);
  const body = typeof req.body === 'string' ? Buffer.from(req.body, 'utf8') : Buffer.from(req.body);
  const headers: OutgoingHttpHeaders = { ...req.headers, 'content-length': String(body.length) };
  return new Promise((resolve, reject) => {
    const r = httpRequest(
      { host: u.hostname, port: u.port, method: req.method, path: req.target, headers, ...(agent ? { agent } : {}) },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const id = res.headers['x-amzn-requestid'];
          resolve({
            status: res.statusCode ?? 0,
            requestId: typeof id === 'string' ? id : undefined,
            contentType: res.headers['content-type'],
            body: text,
            code: tag(text, 'Code'),
            message: tag(text, 'Message'),
          });
        });
      },
    );
    // The server may answer (413) before it has read a large body and reset the upload: the
    // reply, when one came, is what counts.
    let replied = false;
    r.on('response', () => {
      replied = true;
    });
    r.on('error', (err) => {
      if (r.writableFinished) reject(err);
      else setTimeout(() => replied || reject(err), 1000);
    });
    r.end(body);
  });
}

/** The text of the first `<name>` element. */
export function tag(xml: string, name: string): string | undefined {
  const m = new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml);
  return m?.[1] === undefined ? undefined : unescapeXml(m[1]);
}

function unescapeXml(s: string): string {
  return s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#(\d+);/g, (_m, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&#x([0-9a-fA-F]+);/g, (_m, h: string) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&amp;/g, '&');
}

/** Run `fn` over `items` with at most `limit` in flight; results in input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < items.length; i = next++) {
      const item = items[i] as T;
      out[i] = await fn(item, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
