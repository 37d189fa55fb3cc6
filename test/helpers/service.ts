/**
 * A running Latchkey for integration tests: a real HTTP server on a loopback port, over a fresh
 * copy of the migrated template, with real AWS SDK clients pointed at it. Log lines are kept so
 * tests can look at them (and scan them for secrets).
 */
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, expect } from 'vitest';
import { createAccount, type NewAccount } from '../../src/accounts/accounts.js';
import type { ProxyRange } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { createService, listen, type Service } from '../../src/service.js';
import type { Store } from '../../src/store/db.js';
import { generateKey, Keyring } from '../../src/tokens/keyring.js';
import { openTestStore, type TestStore } from './store.js';

export interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
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
  /** REQUEST_DEADLINE_MS, as main.ts passes it; default none. */
  readonly requestDeadlineMs?: number;
}

export async function startService(options: StartOptions = {}): Promise<TestService> {
  const testStore = await openTestStore();
  const { store } = testStore;
  const keyring = new Keyring([generateKey(new Date())]);
  const logs: string[] = [];
  const logger = createLogger('debug', (line) => void logs.push(line));
  const state = { clockOffset: 0 };
  const service = createService({ store, keyring, logger, clock: () => Date.now() + state.clockOffset, trustedProxies: options.trustedProxies, requestDeadlineMs: options.requestDeadlineMs });
  const server = await listen(service, 0, '127.0.0.1');
  const account = await createAccount(store, keyring, new Date());
  const clients: { destroy(): void }[] = [];

  const config = (credentials: Credentials, region: string) => ({
    endpoint: server.url,
    region,
    credentials,
    maxAttempts: 1,
  });
  const iam = (credentials: Credentials = rootCredentials(account), region = 'us-east-1') => {
    const c = new IAMClient(config(credentials, region));
    clients.push(c);
    return c;
  };
  const sts = (credentials: Credentials = rootCredentials(account), region = 'us-east-1') => {
    const c = new STSClient(config(credentials, region));
    clients.push(c);
    return c;
  };

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
 * One service for a whole test file: started before its first test and closed after its last.
 * `ready` receives the service, its root IAM client and its account id.
 */
export function useService(ready: (s: { svc: TestService; iam: IAMClient; acct: string }) => void): void {
  let svc: TestService | undefined;
  beforeAll(async () => {
    svc = await startService();
    ready({ svc, iam: svc.iam(), acct: svc.account.accountId });
  });
  afterAll(async () => {
    await svc?.close();
  });
}

/**
 * A matcher for the AccessDenied message of a policy decision: exactly `reason` (AWS's "User: … is
 * not authorized to perform: …"), then the encoded authorization failure message. Use it with
 * toMatchObject, toEqual or toMatch (not toBe).
 */
export function deniedBecause(reason: string): unknown {
  const escaped = reason.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return expect.stringMatching(new RegExp(`^${escaped}\\. Encoded authorization failure message: [A-Za-z0-9_-]+$`));
}

/** AWS's AccessDenied message for an IAM user that no identity-based policy allows (a matcher: see deniedBecause). */
export function notAuthorized(account: string, user: string, action: string, resource: string): unknown {
  return deniedBecause(`User: arn:aws:iam::${account}:user/${user} is not authorized to perform: ${action} on resource: ${resource} because no identity-based policy allows the ${action} action`);
}
