/**
 * A running Latchkey for integration tests: a real HTTP server on a loopback port, over a fresh
 * copy of the migrated template, with real AWS SDK clients pointed at it. Log lines are kept so
 * tests can look at them (and scan them for secrets).
 */
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, expect } from 'vitest';
import { createAccount, type NewAccount } from '../../src/accounts/accounts.js';
import type { FailureMessages } from '../../src/auth/authorize.js';
import type { ProxyRange } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import type { MetricsAccess } from '../../src/metrics.js';
import type { SamlSettings } from '../../src/operation.js';
import { createService, listen, type OidcServiceOptions, type Service } from '../../src/service.js';
import { loadAwsManagedPolicies, type AwsManagedPolicy } from '../../src/store/policies/aws-managed.js';
import type { Store } from '../../src/store/db.js';
import { generateKey, Keyring } from '../../src/tokens/keyring.js';
import { openTestStore, type TestStore } from './store.js';

export interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** The credentials an STS call returned, as the SDK clients take them (a missing part fails the test). */
export function credentialsOf(c: { AccessKeyId?: string | undefined; SecretAccessKey?: string | undefined; SessionToken?: string | undefined } | undefined): Credentials {
  if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) throw new Error('no credentials');
  return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
}

export interface TestService {
  readonly url: string;
  readonly store: Store;
  readonly testStore: TestStore;
  readonly service: Service;
  readonly keyring: Keyring;
  /** The first account and its root key. */
  readonly account: NewAccount;
  readonly root: Credentials;
  /** Every log line written so far (JSON text). */
  readonly logs: string[];
  /** Milliseconds added to the server's clock (skew tests). */
  clockOffset: number;
  iam(credentials?: Credentials, region?: string): IAMClient;
  sts(credentials?: Credentials, region?: string): STSClient;
  /** Another account with its own root key. */
  newAccount(): Promise<NewAccount>;
  /**
   * A second node on the same database and keys, configured differently (closed with this one):
   * what a deployment looks like while a setting is rolled out node by node.
   */
  node(options: { readonly failureMessages?: FailureMessages; readonly saml?: Partial<SamlSettings> }): Promise<{ iam(credentials?: Credentials): IAMClient; sts(credentials?: Credentials): STSClient }>;
  /** Create a user (as root) with an inline policy and an access key; returns its credentials. */
  userWithPolicy(name: string, policy?: object, account?: NewAccount): Promise<Credentials & { userName: string }>;
  close(): Promise<void>;
}

export function rootCredentials(account: NewAccount): Credentials {
  return { accessKeyId: account.accessKeyId, secretAccessKey: account.secretAccessKey };
}

export interface StartOptions {
  /** TRUSTED_PROXIES, as main.ts passes it. */
  readonly trustedProxies?: readonly ProxyRange[];
  /** AUTHORIZATION_FAILURE_MESSAGES, as main.ts passes it (default plain). */
  readonly failureMessages?: FailureMessages;
  /** REQUEST_DEADLINE_MS, as main.ts passes it; default none. */
  readonly requestDeadlineMs?: number;
  /** NODE_ENV=production, as main.ts passes it; default false. */
  readonly production?: boolean;
  /** OIDC_MULTI_TENANT_ISSUERS, as main.ts passes it; default GitHub's and GitLab's issuers. */
  readonly multiTenantIssuers?: readonly string[];
  /** How OpenID Connect providers are reached (OIDC_CA_BUNDLE, OIDC_FETCH_TIMEOUT_MS, …). */
  readonly oidc?: OidcServiceOptions;
  /** What AssumeRoleWithSAML accepts (SAML_*), as main.ts passes it; default AWS's values. */
  readonly saml?: Partial<SamlSettings>;
  /** METRICS_TOKEN / METRICS_PUBLIC, as main.ts passes them; default off. */
  readonly metrics?: MetricsAccess;
  /** The version main.ts reads from package.json (latchkey_build_info). */
  readonly version?: string;
}

/** The shipped data, read once per test file (main.ts reads it once per process). */
let shipped: Promise<AwsManagedPolicy[]> | undefined;
function shippedAwsManagedPolicies(): Promise<AwsManagedPolicy[]> {
  shipped ??= loadAwsManagedPolicies();
  return shipped;
}

export async function startService(options: StartOptions = {}): Promise<TestService> {
  const testStore = await openTestStore();
  const { store } = testStore;
  const keyring = new Keyring([generateKey(new Date())]);
  const logs: string[] = [];
  const logger = createLogger('debug', (line) => void logs.push(line));
  const state = { clockOffset: 0 };
  const awsManagedPolicies = await shippedAwsManagedPolicies();
  const service = createService({
    store,
    keyring,
    logger,
    awsManagedPolicies,
    clock: () => Date.now() + state.clockOffset,
    trustedProxies: options.trustedProxies,
    failureMessages: options.failureMessages,
    requestDeadlineMs: options.requestDeadlineMs,
    production: options.production,
    multiTenantIssuers: options.multiTenantIssuers,
    oidc: options.oidc,
    saml: options.saml,
    metrics: options.metrics,
    version: options.version,
  });
  const server = await listen(service, 0, '127.0.0.1');
  const account = await createAccount(store, keyring, new Date());
  const clients: { destroy(): void }[] = [];
  const nodes: { readonly service: Service; readonly server: Awaited<ReturnType<typeof listen>> }[] = [];

  const config = (url: string, credentials: Credentials, region: string) => ({
    endpoint: url,
    region,
    credentials,
    maxAttempts: 1,
  });
  const clientsFor = (url: string) => ({
    iam: (credentials: Credentials = rootCredentials(account), region = 'us-east-1') => {
      const c = new IAMClient(config(url, credentials, region));
      clients.push(c);
      return c;
    },
    sts: (credentials: Credentials = rootCredentials(account), region = 'us-east-1') => {
      const c = new STSClient(config(url, credentials, region));
      clients.push(c);
      return c;
    },
  });
  const { iam, sts } = clientsFor(server.url);

  return {
    url: server.url,
    store,
    testStore,
    service,
    keyring,
    account,
    root: rootCredentials(account),
    logs,
    get clockOffset() {
      return state.clockOffset;
    },
    set clockOffset(v: number) {
      state.clockOffset = v;
    },
    iam,
    sts,
    newAccount: () => createAccount(store, keyring, new Date()),
    async node(nodeOptions) {
      // The same clock (skew included) and settings but for what the test changes.
      const other = createService({ store, keyring, logger, awsManagedPolicies, clock: () => Date.now() + state.clockOffset, saml: nodeOptions.saml ?? options.saml, failureMessages: nodeOptions.failureMessages });
      const otherServer = await listen(other, 0, '127.0.0.1');
      nodes.push({ service: other, server: otherServer });
      return clientsFor(otherServer.url);
    },
    async userWithPolicy(name, policy, acct = account) {
      const admin = iam(rootCredentials(acct));
      await admin.send(new CreateUserCommand({ UserName: name }));
      if (policy) {
        await admin.send(new PutUserPolicyCommand({ UserName: name, PolicyName: 'test', PolicyDocument: JSON.stringify(policy) }));
      }
      const { AccessKey } = await admin.send(new CreateAccessKeyCommand({ UserName: name }));
      if (!AccessKey?.AccessKeyId || !AccessKey.SecretAccessKey) throw new Error('CreateAccessKey returned no key');
      return { userName: name, accessKeyId: AccessKey.AccessKeyId, secretAccessKey: AccessKey.SecretAccessKey };
    },
    async close() {
      for (const c of clients) c.destroy();
      for (const n of nodes) {
        await n.server.close();
        n.service.dispose();
      }
      await server.close();
      service.dispose();
      await testStore.close();
    },
  };
}

/** `{"Version":"2012-10-17","Statement":[{Effect, Action, Resource}]}` */
export function allow(action: string | string[], resource: string | string[] = '*'): object {
  return { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: resource }] };
}

/**
 * One service for a whole test file (or describe block): started before its first test and closed
 * after its last, even when `ready` throws. `ready` receives the service, its root IAM client and
 * its account id, and may go on to create what the tests share (awaited in the same hook).
 */
export function useService(ready: (s: { svc: TestService; iam: IAMClient; acct: string }) => unknown, options: StartOptions = {}): void {
  let svc: TestService | undefined;
  beforeAll(async () => {
    svc = await startService(options);
    await ready({ svc, iam: svc.iam(), acct: svc.account.accountId });
  });
  afterAll(async () => {
    await svc?.close();
  });
}

/**
 * AWS's AccessDenied message for an IAM user that no identity-based policy allows, exactly (compare
 * with toBe, toEqual or toMatchObject). `resource` is left out for STS actions that have no resource
 * type, whose denials name none.
 */
export function notAuthorized(account: string, user: string, action: string, resource?: string): string {
  const onResource = resource === undefined ? '' : ` on resource: ${resource}`;
  return `User: arn:aws:iam::${account}:user/${user} is not authorized to perform: ${action}${onResource} because no identity-based policy allows the ${action} action`;
}

/**
 * With AUTHORIZATION_FAILURE_MESSAGES=encoded: exactly `reason` (AWS's text), then ". Encoded
 * authorization failure message: " and a base64url token. A matcher: use it with toEqual,
 * toMatchObject or toMatch.
 */
export function encodedDenial(reason: string): unknown {
  const escaped = reason.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return expect.stringMatching(new RegExp(`^${escaped}\\. Encoded authorization failure message: [A-Za-z0-9_-]+$`));
}

/** The encoded part of an AccessDenied message (AUTHORIZATION_FAILURE_MESSAGES=encoded), or undefined. */
export function encodedPart(message: string): string | undefined {
  return /\. Encoded authorization failure message: ([A-Za-z0-9_-]+)$/.exec(message)?.[1];
}
