/**
 * MFA in STS through @aws-sdk/client-sts: GetSessionToken and AssumeRole with SerialNumber and
 * TokenCode. Codes are accepted once (also on a second node), replays and wrong codes get AWS's
 * message, failures are throttled per device and per user for a bounded time, MFA-required trust
 * and identity policies (Bool, BoolIfExists, MultiFactorAuthAge) decide, GetSessionToken
 * credentials reach IAM only with MFA, a role assumed from an MFA session carries its MFA time,
 * and neither seeds nor codes reach a log line or an audit row.
 */
import { CreateRoleCommand, GetUserCommand, ListUsersCommand, PutRolePolicyCommand, type IAMClient } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand, GetSessionTokenCommand, type STSClient } from '@aws-sdk/client-sts';
import { sql } from 'drizzle-orm';
import { beforeEach, describe, expect, test } from 'vitest';
import { DEVICE_THROTTLE, USER_THROTTLE, verifyDeviceCode, verifyUserMfaCode } from '../../src/auth/mfa.js';
import { codeAt, stepAt } from '../../src/auth/totp.js';
import { rowsOf } from '../../src/store/db.js';
import { MFA_INVALID_CODE, MFA_UNKNOWN_SERIAL } from '../../src/sts/mfa.js';
import { openSessionToken } from '../../src/tokens/session-token.js';
import { enrolledDevice, serverStep, type TestDevice } from '../helpers/mfa.js';
import { allow, type Credentials, credentialsOf, type TestService, useService } from '../helpers/service.js';

let svc: TestService;
let iam: IAMClient;
let acct: string;
useService((s) => ({ svc, iam, acct } = s));
beforeEach(() => {
  svc.clockOffset = 0;
});

/** Every seed and code this file used, for the scan at the end. */
const seeds = new Set<string>();
const codes = new Set<string>();

async function mfaUser(name: string, policy: object = allow('*')): Promise<{ creds: Credentials; device: TestDevice; sts: STSClient }> {
  const creds = await svc.userWithPolicy(name, policy);
  const device = await enrolledDevice(svc, iam, name);
  seeds.add(device.seed);
  return { creds, device, sts: svc.sts(creds) };
}

function code(device: TestDevice): string {
  const c = device.code();
  codes.add(c);
  return c;
}

function claimsOf(c: Credentials) {
  const claims = openSessionToken(svc.keyring, c.sessionToken ?? '');
  if (!claims) throw new Error('token does not open');
  return claims;
}

describe('GetSessionToken with MFA', () => {
  test('a valid code: credentials whose session carries the MFA time, and which may call IAM', async () => {
    const { creds, device, sts } = await mfaUser('gst-ok');
    const before = Math.floor((Date.now() + svc.clockOffset) / 1000);
    const c = credentialsOf((await sts.send(new GetSessionTokenCommand({ SerialNumber: device.serial, TokenCode: code(device) }))).Credentials);
    const mfa = claimsOf(c).mfa ?? 0;
    expect(mfa).toBeGreaterThanOrEqual(before - 1);
    expect(mfa).toBeLessThanOrEqual(Math.floor((Date.now() + svc.clockOffset) / 1000) + 1);
    expect((await svc.iam(c).send(new GetUserCommand({}))).User?.UserName).toBe('gst-ok');
    // STS stays limited to AssumeRole and GetCallerIdentity, MFA or not.
    expect((await svc.sts(c).send(new GetCallerIdentityCommand({}))).Arn).toBe(`arn:aws:iam::${acct}:user/gst-ok`);
    await expect(svc.sts(c).send(new GetSessionTokenCommand({}))).rejects.toMatchObject({ name: 'AccessDenied' });
    // Without MFA the same user's session cannot call IAM at all.
    const plain = credentialsOf((await svc.sts(creds).send(new GetSessionTokenCommand({}))).Credentials);
    expect(claimsOf(plain).mfa).toBeUndefined();
    await expect(svc.iam(plain).send(new GetUserCommand({}))).rejects.toMatchObject({ name: 'InvalidClientTokenId' });
  });

  test('a code is accepted once: the replay is refused with AWS’s message', async () => {
    const { device, sts } = await mfaUser('replay');
    const c = code(device);
    await sts.send(new GetSessionTokenCommand({ SerialNumber: device.serial, TokenCode: c }));
    await expect(sts.send(new GetSessionTokenCommand({ SerialNumber: device.serial, TokenCode: c }))).rejects.toMatchObject({
      name: 'AccessDenied',
      message: MFA_INVALID_CODE,
      $metadata: { httpStatusCode: 403 },
    });
    // So is an older code still inside the window.
    await expect(sts.send(new GetSessionTokenCommand({ SerialNumber: device.serial, TokenCode: device.at(device.last - 1) }))).rejects.toMatchObject({ message: MFA_INVALID_CODE });
    // The next code works.
    await sts.send(new GetSessionTokenCommand({ SerialNumber: device.serial, TokenCode: code(device) }));
  });

  test('the enrolment codes cannot be used in STS', async () => {
    const { device, sts } = await mfaUser('enrol-replay');
    await expect(sts.send(new GetSessionTokenCommand({ SerialNumber: device.serial, TokenCode: device.at(device.last) }))).rejects.toMatchObject({ message: MFA_INVALID_CODE });
  });

  test('wrong codes, codes two steps away, and malformed codes are refused', async () => {
    const { device, sts } = await mfaUser('wrong');
    const now = serverStep(svc);
    for (const bad of [device.at(now + 3), device.at(now - 3), String((Number(device.at(now + 1)) + 1) % 1_000_000).padStart(6, '0')]) {
      await expect(sts.send(new GetSessionTokenCommand({ SerialNumber: device.serial, TokenCode: bad }))).rejects.toMatchObject({ name: 'AccessDenied', message: MFA_INVALID_CODE });
    }
    await expect(sts.send(new GetSessionTokenCommand({ SerialNumber: device.serial, TokenCode: '12345' }))).rejects.toMatchObject({ name: 'ValidationError' });
  });

  test('another user’s device, a deactivated one, or none: AWS’s unknown-serial message', async () => {
    const { device } = await mfaUser('owner');
    const other = await svc.userWithPolicy('not-owner', allow('*'));
    await expect(svc.sts(other).send(new GetSessionTokenCommand({ SerialNumber: device.serial, TokenCode: device.at(serverStep(svc)) }))).rejects.toMatchObject({
      name: 'AccessDenied',
      message: MFA_UNKNOWN_SERIAL,
    });
    await expect(svc.sts(other).send(new GetSessionTokenCommand({ SerialNumber: `arn:aws:iam::${acct}:mfa/nothing`, TokenCode: '123456' }))).rejects.toMatchObject({ message: MFA_UNKNOWN_SERIAL });
    // The owner without a code.
    await expect(svc.sts(await svc.userWithPolicy('owner-2', allow('*'))).send(new GetSessionTokenCommand({ TokenCode: '123456' }))).rejects.toMatchObject({ message: MFA_UNKNOWN_SERIAL });
  });

  test('on a second node, the code accepted on the first is refused; of concurrent uses on both exactly one wins', async () => {
    const { creds, device, sts } = await mfaUser('two-nodes');
    const second = await enrolledDevice(svc, iam, 'two-nodes', 'two-nodes-b');
    seeds.add(second.seed);
    // The second node runs on the real clock: no offset in this test (beforeEach), and each
    // device's next code is the step after the server's now.
    const other = await svc.node({});
    const c1 = code(device);
    await sts.send(new GetSessionTokenCommand({ SerialNumber: device.serial, TokenCode: c1 }));
    await expect(other.sts(creds).send(new GetSessionTokenCommand({ SerialNumber: device.serial, TokenCode: c1 }))).rejects.toMatchObject({ message: MFA_INVALID_CODE });
    const c2 = code(second);
    const results = await Promise.allSettled([
      sts.send(new GetSessionTokenCommand({ SerialNumber: second.serial, TokenCode: c2 })),
      other.sts(creds).send(new GetSessionTokenCommand({ SerialNumber: second.serial, TokenCode: c2 })),
      sts.send(new GetSessionTokenCommand({ SerialNumber: second.serial, TokenCode: c2 })),
      other.sts(creds).send(new GetSessionTokenCommand({ SerialNumber: second.serial, TokenCode: c2 })),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toMatchObject({ message: MFA_INVALID_CODE });
  });

});

describe('throttling', () => {
  test('after 5 wrong codes the device is blocked, even for the right code, then works again once the block ends', async () => {
    const { device, sts } = await mfaUser('throttled');
    const now = serverStep(svc);
    const bad = device.at(now + 5);
    for (let i = 0; i <= DEVICE_THROTTLE.maxFailures; i++) {
      await expect(sts.send(new GetSessionTokenCommand({ SerialNumber: device.serial, TokenCode: bad }))).rejects.toMatchObject({ message: MFA_INVALID_CODE });
    }
    const good = code(device);
    await expect(sts.send(new GetSessionTokenCommand({ SerialNumber: device.serial, TokenCode: good }))).rejects.toMatchObject({
      name: 'AccessDenied',
      message: expect.stringMatching(/^MultiFactorAuthentication failed: too many invalid MFA codes for this user or device\. Try again after \d{4}-\d\d-\d\dT[\d:.]+Z\.$/),
    });
    // The block is a minute: afterwards the device's next code is accepted (the refused one was never checked).
    svc.clockOffset += DEVICE_THROTTLE.blockMs + 1000;
    await sts.send(new GetSessionTokenCommand({ SerialNumber: device.serial, TokenCode: code(device) }));
  });

  test('blocks are bounded: after 50 failures spread over time, a right code is accepted 15 minutes after the last', async () => {
    const { device } = await mfaUser('bounded');
    const userId = (await iam.send(new GetUserCommand({ UserName: 'bounded' }))).User?.UserId ?? '';
    const db = svc.store.db;
    let t = Date.now();
    // Failures whenever the block allows one (blocked attempts are not counted: they check nothing).
    for (let i = 0; i < 50; i++) {
      const at = new Date(t);
      const outcome = await verifyDeviceCode(db, svc.keyring, { accountId: acct, userId, serial: device.serial, code: '000000' === device.at(stepAt(at)) ? '111111' : '000000', now: at });
      expect(outcome.ok).toBe(false);
      if (!outcome.ok && outcome.reason === 'throttled') {
        expect(outcome.until.getTime() - t).toBeLessThanOrEqual(Math.max(DEVICE_THROTTLE.maxBlockMs, USER_THROTTLE.maxBlockMs));
        t = outcome.until.getTime();
      } else t += 1000;
    }
    const later = new Date(t + DEVICE_THROTTLE.maxBlockMs + 1000);
    const ok = await verifyDeviceCode(db, svc.keyring, { accountId: acct, userId, serial: device.serial, code: codeAt(device.seed, stepAt(later)), now: later });
    expect(ok.ok).toBe(true);
  });

  test('a burst of concurrent wrong codes gets no more checks than the same codes one after another', async () => {
    const { device, sts } = await mfaUser('burst');
    const s = serverStep(svc);
    const live = new Set([-1, 0, 1, 2].map((d) => device.at(s + d)));
    const guesses: string[] = [];
    for (let i = 0; guesses.length < 30; i++) {
      const g = String(100_000 + i * 7919);
      if (!live.has(g)) guesses.push(g);
    }
    const results = await Promise.allSettled(guesses.map((g) => sts.send(new GetSessionTokenCommand({ SerialNumber: device.serial, TokenCode: g }))));
    const messages = results.map((r) => (r.status === 'rejected' && r.reason instanceof Error ? r.reason.message : 'accepted'));
    // Checked and wrong: AWS's invalid-code answer; the rest were refused unchecked (or went over the limit).
    expect(messages.filter((m) => m === MFA_INVALID_CODE).length).toBeLessThanOrEqual(DEVICE_THROTTLE.maxFailures + 1);
    expect(messages.every((m) => m === MFA_INVALID_CODE || m.startsWith('MultiFactorAuthentication failed: too many invalid MFA codes'))).toBe(true);
  });

  test('the user counter spans devices: a second device does not give more guesses', async () => {
    const { device } = await mfaUser('two-devices');
    const second = await enrolledDevice(svc, iam, 'two-devices', 'two-devices-b');
    seeds.add(second.seed);
    const userId = (await iam.send(new GetUserCommand({ UserName: 'two-devices' }))).User?.UserId ?? '';
    const now = new Date(Date.now());
    const try_ = (serial: string) => verifyDeviceCode(svc.store.db, svc.keyring, { accountId: acct, userId, serial, code: '000000', now });
    for (let i = 0; i < USER_THROTTLE.maxFailures; i++) await try_(i % 2 === 0 ? device.serial : second.serial);
    // 5 + 5 failures: neither device is over its own limit, the user is at theirs; one more blocks both.
    await try_(device.serial);
    expect(await try_(second.serial)).toMatchObject({ ok: false, reason: 'throttled' });
  });
});

describe('MFA-required policies', () => {
  const mfaTrust = (account: string, condition: object) =>
    JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: 'sts:AssumeRole', Condition: condition }] });

  test('a trust policy requiring aws:MultiFactorAuthPresent: refused without a code, allowed with one (long-term keys, as the CLI’s mfa_serial does)', async () => {
    await iam.send(new CreateRoleCommand({ RoleName: 'needs-mfa', AssumeRolePolicyDocument: mfaTrust(acct, { Bool: { 'aws:MultiFactorAuthPresent': 'true' } }) }));
    const roleArn = `arn:aws:iam::${acct}:role/needs-mfa`;
    const { device, sts } = await mfaUser('assumer');
    await expect(sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 's1' }))).rejects.toMatchObject({ name: 'AccessDenied' });
    await expect(sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 's1', SerialNumber: device.serial, TokenCode: '000000' === device.at(device.last + 1) ? '111111' : '000000' }))).rejects.toMatchObject({
      message: MFA_INVALID_CODE,
    });
    const c = code(device);
    const role = credentialsOf((await sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 's1', SerialNumber: device.serial, TokenCode: c }))).Credentials);
    expect(claimsOf(role).mfa).toBeGreaterThan(0);
    // The same code for another role (or the same): refused, as on AWS.
    await expect(sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 's2', SerialNumber: device.serial, TokenCode: c }))).rejects.toMatchObject({ message: MFA_INVALID_CODE });
  });

  test('MFA carries along a chain: a role assumed from an MFA session satisfies the trust policy, with the original MFA time', async () => {
    await iam.send(new CreateRoleCommand({ RoleName: 'chain-mfa', AssumeRolePolicyDocument: mfaTrust(acct, { Bool: { 'aws:MultiFactorAuthPresent': 'true' } }) }));
    const roleArn = `arn:aws:iam::${acct}:role/chain-mfa`;
    const { creds, device, sts } = await mfaUser('chainer');
    const session = credentialsOf((await sts.send(new GetSessionTokenCommand({ SerialNumber: device.serial, TokenCode: code(device) }))).Credentials);
    svc.clockOffset += 60_000;
    const role = credentialsOf((await svc.sts(session).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'chained' }))).Credentials);
    expect(claimsOf(role).mfa).toBe(claimsOf(session).mfa);
    // A session without MFA does not.
    const plain = credentialsOf((await svc.sts(creds).send(new GetSessionTokenCommand({}))).Credentials);
    await expect(svc.sts(plain).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'chained' }))).rejects.toMatchObject({ name: 'AccessDenied' });
  });

  test('aws:MultiFactorAuthAge: a role that wants MFA in the last 5 minutes', async () => {
    await iam.send(
      new CreateRoleCommand({
        RoleName: 'fresh-mfa',
        AssumeRolePolicyDocument: mfaTrust(acct, { NumericLessThan: { 'aws:MultiFactorAuthAge': '300' } }),
      }),
    );
    const roleArn = `arn:aws:iam::${acct}:role/fresh-mfa`;
    const { device, sts } = await mfaUser('ager');
    const session = credentialsOf((await sts.send(new GetSessionTokenCommand({ SerialNumber: device.serial, TokenCode: code(device) }))).Credentials);
    await svc.sts(session).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'young' }));
    svc.clockOffset += 6 * 60_000;
    await expect(svc.sts(session).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'old' }))).rejects.toMatchObject({ name: 'AccessDenied' });
    // A fresh code in the call itself makes it young again.
    await sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'again', SerialNumber: device.serial, TokenCode: code(device) }));
  });

  test('an identity policy denying everything without MFA (BoolIfExists): long-term keys and plain sessions are refused, MFA sessions are not', async () => {
    const FORCE_MFA = {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: '*', Resource: '*' },
        {
          Sid: 'DenyAllExceptListedIfNoMFA',
          Effect: 'Deny',
          NotAction: ['iam:CreateVirtualMFADevice', 'iam:EnableMFADevice', 'iam:ListMFADevices', 'iam:GetUser', 'sts:GetSessionToken'],
          Resource: '*',
          Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } },
        },
      ],
    };
    const { creds, device, sts } = await mfaUser('forced', FORCE_MFA);
    await expect(svc.iam(creds).send(new ListUsersCommand({}))).rejects.toMatchObject({ name: 'AccessDenied' });
    await svc.iam(creds).send(new GetUserCommand({}));
    const mfaSession = credentialsOf((await sts.send(new GetSessionTokenCommand({ SerialNumber: device.serial, TokenCode: code(device) }))).Credentials);
    await svc.iam(mfaSession).send(new ListUsersCommand({}));
  });

  test('a role session assumed with MFA satisfies the role’s own MFA conditions', async () => {
    await iam.send(new CreateRoleCommand({ RoleName: 'admin-with-mfa', AssumeRolePolicyDocument: mfaTrust(acct, { Bool: { 'aws:MultiFactorAuthPresent': 'true' } }) }));
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: 'admin-with-mfa',
        PolicyName: 'mfa-only',
        PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:ListUsers', Resource: '*', Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } }] }),
      }),
    );
    const { device, sts } = await mfaUser('admin');
    const role = credentialsOf(
      (await sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${acct}:role/admin-with-mfa`, RoleSessionName: 'a1', SerialNumber: device.serial, TokenCode: code(device) }))).Credentials,
    );
    await svc.iam(role).send(new ListUsersCommand({}));
  });
});

describe('verifyUserMfaCode (for console sign-in)', () => {
  test('accepts a fresh code from any of the user’s devices, once', async () => {
    const { device } = await mfaUser('console');
    const userId = (await iam.send(new GetUserCommand({ UserName: 'console' }))).User?.UserId ?? '';
    const now = new Date(Date.now() + svc.clockOffset);
    const c = codeAt(device.seed, Math.max(stepAt(now), device.last + 1));
    codes.add(c);
    expect(await verifyUserMfaCode(svc.store.db, svc.keyring, acct, userId, c, now)).toMatchObject({ ok: true, serial: device.serial });
    expect(await verifyUserMfaCode(svc.store.db, svc.keyring, acct, userId, c, now)).toEqual({ ok: false, reason: 'invalid-code' });
    const none = (await svc.userWithPolicy('console-none')).userName;
    const noneId = (await iam.send(new GetUserCommand({ UserName: none }))).User?.UserId ?? '';
    expect(await verifyUserMfaCode(svc.store.db, svc.keyring, acct, noneId, c, now)).toEqual({ ok: false, reason: 'unknown-device' });
  });
});

describe('no seed or code is logged or audited', () => {
  test('the log lines and audit rows of this file hold none of its seeds or codes (and MFA use and failure are audited)', async () => {
    expect(seeds.size).toBeGreaterThan(5);
    expect(codes.size).toBeGreaterThan(5);
    const rows = rowsOf<{ details: string | null; resource: string | null; action: string; decision: string; error_code: string | null }>(
      await svc.store.db.execute(sql`select details::text as details, resource, action, decision, error_code from audit_events`),
    );
    const audit = rows.map((r) => JSON.stringify(r));
    for (const text of [...svc.logs, ...audit]) {
      for (const seed of seeds) {
        expect(text).not.toContain(seed);
        expect(text).not.toContain(Buffer.from(seed).toString('base64'));
      }
      // Codes are six digits: as a JSON or form value, never.
      for (const c of codes) {
        expect(text).not.toContain(`"${c}"`);
        expect(text).not.toContain(`=${c}`);
      }
    }
    // MFA use: the issuance says it, and names the device; failures are denials naming the device.
    const details = (r: { details: string | null }): Record<string, unknown> => (r.details ? (JSON.parse(r.details) as Record<string, unknown>) : {});
    const used = rows.filter((r) => r.action === 'sts:GetSessionToken' && r.decision === 'allow' && details(r).mfaAuthenticated === true);
    expect(used.length).toBeGreaterThan(0);
    for (const r of used) expect(details(r)).toMatchObject({ request: { serialNumber: expect.stringContaining(':mfa/'), tokenCode: 'HIDDEN_DUE_TO_SECURITY_REASONS' } });
    expect(rows.some((r) => r.action === 'sts:GetSessionToken' && r.decision === 'deny' && r.resource?.includes(':mfa/') && details(r).message === MFA_INVALID_CODE)).toBe(true);
    expect(rows.some((r) => r.details?.includes('HIDDEN_DUE_TO_SECURITY_REASONS') && r.action === 'iam:CreateVirtualMFADevice')).toBe(true);
  });
});
