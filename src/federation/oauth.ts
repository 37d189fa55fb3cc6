/**
 * OAuth 2.0 access tokens of the built-in providers (STS API Reference, AssumeRoleWithWebIdentity,
 * ProviderId: "Specify this value only for OAuth 2.0 access tokens. Currently www.amazon.com and
 * graph.facebook.com are the only supported identity providers"). Such a token is opaque: only
 * its provider can say whose it is, so each is checked at that provider's own token-inspection
 * endpoints, with the bounded https client the OpenID Connect keys use (time, size, no redirects,
 * the TLS chain validated against the trust store):
 *
 * - Facebook (Graph API): `GET /me?fields=id` (the user's app-scoped id, `graph.facebook.com:id`)
 *   and `GET /app` (the app the token was issued to, `graph.facebook.com:app_id`), each with the
 *   token as `access_token`. Not `/debug_token`: that needs an app access token (the app's secret)
 *   or a developer's token, neither of which an STS has; AWS's early use of it failed for every
 *   user who was not one of the app's developers (aws/aws-sdk-js#198). Facebook itself refuses an
 *   expired, revoked or malformed token (HTTP 400, `OAuthException` code 190).
 * - Login with Amazon: `GET /auth/o2/tokeninfo?access_token=…` answers `aud` (the client id the
 *   token was issued to, `www.amazon.com:app_id`), `user_id` (`www.amazon.com:user_id`), `app_id`,
 *   `iss`, `iat` and `exp`, the seconds the token has left; an invalid, expired or revoked token is
 *   HTTP 400 `invalid_token`.
 *
 * Failures as AWS answers them: the provider refusing the token is IDPRejectedClaim (403; the model:
 * "the claim is invalid … has expired or has been explicitly revoked"), with the text AWS sent
 * for Facebook's 400 (aws/aws-sdk-js#198): "graph.facebook.com: graph.facebook.com responded with
 * HTTP/1.1 400 Bad Request"; a token the provider reports as valid but past its expiry is
 * ExpiredTokenException with AWS's message; a provider that does not answer, answers 429 or 5xx,
 * rate-limits (Graph codes 4, 17, 32, 613) or answers something unreadable is
 * IDPCommunicationError (retryable).
 */
import { STATUS_CODES } from 'node:http';
import { AwsError } from '../errors.js';
import { AMAZON, FACEBOOK } from './claims.js';
import { boundedGet, FetchFailure, type Fetched, type FetchPolicy } from './oidc/https-get.js';

export const DEFAULT_FACEBOOK_GRAPH_URL = 'https://graph.facebook.com';
export const DEFAULT_AMAZON_API_URL = 'https://api.amazon.com';

/** The ProviderId values STS accepts. */
export const OAUTH_PROVIDERS: readonly string[] = [FACEBOOK, AMAZON];

/** Graph API error codes that mean "try again later", not "this token is bad". */
const GRAPH_TRANSIENT_CODES = new Set([1, 2, 4, 17, 32, 341, 613]);
/** The longest id a provider may report (SubjectFromWebIdentityToken's model bound). */
const MAX_ID_LENGTH = 255;

export interface OAuthOptions {
  /** FACEBOOK_GRAPH_URL, default https://graph.facebook.com. */
  readonly facebookGraphUrl: string;
  /** AMAZON_API_URL, default https://api.amazon.com. */
  readonly amazonApiUrl: string;
  /** The trust store (system CAs and OIDC_CA_BUNDLE). */
  readonly ca: readonly string[];
  /** OIDC_FETCH_TIMEOUT_MS: each inspection request. */
  readonly timeoutMs: number;
  /** Largest answer read, default 64 KiB (the real ones are a few hundred bytes). */
  readonly maxBytes?: number | undefined;
  /** http:// base URLs on loopback (outside production only). */
  readonly allowLoopbackHttp: boolean;
  /** A test seam: where to connect for a host (FetchPolicy.connectTo). */
  readonly connectTo?: FetchPolicy['connectTo'];
}

export interface InspectedAccessToken {
  /** The ProviderId: graph.facebook.com or www.amazon.com. */
  readonly provider: string;
  /** The app (client) the token was issued to: the `:app_id` key, and the result's Audience. */
  readonly appId: string;
  /** The user: the `:id` / `:user_id` key, and SubjectFromWebIdentityToken. */
  readonly userId: string;
}

function communication(provider: string, why: string): AwsError {
  return new AwsError('IDPCommunicationError', `${provider} could not be reached (${why}): retry the request a limited number of times`);
}

function rejected(provider: string, status: number): AwsError {
  return new AwsError('IDPRejectedClaim', `${provider}: ${provider} responded with HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}`.trimEnd());
}

function jsonObject(body: Buffer): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(body.toString('utf8'));
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** An id as the providers report them: a non-empty string (Amazon), or digits (Facebook's are strings too). */
function idOf(v: unknown): string | undefined {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return String(v);
  return typeof v === 'string' && v !== '' && v.length <= MAX_ID_LENGTH ? v : undefined;
}

export class OAuthInspector {
  private readonly maxBytes: number;

  constructor(private readonly options: OAuthOptions) {
    this.maxBytes = options.maxBytes ?? 64 * 1024;
  }

  /** Who the provider says the token belongs to, or AWS's error. `provider` is one of OAUTH_PROVIDERS. */
  inspect(provider: string, token: string, now: Date): Promise<InspectedAccessToken> {
    if (provider === FACEBOOK) return this.facebook(token, now);
    if (provider === AMAZON) return this.amazon(token, now);
    return Promise.reject(new AwsError('InvalidParameterValue', `ProviderId must be ${OAUTH_PROVIDERS.join(' or ')}`));
  }

  private async get(provider: string, url: URL, now: Date): Promise<Fetched> {
    const policy: FetchPolicy = {
      timeoutMs: this.options.timeoutMs,
      maxBytes: this.maxBytes,
      ca: this.options.ca,
      thumbprints: [],
      allowLoopbackHttp: this.options.allowLoopbackHttp,
      connectTo: this.options.connectTo,
      now: () => now,
    };
    try {
      return await boundedGet(url, policy);
    } catch (err) {
      if (err instanceof FetchFailure) throw communication(provider, err.kind === 'thumbprint' ? 'its TLS certificate is not trusted' : err.kind);
      throw err;
    }
  }

  /** One Graph API read: the answer's `id`. */
  private async graphId(url: URL, now: Date): Promise<string> {
    const r = await this.get(FACEBOOK, url, now);
    const body = jsonObject(r.body);
    if (r.status === 200) {
      const id = idOf(body?.id);
      if (id === undefined) throw communication(FACEBOOK, 'an answer without an id');
      return id;
    }
    const error = body?.error;
    const code = typeof error === 'object' && error !== null ? (error as Record<string, unknown>).code : undefined;
    if (r.status >= 400 && r.status < 500 && r.status !== 429 && !(typeof code === 'number' && GRAPH_TRANSIENT_CODES.has(code))) throw rejected(FACEBOOK, r.status);
    throw communication(FACEBOOK, `HTTP ${r.status}`);
  }

  private async facebook(token: string, now: Date): Promise<InspectedAccessToken> {
    const base = this.options.facebookGraphUrl.replace(/\/+$/, '');
    const me = new URL(`${base}/me`);
    me.search = new URLSearchParams({ fields: 'id', access_token: token }).toString();
    const app = new URL(`${base}/app`);
    app.search = new URLSearchParams({ access_token: token }).toString();
    const [userId, appId] = await Promise.all([this.graphId(me, now), this.graphId(app, now)]);
    return { provider: FACEBOOK, appId, userId };
  }

  private async amazon(token: string, now: Date): Promise<InspectedAccessToken> {
    const url = new URL(`${this.options.amazonApiUrl.replace(/\/+$/, '')}/auth/o2/tokeninfo`);
    url.search = new URLSearchParams({ access_token: token }).toString();
    const r = await this.get(AMAZON, url, now);
    if (r.status >= 400 && r.status < 500 && r.status !== 429) throw rejected(AMAZON, r.status);
    if (r.status !== 200) throw communication(AMAZON, `HTTP ${r.status}`);
    const body = jsonObject(r.body);
    const appId = idOf(body?.aud);
    const userId = idOf(body?.user_id);
    // `exp` is the seconds the token has left (a number; some answers carry it as a string).
    const rawExp = body?.exp;
    const left = typeof rawExp === 'number' ? rawExp : typeof rawExp === 'string' && /^-?\d+$/.test(rawExp) ? Number(rawExp) : undefined;
    if (appId === undefined || userId === undefined || left === undefined || !Number.isSafeInteger(left)) throw communication(AMAZON, 'an answer without aud, user_id and exp');
    if (left <= 0) {
      const nowSeconds = Math.floor(now.getTime() / 1000);
      throw new AwsError('ExpiredTokenException', `Token expired: current date/time ${nowSeconds} must be before the expiration date/time ${nowSeconds + left}`);
    }
    return { provider: AMAZON, appId, userId };
  }
}
