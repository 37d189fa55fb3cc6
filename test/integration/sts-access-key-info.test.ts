/**
 * GetAccessKeyInfo through @aws-sdk/client-sts: the account of a key id, whatever the key's
 * state and whoever owns it; unknown keys; who may ask.
 */
import {
  CreateAccessKeyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  DeleteAccessKeyCommand,
  PutRolePolicyCommand,
  UpdateAccessKeyCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetAccessKeyInfoCommand, GetSessionTokenCommand } from '@aws-sdk/client-sts';
import { describe, expect, test } from 'vitest';
import { allow, type Credentials, notAuthorized, rootCredentials, type TestService, useService } from '../helpers/service.js';

let svc: TestService;
let iam: IAMClient;
let acct: string;
useService((s) => ({ svc, iam, acct } = s));

const NOT_FOUND = 'The AWS access key ID provided does not exist in our records.';
const ALLOWED = allow('sts:GetAccessKeyInfo');

function accountOf(creds: Credentials, accessKeyId: string) {
  return svc.sts(creds).send(new GetAccessKeyInfoCommand({ AccessKeyId: accessKeyId }));
}

async function session(creds: Credentials): Promise<Required<Credentials>> {
  const { Credentials: c } = await svc.sts(creds).send(new GetSessionTokenCommand({}));
  return { accessKeyId: c?.AccessKeyId ?? '', secretAccessKey: c?.SecretAccessKey ?? '', sessionToken: c?.SessionToken ?? '' };
}

describe('GetAccessKeyInfo on long-term keys', () => {
  test("the caller's own key, another user's, and root's: this account", async () => {
    const asker = await svc.userWithPolicy('asker', ALLOWED);
    const other = await svc.userWithPolicy('other');
    expect((await accountOf(asker, asker.accessKeyId)).Account).toBe(acct);
    expect((await accountOf(asker, other.accessKeyId)).Account).toBe(acct);
    expect((await accountOf(asker, svc.root.accessKeyId)).Account).toBe(acct);
  });

  test("another account's key: that account (AWS does not scope the answer to the caller)", async () => {
    const asker = await svc.userWithPolicy('cross-asker', ALLOWED);
    const theirs = await svc.newAccount();
    expect((await accountOf(asker, theirs.accessKeyId)).Account).toBe(theirs.accountId);
    // And the other way round.
    expect((await accountOf(rootCredentials(theirs), asker.accessKeyId)).Account).toBe(acct);
  });

  test("an inactive key still answers (the operation does not tell a key's state)", async () => {
    const asker = await svc.userWithPolicy('state-asker', ALLOWED);
    await iam.send(new CreateUserCommand({ UserName: 'sleepy' }));
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: 'sleepy' }));
    const id = AccessKey?.AccessKeyId ?? '';
    await iam.send(new UpdateAccessKeyCommand({ UserName: 'sleepy', AccessKeyId: id, Status: 'Inactive' }));
    expect((await accountOf(asker, id)).Account).toBe(acct);

    // Deleted: the key no longer exists.
    await iam.send(new DeleteAccessKeyCommand({ UserName: 'sleepy', AccessKeyId: id }));
    await expect(accountOf(asker, id)).rejects.toMatchObject({ name: 'InvalidClientTokenId', message: NOT_FOUND });
  });

  test('a key id that was never issued: InvalidClientTokenId', async () => {
    await expect(accountOf(svc.root, 'AKIAIOSFODNN7EXAMPLE')).rejects.toMatchObject({ name: 'InvalidClientTokenId', message: NOT_FOUND });
    await expect(accountOf(svc.root, 'XYZWIOSFODNN7EXAMPLE')).rejects.toMatchObject({ name: 'InvalidClientTokenId', message: NOT_FOUND });
  });
});

describe('GetAccessKeyInfo on temporary keys', () => {
  test("someone else's session key cannot be placed without its token: InvalidClientTokenId", async () => {
    const creds = await session(await svc.userWithPolicy('session-owner'));
    await expect(accountOf(svc.root, creds.accessKeyId)).rejects.toMatchObject({ name: 'InvalidClientTokenId', message: NOT_FOUND });
  });

  test('GetSessionToken credentials may not call it: AccessDenied', async () => {
    const creds = await session(await svc.userWithPolicy('session-asker', ALLOWED));
    await expect(accountOf(creds, creds.accessKeyId)).rejects.toMatchObject({
      name: 'AccessDenied',
      message: 'Cannot call GetAccessKeyInfo with session credentials',
    });
  });
});

describe('who may call GetAccessKeyInfo', () => {
  test('an IAM user needs sts:GetAccessKeyInfo', async () => {
    const user = await svc.userWithPolicy('no-policy');
    await expect(accountOf(user, user.accessKeyId)).rejects.toMatchObject({
      name: 'AccessDenied',
      message: notAuthorized(acct, 'no-policy', 'sts:GetAccessKeyInfo'),
    });
  });

  test('an explicit deny wins', async () => {
    const user = await svc.userWithPolicy('deny-info', {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 'sts:*', Resource: '*' },
        { Effect: 'Deny', Action: 'sts:GetAccessKeyInfo', Resource: '*' },
      ],
    });
    await expect(accountOf(user, user.accessKeyId)).rejects.toMatchObject({
      name: 'AccessDenied',
      message: `User: arn:aws:iam::${acct}:user/deny-info is not authorized to perform: sts:GetAccessKeyInfo with an explicit deny in an identity-based policy`,
    });
  });

  test('root may, with no policy', async () => {
    expect((await accountOf(svc.root, svc.root.accessKeyId)).Account).toBe(acct);
  });

  test.each([
    ['too short', 'AKIA123', "Value 'AKIA123' at 'accessKeyId' failed to satisfy constraint: Member must have length greater than or equal to 16"],
    ['not a word', 'AKIA-OSFODNN7EXAMPLE', "Value 'AKIA-OSFODNN7EXAMPLE' at 'accessKeyId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w]*"],
  ])('a malformed key id (%s): ValidationError', async (_, id, detail) => {
    await expect(accountOf(svc.root, id)).rejects.toMatchObject({ name: 'ValidationError', message: `1 validation error detected: ${detail}` });
  });
});

// Last in the file: it goes through AssumeRole.
describe('GetAccessKeyInfo on a role session', () => {
  test("a role session's own key: the role's account", async () => {
    const theirs = await svc.newAccount();
    await svc.iam(rootCredentials(theirs)).send(
      new CreateRoleCommand({
        RoleName: 'reader',
        AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${acct}:root` }, Action: 'sts:AssumeRole' }] }),
      }),
    );
    await svc.iam(rootCredentials(theirs)).send(new PutRolePolicyCommand({ RoleName: 'reader', PolicyName: 'p', PolicyDocument: JSON.stringify(ALLOWED) }));
    const assumer = await svc.userWithPolicy('assumer', allow('sts:AssumeRole'));
    const { Credentials: c } = await svc.sts(assumer).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${theirs.accountId}:role/reader`, RoleSessionName: 'reader-session' }));
    const creds = { accessKeyId: c?.AccessKeyId ?? '', secretAccessKey: c?.SecretAccessKey ?? '', sessionToken: c?.SessionToken ?? '' };
    expect((await accountOf(creds, creds.accessKeyId)).Account).toBe(theirs.accountId);
  });
});
