/**
 * Configuration, parsed once from the environment by the composition root. Pure: it takes the
 * environment as a parameter, reports every problem at once, and documents each default where
 * it is set (the README's configuration table repeats them).
 */

import { isIP } from 'node:net';
import type { FailureMessages } from './auth/authorize.js';
import { DEFAULT_GOOGLE_ISSUER } from './federation/google.js';
import { isLoopbackHost } from './federation/oidc/https-get.js';
import { DEFAULT_AMAZON_API_URL, DEFAULT_FACEBOOK_GRAPH_URL } from './federation/oauth.js';
import { MAX_SKEW_MS } from './federation/saml/conditions.js';
import { DEFAULT_SAML_SETTINGS } from './federation/saml/settings.js';
import type { SamlSettings } from './federation/saml/settings.js';
import type { MetricsAccess } from './metrics.js';
import { DEFAULT_MULTI_TENANT_ISSUERS, normalizeIssuer } from './policy/index.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** One TRUSTED_PROXIES entry: an address, or a CIDR block. */
export interface ProxyRange {
  readonly address: string;
  /** Prefix length; absent for a single address. */
  readonly prefix?: number | undefined;
}

export interface Config {
  /** `PORT`, default 8080. */
  readonly port: number;
  /** `HOST`, default 127.0.0.1: secure by default, never every interface unless asked. */
  readonly host: string;
  /** `DATABASE_URL` (postgres://…); when unset, an embedded PGlite database under `dataDir`. */
  readonly databaseUrl: string | undefined;
  /** `DATA_DIR`, default ./data. */
  readonly dataDir: string;
  /** `KEYS_DIR`, default ./keys. */
  readonly keysDir: string;
  /** `STS_ACCOUNT_ID`: the first account's id; generated on first start when unset. */
  readonly accountId: string | undefined;
  /** `STS_ROOT_ACCESS_KEY_ID` and `STS_ROOT_SECRET_ACCESS_KEY`: the first account's root key, both or neither. */
  readonly rootAccessKeyId: string | undefined;
  readonly rootSecretAccessKey: string | undefined;
  /** `STS_ALLOWED_REGIONS`, comma-separated; default: any region. */
  readonly allowedRegions: readonly string[] | undefined;
  /** `LOG_LEVEL`, default info. */
  readonly logLevel: LogLevel;
  /** `NODE_ENV=production`: refuse unsafe defaults (generated keys, plain-http OpenID Connect providers on loopback). */
  readonly production: boolean;
  /**
   * `WORKERS`, default 1: how many server processes share the port (node:cluster), e.g. one per
   * core. More than one needs `DATABASE_URL`: the embedded database lives inside one process.
   */
  readonly workers: number;
  /**
   * `TRUSTED_PROXIES`, comma-separated addresses or CIDR blocks (IPv4 or IPv6) of the load
   * balancers or reverse proxies in front of the service; default none. Only from these are
   * X-Forwarded-For and X-Forwarded-Proto believed (src/http/forwarded.ts).
   */
  readonly trustedProxies: readonly ProxyRange[];
  /**
   * `AUTHORIZATION_FAILURE_MESSAGES`, default `plain`: AccessDenied answers read exactly as AWS's
   * IAM and STS denials, which carry no encoded message. `encoded` appends ". Encoded
   * authorization failure message: …" for DecodeAuthorizationMessage to explain (that operation
   * decodes such messages whatever this says).
   */
  readonly authorizationFailureMessages: FailureMessages;
  /**
   * `REQUEST_DEADLINE_MS`, default 5000: a request still waiting for the database this long
   * answers ServiceUnavailable (503) and its write is rolled back; also PostgreSQL's
   * statement_timeout, so the server stops work nobody waits for.
   */
  readonly requestDeadlineMs: number;
  /**
   * `OIDC_MULTI_TENANT_ISSUERS`, comma-separated provider URLs (host[/path], `https://` optional),
   * default `token.actions.githubusercontent.com,gitlab.com`; `none` for none: identity providers
   * that issue tokens to anyone on their platform. A trust policy that allows
   * sts:AssumeRoleWithWebIdentity for one of them without a condition on the token's subject is
   * refused (src/policy/multi-tenant.ts).
   */
  readonly multiTenantIssuers: readonly string[];
  /**
   * `OIDC_CA_BUNDLE`: a PEM file of CA certificates trusted, besides the system's, for the TLS of
   * OpenID Connect providers' discovery and key-set endpoints (a private IdP's CA); default none.
   * A provider whose chain validates against neither is accepted only by its thumbprints.
   */
  readonly oidcCaBundle: string | undefined;
  /** `OIDC_FETCH_TIMEOUT_MS`, default 3000: each discovery or key-set fetch; past it, IDPCommunicationError. */
  readonly oidcFetchTimeoutMs: number;
  /**
   * `GOOGLE_ISSUER_URL`, default https://accounts.google.com: the built-in Google provider's issuer.
   * Its keys are discovered there, and tokens must carry it (or it without `https://`) as `iss`.
   */
  readonly googleIssuerUrl: string;
  /** `FACEBOOK_GRAPH_URL`, default https://graph.facebook.com: where ProviderId graph.facebook.com tokens are checked (`/me`, `/app`). */
  readonly facebookGraphUrl: string;
  /** `AMAZON_API_URL`, default https://api.amazon.com: where ProviderId www.amazon.com tokens are checked (`/auth/o2/tokeninfo`). */
  readonly amazonApiUrl: string;
  /**
   * `CONSOLE_DESTINATIONS`, comma-separated absolute http(s) URL prefixes, default none: where a
   * federation sign-in (`/federation?Action=login&Destination=…`) may send the browser besides this
   * service's own console. Anything else is refused: never an open redirect.
   */
  readonly consoleDestinations: readonly string[];
  /**
   * What AssumeRoleWithSAML accepts, AWS's values by default (src/federation/saml/settings.ts):
   * - `SAML_SP_ENTITY_ID`: this service's SAML entity id, in its SP metadata (`urn:amazon:webservices`);
   * - `SAML_AUDIENCES`: comma-separated AudienceRestriction values accepted (the entity id and `https://signin.aws.amazon.com/saml`);
   * - `SAML_RECIPIENTS`: comma-separated Recipient/Destination URLs accepted (`https://signin.aws.amazon.com/saml`);
   * - `SAML_SKEW_SECONDS`: clock skew allowed on every time bound, 0 to 600 (300);
   * - `SAML_ALLOW_SHA1_PROVIDERS`: comma-separated SAML provider ARNs whose assertions may use SHA-1 (none).
   */
  readonly saml: SamlSettings;
  /**
   * Who may read `GET /metrics` (Prometheus): `METRICS_TOKEN`, a secret of at least 32 characters
   * sent as `Authorization: Bearer <token>`; or `METRICS_PUBLIC=true`, anyone (a private network,
   * a sidecar); not both. Neither: off (404). The token is never logged or echoed.
   */
  readonly metrics: MetricsAccess;
}

export type ConfigResult = { readonly ok: true; readonly config: Config } | { readonly ok: false; readonly problems: readonly string[] };

const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];
const FAILURE_MESSAGES: readonly FailureMessages[] = ['plain', 'encoded'];
const ACCOUNT_ID = /^\d{12}$/;
/** AWS long-term key ids: AKIA + 16 uppercase base32-like characters. */
const ACCESS_KEY_ID = /^AKIA[A-Z2-7]{16}$/;
const SECRET = /^[A-Za-z0-9/+]{40}$/;
const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d+$/;
const MAX_WORKERS = 64;
/** An OpenID Connect provider URL as IAM names it: host[:port][/path], optionally after https://. */
const ISSUER_URL = /^(?:https?:\/\/)?[A-Za-z0-9.-]+(?::\d{1,5})?(?:\/[^\s?#,]*)?$/;
/** REQUEST_DEADLINE_MS bounds: under 100 ms a busy but healthy database would fail requests; over 5 minutes no client waits. */
const MIN_DEADLINE_MS = 100;
const MAX_DEADLINE_MS = 300_000;
/** OIDC_FETCH_TIMEOUT_MS bounds: the whole AssumeRoleWithWebIdentity call waits on it, and SDKs give up after a few seconds. */
const MIN_OIDC_TIMEOUT_MS = 100;
const MAX_OIDC_TIMEOUT_MS = 30_000;
/** METRICS_TOKEN's shortest length: a bearer secret, not a password someone types. */
export const MIN_METRICS_TOKEN_LENGTH = 32;

export function parseConfig(env: Readonly<Record<string, string | undefined>>): ConfigResult {
  const problems: string[] = [];
  const get = (name: string): string | undefined => {
    const v = env[name];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  };

  let port = 8080;
  const rawPort = get('PORT');
  if (rawPort !== undefined) {
    port = Number(rawPort);
    if (!/^\d+$/.test(rawPort) || port < 1 || port > 65535) problems.push(`PORT must be an integer from 1 to 65535, got '${rawPort}'`);
  }

  const databaseUrl = get('DATABASE_URL');
  if (databaseUrl !== undefined && !/^postgres(?:ql)?:\/\//.test(databaseUrl)) {
    problems.push('DATABASE_URL must be a postgres:// or postgresql:// URL');
  }

  const accountId = get('STS_ACCOUNT_ID');
  if (accountId !== undefined && !ACCOUNT_ID.test(accountId)) problems.push('STS_ACCOUNT_ID must be 12 digits');

  const rootAccessKeyId = get('STS_ROOT_ACCESS_KEY_ID');
  const rootSecretAccessKey = get('STS_ROOT_SECRET_ACCESS_KEY');
  if ((rootAccessKeyId === undefined) !== (rootSecretAccessKey === undefined)) {
    problems.push('STS_ROOT_ACCESS_KEY_ID and STS_ROOT_SECRET_ACCESS_KEY must be set together');
  }
  // Never echo a secret, even a malformed one.
  if (rootAccessKeyId !== undefined && !ACCESS_KEY_ID.test(rootAccessKeyId)) problems.push('STS_ROOT_ACCESS_KEY_ID must be AKIA followed by 16 characters A-Z or 2-7');
  if (rootSecretAccessKey !== undefined && !SECRET.test(rootSecretAccessKey)) problems.push('STS_ROOT_SECRET_ACCESS_KEY must be 40 characters of A-Z, a-z, 0-9, / and +');

  let allowedRegions: string[] | undefined;
  const rawRegions = get('STS_ALLOWED_REGIONS');
  if (rawRegions !== undefined) {
    allowedRegions = rawRegions.split(',').map((r) => r.trim()).filter((r) => r !== '');
    const bad = allowedRegions.filter((r) => !REGION.test(r));
    if (bad.length > 0 || allowedRegions.length === 0) problems.push(`STS_ALLOWED_REGIONS must be a comma-separated list of regions such as us-east-1${bad.length ? `; not regions: ${bad.join(', ')}` : ''}`);
  }

  let workers = 1;
  const rawWorkers = get('WORKERS');
  if (rawWorkers !== undefined) {
    workers = Number(rawWorkers);
    if (!/^\d+$/.test(rawWorkers) || workers < 1 || workers > MAX_WORKERS) problems.push(`WORKERS must be an integer from 1 to ${MAX_WORKERS}, got '${rawWorkers}'`);
    else if (workers > 1 && databaseUrl === undefined) problems.push('WORKERS above 1 needs DATABASE_URL: the embedded database (PGlite) lives inside one process');
  }

  const trustedProxies: ProxyRange[] = [];
  const rawProxies = get('TRUSTED_PROXIES');
  if (rawProxies !== undefined) {
    const bad: string[] = [];
    for (const entry of rawProxies.split(',').map((e) => e.trim()).filter((e) => e !== '')) {
      const range = parseProxyRange(entry);
      if (range) trustedProxies.push(range);
      else bad.push(entry);
    }
    if (bad.length > 0) problems.push(`TRUSTED_PROXIES must be a comma-separated list of IP addresses or CIDR blocks such as 10.0.0.0/8; not one: ${bad.map((b) => `'${b.slice(0, 64)}'`).join(', ')}`);
  }

  const rawFailureMessages = get('AUTHORIZATION_FAILURE_MESSAGES') ?? 'plain';
  if (!(FAILURE_MESSAGES as readonly string[]).includes(rawFailureMessages)) problems.push(`AUTHORIZATION_FAILURE_MESSAGES must be one of ${FAILURE_MESSAGES.join(', ')}`);
  let requestDeadlineMs = 5000;
  const rawDeadline = get('REQUEST_DEADLINE_MS');
  if (rawDeadline !== undefined) {
    requestDeadlineMs = Number(rawDeadline);
    if (!/^\d+$/.test(rawDeadline) || requestDeadlineMs < MIN_DEADLINE_MS || requestDeadlineMs > MAX_DEADLINE_MS) {
      problems.push(`REQUEST_DEADLINE_MS must be an integer from ${MIN_DEADLINE_MS} to ${MAX_DEADLINE_MS} (milliseconds), got '${rawDeadline.slice(0, 32)}'`);
    }
  }

  let multiTenantIssuers: readonly string[] = DEFAULT_MULTI_TENANT_ISSUERS;
  const rawIssuers = get('OIDC_MULTI_TENANT_ISSUERS');
  if (rawIssuers !== undefined) {
    const entries = rawIssuers.split(',').map((e) => e.trim()).filter((e) => e !== '');
    const bad = entries.filter((e) => !ISSUER_URL.test(e));
    if (rawIssuers.toLowerCase() === 'none') multiTenantIssuers = [];
    else if (bad.length > 0 || entries.length === 0) problems.push(`OIDC_MULTI_TENANT_ISSUERS must be \`none\` or a comma-separated list of provider URLs such as token.actions.githubusercontent.com${bad.length ? `; not one: ${bad.map((b) => `'${b.slice(0, 64)}'`).join(', ')}` : ''}`);
    else multiTenantIssuers = entries.map(normalizeIssuer);
  }
  let oidcFetchTimeoutMs = 3000;
  const rawOidcTimeout = get('OIDC_FETCH_TIMEOUT_MS');
  if (rawOidcTimeout !== undefined) {
    oidcFetchTimeoutMs = Number(rawOidcTimeout);
    if (!/^\d+$/.test(rawOidcTimeout) || oidcFetchTimeoutMs < MIN_OIDC_TIMEOUT_MS || oidcFetchTimeoutMs > MAX_OIDC_TIMEOUT_MS) {
      problems.push(`OIDC_FETCH_TIMEOUT_MS must be an integer from ${MIN_OIDC_TIMEOUT_MS} to ${MAX_OIDC_TIMEOUT_MS} (milliseconds), got '${rawOidcTimeout.slice(0, 32)}'`);
    }
  }

  const production = get('NODE_ENV') === 'production';
  const providerUrl = (name: string, fallback: string): string => {
    const raw = get(name);
    if (raw === undefined) return fallback;
    if (!isProviderUrl(raw, production)) problems.push(`${name} must be an https:// URL with no query or fragment (plain http:// only on a loopback host, outside production), got '${raw.slice(0, 64)}'`);
    return raw.replace(/\/+$/, '');
  };
  const googleIssuerUrl = providerUrl('GOOGLE_ISSUER_URL', DEFAULT_GOOGLE_ISSUER);
  const facebookGraphUrl = providerUrl('FACEBOOK_GRAPH_URL', DEFAULT_FACEBOOK_GRAPH_URL);
  const amazonApiUrl = providerUrl('AMAZON_API_URL', DEFAULT_AMAZON_API_URL);

  const consoleDestinations: string[] = [];
  const rawDestinations = get('CONSOLE_DESTINATIONS');
  if (rawDestinations !== undefined) {
    const entries = rawDestinations.split(',').map((e) => e.trim()).filter((e) => e !== '');
    const bad = entries.filter((e) => !isDestinationPrefix(e) || (production && !e.startsWith('https://')));
    if (bad.length > 0) problems.push(`CONSOLE_DESTINATIONS must be a comma-separated list of absolute URLs (https:// in production) with no query or fragment; not one: ${bad.map((b) => `'${b.slice(0, 64)}'`).join(', ')}`);
    else consoleDestinations.push(...entries);
  }

  const saml = samlSettings(get, problems);
  const metrics = metricsAccess(get, problems);

  const rawLevel = get('LOG_LEVEL') ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(rawLevel)) problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);

  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    config: {
      port,
      host: get('HOST') ?? '127.0.0.1',
      databaseUrl,
      dataDir: get('DATA_DIR') ?? './data',
      keysDir: get('KEYS_DIR') ?? './keys',
      accountId,
      rootAccessKeyId,
      rootSecretAccessKey,
      allowedRegions,
      logLevel: rawLevel as LogLevel,
      production,
      workers,
      trustedProxies,
      authorizationFailureMessages: rawFailureMessages as FailureMessages,
      requestDeadlineMs,
      multiTenantIssuers,
      oidcCaBundle: get('OIDC_CA_BUNDLE'),
      oidcFetchTimeoutMs,
      googleIssuerUrl,
      facebookGraphUrl,
      amazonApiUrl,
      consoleDestinations,
      saml,
      metrics,
    },
  };
}

/** METRICS_TOKEN / METRICS_PUBLIC. The token is never echoed, not even its length. */
function metricsAccess(get: (name: string) => string | undefined, problems: string[]): MetricsAccess {
  const token = get('METRICS_TOKEN');
  const rawPublic = get('METRICS_PUBLIC');
  if (rawPublic !== undefined && rawPublic !== 'true' && rawPublic !== 'false') problems.push(`METRICS_PUBLIC must be true or false, got '${rawPublic.slice(0, 32)}'`);
  const isPublic = rawPublic === 'true';
  if (token !== undefined && isPublic) problems.push('METRICS_TOKEN and METRICS_PUBLIC=true must not both be set: choose a token or public metrics');
  if (token !== undefined && (token.length < MIN_METRICS_TOKEN_LENGTH || !/^[\x21-\x7e]+$/.test(token))) {
    problems.push(`METRICS_TOKEN must be at least ${MIN_METRICS_TOKEN_LENGTH} printable characters without spaces (e.g. openssl rand -hex 32)`);
  }
  if (token !== undefined) return { kind: 'token', token };
  return isPublic ? { kind: 'public' } : { kind: 'off' };
}

const SAML_ARN = /^arn:[^:]+:iam::\d{12}:saml-provider\/[\w.-]{1,128}$/;

function samlSettings(get: (name: string) => string | undefined, problems: string[]): SamlSettings {
  const list = (name: string, fallback: readonly string[], valid: (entry: string) => boolean, what: string): readonly string[] => {
    const raw = get(name);
    if (raw === undefined) return fallback;
    const entries = raw.split(',').map((e) => e.trim()).filter((e) => e !== '');
    const bad = entries.filter((e) => !valid(e));
    if (bad.length > 0) problems.push(`${name} must be a comma-separated list of ${what}; not one: ${bad.map((b) => `'${b.slice(0, 64)}'`).join(', ')}`);
    return entries;
  };
  const uri = (e: string): boolean => /^[\x21-\x7e]{1,1024}$/.test(e);
  const entityId = get('SAML_SP_ENTITY_ID') ?? DEFAULT_SAML_SETTINGS.entityId;
  if (!uri(entityId)) problems.push('SAML_SP_ENTITY_ID must be a URI of printable characters without spaces (at most 1024)');
  const audiences = list('SAML_AUDIENCES', get('SAML_SP_ENTITY_ID') === undefined ? DEFAULT_SAML_SETTINGS.audiences : [entityId, ...DEFAULT_SAML_SETTINGS.recipients], uri, 'URIs');
  const recipients = list('SAML_RECIPIENTS', DEFAULT_SAML_SETTINGS.recipients, (e) => /^https?:\/\/[^\s,]+$/.test(e), 'http(s) URLs');
  if (audiences.length === 0) problems.push('SAML_AUDIENCES must name at least one audience');
  if (recipients.length === 0) problems.push('SAML_RECIPIENTS must name at least one URL');
  let skewMs = DEFAULT_SAML_SETTINGS.skewMs;
  const rawSkew = get('SAML_SKEW_SECONDS');
  if (rawSkew !== undefined) {
    if (!/^\d{1,3}$/.test(rawSkew) || Number(rawSkew) > MAX_SKEW_MS / 1000) problems.push(`SAML_SKEW_SECONDS must be an integer from 0 to ${MAX_SKEW_MS / 1000}, got '${rawSkew.slice(0, 32)}'`);
    else skewMs = Number(rawSkew) * 1000;
  }
  const allowSha1Providers = list('SAML_ALLOW_SHA1_PROVIDERS', [], (e) => SAML_ARN.test(e), 'SAML provider ARNs');
  return { entityId, audiences, recipients, skewMs, allowSha1Providers };
}

/** A built-in provider's base URL: https (http only on loopback, outside production), no credentials, query or fragment. */
function isProviderUrl(text: string, production: boolean): boolean {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return false;
  }
  const secure = url.protocol === 'https:' || (url.protocol === 'http:' && !production && isLoopbackHost(url.hostname));
  return secure && url.search === '' && url.hash === '' && url.username === '' && url.password === '' && !text.includes('?') && !text.includes('#');
}

/**
 * A CONSOLE_DESTINATIONS entry: an absolute http(s) URL of printable ASCII (no spaces or
 * backslashes) with no credentials, query or fragment, as the URL parser would write it.
 */
export function isDestinationPrefix(text: string): boolean {
  if (text.length > 2048 || !/^[\x21-\x7e]+$/.test(text) || text.includes('\\')) return false;
  try {
    const url = new URL(text);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.username === '' && url.password === '' && url.search === '' && url.hash === '' && url.href.startsWith(text.replace(/\/$/, ''));
  } catch {
    return false;
  }
}

/** `10.0.0.0/8` or `2001:db8::1`; undefined if it is neither an address nor a block. */
export function parseProxyRange(text: string): ProxyRange | undefined {
  const slash = text.indexOf('/');
  const address = slash === -1 ? text : text.slice(0, slash);
  const family = isIP(address);
  if (family === 0) return undefined;
  if (slash === -1) return { address };
  const bits = text.slice(slash + 1);
  const prefix = Number(bits);
  if (!/^\d{1,3}$/.test(bits) || prefix > (family === 4 ? 32 : 128)) return undefined;
  return { address, prefix };
}
