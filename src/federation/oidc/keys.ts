/**
 * The providers' signing keys: discovered (discovery.ts) and fetched (https-get.ts) within
 * bounds, cached per issuer (and per set of thumbprints, which decide whether the fetch was
 * trusted), refetched when they grow old, and refreshed when a token names a key the cached set
 * lacks (the provider rotated), at most once per cooldown per issuer so that tokens with made-up
 * `kid`s cannot make us hammer the provider. One fetch per issuer at a time, shared by every
 * request that waits for it.
 */
import { BoundedCache } from '../../cache.js';
import { AwsError } from '../../errors.js';
import type { JSONWebKeySet } from 'jose';
import { discoverJwksUri, type DiscoveryFailure } from './discovery.js';
import { boundedGet, FetchFailure, type FetchPolicy } from './https-get.js';
import { asKeySet, verifySignature } from './jose.js';
import { NO_VERIFICATION_KEY, THUMBPRINT_MISMATCH } from './checks.js';

export interface OidcKeyOptions {
  /** PEM certificates trusted for providers' TLS: the system's and OIDC_CA_BUNDLE's. */
  readonly ca: readonly string[];
  /** OIDC_FETCH_TIMEOUT_MS: each discovery or key-set fetch, default 3000. */
  readonly timeoutMs: number;
  /** Largest discovery document or key set read, default 1 MiB. */
  readonly maxBytes?: number | undefined;
  /** Cached keys are fetched again after this long, default 10 minutes. */
  readonly maxAgeMs?: number | undefined;
  /** An unknown `kid` refreshes an issuer's keys at most this often, default 30 seconds. */
  readonly refreshCooldownMs?: number | undefined;
  /** http:// issuers on loopback addresses (outside production only). */
  readonly allowLoopbackHttp: boolean;
  /** A test seam: where to connect for a host (FetchPolicy.connectTo). */
  readonly connectTo?: FetchPolicy['connectTo'];
}

/** What a provider's key fetch needs to know of it. */
export interface KeyedProvider {
  readonly issuer: string;
  readonly thumbprints: readonly string[];
}

interface Entry {
  readonly keys: JSONWebKeySet;
  readonly fetchedAt: number;
}

const MAX_ENTRIES = 10_000;

/**
 * The one answer for a provider that cannot be reached, however (refused, silent, a 5xx): the kind
 * and the status stay out of it, so that the answer is no port scanner for someone who registers a
 * provider whose key set points inside the network (found in review).
 */
const UNREACHABLE = 'The identity provider could not be reached: retry the request a limited number of times';

/** A fetch or discovery failure as AWS answers it. */
export function failureError(failure: DiscoveryFailure | { readonly kind: 'status'; readonly status: number }): AwsError {
  switch (failure.kind) {
    case 'unreachable':
    case 'timeout':
      return new AwsError('IDPCommunicationError', UNREACHABLE);
    case 'status':
      return failure.status >= 500 ? new AwsError('IDPCommunicationError', UNREACHABLE) : new AwsError('InvalidIdentityToken', NO_VERIFICATION_KEY);
    case 'thumbprint':
      return new AwsError('InvalidIdentityToken', THUMBPRINT_MISMATCH);
    default:
      return new AwsError('InvalidIdentityToken', NO_VERIFICATION_KEY);
  }
}

export class OidcKeys {
  /** The key sets of the most recent MAX_ENTRIES issuers (per thumbprint set) this node verified tokens of. */
  private readonly entries = new BoundedCache<string, Entry>({ maxEntries: MAX_ENTRIES });
  private readonly pending = new Map<string, Promise<Entry>>();
  private readonly maxBytes: number;
  private readonly maxAgeMs: number;
  private readonly cooldownMs: number;

  constructor(private readonly options: OidcKeyOptions) {
    this.maxBytes = options.maxBytes ?? 1024 * 1024;
    this.maxAgeMs = options.maxAgeMs ?? 600_000;
    this.cooldownMs = options.refreshCooldownMs ?? 30_000;
  }

  /**
   * The token's verified payload: its signature checked with the provider's keys, refreshed once
   * (within the cooldown) when none of them fits.
   */
  async verify(token: string, provider: KeyedProvider, now: Date): Promise<Uint8Array> {
    const id = `${provider.issuer}\n${[...provider.thumbprints].map((t) => t.toLowerCase()).sort().join(',')}`;
    let entry = this.entries.get(id);
    if (!entry || now.getTime() - entry.fetchedAt >= this.maxAgeMs) entry = await this.fetch(id, provider, now);
    let result = await verifySignature(token, entry.keys);
    if (!result.ok && result.reason === 'no-key' && now.getTime() - entry.fetchedAt >= this.cooldownMs) {
      entry = await this.fetch(id, provider, now);
      result = await verifySignature(token, entry.keys);
    }
    if (result.ok) return result.payload;
    if (result.reason === 'no-key') throw new AwsError('InvalidIdentityToken', NO_VERIFICATION_KEY);
    if (result.reason === 'algorithm') throw new AwsError('InvalidIdentityToken', 'The web identity token is not signed with RS256, RS384, RS512, ES256, ES384 or ES512');
    if (result.reason === 'bad-signature') throw new AwsError('InvalidIdentityToken', 'The web identity token signature could not be verified');
    throw new AwsError('InvalidIdentityToken', 'The web identity token is not a valid signed JWT');
  }

  private fetch(id: string, provider: KeyedProvider, now: Date): Promise<Entry> {
    let p = this.pending.get(id);
    if (!p) {
      p = this.load(provider, now).finally(() => this.pending.delete(id));
      this.pending.set(id, p);
    }
    return p.then((entry) => {
      this.entries.set(id, entry);
      return entry;
    });
  }

  private async load(provider: KeyedProvider, now: Date): Promise<Entry> {
    const policy: FetchPolicy = {
      timeoutMs: this.options.timeoutMs,
      maxBytes: this.maxBytes,
      ca: this.options.ca,
      thumbprints: provider.thumbprints,
      allowLoopbackHttp: this.options.allowLoopbackHttp,
      connectTo: this.options.connectTo,
      now: () => now,
    };
    const discovered = await discoverJwksUri(provider.issuer, policy);
    if (!discovered.ok) throw failureError(discovered.failure);
    let fetched;
    try {
      fetched = await boundedGet(discovered.jwksUri, policy);
    } catch (err) {
      if (err instanceof FetchFailure) throw failureError(err);
      throw err;
    }
    if (fetched.status !== 200) throw failureError({ kind: 'status', status: fetched.status });
    let parsed: unknown;
    try {
      parsed = JSON.parse(fetched.body.toString('utf8'));
    } catch {
      throw new AwsError('InvalidIdentityToken', NO_VERIFICATION_KEY);
    }
    const keys = asKeySet(parsed);
    if (!keys) throw new AwsError('InvalidIdentityToken', NO_VERIFICATION_KEY);
    return { keys, fetchedAt: now.getTime() };
  }
}
