/**
 * One bounded GET of an identity provider's discovery document or key set (node:https only):
 * bounded time and size, no redirects, and the TLS rule AWS follows today (IAM API Reference,
 * UpdateOpenIDConnectProviderThumbprint; shared/research/federation-facts.md §1.1): the server's
 * chain must validate against the trust store (the system's CAs plus OIDC_CA_BUNDLE), and only
 * when it does not is the connection accepted because a certificate of the presented chain has a
 * configured thumbprint, and then only along a chain whose signatures we checked ourselves
 * (pinnedChainAccepts). Plain http only where the caller allows it (loopback, outside production).
 */
import { X509Certificate } from 'node:crypto';
import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { connect as tlsConnect, type PeerCertificate, type TLSSocket } from 'node:tls';

/** Why a fetch failed, for the caller to turn into AWS's codes. */
export type FetchFailureKind = 'unreachable' | 'timeout' | 'too-large' | 'thumbprint' | 'insecure';

export class FetchFailure extends Error {
  constructor(
    readonly kind: FetchFailureKind,
    message: string,
  ) {
    super(message);
    this.name = 'FetchFailure';
  }
}

export interface FetchPolicy {
  readonly timeoutMs: number;
  readonly maxBytes: number;
  /** The trust store: PEM certificates (system CAs and the configured bundle). */
  readonly ca: readonly string[];
  /** The provider's thumbprints (40 hex digits, any case). */
  readonly thumbprints: readonly string[];
  /** Plain http to a loopback host (tests and local setups, never in production). */
  readonly allowLoopbackHttp: boolean;
  /**
   * Where to connect instead of the URL's host and port (a test seam, as a hosts file is: the
   * TLS name checked is still the URL's host). Never set by main.ts.
   */
  readonly connectTo?: ((host: string, port: number) => { readonly host: string; readonly port: number } | undefined) | undefined;
  readonly now: () => Date;
}

export interface Fetched {
  readonly status: number;
  readonly contentType: string | undefined;
  readonly body: Buffer;
}

/** 127.0.0.0/8, ::1 and `localhost`: the only hosts plain http may reach. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '');
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}

/** A certificate's SHA-1 thumbprint as IAM stores it: 40 lower-case hex digits. */
export function thumbprintOf(cert: X509Certificate): string {
  return cert.fingerprint.replace(/:/g, '').toLowerCase();
}

/**
 * The thumbprint rule, for a chain the trust store did not validate: the leaf must name the host
 * and every certificate from the leaf up to the first one with a configured thumbprint must be
 * in its validity period and signed by the next. The TLS handshake proved the server holds the
 * leaf's key; the signatures prove the pinned certificate vouches for the leaf. A pinned
 * certificate merely *sent along* with an unrelated leaf (it is public) is not enough.
 */
export function pinnedChainAccepts(chain: readonly X509Certificate[], hostname: string, thumbprints: readonly string[], now: Date): boolean {
  const pins = new Set(thumbprints.map((t) => t.toLowerCase()));
  const leaf = chain[0];
  if (!leaf || pins.size === 0) return false;
  const host = hostname.replace(/^\[|\]$/g, '');
  const named = isIP(host) !== 0 ? leaf.checkIP(host) !== undefined : leaf.checkHost(host) !== undefined;
  if (!named) return false;
  for (let i = 0; i < chain.length; i++) {
    const cert = chain[i];
    if (!cert || !withinValidity(cert, now)) return false;
    if (pins.has(thumbprintOf(cert))) return true;
    const issuer = chain[i + 1];
    if (!issuer || !cert.checkIssued(issuer) || !cert.verify(issuer.publicKey)) return false;
  }
  return false;
}

function withinValidity(cert: X509Certificate, now: Date): boolean {
  return new Date(cert.validFrom).getTime() <= now.getTime() && now.getTime() <= new Date(cert.validTo).getTime();
}

/** The chain the server presented, leaf first, as X509Certificates. */
export function presentedChain(socket: TLSSocket): X509Certificate[] {
  const chain: X509Certificate[] = [];
  const seen = new Set<string>();
  let cert: PeerCertificate | undefined = socket.getPeerCertificate(true);
  while (cert && cert.raw && chain.length < 10) {
    const key = cert.fingerprint256;
    if (seen.has(key)) break;
    seen.add(key);
    chain.push(new X509Certificate(cert.raw));
    const next: PeerCertificate | undefined = (cert as PeerCertificate & { issuerCertificate?: PeerCertificate }).issuerCertificate;
    cert = next;
  }
  return chain;
}

/**
 * GET `url` within the policy's bounds; never follows redirects (a 3xx is returned as such). Over
 * https the TLS connection is made and its server accepted (the trust store, or the thumbprint
 * rule) before a byte of the request is written: with the check on the request's own socket, the
 * GET was already queued for a server that was then refused (found in review), so a provider's
 * URL could make this service send requests to hosts it would never trust.
 */
export function boundedGet(url: URL, policy: FetchPolicy): Promise<Fetched> {
  const https = url.protocol === 'https:';
  if (!https && !(url.protocol === 'http:' && policy.allowLoopbackHttp && isLoopbackHost(url.hostname))) {
    return Promise.reject(new FetchFailure('insecure', `${url.origin} is not https`));
  }
  const port = url.port ? Number(url.port) : https ? 443 : 80;
  const hostname = url.hostname.replace(/^\[|\]$/g, '');
  const target = policy.connectTo?.(hostname, port) ?? { host: hostname, port };
  return new Promise<Fetched>((resolve, reject) => {
    let settled = false;
    let req: ClientRequest | undefined;
    let tlsSocket: TLSSocket | undefined;
    const fail = (err: FetchFailure): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req?.destroy();
      tlsSocket?.destroy();
      reject(err);
    };
    const timer = setTimeout(() => fail(new FetchFailure('timeout', `no answer within ${policy.timeoutMs} ms`)), policy.timeoutMs);
    const onResponse = (res: IncomingMessage): void => {
      const declared = Number(res.headers['content-length']);
      if (Number.isFinite(declared) && declared > policy.maxBytes) return fail(new FetchFailure('too-large', `response of ${declared} bytes`));
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > policy.maxBytes) fail(new FetchFailure('too-large', `response over ${policy.maxBytes} bytes`));
        else chunks.push(chunk);
      });
      res.on('end', () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, contentType: res.headers['content-type'], body: Buffer.concat(chunks) });
      });
      res.on('error', (err) => fail(new FetchFailure('unreachable', err.message)));
    };
    /** The request, on `socket` when one is given (an accepted TLS connection), else on a plain http connection of its own. */
    const send = (socket: TLSSocket | undefined): void => {
      req = httpRequest(
        {
          host: target.host,
          port: target.port,
          path: `${url.pathname}${url.search}`,
          method: 'GET',
          headers: { host: url.host, accept: 'application/json' },
          // No agent either way (no pooling): with an agent, even `agent: false`'s fresh one, Node
          // would open its own connection and ignore createConnection.
          ...(socket ? { createConnection: () => socket } : { agent: false }),
        },
        onResponse,
      );
      req.on('error', (err) => fail(new FetchFailure('unreachable', err.message)));
      req.end();
    };
    if (!https) return send(undefined);
    const socket = (tlsSocket = tlsConnect({ host: target.host, port: target.port, servername: isIP(hostname) === 0 ? hostname : undefined, ca: [...policy.ca], rejectUnauthorized: false }));
    socket.on('error', (err) => fail(new FetchFailure('unreachable', err.message)));
    socket.once('secureConnect', () => {
      if (settled) return;
      // Node checked the chain against `ca` and the host name (authorized); otherwise the
      // thumbprints decide. Only then is the request written.
      if (socket.authorized || pinnedChainAccepts(presentedChain(socket), hostname, policy.thumbprints, policy.now())) send(socket);
      else fail(new FetchFailure('thumbprint', `certificate not trusted: ${String(socket.authorizationError)}`));
    });
  });
}
