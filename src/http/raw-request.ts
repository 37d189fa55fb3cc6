/**
 * The request as the client signed it. Behind @hono/node-server we read node's own message (raw
 * path and query as sent, repeated headers kept apart, the body without a WHATWG Request);
 * elsewhere (app.request in unit tests) the WHATWG Request is the best we have.
 */
import type { IncomingMessage } from 'node:http';
import { AwsError } from '../errors.js';
import { rawHeaderMap, type SigV4Request } from '../sigv4/index.js';
import { plain, type TrustedProxies } from './forwarded.js';

/** Request bodies above this are refused before they are read in full (SAML assertions fit easily). */
export const MAX_BODY_BYTES = 1024 * 1024;

export interface RawRequest {
  readonly sig: SigV4Request;
  readonly sourceIp: string;
  readonly secureTransport: boolean;
  readonly userAgent: string | undefined;
}

const EMPTY = new Uint8Array(0);

function tooLarge(): AwsError {
  return new AwsError('RequestEntityTooLarge', `The request body must not exceed ${MAX_BODY_BYTES} bytes.`);
}

/**
 * Behind @hono/node-server: headers from node's raw list (repeated ones kept apart), the path
 * and query as sent, and a POST's body read from node's own message (other methods are refused
 * by the pipeline; their bodies are not read).
 */
export async function readNodeRequest(incoming: IncomingMessage, proxies?: TrustedProxies): Promise<RawRequest> {
  const headers = rawHeaderMap(incoming.rawHeaders);
  const method = incoming.method ?? 'GET';
  const body = method === 'POST' ? await readIncomingBody(incoming, headers.get('content-length')?.[0]) : EMPTY;
  const target = incoming.url ?? '/';
  const q = target.indexOf('?');
  // IPv4 clients of a dual-stack socket (HOST=::) as plain IPv4, as aws:SourceIp shows them.
  const peer = plain(incoming.socket.remoteAddress ?? '0.0.0.0');
  const tls = 'encrypted' in incoming.socket && incoming.socket.encrypted === true;
  // Behind trusted proxies, the client is in X-Forwarded-For (src/http/forwarded.ts).
  const origin = proxies ? proxies.origin(peer, tls, headers) : undefined;
  return {
    sig: { method, path: q < 0 ? target : target.slice(0, q), query: q < 0 ? '' : target.slice(q + 1), headers, body },
    sourceIp: origin ? origin.sourceIp : peer,
    secureTransport: origin ? origin.secureTransport : tls,
    userAgent: headers.get('user-agent')?.[0],
  };
}

/**
 * The body, at most MAX_BODY_BYTES. When a message came in one read, its body is in the stream's
 * buffer by the time this continues after its first await (node's parser pushes it in the same
 * callback that announced the request, and never more than Content-Length): then it is taken as
 * it is, with no listeners, web stream or copy. Anything else (a body still arriving, chunked) is
 * read as it arrives, against the limit.
 */
async function readIncomingBody(incoming: IncomingMessage, declared: string | undefined): Promise<Uint8Array> {
  const length = declared === undefined ? undefined : Number(declared);
  if (length !== undefined && length > MAX_BODY_BYTES) throw tooLarge();
  await undefined;
  if (length !== undefined && incoming.readableLength === length && !incoming.readableDidRead && incoming.readableFlowing !== true) {
    const body = length === 0 ? EMPTY : ((incoming.read() as Buffer | null) ?? EMPTY);
    // Let the stream run to its end (nothing is left in it). A message that never ends looks
    // unread to @hono/node-server, which then sets three timers per request to drain it.
    incoming.resume();
    return body;
  }
  return streamBody(incoming);
}

function streamBody(incoming: IncomingMessage): Promise<Uint8Array> {
  // Already over (nothing else reads it, but waiting for an 'end' that has been would hang).
  if (incoming.readableEnded || incoming.destroyed) return Promise.reject(new AwsError('IncompleteBody'));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const settle = (err: AwsError | undefined) => {
      incoming.off('data', onData).off('end', onEnd).off('error', onGone).off('close', onGone);
      if (err) reject(err);
      else resolve(Buffer.concat(chunks, size));
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) settle(tooLarge());
      else chunks.push(chunk);
    };
    const onEnd = () => settle(undefined);
    // The client went away (or the stream failed) before the body's end.
    const onGone = () => settle(new AwsError('IncompleteBody'));
    incoming.on('data', onData).on('end', onEnd).on('error', onGone).on('close', onGone);
  });
}

/** Elsewhere (app.request in unit tests) the WHATWG Request is the best we have. */
export async function readWebRequest(req: Request): Promise<RawRequest> {
  const body = req.method === 'POST' ? await readWebBody(req) : EMPTY;
  const url = new URL(req.url);
  const headers: Record<string, string> = {};
  req.headers.forEach((v, k) => {
    headers[k] = v;
  });
  return {
    sig: { method: req.method, path: url.pathname, query: url.search.slice(1), headers, body },
    sourceIp: '127.0.0.1',
    secureTransport: url.protocol === 'https:',
    userAgent: req.headers.get('user-agent') ?? undefined,
  };
}

async function readWebBody(req: Request): Promise<Uint8Array> {
  const length = req.headers.get('content-length');
  if (Number(length ?? '0') > MAX_BODY_BYTES) throw tooLarge();
  if (!req.body) return EMPTY;
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = req.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_BODY_BYTES) {
      await reader.cancel().catch(() => {});
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}
