/**
 * Wiring shared by main.ts and the tests: given a store, a keyring and a logger, build the app
 * and its caches, and keep the caches in step with every node's writes. No IO of its own beyond
 * what the store does.
 */
import { serve, type ServerType } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { rootCertificates } from 'node:tls';
import { DEFAULT_GOOGLE_ISSUER } from './federation/google.js';
import { DEFAULT_AMAZON_API_URL, DEFAULT_FACEBOOK_GRAPH_URL, OAuthInspector } from './federation/oauth.js';
import { OidcKeys, type OidcKeyOptions } from './federation/oidc/keys.js';
import { authenticate, checkSession, type AuthenticateDeps, type SessionChecks } from './auth/authenticate.js';
import { accessDenied, authorize, principalFor, type AuthorizeDeps, type FailureMessages } from './auth/authorize.js';
import { BoundedCache } from './cache.js';
import { AwsManagedSessionPolicies } from './auth/aws-managed-session-policies.js';
import { createCaches, invalidate, type Caches } from './auth/caches.js';
import { cachingSigningKeys, cachingTokenOpener } from './auth/hot-caches.js';
import { revocationCheck } from './auth/revocation.js';
import type { ProxyRange } from './config.js';
import { mountConsole } from './console/routes.js';
import type { SignInPort } from './console/sign-in-port.js';
import { storeSignIn } from './console/sign-in-store.js';
import { describeError } from './describe-error.js';
import { createApp } from './http/app.js';
import { TrustedProxies } from './http/forwarded.js';
import type { PipelineDeps } from './http/pipeline.js';
import { iamOperations } from './iam/index.js';
import type { Logger } from './log.js';
import { Metrics, type MetricsAccess } from './metrics.js';
import { registerOperations, type OperationDef, type Registry, type SamlSettings } from './operation.js';
import { DEFAULT_MULTI_TENANT_ISSUERS, PolicyCache } from './policy/index.js';
import { loadServices } from './protocol/index.js';
import type { AllowedScope } from './sigv4/index.js';
import { stsOperations } from './sts/index.js';
import { oidcProviderDirectory } from './sts/oidc-provider-directory.js';
import { samlProviderDirectory } from './sts/saml-provider-directory.js';
import { DEFAULT_SAML_SETTINGS } from './federation/saml/settings.js';
import { roleDirectory } from './sts/role-directory.js';
import { retryingConflicts } from './store/conflicts.js';
import { touchAccessKey } from './store/access-keys.js';
import { AuditAppender } from './store/audit.js';
import { UnsignedRefusals } from './audit/unsigned-refusals.js';
import type { AwsManagedPolicy } from './store/policies/aws-managed.js';
import type { Db, Store } from './store/db.js';
import { errorCode } from './store/errors.js';
import type { Keyring } from './tokens/keyring.js';
import type { SessionClaims } from './tokens/session-token.js';

export interface ServiceOptions {
  readonly store: Store;
  readonly keyring: Keyring;
  readonly logger: Logger;
  readonly clock?: (() => number) | undefined;
  readonly allowedRegions?: readonly string[] | undefined;
  /** Load balancers or proxies whose X-Forwarded-For/-Proto are believed (TRUSTED_PROXIES). */
  readonly trustedProxies?: readonly ProxyRange[] | undefined;
  /** AUTHORIZATION_FAILURE_MESSAGES: `plain` (AWS's IAM and STS text, the default) or `encoded`. */
  readonly failureMessages?: FailureMessages | undefined;
  /** REQUEST_DEADLINE_MS (QueryDeps.requestDeadlineMs); undefined: no deadline. */
  readonly requestDeadlineMs?: number | undefined;
  /**
   * The AWS managed policies this release ships (loadAwsManagedPolicies(), read once by the
   * caller): a session policy that names one is carried in the token as its ARN and resolved
   * from memory. Absent: none is known, so their documents are sealed into tokens as a customer
   * managed policy's are (and a large one is PackedPolicyTooLarge), and a token naming one is
   * denied.
   */
  readonly awsManagedPolicies?: readonly AwsManagedPolicy[] | undefined;
  /** NODE_ENV=production: no plain-http OpenID Connect provider, even on loopback. Default false. */
  readonly production?: boolean | undefined;
  /** OIDC_MULTI_TENANT_ISSUERS; default GitHub Actions' and GitLab's issuers. */
  readonly multiTenantIssuers?: readonly string[] | undefined;
  /** How OpenID Connect providers are reached (AssumeRoleWithWebIdentity); defaults below. */
  readonly oidc?: OidcServiceOptions | undefined;
  /** The console and the federation endpoint (src/console/). */
  readonly console?: ConsoleServiceOptions | undefined;
  /** What AssumeRoleWithSAML accepts (SAML_* settings); AWS's values by default (DEFAULT_SAML_SETTINGS). */
  readonly saml?: Partial<SamlSettings> | undefined;
  /** Who may read /metrics (METRICS_TOKEN, METRICS_PUBLIC); default off (404). Counted either way. */
  readonly metrics?: MetricsAccess | undefined;
  /** This release's version, for latchkey_build_info; default `unknown`. */
  readonly version?: string | undefined;
}

export interface ConsoleServiceOptions {
  /** CONSOLE_DESTINATIONS: URL prefixes a federation sign-in may redirect to, besides this console. Default none. */
  readonly destinations?: readonly string[] | undefined;
  /** Password sign-in; default: the login profiles and MFA devices of the store. Test seam. */
  readonly signIn?: SignInPort | undefined;
}

export interface OidcServiceOptions {
  /** OIDC_CA_BUNDLE's text (PEM): CAs trusted besides the system's. */
  readonly caBundle?: string | undefined;
  /** OIDC_FETCH_TIMEOUT_MS, default 3000. */
  readonly timeoutMs?: number | undefined;
  /** An unknown `kid` refetches an issuer's keys at most this often, default 30 s. */
  readonly refreshCooldownMs?: number | undefined;
  /** http:// issuers on loopback addresses: main.ts allows them outside production; default false. */
  readonly allowLoopbackHttp?: boolean | undefined;
  /** Test seam: connect elsewhere for a host (FetchPolicy.connectTo). */
  readonly connectTo?: OidcKeyOptions['connectTo'];
  /** GOOGLE_ISSUER_URL, default https://accounts.google.com. */
  readonly googleIssuer?: string | undefined;
  /** FACEBOOK_GRAPH_URL, default https://graph.facebook.com. */
  readonly facebookGraphUrl?: string | undefined;
  /** AMAZON_API_URL, default https://api.amazon.com. */
  readonly amazonApiUrl?: string | undefined;
}

/** The PEM certificates of a bundle's text. */
export function pemCertificates(text: string): string[] {
  return text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}

export interface Service {
  readonly app: ReturnType<typeof createApp>;
  readonly deps: PipelineDeps;
  readonly registry: Registry;
  readonly caches: Caches;
  /** This node's metrics, in a registry of its own. */
  readonly metrics: Metrics;
  /** Stop listening for changes and drop the metrics (the store is closed by its owner). */
  dispose(): void;
}

/** Last-used times are written at most once a minute per key, off the request path. */
const LAST_USED_INTERVAL_MS = 60_000;

/** The composition root: every cache, table and helper the pipeline and the handlers use, made once here. */
export function createService(options: ServiceOptions): Service {
  const { store, keyring, logger } = options;
  const caches = createCaches(() => store.coherent());
  const unlisten = store.onChange((accountId) => invalidate(caches, accountId));
  // Each operation under the model that has its name: its API version, signing name and action come from there.
  const services = loadServices();
  const operations = new Map<string, OperationDef>();
  registerOperations(operations, services, [...iamOperations, ...stsOperations]);
  const policyCache = new PolicyCache();
  const awsManagedPolicies = new AwsManagedSessionPolicies(options.awsManagedPolicies ?? [], policyCache);
  const failureMessages: FailureMessages = options.failureMessages ?? 'plain';
  const reportUnusable = (what: string, err: unknown): void => logger.warn('stored document no longer compiles', { what, error: describeError(err) });
  const authorizeDeps = (db: Db): AuthorizeDeps => ({ db, policyCache, awsManagedPolicies, principals: caches.principals, keyring, failureMessages, reportUnusable });

  const oidc = options.oidc ?? {};
  const trustStore = [...rootCertificates, ...pemCertificates(oidc.caBundle ?? '')];
  const oidcKeys = new OidcKeys({
    ca: trustStore,
    timeoutMs: oidc.timeoutMs ?? 3000,
    refreshCooldownMs: oidc.refreshCooldownMs,
    allowLoopbackHttp: oidc.allowLoopbackHttp ?? false,
    connectTo: oidc.connectTo,
  });
  const oauth = new OAuthInspector({
    facebookGraphUrl: oidc.facebookGraphUrl ?? DEFAULT_FACEBOOK_GRAPH_URL,
    amazonApiUrl: oidc.amazonApiUrl ?? DEFAULT_AMAZON_API_URL,
    ca: trustStore,
    timeoutMs: oidc.timeoutMs ?? 3000,
    allowLoopbackHttp: oidc.allowLoopbackHttp ?? false,
    connectTo: oidc.connectTo,
  });

  // Bookkeeping throttles (a role's last use, a key's): the most recent 100,000 keys on this node.
  const done = new BoundedCache<string, number>({ maxEntries: 100_000 });
  const registry: Registry = {
    keyring,
    policyCache,
    awsManagedPolicies,
    principals: { of: (caller, db) => principalFor(authorizeDeps(db), caller) },
    roles: roleDirectory(store.db, caches.roles),
    oidcProviders: oidcProviderDirectory(store.db, caches.oidcProviders),
    oidcKeys,
    builtInProviders: { googleIssuer: oidc.googleIssuer ?? DEFAULT_GOOGLE_ISSUER, oauth },
    samlProviders: samlProviderDirectory(store.db, caches.samlProviders),
    saml: { ...DEFAULT_SAML_SETTINGS, ...options.saml },
    denials: { deny: (caller, req, decision, context) => accessDenied({ keyring, failureMessages }, caller, req, decision, context) },
    identityProviders: { allowLoopbackHttp: options.production !== true, multiTenantIssuers: options.multiTenantIssuers ?? DEFAULT_MULTI_TENANT_ISSUERS },
    recentlyDone(key, intervalMs, now) {
      const previous = done.get(key);
      if (previous !== undefined && now - previous < intervalMs) return true;
      done.set(key, now);
      return false;
    },
    reportUnusable,
  };

  const authDeps: AuthenticateDeps = { db: store.db, keyring, keys: caches.keys, openToken: cachingTokenOpener(keyring), available: () => store.reachable() };
  const sessionChecks: SessionChecks = { revoked: revocationCheck(store.db, caches.revoked) };
  const signingKeys = cachingSigningKeys();
  // The scopes a request may be signed for: one object per service, made here (not one per request).
  const allowedRegions = options.allowedRegions;
  const scopes = new Map<string, AllowedScope>();
  for (const model of services.byVersion.values()) scopes.set(model.signingName, { services: [model.signingName], ...(allowedRegions ? { regions: allowedRegions } : {}) });
  const scopeFor = (service: string): AllowedScope => scopes.get(service) ?? { services: [service], ...(allowedRegions ? { regions: allowedRegions } : {}) };

  const lastUsed = new BoundedCache<string, number>({ maxEntries: 100_000 });
  const deps: PipelineDeps = {
    // Writes are retried when PostgreSQL aborts them for a collision (store/conflicts.ts).
    store: retryingConflicts(store),
    services,
    operations,
    registry,
    caches,
    audit: new AuditAppender(store.db),
    unsignedRefusals: new UnsignedRefusals(store.db, logger),
    authenticate: (sig, now, signingName) => authenticate(authDeps, sig, now, scopeFor(signingName), signingKeys, sessionChecks),
    authorize: (caller, db, req) => authorize(authorizeDeps(db), caller, req),
    trustedProxies: options.trustedProxies && options.trustedProxies.length > 0 ? new TrustedProxies(options.trustedProxies) : undefined,
    clock: options.clock ?? Date.now,
    logger,
    requestDeadlineMs: options.requestDeadlineMs,
    keyUsed(accessKeyId, at, service, region) {
      const previous = lastUsed.get(accessKeyId);
      if (previous !== undefined && at.getTime() - previous < LAST_USED_INTERVAL_MS) return;
      lastUsed.set(accessKeyId, at.getTime());
      touchAccessKey(store.db, accessKeyId, at, service, region).catch((err: unknown) => logger.warn('could not record key use', { accessKeyId, error: errorCode(err) }));
    },
  };
  const metrics = new Metrics({ access: options.metrics ?? { kind: 'off' }, version: options.version ?? 'unknown' });
  const consoleDeps = {
    metrics,
    db: store.db,
    // Every node drops the account's caches; this one before the answer (read-your-writes, as the pipeline's writes).
    announce: async (db: Db, accountId: string) => {
      await store.announce(db, accountId);
      invalidate(caches, accountId);
    },
    keyring,
    logger,
    clock: deps.clock,
    audit: deps.audit,
    trustedProxies: deps.trustedProxies,
    checkSession: (claims: SessionClaims, now: number) => checkSession(authDeps, sessionChecks, claims, now),
    signIn: options.console?.signIn ?? storeSignIn({ db: store.db, keyring, registry, authorize: deps.authorize }),
    destinations: options.console?.destinations ?? [],
  };
  return {
    app: createApp({ ...deps, metrics }, (app) => mountConsole(app, consoleDeps)),
    deps,
    registry,
    caches,
    metrics,
    dispose() {
      unlisten();
      metrics.close();
    },
  };
}

export interface Listening {
  readonly server: ServerType;
  readonly url: string;
  /** Stop accepting connections and let in-flight requests finish. */
  close(): Promise<void>;
}

export function listen(service: Service, port: number, hostname: string): Promise<Listening> {
  return new Promise((resolve) => {
    const server = serve({ fetch: service.app.fetch, port, hostname }, (info: AddressInfo) => {
      const host = info.family === 'IPv6' ? `[${info.address}]` : info.address;
      resolve({
        server,
        url: `http://${host}:${info.port}`,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            // Idle keep-alive connections would hold close() open forever.
            if ('closeIdleConnections' in server) server.closeIdleConnections();
          }),
      });
    });
  });
}
