/**
 * How temporary credentials behave on every request, shown with GetSessionToken credentials and
 * the real SDK: they authenticate as the user, the token is bound to its key id and cannot be
 * altered, it expires, it dies with the long-term key it came from, it survives a key rotation,
 * and it sets the session's condition keys.
 */
import { CreateRoleCommand, DeleteAccessKeyCommand, GetUserCommand, UpdateAccessKeyCommand, type IAMClient } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand, GetSessionTokenCommand, STSClient } from '@aws-sdk/client-sts';
import { describe, expect, test } from 'vitest';
import { createAccount } from '../../src/accounts/accounts.js';
import { sessionCaller } from '../../src/auth/authenticate.js';
import { callerContext } from '../../src/auth/authorize.js';
import { createLogger } from '../../src/log.js';
import { createRequestContext, evaluate, PolicyCache } from '../../src/policy/index.js';
import { createService, listen } from '../../src/service.js';
import { generateKey, Keyring } from '../../src/tokens/keyring.js';
import { openSessionToken, sealSessionToken } from '../../src/tokens/session-token.js';
import { allow, type Credentials, type TestService, useService } from '../helpers/service.js';

let svc: TestService;
let iam: IAMClient;
let acct: string;
useService((s) => ({ svc, iam, acct } = s));

const EXPIRED = 'The security token included in the request is expired';
const INVALID = 'The security token included in the request is invalid.';

async function session(creds: Credentials, durationSeconds?: number): Promise<Required<Credentials>> {
  const { Credentials: c } = await svc.sts(creds).send(new GetSessionTokenCommand(durationSeconds === undefined ? {} : { DurationSeconds: durationSeconds }));
  if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) throw new Error('GetSessionToken returned no credentials');
  return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
}

function whoAmI(creds: Credentials) {
  return svc.sts(creds).send(new GetCallerIdentityCommand({}));
}

/** The token with one character in its middle replaced by another of the same alphabet. */
function tampered(token: string): string {
  const i = Math.floor(token.length / 2);
  const flipped = token[i] === 'A' ? 'B' : 'A';
  return token.slice(0, i) + flipped + token.slice(i + 1);
}

describe('GetSessionToken credentials on later requests', () => {
  test("authenticate as the user: GetCallerIdentity returns the user's ARN and id", async () => {
    const user = await svc.userWithPolicy('alice');
    const creds = await session(user);
    const me = await whoAmI(creds);
    const longTerm = await whoAmI(user);
    expect(me).toMatchObject({ Arn: `arn:aws:iam::${acct}:user/alice`, Account: acct, UserId: longTerm.UserId });
    expect(me.UserId).toMatch(/^AIDA/);
  });

  test('root session: GetCallerIdentity returns the root ARN and the account id', async () => {
    const creds = await session(svc.root);
    expect(await whoAmI(creds)).toMatchObject({ Arn: `arn:aws:iam::${acct}:root`, Account: acct, UserId: acct });
  });

  test("a token presented with another session's key id is refused: InvalidClientTokenId", async () => {
    const user = await svc.userWithPolicy('swapper');
    const [a, b] = [await session(user), await session(user)];
    // B's key and secret sign the request correctly, but the token is A's.
    await expect(whoAmI({ ...b, sessionToken: a.sessionToken })).rejects.toMatchObject({ name: 'InvalidClientTokenId', message: INVALID });
  });

  test('a tampered token is refused: InvalidClientTokenId', async () => {
    const creds = await session(await svc.userWithPolicy('tamper'));
    await expect(whoAmI({ ...creds, sessionToken: tampered(creds.sessionToken) })).rejects.toMatchObject({ name: 'InvalidClientTokenId', message: INVALID });
    // Cut short, or garbage, the same.
    await expect(whoAmI({ ...creds, sessionToken: creds.sessionToken.slice(0, -10) })).rejects.toMatchObject({ name: 'InvalidClientTokenId' });
    await expect(whoAmI({ ...creds, sessionToken: 'not-a-token' })).rejects.toMatchObject({ name: 'InvalidClientTokenId' });
  });

  test('an ASIA key id without its token, and an AKIA key with a token, are refused: InvalidClientTokenId', async () => {
    const user = await svc.userWithPolicy('mixer');
    const creds = await session(user);
    await expect(whoAmI({ accessKeyId: creds.accessKeyId, secretAccessKey: creds.secretAccessKey })).rejects.toMatchObject({ name: 'InvalidClientTokenId', message: INVALID });
    await expect(whoAmI({ ...user, sessionToken: creds.sessionToken })).rejects.toMatchObject({ name: 'InvalidClientTokenId', message: INVALID });
  });

  test('a token from another deployment (other keys) is refused: InvalidClientTokenId', async () => {
    const creds = await session(await svc.userWithPolicy('foreign'));
    const claims = openSessionToken(svc.keyring, creds.sessionToken);
    if (!claims) throw new Error('token does not open');
    const forged = sealSessionToken(new Keyring([generateKey(new Date())]), claims);
    await expect(whoAmI({ ...creds, sessionToken: forged })).rejects.toMatchObject({ name: 'InvalidClientTokenId' });
  });

  test('after its expiry the token is refused: ExpiredToken, with AWS message', async () => {
    const creds = await session(await svc.userWithPolicy('shortlived'), 900);
    expect((await whoAmI(creds)).Arn).toContain(':user/shortlived');
    const offset = 901_000;
    const client = svc.sts(creds);
    // Sign with the moved clock too, so that the request itself is not stale.
    client.config.systemClockOffset = offset;
    svc.clockOffset = offset;
    try {
      await expect(client.send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({ name: 'ExpiredToken', message: EXPIRED });
    } finally {
      svc.clockOffset = 0;
    }
  });

  test('just before its expiry the token still works', async () => {
    const creds = await session(await svc.userWithPolicy('almost'), 900);
    const offset = 880_000;
    const client = svc.sts(creds);
    client.config.systemClockOffset = offset;
    svc.clockOffset = offset;
    try {
      expect((await client.send(new GetCallerIdentityCommand({}))).Arn).toContain(':user/almost');
    } finally {
      svc.clockOffset = 0;
    }
  });

  test("deactivating the user's access key ends its sessions on the next request; reactivating restores none of them, later sessions work", async () => {
    const user = await svc.userWithPolicy('toggled');
    const creds = await session(user);
    await whoAmI(creds);
    await iam.send(new UpdateAccessKeyCommand({ UserName: 'toggled', AccessKeyId: user.accessKeyId, Status: 'Inactive' }));
    await expect(whoAmI(creds)).rejects.toMatchObject({ name: 'InvalidClientTokenId', message: INVALID });
    await iam.send(new UpdateAccessKeyCommand({ UserName: 'toggled', AccessKeyId: user.accessKeyId, Status: 'Active' }));
    await expect(whoAmI(creds)).rejects.toMatchObject({ name: 'InvalidClientTokenId', message: INVALID });
    expect((await whoAmI(await session(user))).Arn).toBe(`arn:aws:iam::${acct}:user/toggled`);
  });

  test("deleting the user's access key ends its sessions", async () => {
    const user = await svc.userWithPolicy('deleted-key');
    const creds = await session(user);
    await whoAmI(creds);
    await iam.send(new DeleteAccessKeyCommand({ UserName: 'deleted-key', AccessKeyId: user.accessKeyId }));
    await expect(whoAmI(creds)).rejects.toMatchObject({ name: 'InvalidClientTokenId', message: INVALID });
  });

  test('without MFA they cannot call IAM at all: InvalidClientTokenId, even with an allow-all policy', async () => {
    const user = await svc.userWithPolicy('no-mfa', allow('*'));
    // The long-term key may.
    await svc.iam(user).send(new GetUserCommand({}));
    const creds = await session(user);
    await expect(svc.iam(creds).send(new GetUserCommand({}))).rejects.toMatchObject({ name: 'InvalidClientTokenId', message: INVALID });
  });

  test('they cannot call GetSessionToken again: AccessDenied', async () => {
    const user = await svc.userWithPolicy('again', allow('*'));
    const creds = await session(user);
    await expect(svc.sts(creds).send(new GetSessionTokenCommand({}))).rejects.toMatchObject({
      name: 'AccessDenied',
      message: 'Cannot call GetSessionToken with session credentials',
    });
    // Root's session neither.
    await expect(svc.sts(await session(svc.root)).send(new GetSessionTokenCommand({}))).rejects.toMatchObject({
      name: 'AccessDenied',
      message: 'Cannot call GetSessionToken with session credentials',
    });
  });
});

describe('key rotation', () => {
  test('a token sealed before a rotation still opens after it; one sealed after does not open on a node without the new key', async () => {
    const logger = createLogger('error', () => undefined);
    const oldKey = generateKey(new Date(Date.now() - 60_000), 'before-rotation');
    const newKey = generateKey(new Date(), 'after-rotation');
    const beforeRing = new Keyring([oldKey]);
    const afterRing = new Keyring([oldKey, newKey]);
    expect(afterRing.activeKid).toBe('after-rotation');
    // An account whose root key is sealed under the old key, on the shared database.
    const account = await createAccount(svc.store, beforeRing, new Date());
    const root = { accessKeyId: account.accessKeyId, secretAccessKey: account.secretAccessKey };
    const before = createService({ store: svc.store, keyring: beforeRing, logger });
    const after = createService({ store: svc.store, keyring: afterRing, logger });
    const [b, a] = [await listen(before, 0, '127.0.0.1'), await listen(after, 0, '127.0.0.1')];
    const clients: STSClient[] = [];
    const client = (url: string, credentials: Credentials) => {
      const c = new STSClient({ endpoint: url, region: 'us-east-1', credentials, maxAttempts: 1 });
      clients.push(c);
      return c;
    };
    try {
      const { Credentials: old } = await client(b.url, root).send(new GetSessionTokenCommand({}));
      const oldCreds = { accessKeyId: old?.AccessKeyId ?? '', secretAccessKey: old?.SecretAccessKey ?? '', sessionToken: old?.SessionToken ?? '' };
      // Sealed before the rotation: opens on the rotated node.
      expect((await client(a.url, oldCreds).send(new GetCallerIdentityCommand({}))).Arn).toBe(`arn:aws:iam::${account.accountId}:root`);

      const { Credentials: fresh } = await client(a.url, root).send(new GetSessionTokenCommand({}));
      const freshCreds = { accessKeyId: fresh?.AccessKeyId ?? '', secretAccessKey: fresh?.SecretAccessKey ?? '', sessionToken: fresh?.SessionToken ?? '' };
      expect((await client(a.url, freshCreds).send(new GetCallerIdentityCommand({}))).Account).toBe(account.accountId);
      // Sealed with the new key: a node that does not hold it cannot open it.
      await expect(client(b.url, freshCreds).send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({ name: 'InvalidClientTokenId' });
    } finally {
      for (const c of clients) c.destroy();
      await Promise.all([b.close(), a.close()]);
      before.dispose();
      after.dispose();
    }
  });
});

describe('condition keys of a GetSessionToken session', () => {
  const POLICY = (mfa: boolean, issuedAfter: string) => ({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: 'sts:AssumeRole',
        Resource: '*',
        Condition: { Bool: { 'aws:MultiFactorAuthPresent': String(mfa) }, DateGreaterThan: { 'aws:TokenIssueTime': issuedAfter } },
      },
    ],
  });

  test('aws:TokenIssueTime is the issue time and aws:MultiFactorAuthPresent is false; long-term keys have neither', async () => {
    const user = await svc.userWithPolicy('keys');
    const creds = await session(user);
    const claims = openSessionToken(svc.keyring, creds.sessionToken);
    if (!claims) throw new Error('token does not open');
    const req = { action: 'sts:AssumeRole', resource: '*', sourceIp: '127.0.0.1', secureTransport: false, now: new Date() };
    const values = callerContext(sessionCaller(claims), {}, req);
    expect(values['aws:TokenIssueTime']).toBe(new Date(claims.iat * 1000).toISOString());
    expect(values['aws:MultiFactorAuthPresent']).toBe(false);
    expect(values['aws:MultiFactorAuthAge']).toBeUndefined();

    // A policy conditioned on them: allows the session, not the same user's long-term key.
    const cache = new PolicyCache();
    const set = { identity: [{ id: 'p', policy: cache.get(JSON.stringify(POLICY(false, '2020-01-01T00:00:00Z')), { kind: 'identity' }) }] };
    const sessionCallerValue = sessionCaller(claims);
    expect(evaluate(set, { principal: sessionCallerValue.principal, action: req.action, resource: '*', context: createRequestContext(values) }).decision).toBe('Allow');
    const longTerm = callerContext({ ...sessionCallerValue, session: undefined, accessKeyId: user.accessKeyId }, {}, req);
    expect(longTerm['aws:TokenIssueTime']).toBeUndefined();
    expect(longTerm['aws:MultiFactorAuthPresent']).toBeUndefined();
    expect(evaluate(set, { principal: sessionCallerValue.principal, action: req.action, resource: '*', context: createRequestContext(longTerm) }).decision).toBe('ImplicitDeny');
  });

  // Through the wire: AssumeRole is the one policy-checked action these credentials may call.
  test('through AssumeRole: policies on aws:MultiFactorAuthPresent and aws:TokenIssueTime decide', async () => {
    await iam.send(
      new CreateRoleCommand({
        RoleName: 'mfa-target',
        AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${acct}:root` }, Action: 'sts:AssumeRole' }] }),
      }),
    );
    const roleArn = `arn:aws:iam::${acct}:role/mfa-target`;
    const assume = (creds: Credentials) => svc.sts(creds).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'sess' }));

    const past = new Date(Date.now() - 3_600_000).toISOString();
    const future = new Date(Date.now() + 3_600_000).toISOString();
    const noMfa = await svc.userWithPolicy('cond-no-mfa', POLICY(false, past));
    await expect(assume(noMfa)).rejects.toMatchObject({ name: 'AccessDenied' }); // long-term key: neither key is present
    expect((await assume(await session(noMfa))).AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${acct}:assumed-role/mfa-target/sess`);

    const wantsMfa = await svc.userWithPolicy('cond-mfa', POLICY(true, past));
    await expect(assume(await session(wantsMfa))).rejects.toMatchObject({ name: 'AccessDenied' });

    const issuedLater = await svc.userWithPolicy('cond-later', POLICY(false, future));
    await expect(assume(await session(issuedLater))).rejects.toMatchObject({ name: 'AccessDenied' });
  });
});
