/**
 * Users and keys for the negative suites. Through the API when the operation is implemented;
 * otherwise straight through the store (sealed like the service seals, and announced so every
 * cache drops the account), so these suites do not wait on other areas to exist.
 */
import { CreateAccessKeyCommand, CreateUserCommand, UpdateAccessKeyCommand } from '@aws-sdk/client-iam';
import { and, eq } from 'drizzle-orm';
import { accessKeyAad } from '../../src/auth/authenticate.js';
import { newAccessKeyId, newSecretAccessKey } from '../../src/iam/ids.js';
import { API_VERSIONS } from '../../src/protocol/index.js';
import { insertAccessKey } from '../../src/store/access-keys.js';
import { accessKeys, mfaDevices } from '../../src/store/schema.js';
import type { NewAccount } from '../../src/accounts/accounts.js';
import { rootCredentials, type Credentials, type TestService } from '../helpers/service.js';

export function implemented(svc: TestService, action: string, version: string = API_VERSIONS.iam): boolean {
  return svc.service.deps.operations.has(`${version}:${action}`);
}

export interface UserKey extends Credentials {
  readonly userName: string;
  readonly arn: string;
}

/** A new user (no policies) with one active access key, in `account` (the first one by default). */
export async function userWithKey(svc: TestService, userName: string, account: NewAccount = svc.account): Promise<UserKey> {
  const iam = svc.iam(rootCredentials(account));
  const { User } = await iam.send(new CreateUserCommand({ UserName: userName }));
  if (!User?.Arn || !User.UserId) throw new Error('CreateUser returned no user');
  if (implemented(svc, 'CreateAccessKey')) {
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: userName }));
    if (!AccessKey?.AccessKeyId || !AccessKey.SecretAccessKey) throw new Error('CreateAccessKey returned no key');
    return { userName, arn: User.Arn, accessKeyId: AccessKey.AccessKeyId, secretAccessKey: AccessKey.SecretAccessKey };
  }
  const accessKeyId = newAccessKeyId(account.accountId);
  const secretAccessKey = newSecretAccessKey();
  const userId = User.UserId;
  await svc.store.tx(async (t) => {
    await insertAccessKey(t, {
      id: accessKeyId,
      accountId: account.accountId,
      userId,
      secretSealed: svc.keyring.seal(secretAccessKey, accessKeyAad(accessKeyId)),
      createdAt: new Date(),
    });
    await svc.store.announce(t, account.accountId);
  });
  return { userName, arn: User.Arn, accessKeyId, secretAccessKey };
}

/** Set the user's key Inactive (UpdateAccessKey, or the row itself). */
export async function deactivate(svc: TestService, key: UserKey, account: NewAccount = svc.account): Promise<void> {
  if (implemented(svc, 'UpdateAccessKey')) {
    await svc.iam(rootCredentials(account)).send(new UpdateAccessKeyCommand({ UserName: key.userName, AccessKeyId: key.accessKeyId, Status: 'Inactive' }));
    return;
  }
  await svc.store.tx(async (t) => {
    await t.update(accessKeys).set({ status: 'Inactive' }).where(and(eq(accessKeys.id, key.accessKeyId), eq(accessKeys.accountId, account.accountId)));
    await svc.store.announce(t, account.accountId);
  });
}

/** Every sealed secret in the database (the log scan checks none of them leaks). */
export async function sealedSecrets(svc: TestService): Promise<string[]> {
  const rows = await svc.store.db.select({ sealed: accessKeys.secretSealed }).from(accessKeys);
  const seeds = await svc.store.db.select({ sealed: mfaDevices.seedSealed }).from(mfaDevices);
  return [...rows, ...seeds].map((r) => r.sealed);
}
