/**
 * Revocation across two app instances on one PostgreSQL database (issue 4: "on every node within
 * seconds; show it with two app instances on one PostgreSQL"). Node B has answered a session from
 * its caches (its revoked-session set, the source key, the role's policies); then node A revokes:
 * - one session (the operator's `sessions revoke`, src/sts/revocation.ts);
 * - the access key the session was derived from (UpdateAccessKey through node A's IAM API), and
 *   its sessions stay refused on both nodes once the key is reactivated;
 * - the role's older sessions (`sessions revoke-role`);
 * and node B must refuse the session within BOUND_MS of A's commit. The delays are measured and
 * printed. Each node is a full service with its own Store (pool and LISTEN connection), sharing
 * only the database and the keys.
 *
 * PGlite is one process with one database handle, so there is no second node: PostgreSQL only.
 */
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, ListUsersCommand, PutUserPolicyCommand, UpdateAccessKeyCommand, UpdateAssumeRolePolicyCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand, GetFederationTokenCommand, GetSessionTokenCommand, STSClient } from '@aws-sdk/client-sts';
import { describe, expect, test } from 'vitest';
import type { NewAccount } from '../../src/accounts/accounts.js';
import { operatorAudit, revokeOlderRoleSessions, revokeSession } from '../../src/sts/revocation.js';
import { generateKey, Keyring } from '../../src/tokens/keyring.js';
import type { Credentials } from '../helpers/service.js';
import { backend } from '../helpers/store.js';
import { median, ms, pgOnly, useTwoNodes, type Node } from './nodes.js';
import { allow } from '../helpers/service.js';
import { createRole, mintRoleSession, type Session } from '../integration/session-fixtures.js';

const BOUND_MS = 1_000;
const ROUNDS = 5;

let a: Node;
let b: Node;
let account: NewAccount;
let rootOnA: IAMClient;
const keyring = new Keyring([generateKey(new Date())]);
const clients: { destroy(): void }[] = [];

function iamOn(at: Node, credentials: Credentials): IAMClient {
  const c = new IAMClient({ endpoint: at.server.url, region: 'us-east-1', credentials, maxAttempts: 1 });
  clients.push(c);
  return c;
}

function stsOn(at: Node, credentials: Credentials): STSClient {
  const c = new STSClient({ endpoint: at.server.url, region: 'us-east-1', credentials, maxAttempts: 1 });
  clients.push(c);
  return c;
}

async function answer(call: () => Promise<unknown>): Promise<string> {
  try {
    await call();
    return 'ok';
  } catch (err) {
    return (err as Error).name;
  }
}

/** Poll until `call` answers `want`; milliseconds from `since` until it did. Only `ok` may come before. */
async function pollUntil(call: () => Promise<string>, want: string, since: number, timeoutMs = 5_000): Promise<number> {
  for (;;) {
    const got = await call();
    const elapsed = performance.now() - since;
    if (got === want) return elapsed;
    if (got !== 'ok') throw new Error(`unexpected answer ${got} (want ${want})`);
    if (elapsed > timeoutMs) throw new Error(`still '${got}' after ${Math.round(elapsed)} ms (want '${want}')`);
  }
}

/** A user with an active key in `account`, allowed to assume roles. */
async function userWithKey(name: string): Promise<{ userName: string; accessKeyId: string; secretAccessKey: string }> {
  await rootOnA.send(new CreateUserCommand({ UserName: name }));
  const { AccessKey } = await rootOnA.send(new CreateAccessKeyCommand({ UserName: name }));
  if (!AccessKey?.AccessKeyId || !AccessKey.SecretAccessKey) throw new Error('no key');
  return { userName: name, accessKeyId: AccessKey.AccessKeyId, secretAccessKey: AccessKey.SecretAccessKey };
}

/** Poll until `call` answers ok (a node that has not heard of a reactivation yet still refuses). */
async function untilOk(call: () => Promise<string>, timeoutMs = 5_000): Promise<void> {
  const since = performance.now();
  for (let got = await call(); got !== 'ok'; got = await call()) {
    if (performance.now() - since > timeoutMs) throw new Error(`still '${got}' after ${timeoutMs} ms`);
  }
}

function credentialsOf(c: { AccessKeyId?: string | undefined; SecretAccessKey?: string | undefined; SessionToken?: string | undefined } | undefined): Credentials {
  if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) throw new Error('no credentials');
  return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
}

/** A session of `roleName` in the test account, assumed through node `at` by `by`. */
async function assumedOn(at: Node, by: Credentials, roleName: string): Promise<Credentials> {
  const out = await stsOn(at, by).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${account.accountId}:role/${roleName}`, RoleSessionName: 'cross' }));
  return credentialsOf(out.Credentials);
}

const session = (roleName: string, sourceKeyId: string): Promise<Session> =>
  mintRoleSession(keyring, rootOnA, { account: account.accountId, roleName, sourceKeyId });


useTwoNodes(keyring, clients, async (nodes) => {
  ({ a, b, account } = nodes);
  rootOnA = iamOn(a, { accessKeyId: account.accessKeyId, secretAccessKey: account.secretAccessKey });
  await createRole(rootOnA, account.accountId, 'cross-role', allow('iam:ListUsers'));
});

describe(`revocation across nodes (${backend})`, () => {
  test.skipIf(backend === 'pglite')(pgOnly(`a session revoked on node A is refused by node B within ${BOUND_MS} ms`), async () => {
    const user = await userWithKey('cross-revoke-one');
    const delays: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const s = await session('cross-role', user.accessKeyId);
      const onB = stsOn(b, s);
      const whoAmI = () => answer(() => onB.send(new GetCallerIdentityCommand({})));
      expect(await whoAmI()).toBe('ok');
      expect(b.service.caches.revoked.get(account.accountId)).toBeDefined(); // B answers from memory
      const now = new Date();
      await revokeSession(a.store, { accountId: account.accountId, jti: s.claims.jti, now, audit: operatorAudit(now, 'cross-node test') });
      delays.push(await pollUntil(whoAmI, 'InvalidClientTokenId', performance.now()));
    }
    console.log(`[revocation cross-node] a session revoked on node A was refused by node B ${ms(median(delays))} after the commit (median of ${ROUNDS}, max ${ms(Math.max(...delays))})`);
    expect(Math.max(...delays)).toBeLessThan(BOUND_MS);
  });

  test.skipIf(backend === 'pglite')(pgOnly(`deactivating a key through node A's API ends the role session derived from it on node B within ${BOUND_MS} ms`), async () => {
    const user = await userWithKey('cross-revoke-key');
    await rootOnA.send(new PutUserPolicyCommand({ UserName: user.userName, PolicyName: 'assume', PolicyDocument: JSON.stringify(allow('sts:AssumeRole')) }));
    const refused: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      // A fresh session each round: the previous round's stays refused after the reactivation.
      const s = await assumedOn(a, user, 'cross-role');
      const onB = iamOn(b, s);
      const list = () => answer(() => onB.send(new ListUsersCommand({})));
      expect(await list()).toBe('ok');
      const started = performance.now();
      await rootOnA.send(new UpdateAccessKeyCommand({ UserName: user.userName, AccessKeyId: user.accessKeyId, Status: 'Inactive' }));
      refused.push(await pollUntil(list, 'InvalidClientTokenId', started));
      await rootOnA.send(new UpdateAccessKeyCommand({ UserName: user.userName, AccessKeyId: user.accessKeyId, Status: 'Active' }));
      await untilOk(() => answer(() => stsOn(b, user).send(new GetCallerIdentityCommand({}))));
    }
    console.log(
      `[revocation cross-node] UpdateAccessKey Inactive on node A (from the call, answer included): node B refused the derived role session after ${ms(median(refused))} ` +
        `(median of ${ROUNDS}, max ${ms(Math.max(...refused))})`,
    );
    expect(Math.max(...refused)).toBeLessThan(BOUND_MS);
  });

  test.skipIf(backend === 'pglite')(pgOnly('sessions of a key deactivated then reactivated stay refused on both nodes, also on node B which did not deactivate it; sessions issued after the reactivation work on both'), async () => {
    const user = await userWithKey('cross-stay-revoked');
    await rootOnA.send(new PutUserPolicyCommand({ UserName: user.userName, PolicyName: 'issue', PolicyDocument: JSON.stringify(allow(['sts:AssumeRole', 'sts:GetFederationToken'])) }));
    await createRole(rootOnA, account.accountId, 'cross-chain-a', allow('sts:AssumeRole'));
    await createRole(rootOnA, account.accountId, 'cross-chain-b');
    /** Every kind of session of the key, issued through `at`; checked with GetCallerIdentity (authentication only). */
    const sessionsOn = async (at: Node): Promise<Credentials[]> => {
      const sts = stsOn(at, user);
      const role = await assumedOn(at, user, 'cross-chain-a');
      return [
        credentialsOf((await sts.send(new GetSessionTokenCommand({ DurationSeconds: 900 }))).Credentials),
        role,
        credentialsOf((await sts.send(new GetFederationTokenCommand({ Name: 'cross-stay', DurationSeconds: 900 }))).Credentials),
        await assumedOn(at, role, 'cross-chain-b'),
      ];
    };
    const answersOn = (at: Node, all: readonly Credentials[]) => Promise.all(all.map((c) => answer(() => stsOn(at, c).send(new GetCallerIdentityCommand({})))));
    const every = (x: string) => [x, x, x, x];

    const before = [...(await sessionsOn(a)), ...(await sessionsOn(b))];
    expect(await answersOn(b, before)).toEqual([...every('ok'), ...every('ok')]);
    expect(b.service.caches.keys.get(user.accessKeyId)).toBeDefined(); // B answers the key from memory

    await rootOnA.send(new UpdateAccessKeyCommand({ UserName: user.userName, AccessKeyId: user.accessKeyId, Status: 'Inactive' }));
    await pollUntil(() => answer(() => stsOn(b, before[0] ?? user).send(new GetCallerIdentityCommand({}))), 'InvalidClientTokenId', performance.now());
    await rootOnA.send(new UpdateAccessKeyCommand({ UserName: user.userName, AccessKeyId: user.accessKeyId, Status: 'Active' }));
    // Node B has heard of the reactivation once it takes the key itself again.
    await untilOk(() => answer(() => stsOn(b, user).send(new GetCallerIdentityCommand({}))));
    expect(b.service.caches.keys.get(user.accessKeyId)?.owner.status).toBe('Active');

    expect(await answersOn(b, before)).toEqual([...every('InvalidClientTokenId'), ...every('InvalidClientTokenId')]);
    expect(await answersOn(a, before)).toEqual([...every('InvalidClientTokenId'), ...every('InvalidClientTokenId')]);

    const after = [...(await sessionsOn(a)), ...(await sessionsOn(b))];
    expect(await answersOn(a, after)).toEqual([...every('ok'), ...every('ok')]);
    expect(await answersOn(b, after)).toEqual([...every('ok'), ...every('ok')]);
  });

  test.skipIf(backend === 'pglite')(pgOnly(`revoking a role's older sessions on node A denies them on node B within ${BOUND_MS} ms`), async () => {
    const user = await userWithKey('cross-revoke-role');
    await createRole(rootOnA, account.accountId, 'cross-role-2', allow('iam:ListUsers'));
    const delays: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const s = await session('cross-role-2', user.accessKeyId);
      const onB = iamOn(b, s);
      const list = () => answer(() => onB.send(new ListUsersCommand({})));
      expect(await list()).toBe('ok');
      // Issue times are whole seconds and the cut-off is now: a session issued in the second of a
      // previous round's cut-off would be refused from the start, so wait for it to pass.
      const now = new Date(Math.max(Date.now(), s.claims.iat * 1000 + 1));
      await revokeOlderRoleSessions(a.store, { accountId: account.accountId, roleName: 'cross-role-2', now, audit: operatorAudit(now, 'cross-node test') });
      delays.push(await pollUntil(list, 'AccessDenied', performance.now()));
      await new Promise((r) => setTimeout(r, 1000 - (Date.now() % 1000) + 20));
    }
    console.log(`[revocation cross-node] revoke-role on node A: node B denied the role's older session ${ms(median(delays))} after the commit (median of ${ROUNDS}, max ${ms(Math.max(...delays))})`);
    expect(Math.max(...delays)).toBeLessThan(BOUND_MS);
  }, 60_000);

  test.skipIf(backend === 'pglite')(pgOnly(`a trust policy changed through node A is enforced by node B's AssumeRole within ${BOUND_MS} ms`), async () => {
    const user = await userWithKey('cross-trust');
    // The trust policy names the account, which leaves the decision to the user's own policy.
    await rootOnA.send(new PutUserPolicyCommand({ UserName: user.userName, PolicyName: 'assume', PolicyDocument: JSON.stringify(allow('sts:AssumeRole')) }));
    await createRole(rootOnA, account.accountId, 'cross-trusted');
    const onB = stsOn(b, user);
    const roleArn = `arn:aws:iam::${account.accountId}:role/cross-trusted`;
    const assumeOnB = () => answer(() => onB.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'cross' })));
    const policy = (deny: boolean) =>
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account.accountId}:root` }, Action: 'sts:AssumeRole' },
          ...(deny ? [{ Effect: 'Deny', Principal: { AWS: `arn:aws:iam::${account.accountId}:user/${user.userName}` }, Action: 'sts:AssumeRole' }] : []),
        ],
      });
    const refused: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      expect(await assumeOnB()).toBe('ok');
      expect(b.service.caches.roles.size).toBeGreaterThan(0); // B answers the role from memory
      const started = performance.now();
      await rootOnA.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'cross-trusted', PolicyDocument: policy(true) }));
      refused.push(await pollUntil(assumeOnB, 'AccessDenied', started));
      await rootOnA.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'cross-trusted', PolicyDocument: policy(false) }));
      const restored = performance.now();
      while ((await assumeOnB()) !== 'ok') if (performance.now() - restored > 5_000) throw new Error('node B still refuses after the trust policy was restored');
    }
    console.log(`[revocation cross-node] UpdateAssumeRolePolicy on node A (from the call, answer included): node B refused AssumeRole after ${ms(median(refused))} (median of ${ROUNDS}, max ${ms(Math.max(...refused))})`);
    expect(Math.max(...refused)).toBeLessThan(BOUND_MS);
  });
});
