/**
 * Virtual MFA devices through @aws-sdk/client-iam: CreateVirtualMFADevice (seed, QR code, serial),
 * enrolment with two consecutive codes, the 8-device quota, listings and AssignmentStatus,
 * GetMFADevice, tags, Deactivate/Delete and the DeleteConflict rules, the account summary, drift
 * resync, "manage your own MFA device" policies, and the seed stored only sealed.
 */
import {
  AddUserToGroupCommand,
  CreateGroupCommand,
  CreateUserCommand,
  DeactivateMFADeviceCommand,
  DeleteUserCommand,
  DeleteVirtualMFADeviceCommand,
  EnableMFADeviceCommand,
  GetAccountSummaryCommand,
  GetMFADeviceCommand,
  ListMFADeviceTagsCommand,
  ListMFADevicesCommand,
  ListVirtualMFADevicesCommand,
  ResyncMFADeviceCommand,
  TagMFADeviceCommand,
  UntagMFADeviceCommand,
  CreateVirtualMFADeviceCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { GetSessionTokenCommand } from '@aws-sdk/client-sts';
import { eq } from 'drizzle-orm';
import { toBuffer as qrPng } from 'qrcode';
import { beforeEach, describe, expect, test } from 'vitest';
import { seedAad } from '../../src/auth/mfa.js';
import { mfaDevices } from '../../src/store/schema.js';
import { MFA_INVALID_CODE } from '../../src/sts/mfa.js';
import { createDevice, enrolledDevice, serverStep } from '../helpers/mfa.js';
import { allow, notAuthorized, type TestService, useService } from '../helpers/service.js';
import { backend } from '../helpers/store.js';

let svc: TestService;
let iam: IAMClient;
let acct: string;
useService((s) => ({ svc, iam, acct } = s));
beforeEach(() => {
  svc.clockOffset = 0;
});

const user = (name: string) => iam.send(new CreateUserCommand({ UserName: name }));

describe('CreateVirtualMFADevice', () => {
  test('returns the serial (an ARN with the path), the Base32 seed of 20 bytes and a QR code of the otpauth URI, once', async () => {
    const { VirtualMFADevice: d } = await iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: 'phone', Path: '/team/', Tags: [{ Key: 'k', Value: 'v' }] }));
    expect(d?.SerialNumber).toBe(`arn:aws:iam::${acct}:mfa/team/phone`);
    const seed = new TextDecoder().decode(d?.Base32StringSeed);
    expect(seed).toMatch(/^[A-Z2-7]{32}$/); // 20 bytes, Base32 without padding
    expect(d?.Tags).toEqual([{ Key: 'k', Value: 'v' }]);
    const png = Buffer.from(d?.QRCodePNG ?? new Uint8Array());
    expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    // The same QR code as the otpauth URI AWS documents encodes to.
    expect(png.equals(await qrPng(`otpauth://totp/phone@${acct}?secret=${seed}`, { type: 'png', errorCorrectionLevel: 'M' }))).toBe(true);
    // Never again: listings carry no seed.
    const { VirtualMFADevices } = await iam.send(new ListVirtualMFADevicesCommand({}));
    const listed = VirtualMFADevices?.find((v) => v.SerialNumber === d?.SerialNumber);
    expect(listed).toEqual({ SerialNumber: d?.SerialNumber });
  });

  test('a second device of the same name is EntityAlreadyExists', async () => {
    await iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: 'dup' }));
    await expect(iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: 'dup' }))).rejects.toMatchObject({
      name: 'EntityAlreadyExistsException',
      message: 'MFADevice entity at the same path and name already exists.',
      $metadata: { httpStatusCode: 409 },
    });
  });

  test('the stored seed is ciphertext, bound to its serial', async () => {
    const device = await createDevice(svc, iam, 'sealed');
    const [row] = await svc.store.db.select().from(mfaDevices).where(eq(mfaDevices.id, device.serial));
    if (!row) throw new Error('no row');
    expect(row.seedSealed).not.toContain(device.seed);
    expect(Buffer.from(row.seedSealed, 'base64url').toString('latin1')).not.toContain(device.seed);
    expect(svc.keyring.open(row.seedSealed, seedAad(device.serial))?.toString()).toBe(device.seed);
    // Copied onto another device, it does not open.
    expect(svc.keyring.open(row.seedSealed, seedAad(`${device.serial}x`))).toBeUndefined();
  });
});

describe('EnableMFADevice', () => {
  test('two consecutive codes enrol the device; ListMFADevices, GetMFADevice and the listings show it', async () => {
    await user('enrol');
    const device = await createDevice(svc, iam, 'enrol-phone');
    const now = serverStep(svc);
    await iam.send(new EnableMFADeviceCommand({ UserName: 'enrol', SerialNumber: device.serial, AuthenticationCode1: device.at(now), AuthenticationCode2: device.at(now + 1) }));
    const { MFADevices } = await iam.send(new ListMFADevicesCommand({ UserName: 'enrol' }));
    expect(MFADevices).toEqual([{ UserName: 'enrol', SerialNumber: device.serial, EnableDate: expect.any(Date) }]);
    expect(await iam.send(new GetMFADeviceCommand({ UserName: 'enrol', SerialNumber: device.serial }))).toMatchObject({ UserName: 'enrol', SerialNumber: device.serial, EnableDate: expect.any(Date) });
    const assigned = await iam.send(new ListVirtualMFADevicesCommand({ AssignmentStatus: 'Assigned' }));
    expect(assigned.VirtualMFADevices?.find((d) => d.SerialNumber === device.serial)).toMatchObject({
      User: { UserName: 'enrol', Arn: `arn:aws:iam::${acct}:user/enrol` },
      EnableDate: expect.any(Date),
    });
    const unassigned = await iam.send(new ListVirtualMFADevicesCommand({ AssignmentStatus: 'Unassigned' }));
    expect(unassigned.VirtualMFADevices?.map((d) => d.SerialNumber)).not.toContain(device.serial);
    const any = await iam.send(new ListVirtualMFADevicesCommand({ AssignmentStatus: 'Any' }));
    expect(any.VirtualMFADevices?.map((d) => d.SerialNumber)).toContain(device.serial);
    // Enabled again, for anyone: EntityAlreadyExists.
    await user('enrol-2');
    await expect(
      iam.send(new EnableMFADeviceCommand({ UserName: 'enrol-2', SerialNumber: device.serial, AuthenticationCode1: device.at(now + 2), AuthenticationCode2: device.at(now + 3) })),
    ).rejects.toMatchObject({ name: 'EntityAlreadyExistsException', $metadata: { httpStatusCode: 409 } });
  });

  test.each([
    ['a wrong first code', (at: (n: number) => string, now: number) => [wrong(at(now)), at(now + 1)]],
    ['a wrong second code', (at: (n: number) => string, now: number) => [at(now), wrong(at(now + 1))]],
    ['codes that are not consecutive', (at: (n: number) => string, now: number) => [at(now), at(now + 2)]],
    ['codes in the wrong order', (at: (n: number) => string, now: number) => [at(now + 1), at(now)]],
    ['codes from an hour ago', (at: (n: number) => string, now: number) => [at(now - 120), at(now - 119)]],
  ])('%s: InvalidAuthenticationCode (403), and the device stays unassigned', async (_, codes) => {
    const name = `bad-${Math.random().toString(36).slice(2, 8)}`;
    await user(name);
    const device = await createDevice(svc, iam, name);
    const [c1, c2] = codes((n) => device.at(n), serverStep(svc));
    await expect(iam.send(new EnableMFADeviceCommand({ UserName: name, SerialNumber: device.serial, AuthenticationCode1: c1, AuthenticationCode2: c2 }))).rejects.toMatchObject({
      name: 'InvalidAuthenticationCodeException',
      message: 'Authentication code for device is not valid.',
      $metadata: { httpStatusCode: 403 },
    });
    expect((await iam.send(new ListMFADevicesCommand({ UserName: name }))).MFADevices).toEqual([]);
  });

  test('an unknown serial (or a hardware one) is NoSuchEntity; an unknown user too', async () => {
    await user('nodev');
    const codes = { AuthenticationCode1: '123456', AuthenticationCode2: '654321' };
    await expect(iam.send(new EnableMFADeviceCommand({ UserName: 'nodev', SerialNumber: `arn:aws:iam::${acct}:mfa/none`, ...codes }))).rejects.toMatchObject({ name: 'NoSuchEntityException' });
    await expect(iam.send(new EnableMFADeviceCommand({ UserName: 'nodev', SerialNumber: 'GAHT12345678', ...codes }))).rejects.toMatchObject({ name: 'NoSuchEntityException' });
    const device = await createDevice(svc, iam, 'for-ghost');
    await expect(iam.send(new EnableMFADeviceCommand({ UserName: 'ghost', SerialNumber: device.serial, ...codes }))).rejects.toMatchObject({
      name: 'NoSuchEntityException',
      message: 'The user with name ghost cannot be found.',
    });
  });

  test('at most 8 devices per user: the ninth is LimitExceeded', async () => {
    await user('eight');
    for (let i = 0; i < 8; i++) await enrolledDevice(svc, iam, 'eight', `eight-${i}`);
    const ninth = await createDevice(svc, iam, 'eight-8');
    const now = serverStep(svc);
    await expect(
      iam.send(new EnableMFADeviceCommand({ UserName: 'eight', SerialNumber: ninth.serial, AuthenticationCode1: ninth.at(now), AuthenticationCode2: ninth.at(now + 1) })),
    ).rejects.toMatchObject({ name: 'LimitExceededException', $metadata: { httpStatusCode: 409 } });
    expect((await iam.send(new ListMFADevicesCommand({ UserName: 'eight' }))).MFADevices).toHaveLength(8);
  });
});

/** A six-digit code that is not `code`. */
function wrong(code: string): string {
  return String((Number(code) + 1) % 1_000_000).padStart(6, '0');
}

describe('Deactivate, Delete and DeleteUser', () => {
  test('a user with a device cannot be deleted, nor an assigned device; after DeactivateMFADevice both can', async () => {
    await user('leaver');
    const device = await enrolledDevice(svc, iam, 'leaver');
    await expect(iam.send(new DeleteUserCommand({ UserName: 'leaver' }))).rejects.toMatchObject({
      name: 'DeleteConflictException',
      message: 'Cannot delete entity, must delete MFA device first.',
      $metadata: { httpStatusCode: 409 },
    });
    await expect(iam.send(new DeleteVirtualMFADeviceCommand({ SerialNumber: device.serial }))).rejects.toMatchObject({ name: 'DeleteConflictException' });
    // Another user's device is not this user's to deactivate.
    await user('bystander');
    await expect(iam.send(new DeactivateMFADeviceCommand({ UserName: 'bystander', SerialNumber: device.serial }))).rejects.toMatchObject({ name: 'NoSuchEntityException' });
    await iam.send(new DeactivateMFADeviceCommand({ UserName: 'leaver', SerialNumber: device.serial }));
    expect((await iam.send(new ListMFADevicesCommand({ UserName: 'leaver' }))).MFADevices).toEqual([]);
    await iam.send(new DeleteUserCommand({ UserName: 'leaver' }));
    await iam.send(new DeleteVirtualMFADeviceCommand({ SerialNumber: device.serial }));
    await expect(iam.send(new DeleteVirtualMFADeviceCommand({ SerialNumber: device.serial }))).rejects.toMatchObject({ name: 'NoSuchEntityException' });
  });

  test('the DeleteConflict for MFA comes after the ones AWS checks first (groups)', async () => {
    await user('grouped');
    await iam.send(new CreateGroupCommand({ GroupName: 'mfa-group' }));
    await iam.send(new AddUserToGroupCommand({ GroupName: 'mfa-group', UserName: 'grouped' }));
    await enrolledDevice(svc, iam, 'grouped');
    await expect(iam.send(new DeleteUserCommand({ UserName: 'grouped' }))).rejects.toMatchObject({ name: 'DeleteConflictException', message: 'Cannot delete entity, must remove users from group first.' });
  });

  test('a deactivated device can be enabled again, for another user', async () => {
    await user('first-owner');
    await user('second-owner');
    const device = await enrolledDevice(svc, iam, 'first-owner', 'passed-on');
    await iam.send(new DeactivateMFADeviceCommand({ UserName: 'first-owner', SerialNumber: device.serial }));
    // Codes after the ones it accepted (the enrolment's second code was the device's last).
    await iam.send(new EnableMFADeviceCommand({ UserName: 'second-owner', SerialNumber: device.serial, AuthenticationCode1: device.at(device.last + 1), AuthenticationCode2: device.at(device.last + 2) }));
    expect((await iam.send(new GetMFADeviceCommand({ UserName: 'second-owner', SerialNumber: device.serial }))).UserName).toBe('second-owner');
    await expect(iam.send(new GetMFADeviceCommand({ UserName: 'first-owner', SerialNumber: device.serial }))).rejects.toMatchObject({ name: 'NoSuchEntityException' });
  });
});

describe('a code is good once, whatever happens to the device', () => {
  test('ResyncMFADevice with codes already accepted is InvalidAuthenticationCode, and a used code stays used', async () => {
    const creds = await svc.userWithPolicy('resync-replay', allow('*'));
    const device = await enrolledDevice(svc, iam, 'resync-replay');
    const sts = svc.sts(creds);
    const s = serverStep(svc);
    const used = device.at(s + 1);
    await sts.send(new GetSessionTokenCommand({ SerialNumber: device.serial, TokenCode: used }));
    // Two older codes (the enrolment's) would move the last accepted step back.
    await expect(
      iam.send(new ResyncMFADeviceCommand({ UserName: 'resync-replay', SerialNumber: device.serial, AuthenticationCode1: device.at(s - 1), AuthenticationCode2: device.at(s) })),
    ).rejects.toMatchObject({ name: 'InvalidAuthenticationCodeException', $metadata: { httpStatusCode: 403 } });
    // A pair that reaches back to the used step is refused too.
    await expect(
      iam.send(new ResyncMFADeviceCommand({ UserName: 'resync-replay', SerialNumber: device.serial, AuthenticationCode1: device.at(s + 1), AuthenticationCode2: device.at(s + 2) })),
    ).rejects.toMatchObject({ name: 'InvalidAuthenticationCodeException' });
    await expect(sts.send(new GetSessionTokenCommand({ SerialNumber: device.serial, TokenCode: used }))).rejects.toMatchObject({ message: MFA_INVALID_CODE });
  });

  test('Deactivate then Enable again: the codes it accepted before stay spent', async () => {
    const creds = await svc.userWithPolicy('reenable-replay', allow('*'));
    const device = await enrolledDevice(svc, iam, 'reenable-replay');
    const sts = svc.sts(creds);
    const s = serverStep(svc);
    const used = device.at(s + 1);
    await sts.send(new GetSessionTokenCommand({ SerialNumber: device.serial, TokenCode: used }));
    await iam.send(new DeactivateMFADeviceCommand({ UserName: 'reenable-replay', SerialNumber: device.serial }));
    const enable = (c1: string, c2: string) => iam.send(new EnableMFADeviceCommand({ UserName: 'reenable-replay', SerialNumber: device.serial, AuthenticationCode1: c1, AuthenticationCode2: c2 }));
    await expect(enable(device.at(s - 1), device.at(s))).rejects.toMatchObject({ name: 'InvalidAuthenticationCodeException' });
    await expect(enable(device.at(s + 1), device.at(s + 2))).rejects.toMatchObject({ name: 'InvalidAuthenticationCodeException' });
    // Two codes after the used one enable it; the used code is still refused, the next one works.
    await enable(device.at(s + 2), device.at(s + 3));
    device.last = s + 3;
    await expect(sts.send(new GetSessionTokenCommand({ SerialNumber: device.serial, TokenCode: used }))).rejects.toMatchObject({ message: MFA_INVALID_CODE });
    const { Credentials } = await sts.send(new GetSessionTokenCommand({ SerialNumber: device.serial, TokenCode: device.code() }));
    expect(Credentials?.AccessKeyId).toMatch(/^ASIA/);
  });
});

describe('a device another request holds', () => {
  /** Runs `call` while another transaction (another connection) holds the device's row lock. */
  async function whileHeld<T>(serial: string, call: () => Promise<T>): Promise<T> {
    let release = (): void => undefined;
    const released = new Promise<void>((r) => (release = r));
    let locked = (): void => undefined;
    const isLocked = new Promise<void>((r) => (locked = r));
    const holder = svc.store.tx(async (t) => {
      await t.select({ id: mfaDevices.id }).from(mfaDevices).where(eq(mfaDevices.id, serial)).for('update');
      locked();
      await released;
    });
    await Promise.race([isLocked, holder]);
    try {
      return await call();
    } finally {
      release();
      await holder;
    }
  }

  // PGlite is one connection: a second transaction cannot hold a row while the service works.
  test.skipIf(backend === 'pglite')('Enable and Deactivate answer EntityTemporarilyUnmodifiable (409) at once, change nothing, and succeed once it is free', async () => {
    await user('contended');
    const device = await createDevice(svc, iam, 'contended');
    const now = serverStep(svc);
    const enable = () => iam.send(new EnableMFADeviceCommand({ UserName: 'contended', SerialNumber: device.serial, AuthenticationCode1: device.at(now - 1), AuthenticationCode2: device.at(now) }));
    await expect(whileHeld(device.serial, enable)).rejects.toMatchObject({
      name: 'EntityTemporarilyUnmodifiableException',
      message: `MFA Device with serial number ${device.serial} cannot be modified while another request is changing it. Try again.`,
      $metadata: { httpStatusCode: 409 },
    });
    expect((await iam.send(new ListMFADevicesCommand({ UserName: 'contended' }))).MFADevices).toEqual([]);
    await enable();
    const deactivate = () => iam.send(new DeactivateMFADeviceCommand({ UserName: 'contended', SerialNumber: device.serial }));
    await expect(whileHeld(device.serial, deactivate)).rejects.toMatchObject({ name: 'EntityTemporarilyUnmodifiableException', $metadata: { httpStatusCode: 409 } });
    expect((await iam.send(new ListMFADevicesCommand({ UserName: 'contended' }))).MFADevices?.map((d) => d.SerialNumber)).toEqual([device.serial]);
    await deactivate();
    expect((await iam.send(new ListMFADevicesCommand({ UserName: 'contended' }))).MFADevices).toEqual([]);
  });
});

describe('tags and the account summary', () => {
  test('Tag, List and Untag MFADevice', async () => {
    const device = await createDevice(svc, iam, 'tagged');
    await iam.send(new TagMFADeviceCommand({ SerialNumber: device.serial, Tags: [{ Key: 'owner', Value: 'ops' }, { Key: 'kind', Value: 'phone' }] }));
    expect((await iam.send(new ListMFADeviceTagsCommand({ SerialNumber: device.serial }))).Tags).toEqual([
      { Key: 'kind', Value: 'phone' },
      { Key: 'owner', Value: 'ops' },
    ]);
    await iam.send(new UntagMFADeviceCommand({ SerialNumber: device.serial, TagKeys: ['kind'] }));
    expect((await iam.send(new ListMFADeviceTagsCommand({ SerialNumber: device.serial }))).Tags).toEqual([{ Key: 'owner', Value: 'ops' }]);
    await expect(iam.send(new ListMFADeviceTagsCommand({ SerialNumber: `arn:aws:iam::${acct}:mfa/nothing` }))).rejects.toMatchObject({ name: 'NoSuchEntityException' });
  });

  test('GetAccountSummary counts MFADevices (all) and MFADevicesInUse (assigned); AccountMFAEnabled stays 0 (root has none)', async () => {
    const before = (await iam.send(new GetAccountSummaryCommand({}))).SummaryMap ?? {};
    await createDevice(svc, iam, 'summary-loose');
    await user('summary-user');
    await enrolledDevice(svc, iam, 'summary-user');
    const after = (await iam.send(new GetAccountSummaryCommand({}))).SummaryMap ?? {};
    expect(after.MFADevices).toBe((before.MFADevices ?? 0) + 2);
    expect(after.MFADevicesInUse).toBe((before.MFADevicesInUse ?? 0) + 1);
    expect(after.AccountMFAEnabled).toBe(0);
  });
});

describe('ResyncMFADevice: a device whose clock drifted', () => {
  test('codes from a device 4 minutes ahead fail in STS until a resync learns the offset', async () => {
    const u = await svc.userWithPolicy('drifter');
    const device = await enrolledDevice(svc, iam, 'drifter');
    const ahead = 8; // steps: 4 minutes
    const sts = svc.sts(u);
    await expect(sts.send(new GetSessionTokenCommand({ SerialNumber: device.serial, TokenCode: device.at(serverStep(svc) + ahead) }))).rejects.toMatchObject({
      name: 'AccessDenied',
      message: MFA_INVALID_CODE,
    });
    const now = serverStep(svc);
    await iam.send(new ResyncMFADeviceCommand({ UserName: 'drifter', SerialNumber: device.serial, AuthenticationCode1: device.at(now + ahead - 1), AuthenticationCode2: device.at(now + ahead) }));
    // The resync codes are used up; the device's next code works.
    await expect(sts.send(new GetSessionTokenCommand({ SerialNumber: device.serial, TokenCode: device.at(now + ahead) }))).rejects.toMatchObject({ message: MFA_INVALID_CODE });
    const { Credentials } = await sts.send(new GetSessionTokenCommand({ SerialNumber: device.serial, TokenCode: device.at(now + ahead + 1) }));
    expect(Credentials?.AccessKeyId).toMatch(/^ASIA/);
  });

  test('wrong codes are InvalidAuthenticationCode; a device that is not the user’s is NoSuchEntity', async () => {
    await user('resync-bad');
    const device = await enrolledDevice(svc, iam, 'resync-bad');
    const now = serverStep(svc);
    await expect(
      iam.send(new ResyncMFADeviceCommand({ UserName: 'resync-bad', SerialNumber: device.serial, AuthenticationCode1: device.at(now), AuthenticationCode2: device.at(now) })),
    ).rejects.toMatchObject({ name: 'InvalidAuthenticationCodeException', $metadata: { httpStatusCode: 403 } });
    await user('resync-other');
    await expect(
      iam.send(new ResyncMFADeviceCommand({ UserName: 'resync-other', SerialNumber: device.serial, AuthenticationCode1: device.at(now), AuthenticationCode2: device.at(now + 1) })),
    ).rejects.toMatchObject({ name: 'NoSuchEntityException' });
  });
});

describe('"manage your own MFA device" (AWS’s example policy)', () => {
  const SELF_MANAGE = (account: string) => ({
    Version: '2012-10-17',
    Statement: [
      { Sid: 'CreateOwn', Effect: 'Allow', Action: 'iam:CreateVirtualMFADevice', Resource: `arn:aws:iam::${account}:mfa/*` },
      {
        Sid: 'ManageOwn',
        Effect: 'Allow',
        Action: ['iam:EnableMFADevice', 'iam:ResyncMFADevice', 'iam:ListMFADevices', 'iam:GetMFADevice'],
        Resource: `arn:aws:iam::${account}:user/\${aws:username}`,
      },
      { Sid: 'ListVirtual', Effect: 'Allow', Action: 'iam:ListVirtualMFADevices', Resource: '*' },
      {
        Sid: 'DeactivateOnlyWithMfa',
        Effect: 'Allow',
        Action: 'iam:DeactivateMFADevice',
        Resource: `arn:aws:iam::${account}:user/\${aws:username}`,
        Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } },
      },
    ],
  });

  test('a user enrols their own device, not another’s, and deactivates it only with MFA', async () => {
    const self = await svc.userWithPolicy('selfie', SELF_MANAGE(acct));
    await user('someone-else');
    const own = svc.iam(self);
    const device = await createDevice(svc, own, 'selfie');
    const now = serverStep(svc);
    await expect(
      own.send(new EnableMFADeviceCommand({ UserName: 'someone-else', SerialNumber: device.serial, AuthenticationCode1: device.at(now - 1), AuthenticationCode2: device.at(now) })),
    ).rejects.toMatchObject({ name: 'AccessDenied', message: notAuthorized(acct, 'selfie', 'iam:EnableMFADevice', `arn:aws:iam::${acct}:user/someone-else`) });
    await own.send(new EnableMFADeviceCommand({ UserName: 'selfie', SerialNumber: device.serial, AuthenticationCode1: device.at(now - 1), AuthenticationCode2: device.at(now) }));
    device.last = now;
    expect((await own.send(new ListMFADevicesCommand({}))).MFADevices?.map((d) => d.SerialNumber)).toEqual([device.serial]);
    // Long-term keys carry no MFA: deactivation is refused.
    await expect(own.send(new DeactivateMFADeviceCommand({ SerialNumber: device.serial }))).rejects.toMatchObject({ name: 'AccessDenied' });
    // A session made with the device may.
    const { Credentials: c } = await svc.sts(self).send(new GetSessionTokenCommand({ SerialNumber: device.serial, TokenCode: device.code() }));
    const withMfa = svc.iam({ accessKeyId: c?.AccessKeyId ?? '', secretAccessKey: c?.SecretAccessKey ?? '', sessionToken: c?.SessionToken ?? '' });
    await withMfa.send(new DeactivateMFADeviceCommand({ SerialNumber: device.serial }));
    expect((await own.send(new ListMFADevicesCommand({}))).MFADevices).toEqual([]);
  });
});
