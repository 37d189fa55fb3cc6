/**
 * Long-term access keys: CreateAccessKey, UpdateAccessKey, DeleteAccessKey, ListAccessKeys,
 * GetAccessKeyLastUsed.
 *
 * UserName is optional everywhere: without it the key owner is the caller ("the user name is
 * determined implicitly based on the access key ID used to sign the request"), and for the root
 * user that means the account's root keys (rows with a null user). The secret is generated here,
 * returned once by CreateAccessKey and stored only sealed by the keyring, bound to the key id.
 * Status changes and deletions take effect on the very next request: the pipeline drops the
 * account's cached keys after every write.
 *
 * Every operation is authorized on the key owner, so the owner's tags are in the request context
 * as aws:ResourceTag/… and iam:ResourceTag/… (IAM resource type `user`): a policy can let a team
 * rotate the keys of its own users only.
 */
import { accessKeyAad } from '../auth/authenticate.js';
import { AwsError } from '../errors.js';
import { defineOperation, type OperationContext, type DefinedOperation, type ResourceContext } from '../operation.js';
import { validationError } from '../protocol/validate.js';
import { countAccessKeysOf, deleteAccessKeyRow, findAccessKey, insertAccessKeyIfFree, listAccessKeysOf, setAccessKeyStatus, type AccessKeyMeta } from '../store/access-keys.js';
import type { Db } from '../store/db.js';
import { lockQuota } from '../store/accounts.js';
import type { UserRow } from '../store/users.js';
import { rootArn, userArn } from '../arn.js';
import { newAccessKeyId, newSecretAccessKey } from './ids.js';
import { pageInMemory } from './memory-page.js';
import { pageResult } from './pagination.js';
import { loadTarget, requireEntity, requireTarget, resourceTagContext, type Target } from './entities.js';
import { callerAsUser, USER, userOrCaller } from './users.js';

/** IAM's quota of access keys per user (and for the root user). */
export const MAX_ACCESS_KEYS = 2;

/** Whose keys a call is about: an IAM user, or (userId null) the account's root user. */
interface KeyOwner {
  readonly userId: string | null;
  /** Absent for root: it is not an IAM user, and AWS gives no user name for its keys. */
  readonly userName?: string;
}

/**
 * The user named (as loaded, for a read; read again in a write's transaction), or else the
 * caller (callerAsUser).
 */
async function ownerOf(ctx: OperationContext, userName: string | undefined, loaded?: Target<UserRow>): Promise<KeyOwner> {
  if (userName !== undefined) {
    const user = loaded ? requireTarget(USER, loaded) : await requireEntity(USER, ctx, userName);
    return { userId: user.id, userName: user.name };
  }
  const { user } = callerAsUser(ctx.caller);
  return user ? { userId: user.id, userName: user.name } : { userId: null };
}

function noSuchKey(id: string): AwsError {
  return new AwsError('NoSuchEntity', `The Access Key with id ${id} cannot be found.`);
}

/** The key, if it exists in this account and belongs to `owner`; otherwise NoSuchEntity. */
async function requireKeyOf(ctx: OperationContext, owner: KeyOwner, id: string): Promise<AccessKeyMeta> {
  const key = await findAccessKey(ctx.db, id);
  if (!key || key.accountId !== ctx.accountId || key.userId !== owner.userId) throw noSuchKey(id);
  return key;
}

/** GetAccessKeyLastUsed's target: the key, when it is in this account, and its owner (an IAM user, or root). */
interface KeyTarget {
  readonly key: AccessKeyMeta | undefined;
  readonly owner: Target<UserRow> | undefined;
}

async function loadKey(ctx: ResourceContext, id: string): Promise<KeyTarget> {
  const found = await findAccessKey(ctx.db, id);
  const key = found && found.accountId === ctx.accountId ? found : undefined;
  return { key, owner: key && key.userName !== null ? await loadTarget(USER, ctx, key.userName) : undefined };
}

/** The ARN of the key's owner (the root ARN for root keys), or undefined for a key that is not in this account (or does not exist). */
function keyOwnerArn(accountId: string, key: AccessKeyMeta | undefined): string | undefined {
  if (!key) return undefined;
  if (key.userName === null || key.userPath === null) return rootArn(accountId);
  return userArn(accountId, { path: key.userPath, name: key.userName });
}

function metadataOf(key: AccessKeyMeta) {
  return { ...(key.userName === null ? {} : { userName: key.userName }), accessKeyId: key.id, status: key.status, createDate: key.createdAt };
}

/** Draws before giving up: each draw collides with a given key with probability 2^-39. */
const KEY_ID_DRAWS = 4;

/**
 * Insert a new key of the account under an id drawn again while it collides with a stored key
 * (see insertAccessKeyIfFree); returns the id. `draw` is the id generator (tests pass one).
 */
export async function insertFreshKey(
  db: Db,
  accountId: string,
  userId: string | null,
  sealFor: (keyId: string) => string,
  now: Date,
  draw: () => string = () => newAccessKeyId(accountId),
): Promise<string> {
  for (let n = 0; n < KEY_ID_DRAWS; n++) {
    const id = draw();
    if (await insertAccessKeyIfFree(db, { id, accountId, userId, secretSealed: sealFor(id), createdAt: now })) return id;
  }
  throw new Error(`no free access key id for account ${accountId} after ${KEY_ID_DRAWS} draws`);
}

export const createAccessKey = defineOperation('CreateAccessKey', {
  authentication: 'sigv4',
  write: true,
  ...userOrCaller,
  async handle(input, ctx, deps) {
    const owner = await ownerOf(ctx, input.userName);
    await lockQuota(ctx.db, 'AccessKeysPerUser', owner.userId ?? `root:${ctx.accountId}`);
    if ((await countAccessKeysOf(ctx.db, ctx.accountId, owner.userId)) >= MAX_ACCESS_KEYS) {
      throw new AwsError('LimitExceeded', `Cannot exceed quota for AccessKeysPerUser: ${MAX_ACCESS_KEYS}`);
    }
    const secret = newSecretAccessKey();
    const id = await insertFreshKey(ctx.db, ctx.accountId, owner.userId, (keyId) => deps.keyring.seal(secret, accessKeyAad(keyId)), ctx.now);
    // The only time the secret leaves the service: AWS cannot show it again either.
    return {
      accessKey: {
        ...(owner.userName === undefined ? {} : { userName: owner.userName }),
        accessKeyId: id,
        status: 'Active',
        secretAccessKey: secret,
        createDate: ctx.now,
      },
    };
  },
});

export const updateAccessKey = defineOperation('UpdateAccessKey', {
  authentication: 'sigv4',
  write: true,
  ...userOrCaller,
  async handle(input, ctx) {
    // The model's statusType is shared with other credentials; access keys are Active or Inactive
    // (UpdateAccessKey API reference: "Valid Values: Active | Inactive").
    const status = input.status;
    if (status === 'Expired') {
      throw validationError([`Value '${status}' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive]`]);
    }
    const owner = await ownerOf(ctx, input.userName);
    const key = await requireKeyOf(ctx, owner, input.accessKeyId);
    if (key.status !== status) await setAccessKeyStatus(ctx.db, key.id, status, ctx.now);
    return {};
  },
});

export const deleteAccessKey = defineOperation('DeleteAccessKey', {
  authentication: 'sigv4',
  write: true,
  ...userOrCaller,
  async handle(input, ctx) {
    const owner = await ownerOf(ctx, input.userName);
    const key = await requireKeyOf(ctx, owner, input.accessKeyId);
    await deleteAccessKeyRow(ctx.db, key.id);
    return {};
  },
});

export const listAccessKeys = defineOperation('ListAccessKeys', {
  authentication: 'sigv4',
  write: false,
  ...userOrCaller,
  async handle(input, ctx, _deps, target) {
    const owner = await ownerOf(ctx, input.userName, target);
    const keys = await listAccessKeysOf(ctx.db, ctx.accountId, owner.userId);
    const page = pageInMemory(keys, input, (k) => `${k.createdAt.toISOString()}|${k.id}`);
    return pageResult('accessKeyMetadata', { ...page, items: page.items.map(metadataOf) });
  },
});

export const getAccessKeyLastUsed = defineOperation('GetAccessKeyLastUsed', {
  authentication: 'sigv4',
  write: false,
  // Authorized against the key owner's ARN (the root ARN for root keys). A key that does not exist,
  // or exists in another account, is authorized against `*` and then answered NoSuchEntity: the
  // two cases look the same, so the call reveals nothing about other accounts' keys.
  load: (input, ctx) => loadKey(ctx, input.accessKeyId),
  resource: (_input, ctx, target) => keyOwnerArn(ctx.accountId, target.key) ?? '*',
  // The owner's tags (the resource it is authorized on); none for root keys or keys not in this account.
  context: (_input, _ctx, target) => (target.owner ? resourceTagContext(USER, target.owner) : {}),
  async handle(input, _ctx, _deps, { key }) {
    if (!key) throw noSuchKey(input.accessKeyId);
    return {
      ...(key.userName === null ? {} : { userName: key.userName }),
      // "N/A" for the service and Region of a key never used (AccessKeyLastUsed data type).
      accessKeyLastUsed: {
        ...(key.lastUsedAt ? { lastUsedDate: key.lastUsedAt } : {}),
        serviceName: key.lastUsedService ?? 'N/A',
        region: key.lastUsedRegion ?? 'N/A',
      },
    };
  },
});

export const accessKeyOperations: readonly DefinedOperation[] = [createAccessKey, updateAccessKey, deleteAccessKey, listAccessKeys, getAccessKeyLastUsed];
