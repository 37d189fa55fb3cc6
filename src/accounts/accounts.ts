/**
 * Accounts and their root access keys: the first account on first start (from STS_ACCOUNT_ID and
 * STS_ROOT_* when set, generated otherwise), more through the CLI.
 */
import { accessKeyAad } from '../auth/authenticate.js';
import { newAccessKeyId, newAccountId, newSecretAccessKey } from '../iam/ids.js';
import { countAccounts, findAccount, insertAccount } from '../store/accounts.js';
import { insertAccessKey } from '../store/access-keys.js';
import type { Store } from '../store/db.js';
import type { Keyring } from '../tokens/keyring.js';

export interface NewAccount {
  readonly accountId: string;
  readonly accessKeyId: string;
  /** The root secret: shown once, stored only sealed. */
  readonly secretAccessKey: string;
}

export interface CreateAccountOptions {
  readonly accountId?: string | undefined;
  readonly rootAccessKeyId?: string | undefined;
  readonly rootSecretAccessKey?: string | undefined;
  readonly alias?: string | undefined;
}

export async function createAccount(store: Store, keyring: Keyring, now: Date, options: CreateAccountOptions = {}): Promise<NewAccount> {
  const accountId = options.accountId ?? newAccountId();
  const accessKeyId = options.rootAccessKeyId ?? newAccessKeyId(accountId);
  const secretAccessKey = options.rootSecretAccessKey ?? newSecretAccessKey();
  await store.tx(async (t) => {
    if (await findAccount(t, accountId)) throw new Error(`account ${accountId} already exists`);
    await insertAccount(t, { id: accountId, alias: options.alias ?? null, createdAt: now });
    await insertAccessKey(t, {
      id: accessKeyId,
      accountId,
      userId: null,
      secretSealed: keyring.seal(secretAccessKey, accessKeyAad(accessKeyId)),
      createdAt: now,
    });
  });
  return { accountId, accessKeyId, secretAccessKey };
}

/**
 * On first start (no account yet), create the first one. Returns it when it was just created
 * with a generated secret (the caller shows it once), `undefined` otherwise.
 */
export async function bootstrapFirstAccount(store: Store, keyring: Keyring, now: Date, options: CreateAccountOptions): Promise<NewAccount | undefined> {
  if ((await countAccounts(store.db)) > 0) return undefined;
  return createAccount(store, keyring, now, options);
}
