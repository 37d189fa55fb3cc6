import {
  type AccessKeyLastUsed,
  CreateAccessKeyCommand,
  CreateUserCommand,
  DeleteAccessKeyCommand,
  GetAccessKeyLastUsedCommand,
  GetUserCommand,
  ListAccessKeysCommand,
  TagUserCommand,
  UpdateAccessKeyCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, test } from 'vitest';
import type { NewAccount } from '../../src/accounts/accounts.js';
import { accessKeyAad } from '../../src/auth/authenticate.js';
import { accessKeys } from '../../src/store/schema.js';
import { allow, type Credentials, notAuthorized, rootCredentials, type TestService, useService } from '../helpers/service.js';

let svc: TestService;
let iam: IAMClient;
let acct: string;
useService((s) => ({ svc, iam, acct } = s));

const denied = (user: string, action: string, resource: string) => notAuthorized(acct, user, action, resource);

async function newKey(userName: string): Promise<Credentials> {
  const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: userName }));
  return { accessKeyId: AccessKey?.AccessKeyId ?? '', secretAccessKey: AccessKey?.SecretAccessKey ?? '' };
}

/** Whether a key authenticates: GetUser on the key's own user (no policy needed to be refused). */
async function authenticates(creds: Credentials): Promise<boolean> {
  try {
    await svc.iam(creds).send(new GetUserCommand({}));
    return true;
  } catch (err) {
    const name = (err as Error).name;
    if (name === 'InvalidClientTokenId') return false;
    // AccessDenied: the key authenticated, authorization is another matter.
    if (name === 'AccessDenied') return true;
    throw err;
  }
}

describe('CreateAccessKey', () => {
  test("creates a user's key: AWS shapes, a secret that signs requests", async () => {
    await iam.send(new CreateUserCommand({ UserName: 'Kim', Path: '/dev/' }));
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: 'kim' }));
    expect(AccessKey).toMatchObject({ UserName: 'Kim', Status: 'Active' });
    expect(AccessKey?.AccessKeyId).toMatch(/^AKIA[A-Z2-7]{16}$/);
    expect(AccessKey?.SecretAccessKey).toMatch(/^[A-Za-z0-9+/]{40}$/);
    expect(AccessKey?.CreateDate).toBeInstanceOf(Date);
    const as = svc.iam({ accessKeyId: AccessKey?.AccessKeyId ?? '', secretAccessKey: AccessKey?.SecretAccessKey ?? '' });
    // The key authenticates as Kim (who has no policy, so is refused).
    await expect(as.send(new GetUserCommand({ UserName: 'Kim' }))).rejects.toMatchObject({
      name: 'AccessDenied',
      message: `User: arn:aws:iam::${acct}:user/dev/Kim is not authorized to perform: iam:GetUser on resource: arn:aws:iam::${acct}:user/dev/Kim because no identity-based policy allows the iam:GetUser action`,
    });
  });

  test('the secret is stored only sealed, bound to the key id', async () => {
    await iam.send(new CreateUserCommand({ UserName: 'sealed' }));
    const creds = await newKey('sealed');
    const [row] = await svc.store.db.select().from(accessKeys).where(eq(accessKeys.id, creds.accessKeyId));
    expect(row).toBeDefined();
    expect(row?.secretSealed).not.toContain(creds.secretAccessKey);
    expect(svc.keyring.open(row?.secretSealed ?? '', accessKeyAad(creds.accessKeyId))?.toString('utf8')).toBe(creds.secretAccessKey);
    // Sealed for this key only: the same value does not open as another key's secret.
    expect(svc.keyring.open(row?.secretSealed ?? '', accessKeyAad('AKIAOTHERKEY00000000'))).toBeUndefined();
    // And no log line carries it.
    expect(svc.logs.some((l) => l.includes(creds.secretAccessKey))).toBe(false);
  });

  test('a user may have at most 2 keys', async () => {
    await iam.send(new CreateUserCommand({ UserName: 'two' }));
    await newKey('two');
    await newKey('two');
    await expect(iam.send(new CreateAccessKeyCommand({ UserName: 'two' }))).rejects.toMatchObject({
      name: 'LimitExceededException',
      message: 'Cannot exceed quota for AccessKeysPerUser: 2',
    });
  });

  test('for an unknown user: NoSuchEntity', async () => {
    await expect(iam.send(new CreateAccessKeyCommand({ UserName: 'ghost' }))).rejects.toMatchObject({
      name: 'NoSuchEntityException',
      message: 'The user with name ghost cannot be found.',
    });
  });

  // AWS authorizes a call without UserName against the caller's own ARN, so the usual "manage
  // your own keys" policy on user/${aws:username} works.
  test('without UserName, the call is authorized against the caller\'s own ARN', async () => {
    const self = 'arn:aws:iam::' + acct + ':user/${aws:username}';
    const creds = await svc.userWithPolicy('rotator', allow(['iam:CreateAccessKey', 'iam:ListAccessKeys', 'iam:DeleteAccessKey'], self));
    const as = svc.iam(creds);
    const { AccessKey } = await as.send(new CreateAccessKeyCommand({}));
    expect(AccessKey?.UserName).toBe('rotator');
    expect((await as.send(new ListAccessKeysCommand({}))).AccessKeyMetadata).toHaveLength(2);
    await as.send(new DeleteAccessKeyCommand({ AccessKeyId: AccessKey?.AccessKeyId ?? '' }));
    await expect(as.send(new CreateAccessKeyCommand({ UserName: 'Kim' }))).rejects.toMatchObject({
      name: 'AccessDenied',
      message: denied('rotator', 'iam:CreateAccessKey', `arn:aws:iam::${acct}:user/dev/Kim`),
    });
  });

  test('without UserName, an IAM user creates its own key', async () => {
    const creds = await svc.userWithPolicy('self-service', allow(['iam:CreateAccessKey', 'iam:ListAccessKeys']));
    const as = svc.iam(creds);
    const { AccessKey } = await as.send(new CreateAccessKeyCommand({}));
    expect(AccessKey?.UserName).toBe('self-service');
    const { AccessKeyMetadata } = await as.send(new ListAccessKeysCommand({}));
    expect(AccessKeyMetadata?.map((k) => k.AccessKeyId).sort()).toEqual([creds.accessKeyId, AccessKey?.AccessKeyId].sort());
  });
});

describe('root keys', () => {
  let other: NewAccount;
  let root: IAMClient;
  beforeAll(async () => {
    other = await svc.newAccount();
    root = svc.iam(rootCredentials(other));
  });

  test('root without UserName creates, lists and deletes root keys (no user name), at most 2', async () => {
    const { AccessKey } = await root.send(new CreateAccessKeyCommand({}));
    expect(AccessKey?.UserName).toBeUndefined();
    expect(AccessKey?.Status).toBe('Active');
    const [row] = await svc.store.db.select().from(accessKeys).where(eq(accessKeys.id, AccessKey?.AccessKeyId ?? ''));
    expect(row).toMatchObject({ accountId: other.accountId, userId: null });
    const second = svc.iam({ accessKeyId: AccessKey?.AccessKeyId ?? '', secretAccessKey: AccessKey?.SecretAccessKey ?? '' });
    expect((await second.send(new GetUserCommand({}))).User?.Arn).toBe(`arn:aws:iam::${other.accountId}:root`);

    await expect(root.send(new CreateAccessKeyCommand({}))).rejects.toMatchObject({
      name: 'LimitExceededException',
      message: 'Cannot exceed quota for AccessKeysPerUser: 2',
    });
    const { AccessKeyMetadata } = await root.send(new ListAccessKeysCommand({}));
    expect(AccessKeyMetadata?.map((k) => k.AccessKeyId).sort()).toEqual([other.accessKeyId, AccessKey?.AccessKeyId].sort());
    expect(AccessKeyMetadata?.every((k) => k.UserName === undefined)).toBe(true);

    await second.send(new DeleteAccessKeyCommand({ AccessKeyId: AccessKey?.AccessKeyId ?? '' }));
    // The key that signed the deletion is gone on the very next request.
    expect(await authenticates({ accessKeyId: AccessKey?.AccessKeyId ?? '', secretAccessKey: AccessKey?.SecretAccessKey ?? '' })).toBe(false);
    expect((await root.send(new ListAccessKeysCommand({}))).AccessKeyMetadata?.map((k) => k.AccessKeyId)).toEqual([other.accessKeyId]);
  });

  test("another account's key is not found, whoever asks", async () => {
    for (const op of [
      new UpdateAccessKeyCommand({ AccessKeyId: svc.account.accessKeyId, Status: 'Inactive' }),
      new DeleteAccessKeyCommand({ AccessKeyId: svc.account.accessKeyId }),
      new GetAccessKeyLastUsedCommand({ AccessKeyId: svc.account.accessKeyId }),
    ]) {
      await expect(root.send(op as never)).rejects.toMatchObject({
        name: 'NoSuchEntityException',
        message: `The Access Key with id ${svc.account.accessKeyId} cannot be found.`,
      });
    }
    expect(await authenticates(svc.root)).toBe(true);
  });
});

describe('UpdateAccessKey and DeleteAccessKey', () => {
  test('an inactive key stops authenticating on the very next request; reactivated, it works again', async () => {
    await iam.send(new CreateUserCommand({ UserName: 'toggle' }));
    const creds = await newKey('toggle');
    expect(await authenticates(creds)).toBe(true);
    await iam.send(new UpdateAccessKeyCommand({ UserName: 'toggle', AccessKeyId: creds.accessKeyId, Status: 'Inactive' }));
    await expect(svc.iam(creds).send(new GetUserCommand({}))).rejects.toMatchObject({ name: 'InvalidClientTokenId' });
    const { AccessKeyMetadata } = await iam.send(new ListAccessKeysCommand({ UserName: 'toggle' }));
    expect(AccessKeyMetadata).toEqual([{ UserName: 'toggle', AccessKeyId: creds.accessKeyId, Status: 'Inactive', CreateDate: expect.any(Date) }]);
    await iam.send(new UpdateAccessKeyCommand({ UserName: 'toggle', AccessKeyId: creds.accessKeyId, Status: 'Active' }));
    expect(await authenticates(creds)).toBe(true);
  });

  test('a deleted key stops authenticating on the very next request', async () => {
    await iam.send(new CreateUserCommand({ UserName: 'deleted-key' }));
    const creds = await newKey('deleted-key');
    expect(await authenticates(creds)).toBe(true);
    await iam.send(new DeleteAccessKeyCommand({ UserName: 'deleted-key', AccessKeyId: creds.accessKeyId }));
    expect(await authenticates(creds)).toBe(false);
    expect((await iam.send(new ListAccessKeysCommand({ UserName: 'deleted-key' }))).AccessKeyMetadata).toEqual([]);
  });

  test.each([
    {
      name: "another user's key",
      send: (key: string) => iam.send(new UpdateAccessKeyCommand({ UserName: 'bystander', AccessKeyId: key, Status: 'Inactive' })),
      error: 'NoSuchEntityException',
    },
    { name: "another user's key (delete)", send: (key: string) => iam.send(new DeleteAccessKeyCommand({ UserName: 'bystander', AccessKeyId: key })), error: 'NoSuchEntityException' },
    // Without UserName root means its own keys: a user's key is not one of them.
    { name: "a user's key without UserName, as root", send: (key: string) => iam.send(new DeleteAccessKeyCommand({ AccessKeyId: key })), error: 'NoSuchEntityException' },
    { name: 'a key that does not exist', send: () => iam.send(new UpdateAccessKeyCommand({ UserName: 'owner', AccessKeyId: 'AKIANOSUCHKEY0000000', Status: 'Active' })), error: 'NoSuchEntityException' },
    { name: 'an unknown user', send: (key: string) => iam.send(new UpdateAccessKeyCommand({ UserName: 'ghost', AccessKeyId: key, Status: 'Active' })), error: 'NoSuchEntityException' },
    { name: 'the status Expired', send: (key: string) => iam.send(new UpdateAccessKeyCommand({ UserName: 'owner', AccessKeyId: key, Status: 'Expired' })), error: 'ValidationError' },
    { name: 'a malformed key id', send: () => iam.send(new DeleteAccessKeyCommand({ UserName: 'owner', AccessKeyId: 'short' })), error: 'ValidationError' },
  ])('refuses $name', async ({ send, error }) => {
    const existing = await iam.send(new ListAccessKeysCommand({ UserName: 'owner' })).catch(() => undefined);
    if (!existing) {
      await iam.send(new CreateUserCommand({ UserName: 'owner' }));
      await iam.send(new CreateUserCommand({ UserName: 'bystander' }));
      await newKey('owner');
    }
    const key = (await iam.send(new ListAccessKeysCommand({ UserName: 'owner' }))).AccessKeyMetadata?.[0]?.AccessKeyId ?? '';
    await expect(send(key)).rejects.toMatchObject({ name: error });
    expect((await iam.send(new ListAccessKeysCommand({ UserName: 'owner' }))).AccessKeyMetadata?.[0]).toMatchObject({ AccessKeyId: key, Status: 'Active' });
  });
});

describe('ListAccessKeys', () => {
  test('lists metadata only, paginated', async () => {
    await iam.send(new CreateUserCommand({ UserName: 'lister' }));
    const a = await newKey('lister');
    const b = await newKey('lister');
    const first = await iam.send(new ListAccessKeysCommand({ UserName: 'lister', MaxItems: 1 }));
    expect(first.IsTruncated).toBe(true);
    const second = await iam.send(new ListAccessKeysCommand({ UserName: 'lister', MaxItems: 1, Marker: first.Marker }));
    expect(second.IsTruncated).toBe(false);
    const listed = [...(first.AccessKeyMetadata ?? []), ...(second.AccessKeyMetadata ?? [])];
    expect(listed.map((k) => k.AccessKeyId)).toEqual([a.accessKeyId, b.accessKeyId]);
    for (const k of listed) expect(Object.keys(k).sort()).toEqual(['AccessKeyId', 'CreateDate', 'Status', 'UserName']);
  });

  test('for an unknown user: NoSuchEntity', async () => {
    await expect(iam.send(new ListAccessKeysCommand({ UserName: 'ghost' }))).rejects.toMatchObject({ name: 'NoSuchEntityException' });
  });
});

describe('GetAccessKeyLastUsed', () => {
  test('a key never used: N/A, no date', async () => {
    await iam.send(new CreateUserCommand({ UserName: 'idle' }));
    const creds = await newKey('idle');
    const out = await iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: creds.accessKeyId }));
    expect(out.UserName).toBe('idle');
    expect(out.AccessKeyLastUsed).toEqual({ ServiceName: 'N/A', Region: 'N/A' });
  });

  test('a used key: when, which service, which Region', async () => {
    await iam.send(new CreateUserCommand({ UserName: 'busy-key' }));
    const creds = await newKey('busy-key');
    const before = Date.now();
    expect(await authenticates(creds)).toBe(true);
    // The last use is recorded off the request path: poll briefly.
    let last: AccessKeyLastUsed | undefined;
    for (let i = 0; i < 50 && !last?.LastUsedDate; i++) {
      last = (await iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: creds.accessKeyId }))).AccessKeyLastUsed;
      if (!last?.LastUsedDate) await new Promise((r) => setTimeout(r, 20));
    }
    expect(last?.ServiceName).toBe('iam');
    expect(last?.Region).toBe('us-east-1');
    expect(last?.LastUsedDate?.getTime()).toBeGreaterThanOrEqual(before - 1000);
  });

  test('a root key has no user name', async () => {
    const out = await iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: svc.account.accessKeyId }));
    expect(out.UserName).toBeUndefined();
    expect(out.AccessKeyLastUsed?.ServiceName).toBeDefined();
  });

  test('an unknown key: NoSuchEntity', async () => {
    await expect(iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: 'AKIANOSUCHKEY0000000' }))).rejects.toMatchObject({
      name: 'NoSuchEntityException',
      message: 'The Access Key with id AKIANOSUCHKEY0000000 cannot be found.',
    });
  });
});

describe('authorization', () => {
  test("access-key operations are authorized against the owner's user ARN", async () => {
    await iam.send(new CreateUserCommand({ UserName: 'managed', Path: '/svc/' }));
    const managedKey = await newKey('managed');
    const policy = allow(['iam:ListAccessKeys', 'iam:UpdateAccessKey', 'iam:GetAccessKeyLastUsed'], `arn:aws:iam::${acct}:user/svc/*`);
    const as = svc.iam(await svc.userWithPolicy('key-admin', policy));
    expect((await as.send(new ListAccessKeysCommand({ UserName: 'managed' }))).AccessKeyMetadata?.map((k) => k.AccessKeyId)).toEqual([managedKey.accessKeyId]);
    await as.send(new UpdateAccessKeyCommand({ UserName: 'managed', AccessKeyId: managedKey.accessKeyId, Status: 'Inactive' }));
    expect((await as.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: managedKey.accessKeyId }))).UserName).toBe('managed');
    await expect(as.send(new CreateAccessKeyCommand({ UserName: 'managed' }))).rejects.toMatchObject({
      name: 'AccessDenied',
      message: denied('key-admin', 'iam:CreateAccessKey', `arn:aws:iam::${acct}:user/svc/managed`),
    });
    // Its own key is outside /svc/: the owner's ARN is what counts, not the caller's.
    await expect(as.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: svc.account.accessKeyId }))).rejects.toMatchObject({
      name: 'AccessDenied',
      message: denied('key-admin', 'iam:GetAccessKeyLastUsed', `arn:aws:iam::${acct}:root`),
    });
  });
});

describe('iam:ResourceTag: the key owner’s tags', () => {
  test('a team may manage the keys of its own users only, and its own keys once tagged', async () => {
    await iam.send(new CreateUserCommand({ UserName: 'kx', Tags: [{ Key: 'team', Value: 'x' }] }));
    await iam.send(new CreateUserCommand({ UserName: 'ky', Tags: [{ Key: 'team', Value: 'y' }] }));
    const yKey = await newKey('ky');
    const policy = {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: ['iam:CreateAccessKey', 'iam:ListAccessKeys', 'iam:UpdateAccessKey', 'iam:DeleteAccessKey', 'iam:GetAccessKeyLastUsed'],
          Resource: '*',
          Condition: { StringEquals: { 'iam:ResourceTag/team': 'x' } },
        },
      ],
    };
    const as = svc.iam(await svc.userWithPolicy('team-x-keys', policy));
    const { AccessKey } = await as.send(new CreateAccessKeyCommand({ UserName: 'kx' }));
    const xKeyId = AccessKey?.AccessKeyId ?? '';
    expect((await as.send(new ListAccessKeysCommand({ UserName: 'kx' }))).AccessKeyMetadata?.map((k) => k.AccessKeyId)).toEqual([xKeyId]);
    await as.send(new UpdateAccessKeyCommand({ UserName: 'kx', AccessKeyId: xKeyId, Status: 'Inactive' }));
    expect((await as.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: xKeyId }))).UserName).toBe('kx');
    await as.send(new DeleteAccessKeyCommand({ UserName: 'kx', AccessKeyId: xKeyId }));

    const ky = `arn:aws:iam::${acct}:user/ky`;
    for (const [action, call] of [
      ['iam:CreateAccessKey', () => as.send(new CreateAccessKeyCommand({ UserName: 'ky' }))],
      ['iam:ListAccessKeys', () => as.send(new ListAccessKeysCommand({ UserName: 'ky' }))],
      ['iam:UpdateAccessKey', () => as.send(new UpdateAccessKeyCommand({ UserName: 'ky', AccessKeyId: yKey.accessKeyId, Status: 'Inactive' }))],
      ['iam:DeleteAccessKey', () => as.send(new DeleteAccessKeyCommand({ UserName: 'ky', AccessKeyId: yKey.accessKeyId }))],
      ['iam:GetAccessKeyLastUsed', () => as.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: yKey.accessKeyId }))],
    ] as const) {
      await expect(call()).rejects.toMatchObject({ name: 'AccessDenied', message: denied('team-x-keys', action, ky) });
    }

    // Without a UserName the owner is the caller: its own tags decide.
    await expect(as.send(new ListAccessKeysCommand({}))).rejects.toMatchObject({
      name: 'AccessDenied',
      message: denied('team-x-keys', 'iam:ListAccessKeys', `arn:aws:iam::${acct}:user/team-x-keys`),
    });
    await iam.send(new TagUserCommand({ UserName: 'team-x-keys', Tags: [{ Key: 'team', Value: 'x' }] }));
    expect((await as.send(new ListAccessKeysCommand({}))).AccessKeyMetadata).toHaveLength(1);
  });
});
