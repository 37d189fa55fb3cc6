/**
 * OpenID Connect Discovery 1.0 with openid-client (the only file that imports it): the issuer's
 * metadata from `${issuer}/.well-known/openid-configuration`, its `issuer` checked to be exactly
 * the token's, and from it the `jwks_uri`. Every request goes through boundedGet (time, size,
 * the TLS and thumbprint rule), never through the global fetch.
 */
import { allowInsecureRequests, customFetch, discovery, None } from 'openid-client';
import { boundedGet, FetchFailure, type FetchPolicy } from './https-get.js';

/** Why discovery failed: the fetch's own reason, or a document that is not the issuer's metadata. */
export type DiscoveryFailure = FetchFailure | { readonly kind: 'invalid'; readonly message: string };

export type DiscoveryResult = { readonly ok: true; readonly jwksUri: URL } | { readonly ok: false; readonly failure: DiscoveryFailure };

/** The issuer's `jwks_uri`, discovered within the fetch policy's bounds. */
export async function discoverJwksUri(issuer: string, policy: FetchPolicy): Promise<DiscoveryResult> {
  let failure: FetchFailure | undefined;
  const fetchBounded = async (url: string, options: { method?: string }): Promise<Response> => {
    if (options.method !== undefined && options.method !== 'GET') throw new FetchFailure('unreachable', `unexpected ${options.method}`);
    try {
      const r = await boundedGet(new URL(url), policy);
      return new Response(new Uint8Array(r.body), { status: r.status, headers: r.contentType ? { 'content-type': r.contentType } : {} });
    } catch (err) {
      if (err instanceof FetchFailure) failure = err;
      throw err;
    }
  };
  try {
    // openid-client wants a client id; discovery alone never uses it.
    const config = await discovery(new URL(issuer), 'latchkey', undefined, None(), {
      [customFetch]: fetchBounded,
      execute: policy.allowLoopbackHttp ? [allowInsecureRequests] : [],
      timeout: Math.max(1, Math.ceil(policy.timeoutMs / 1000)),
    });
    const uri = config.serverMetadata().jwks_uri;
    if (typeof uri !== 'string') return { ok: false, failure: { kind: 'invalid', message: 'no jwks_uri' } };
    return { ok: true, jwksUri: new URL(uri) };
  } catch (err) {
    if (failure) return { ok: false, failure };
    return { ok: false, failure: { kind: 'invalid', message: err instanceof Error ? err.message : String(err) } };
  }
}
