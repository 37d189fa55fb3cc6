/**
 * Wiring shared by main.ts and the tests: given a store, a keyring and a logger, build the app
 * and its caches, and keep the caches in step with every node's writes. No IO of its own beyond
 * what the store does.
 */
import { serve, type ServerType } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import type { FailureMessages } from './auth/authorize.js';
import { AwsManagedSessionPolicies } from './auth/aws-managed-session-policies.js';
import { cachingSigningKeys, cachingTokenOpener } from './auth/hot-caches.js';
import type { ProxyRange } from './config.js';
import { createApp } from './http/app.js';
import { TrustedProxies } from './http/forwarded.js';
import { createCaches, invalidate, type Caches, type QueryDeps } from './http/query.js';
import { IAM_VERSION, iamOperations } from './iam/index.js';
import type { Logger } from './log.js';
import { STS_VERSION, stsOperations } from './sts/index.js';
import type { OperationDef } from './operation.js';
import { PolicyCache } from './policy/index.js';
import { loadServices } from './protocol/index.js';
import { retryingConflicts } from './store/conflicts.js';
import { touchAccessKey } from './store/credentials.js';
import { AuditAppender } from './store/audit.js';
import type { AwsManagedPolicy } from './store/aws-managed-policies.js';
import type { Store } from './store/db.js';
import type { Keyring } from './tokens/keyring.js';

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
}

export interface Service {
  readonly app: ReturnType<typeof createApp>;
  readonly deps: QueryDeps;
  readonly caches: Caches;
  /** Stop listening for changes (the store is closed by its owner). */
  dispose(): void;
}

/** Last-used times are written at most once a minute per key, off the request path. */
const LAST_USED_INTERVAL_MS = 60_000;

export function createService(options: ServiceOptions): Service {
  const caches = createCaches(() => options.store.coherent());
  const unlisten = options.store.onChange((accountId) => invalidate(caches, accountId));
  const operations = new Map<string, OperationDef>();
  for (const op of iamOperations) operations.set(`${IAM_VERSION}:${op.name}`, op);
  for (const op of stsOperations) operations.set(`${STS_VERSION}:${op.name}`, op);
  const lastUsed = new Map<string, number>();
  const done = new Map<string, number>();
  const policyCache = new PolicyCache();
  const deps: QueryDeps = {
    // Writes are retried when PostgreSQL aborts them for a collision (store/conflicts.ts).
    store: retryingConflicts(options.store),
    keyring: options.keyring,
    failureMessages: options.failureMessages ?? 'plain',
    services: loadServices(),
    operations,
    policyCache,
    awsManagedPolicies: new AwsManagedSessionPolicies(options.awsManagedPolicies ?? [], policyCache),
    caches,
    audit: new AuditAppender(options.store.db),
    allowedRegions: options.allowedRegions,
    trustedProxies: options.trustedProxies && options.trustedProxies.length > 0 ? new TrustedProxies(options.trustedProxies) : undefined,
    clock: options.clock ?? Date.now,
    logger: options.logger,
    requestDeadlineMs: options.requestDeadlineMs,
    signingKeys: cachingSigningKeys(),
    recentlyDone(key, intervalMs, now) {
      const previous = done.get(key);
      if (previous !== undefined && now - previous < intervalMs) return true;
      if (done.size > 100_000) done.clear();
      done.set(key, now);
      return false;
    },
    openToken: cachingTokenOpener(options.keyring),
    keyUsed(accessKeyId, at, service, region) {
      const previous = lastUsed.get(accessKeyId);
      if (previous !== undefined && at.getTime() - previous < LAST_USED_INTERVAL_MS) return;
      if (lastUsed.size > 100_000) lastUsed.clear();
      lastUsed.set(accessKeyId, at.getTime());
      touchAccessKey(options.store.db, accessKeyId, at, service, region).catch((err: unknown) =>
        options.logger.warn('could not record key use', { accessKeyId, error: (err as Error).name }),
      );
    },
  };
  return { app: createApp(deps), deps, caches, dispose: unlisten };
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
