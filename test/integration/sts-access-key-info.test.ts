/**
 * GetAccessKeyInfo through @aws-sdk/client-sts: the account of a key id, whatever the key's
 * state and whoever owns it, long-term or temporary (the account is encoded in the id, as AWS
 * encodes it: src/iam/ids.ts); ids of the old format kept in the database; unknown keys; who may ask.
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
import { createAccount } from '../../src/accounts/accounts.js';
import { decodeAccessKeyId, encodeAccessKeyId, newSecretAccessKey } from '../../src/iam/ids.js';
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

/** The account a key id encodes, by the published decoding (src/iam/ids.ts). */
function decodedAccount(accessKeyId: string): string | undefined {
  const d = decodeAccessKeyId(accessKeyId);
  return d?.carriesAccount ? d.accountId : undefined;
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

  test("GetAccessKeyInfo answers the account of another account's AKIA key (AWS does not scope the answer to the caller)", async () => {
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

    // Deleted: no row any more, but the id still says whose it was (AWS: a deleted key "might"
    // answer that it does not exist; ours answer, which is what a responder needs).
    await iam.send(new DeleteAccessKeyCommand({ UserName: 'sleepy', AccessKeyId: id }));
    expect((await accountOf(asker, id)).Account).toBe(acct);
  });

  test('keys made since ids carry their account encode it as AWS does', async () => {
    const user = await svc.userWithPolicy('encoded');
    const theirs = await svc.newAccount();
    expect(decodedAccount(user.accessKeyId)).toBe(acct);
    expect(decodedAccount(svc.root.accessKeyId)).toBe(acct);
    expect(decodedAccount(theirs.accessKeyId)).toBe(theirs.accountId);
  });

  test('an old-format id stored in the database: its account, exactly', async () => {
    const asker = await svc.userWithPolicy('old-asker', ALLOWED);
    // Before ids carried their account they were 16 random characters; the fifth character of an
    // old-generation id is A-P (generation bit 0), like AWS's own AKIAI… ids.
    const legacy = await createAccount(svc.store, svc.keyring, new Date(), { rootAccessKeyId: 'AKIAIQ7LEGACY2KEY3ID', rootSecretAccessKey: newSecretAccessKey() });
    expect((await accountOf(asker, legacy.accessKeyId)).Account).toBe(legacy.accountId);
    // An old random id whose generation bit is set by chance decodes to some other number: the
    // database's answer wins (so does a root key id chosen with STS_ROOT_ACCESS_KEY_ID).
    const lookalike = encodeAccessKeyId('AKIA', '555555555555', Uint8Array.of(1, 2, 3, 4, 5));
    const chosen = await createAccount(svc.store, svc.keyring, new Date(), { rootAccessKeyId: lookalike, rootSecretAccessKey: newSecretAccessKey() });
    expect(chosen.accountId).not.toBe('555555555555');
    expect((await accountOf(asker, lookalike)).Account).toBe(chosen.accountId);
  });

  test('a key id nobody issued: the account it encodes, as AWS answers', async () => {
    const unknownAkia = encodeAccessKeyId('AKIA', '123456789012', Uint8Array.of(9, 8, 7, 6, 5));
    const unknownAsia = encodeAccessKeyId('ASIA', '000000000042', Uint8Array.of(5, 6, 7, 8, 9));
    expect((await accountOf(svc.root, unknownAkia)).Account).toBe('123456789012');
    expect((await accountOf(svc.root, unknownAsia)).Account).toBe('000000000042');
    // A key id published with its account (Aidan Steele, "AWS Access Key ID formats"): AWS's answer.
    expect((await accountOf(svc.root, 'ASIAY34FZKBOKMUTVV7A')).Account).toBe('609629065308');
  });

  test.each([
    ['of the old generation, not in the database (it carries no account)', 'AKIAIOSFODNN7EXAMPLE'],
    ['of the old generation, temporary', 'ASIAIOSFODNN7EXAMPLE'],
    ['encoding a 13-digit number (no account has one)', 'AKIA7777777777777777'],
    ['with another prefix', 'XYZWIOSFODNN7EXAMPLE'],
    ['longer than 20 characters', `${encodeAccessKeyId('AKIA', '123456789012', Uint8Array.of(1, 1, 1, 1, 1))}AAAA`],
    ['with characters outside the base32 alphabet', 'AKIAQ0189ABCDEFGHIJK'],
  ])('a key id %s: InvalidClientTokenId', async (_, id) => {
    await expect(accountOf(svc.root, id)).rejects.toMatchObject({ name: 'InvalidClientTokenId', message: NOT_FOUND });
  });
});

describe('GetAccessKeyInfo on temporary keys', () => {
  test("someone else's session key, without its token: its account", async () => {
    const creds = await session(await svc.userWithPolicy('session-owner'));
    expect((await accountOf(svc.root, creds.accessKeyId)).Account).toBe(acct);
  });

  test("GetAccessKeyInfo answers the account of another account's ASIA key", async () => {
    const theirs = await svc.newAccount();
    const asker = await svc.userWithPolicy('asia-asker', ALLOWED);
    const theirSession = await session(rootCredentials(theirs));
    expect(theirSession.accessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
    expect((await accountOf(asker, theirSession.accessKeyId)).Account).toBe(theirs.accountId);
    // And the other way round: their root asks about one of our sessions.
    const ours = await session(asker);
    expect((await accountOf(rootCredentials(theirs), ours.accessKeyId)).Account).toBe(acct);
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
    // Asked by anyone else, the key id itself names the role's account (not the assumer's), as on AWS.
    expect(decodedAccount(creds.accessKeyId)).toBe(theirs.accountId);
    expect((await accountOf(svc.root, creds.accessKeyId)).Account).toBe(theirs.accountId);
  });
});
