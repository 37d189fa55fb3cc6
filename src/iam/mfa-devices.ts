/**
 * Virtual MFA devices: CreateVirtualMFADevice, EnableMFADevice, ResyncMFADevice,
 * DeactivateMFADevice, DeleteVirtualMFADevice, ListMFADevices, ListVirtualMFADevices,
 * GetMFADevice and their tags (the tag family). MFA_DEVICE is the kind they are known by, named by
 * serial number, the ARN `arn:aws:iam::ACCOUNT:mfa/PATH/NAME`, and counted in GetAccountSummary's
 * `MFADevices` (assigned or not).
 *
 * AWS's rules (IAM API Reference; IAM User Guide, "Assign a virtual MFA device", quotas;
 * shared/research/federation-facts.md §1.7):
 * - CreateVirtualMFADevice returns the seed (Base32 of 20 random bytes, itself base64 on the wire as
 *   a blob) and a QR code PNG of `otpauth://totp/NAME@ACCOUNT?secret=SEED`, once: the seed is then
 *   kept only sealed by the keyring (associated data `mfa-seed:SERIAL`), and the audit trail
 *   shows both as HIDDEN_DUE_TO_SECURITY_REASONS (the model marks them sensitive).
 * - EnableMFADevice assigns it to a user with two consecutive codes: the first is looked for within
 *   ±10 minutes of now, the second must be the next step's, and that step becomes the last one
 *   accepted (neither code can then be used in STS). At most 8 devices per user.
 * - ResyncMFADevice does the same search for an assigned device and remembers how far the device's
 *   clock is from ours, so a drifting authenticator works again.
 * - DeactivateMFADevice unassigns it (the device and its seed stay, and can be enabled again);
 *   DeleteVirtualMFADevice refuses an assigned device (DeleteConflict); DeleteUser refuses a user
 *   with one (src/iam/users.ts).
 *
 * Authorization, as AWS's Service Authorization Reference has it, so the usual "manage your own
 * MFA device" policy works: CreateVirtualMFADevice, DeleteVirtualMFADevice and the tag actions on
 * the device's ARN; Enable, Resync, Deactivate, ListMFADevices and GetMFADevice on the user's ARN
 * (the caller's own without UserName); ListVirtualMFADevices on `*`.
 *
 * Enable and Resync failures are not throttled (src/auth/mfa.ts throttles STS and sign-in): they
 * run in the call's transaction, which a failure rolls back, and guessing two consecutive codes at
 * once has odds of about 41 in 10^12 per try. Their callers need iam:EnableMFADevice or
 * iam:ResyncMFADevice on the user and the device is theirs to enrol anyway.
 *
 * Not here: the root user's devices. EnableMFADevice's model requires UserName, so no API call can
 * assign a device to root (AWS does that in the console); root's listings are empty and
 * AccountMFAEnabled is 0. Hardware and FIDO devices do not exist here: their serial numbers are
 * NoSuchEntity. EntityTemporarilyUnmodifiable (on AWS, mostly a user deleted and recreated moments
 * ago: our store is consistent) is the answer of Enable and Deactivate when another transaction
 * holds the device right then, as UpdateLoginProfile's is for a profile (lockForChange).
 */
import { toBuffer as qrPng } from 'qrcode';
import { openSeed, seedAad } from '../auth/mfa.js';
import { findConsecutive, newSeed, otpauthUri, stepAt } from '../auth/totp.js';
import { AwsError } from '../errors.js';
import { defineOperation, type DefinedOperation, type OperationContext } from '../operation.js';
import type { Db } from '../store/db.js';
import { errorCode } from '../store/errors.js';
import { lockQuota } from '../store/accounts.js';
import {
  assignMfaDevice,
  countMfaDevices,
  countMfaDevicesOf,
  deleteMfaDevice,
  findMfaDevice,
  insertMfaDevice,
  listMfaDevicesOf,
  listVirtualMfaDevices,
  lockMfaDevice,
  resyncMfaDevice,
  unassignMfaDevice,
  type MfaDeviceRow,
} from '../store/mfa-devices.js';
import { putTags } from '../store/tags.js';
import type { UserRow } from '../store/users.js';
import { entityArn, userArn } from '../arn.js';
import { entityTarget, requireEntity, type EntityKind, type Target } from './entities.js';
import { pageInMemory } from './memory-page.js';
import { decodeMarker, limitOf, pageOf, pageResult } from './pagination.js';
import { pathOr } from './names.js';
import { checkTags, requestTagContext, tagOperations } from './tags.js';
import { callerAsUser, USER, userOrCaller } from './users.js';

/** "MFA devices in use per user": 8, in any combination (IAM quotas, since 2022-11-16). */
export const MAX_MFA_DEVICES_PER_USER = 8;

/** A device as an entity: its serial number (ARN) is its id (tags hang off it). */
export interface MfaDeviceEntity extends MfaDeviceRow {
  readonly id: string;
}

export function noSuchMfaDevice(serial: string): AwsError {
  return new AwsError('NoSuchEntity', `MFA Device with serial number ${serial} does not exist.`);
}

/** Virtual MFA devices as an entity kind: named by serial number, tagged (aws:ResourceTag), counted as `MFADevices`. */
export const MFA_DEVICE: EntityKind<MfaDeviceEntity, 'serialNumber', 'mfa'> = {
  type: 'mfa',
  label: 'MFADevice',
  key: 'serialNumber',
  find: async (db: Db, accountId: string, serial: string) => {
    const row = await findMfaDevice(db, accountId, serial);
    return row && { ...row, id: row.serial };
  },
  arn: (_accountId, serial) => serial,
  notFound: noSuchMfaDevice,
  resourceTags: ['aws'],
  summary: { usage: 'MFADevices', count: countMfaDevices },
};

const deviceTarget = entityTarget(MFA_DEVICE);
const userTarget = entityTarget(USER);

/**
 * Whether the pair of codes ending at `step` reaches back to a step the device already accepted
 * (in STS, at sign-in, or by an earlier Enable or Resync, also before a Deactivate): a code is good
 * once, so Enable and Resync want two codes after the last accepted step, or a Resync with old
 * codes would move the floor back and let a used code in again.
 */
function spent(device: MfaDeviceRow, step: number): boolean {
  return device.lastTimeStep !== null && step - 1 <= device.lastTimeStep;
}

function invalidCodes(): AwsError {
  return new AwsError('InvalidAuthenticationCode', 'Authentication code for device is not valid.');
}

/**
 * The device, locked for this transaction, for EnableMFADevice and DeactivateMFADevice, whose models
 * carry EntityTemporarilyUnmodifiable: when another transaction holds the device (another Enable or
 * Deactivate, a Delete, an STS call advancing its last code) the answer is that error at once
 * ("likely to succeed if you try again"), not a queue behind it. Resync and Delete, whose models
 * do not have that error, wait their turn.
 */
async function lockForChange(ctx: OperationContext, serial: string): Promise<MfaDeviceRow | undefined> {
  try {
    return await lockMfaDevice(ctx.db, ctx.accountId, serial, { noWait: true });
  } catch (err) {
    if (errorCode(err) === '55P03') throw new AwsError('EntityTemporarilyUnmodifiable', `MFA Device with serial number ${serial} cannot be modified while another request is changing it. Try again.`);
    throw err;
  }
}

/** The device, locked, when it is assigned to `userId`; NoSuchEntity otherwise (another user's device is not this user's). */
async function lockDeviceOf(ctx: OperationContext, serial: string, userId: string | null, change: 'no-wait' | 'wait'): Promise<MfaDeviceRow> {
  const device = change === 'no-wait' ? await lockForChange(ctx, serial) : await lockMfaDevice(ctx.db, ctx.accountId, serial);
  const owned = device && (userId === null ? device.root : device.userId === userId);
  if (!device || !owned) throw noSuchMfaDevice(serial);
  return device;
}

export const createVirtualMfaDevice = defineOperation('CreateVirtualMFADevice', {
  authentication: 'sigv4',
  write: true,
  resource: (input, ctx) => entityArn(ctx.accountId, 'mfa', pathOr(input.path), input.virtualMFADeviceName),
  context: (input) => requestTagContext(input.tags),
  async handle(input, ctx, deps) {
    const tags = checkTags(input.tags);
    const path = pathOr(input.path);
    const serial = entityArn(ctx.accountId, 'mfa', path, input.virtualMFADeviceName);
    const seed = newSeed();
    const inserted = await insertMfaDevice(ctx.db, {
      serial,
      accountId: ctx.accountId,
      name: input.virtualMFADeviceName,
      path,
      seedSealed: deps.keyring.seal(seed, seedAad(serial)),
      createdAt: ctx.now,
    });
    if (!inserted) throw new AwsError('EntityAlreadyExists', 'MFADevice entity at the same path and name already exists.');
    await putTags(ctx.db, serial, tags);
    const png = await qrPng(otpauthUri(input.virtualMFADeviceName, ctx.accountId, seed), { type: 'png', errorCorrectionLevel: 'M' });
    return {
      virtualMFADevice: {
        serialNumber: serial,
        // The Base32 text, as bytes: the wire carries it base64-encoded, as AWS's does.
        base32StringSeed: Buffer.from(seed, 'ascii'),
        qrCodePNG: png,
        ...(tags.length > 0 ? { tags } : {}),
      },
    };
  },
});

export const enableMfaDevice = defineOperation('EnableMFADevice', {
  authentication: 'sigv4',
  write: true,
  ...userTarget,
  async handle(input, ctx, deps) {
    const user = await requireEntity(USER, ctx, input.userName);
    const device = await lockForChange(ctx, input.serialNumber);
    if (!device) throw noSuchMfaDevice(input.serialNumber);
    if (device.userId !== null || device.root) throw new AwsError('EntityAlreadyExists', 'MFA Device is already in use.');
    await lockQuota(ctx.db, 'MFADevicesPerUser', user.id);
    if ((await countMfaDevicesOf(ctx.db, ctx.accountId, user.id)) >= MAX_MFA_DEVICES_PER_USER) {
      throw new AwsError('LimitExceeded', `Cannot exceed quota for MFADevicesPerUser: ${MAX_MFA_DEVICES_PER_USER}`);
    }
    const step = findConsecutive(openSeed(deps.keyring, device), input.authenticationCode1, input.authenticationCode2, stepAt(ctx.now));
    if (step === undefined || spent(device, step)) throw invalidCodes();
    if (!(await assignMfaDevice(ctx.db, device.serial, user.id, ctx.now, step))) throw new AwsError('EntityAlreadyExists', 'MFA Device is already in use.');
    return {};
  },
});

export const resyncMfaDeviceOperation = defineOperation('ResyncMFADevice', {
  authentication: 'sigv4',
  write: true,
  ...userTarget,
  async handle(input, ctx, deps) {
    const user = await requireEntity(USER, ctx, input.userName);
    const device = await lockDeviceOf(ctx, input.serialNumber, user.id, 'wait');
    const now = stepAt(ctx.now);
    const step = findConsecutive(openSeed(deps.keyring, device), input.authenticationCode1, input.authenticationCode2, now);
    if (step === undefined || spent(device, step)) throw invalidCodes();
    // The second code is the device's step now: the device runs `step - now` steps from our clock.
    await resyncMfaDevice(ctx.db, device.serial, step, step - now);
    return {};
  },
});

/** Whose devices a call without UserName is about: the calling IAM user, or (null) root. */
async function ownerOf(ctx: OperationContext, userName: string | undefined, loaded?: Target<UserRow>): Promise<{ readonly id: string | null; readonly name: string }> {
  if (userName !== undefined) {
    const user = loaded?.row ?? (await requireEntity(USER, ctx, userName));
    return { id: user.id, name: user.name };
  }
  const { user } = callerAsUser(ctx.caller);
  return user ? { id: user.id, name: user.name } : { id: null, name: ctx.accountId };
}

export const deactivateMfaDevice = defineOperation('DeactivateMFADevice', {
  authentication: 'sigv4',
  write: true,
  ...userOrCaller,
  async handle(input, ctx) {
    const owner = await ownerOf(ctx, input.userName);
    const device = await lockDeviceOf(ctx, input.serialNumber, owner.id, 'no-wait');
    await unassignMfaDevice(ctx.db, device.serial);
    return {};
  },
});

export const deleteVirtualMfaDevice = defineOperation('DeleteVirtualMFADevice', {
  authentication: 'sigv4',
  write: true,
  ...deviceTarget,
  async handle(input, ctx) {
    const device = await lockMfaDevice(ctx.db, ctx.accountId, input.serialNumber);
    if (!device) throw noSuchMfaDevice(input.serialNumber);
    if (device.userId !== null || device.root) throw new AwsError('DeleteConflict', 'MFA Device is still in use.');
    await deleteMfaDevice(ctx.db, device.serial);
    return {};
  },
});

export const listMfaDevices = defineOperation('ListMFADevices', {
  authentication: 'sigv4',
  write: false,
  ...userOrCaller,
  async handle(input, ctx, _deps, target) {
    decodeMarker(input.marker);
    if (input.userName !== undefined && !target?.row) throw USER.notFound(input.userName);
    const owner = await ownerOf(ctx, input.userName, target);
    const devices = await listMfaDevicesOf(ctx.db, ctx.accountId, owner.id);
    // At most 8: paged in memory, by serial number.
    const page = pageInMemory(devices, input, (d) => d.serial);
    return pageResult('mfaDevices', { ...page, items: page.items.map((d) => ({ userName: owner.name, serialNumber: d.serial, enableDate: d.enabledAt ?? d.createdAt })) });
  },
});

export const getMfaDevice = defineOperation('GetMFADevice', {
  authentication: 'sigv4',
  write: false,
  ...userOrCaller,
  async handle(input, ctx, _deps, target) {
    if (input.userName !== undefined && !target?.row) throw USER.notFound(input.userName);
    const owner = await ownerOf(ctx, input.userName, target);
    const device = await findMfaDevice(ctx.db, ctx.accountId, input.serialNumber);
    const owned = device && (owner.id === null ? device.root : device.userId === owner.id);
    if (!device || !owned) throw noSuchMfaDevice(input.serialNumber);
    return { userName: owner.name, serialNumber: device.serial, ...(device.enabledAt ? { enableDate: device.enabledAt } : {}) };
  },
});

export const listVirtualMfaDevicesOperation = defineOperation('ListVirtualMFADevices', {
  authentication: 'sigv4',
  write: false,
  resource: () => '*',
  async handle(input, ctx) {
    // "If you do not specify an AssignmentStatus, the operation defaults to Any" (API reference).
    const rows = await listVirtualMfaDevices(ctx.db, ctx.accountId, { status: input.assignmentStatus ?? 'Any', after: decodeMarker(input.marker), limit: limitOf(input) + 1 });
    const page = pageOf(rows, input, (d) => d.serial);
    return pageResult('virtualMFADevices', {
      ...page,
      items: page.items.map((d) => ({
        serialNumber: d.serial,
        ...(d.user ? { user: { path: d.user.path, userName: d.user.name, userId: d.user.id, arn: userArn(ctx.accountId, d.user), createDate: d.user.createdAt } } : {}),
        ...(d.enabledAt ? { enableDate: d.enabledAt } : {}),
      })),
    });
  },
});

export const mfaDeviceOperations: readonly DefinedOperation[] = [
  createVirtualMfaDevice,
  enableMfaDevice,
  resyncMfaDeviceOperation,
  deactivateMfaDevice,
  deleteVirtualMfaDevice,
  listMfaDevices,
  getMfaDevice,
  listVirtualMfaDevicesOperation,
  ...tagOperations(MFA_DEVICE),
];
