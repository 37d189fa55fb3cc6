/**
 * GetSessionToken through @aws-sdk/client-sts: who may call it, durations (and the root cap),
 * MFA parameters that name no device of the caller, and what the sealed token carries (MFA that
 * works: test/integration/mfa-sts.test.ts).
 */
import { CreateAccessKeyCommand, CreateUserCommand, type IAMClient } from '@aws-sdk/client-iam';
import { GetSessionTokenCommand, type Credentials as StsCredentials } from '@aws-sdk/client-sts';
import { describe, expect, test } from 'vitest';
import { MFA_INVALID_CODE, MFA_UNKNOWN_SERIAL } from '../../src/sts/mfa.js';
import { openSessionToken, type SessionClaims } from '../../src/tokens/session-token.js';
import { allow, type Credentials, type TestService, useService } from '../helpers/service.js';

let svc: TestService;
let iam: IAMClient;
let acct: string;
useService((s) => ({ svc, iam, acct } = s));

/** When the last GetSessionToken was sent, to check Expiration against. */
let lastStarted = 0;

async function sessionToken(creds: Credentials, durationSeconds?: number): Promise<StsCredentials> {
  const started = Date.now();
  const { Credentials: c } = await svc.sts(creds).send(new GetSessionTokenCommand(durationSeconds === undefined ? {} : { DurationSeconds: durationSeconds }));
  if (!c) throw new Error('GetSessionToken returned no credentials');
  lastStarted = started;
  return c;
}

/** Expiration is `issue time + duration` (issue time is whole seconds, at most a moment after we asked). */
function expectLifetime(c: StsCredentials, seconds: number): void {
  const expiration = c.Expiration?.getTime() ?? 0;
  const issuedAt = expiration - seconds * 1000;
  expect(issuedAt).toBeGreaterThanOrEqual(Math.floor(lastStarted / 1000) * 1000);
  expect(issuedAt).toBeLessThanOrEqual(Date.now());
}

function claimsOf(c: StsCredentials): SessionClaims {
  const claims = openSessionToken(svc.keyring, c.SessionToken ?? '');
  if (!claims) throw new Error('the session token does not open');
  return claims;
}

describe('GetSessionToken for an IAM user', () => {
  test('issues ASIA credentials for 12 hours by default, with no policy needed', async () => {
    // No identity policy at all: GetSessionToken is not controlled by policies (IAM User Guide).
    const user = await svc.userWithPolicy('plain');
    const c = await sessionToken(user);
    expect(c.AccessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
    expect(c.SecretAccessKey).toMatch(/^[A-Za-z0-9+/]{40}$/);
    expect(c.SessionToken?.length).toBeGreaterThan(100);
    expect(c.Expiration).toBeInstanceOf(Date);
    expectLifetime(c, 43_200);
  });

  test('an explicit deny of sts:GetSessionToken does not stop it', async () => {
    const user = await svc.userWithPolicy('denied-gst', { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 'sts:*', Resource: '*' }] });
    const c = await sessionToken(user);
    expect(c.AccessKeyId).toMatch(/^ASIA/);
  });

  test.each([900, 3_600, 129_600])('DurationSeconds %i is honoured', async (seconds) => {
    const user = await svc.userWithPolicy(`duration-${seconds}`);
    expectLifetime(await sessionToken(user, seconds), seconds);
  });

  test.each([
    [899, 'greater than or equal to 900'],
    [129_601, 'less than or equal to 129600'],
  ])('DurationSeconds %i is refused with ValidationError', async (seconds, constraint) => {
    const user = await svc.userWithPolicy(`bad-duration-${seconds}`);
    await expect(svc.sts(user).send(new GetSessionTokenCommand({ DurationSeconds: seconds }))).rejects.toMatchObject({
      name: 'ValidationError',
      message: `1 validation error detected: Value '${seconds}' at 'durationSeconds' failed to satisfy constraint: Member must have value ${constraint}`,
    });
  });

  test('the token carries the user, the long-term key it came from, and no MFA', async () => {
    await iam.send(new CreateUserCommand({ UserName: 'pathed', Path: '/team/a/' }));
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: 'pathed' }));
    const key = { accessKeyId: AccessKey?.AccessKeyId ?? '', secretAccessKey: AccessKey?.SecretAccessKey ?? '' };
    const c = await sessionToken(key, 1_000);
    const claims = claimsOf(c);
    expect(claims).toMatchObject({
      kind: 'session',
      akid: c.AccessKeyId,
      sk: c.SecretAccessKey,
      acct,
      arn: `arn:aws:iam::${acct}:user/team/a/pathed`,
      user: { name: 'pathed', path: '/team/a/' },
      depth: 0,
      src: key.accessKeyId,
      srcAcct: acct,
    });
    expect(claims.uid).toMatch(/^AIDA[A-Z2-7]{17}$/);
    expect(claims.user?.id).toBe(claims.uid);
    expect(claims.exp - claims.iat).toBe(1_000);
    expect(claims.mfa).toBeUndefined();
    expect(claims.pol).toBeUndefined();
    expect(claims.role).toBeUndefined();
  });

  test('every call issues a different key, secret and session', async () => {
    const user = await svc.userWithPolicy('twice');
    const [a, b] = [await sessionToken(user), await sessionToken(user)];
    expect(a.AccessKeyId).not.toBe(b.AccessKeyId);
    expect(a.SecretAccessKey).not.toBe(b.SecretAccessKey);
    expect(claimsOf(a).jti).not.toBe(claimsOf(b).jti);
  });

  test('no secret of the session reaches the log', async () => {
    const user = await svc.userWithPolicy('quiet');
    const c = await sessionToken(user);
    for (const secret of [c.SecretAccessKey ?? 'x', c.SessionToken ?? 'x']) expect(svc.logs.some((l) => l.includes(secret))).toBe(false);
  });
});

describe('GetSessionToken for the root user', () => {
  test('defaults to, and is capped at, one hour', async () => {
    expectLifetime(await sessionToken(svc.root), 3_600);
    // AWS: "If the duration is longer than one hour, the session for AWS account owners defaults to one hour."
    expectLifetime(await sessionToken(svc.root, 129_600), 3_600);
  });

  test('a shorter duration is honoured', async () => {
    expectLifetime(await sessionToken(svc.root, 900), 900);
  });

  test("the token carries the root principal, the account as aws:userid, and no IAM user", async () => {
    const c = await sessionToken(svc.root);
    expect(claimsOf(c)).toMatchObject({ kind: 'session', arn: `arn:aws:iam::${acct}:root`, uid: acct, src: svc.root.accessKeyId, depth: 0 });
    expect(claimsOf(c).user).toBeUndefined();
  });
});

describe('GetSessionToken with MFA parameters that name no device of the caller: fails closed', () => {
  test.each([
    ['SerialNumber and TokenCode', { SerialNumber: 'arn:aws:iam::123456789012:mfa/someone', TokenCode: '123456' }],
    ['SerialNumber alone', { SerialNumber: 'GAHT12345678' }],
    ['TokenCode alone', { TokenCode: '123456' }],
  ])('%s: AccessDenied, no credentials', async (_, params) => {
    const user = await svc.userWithPolicy(`mfa-${Object.keys(params).join('-')}`, allow('*'));
    await expect(svc.sts(user).send(new GetSessionTokenCommand(params))).rejects.toMatchObject({ name: 'AccessDenied', message: MFA_UNKNOWN_SERIAL });
  });

  test('root is refused the same way (root credentials cannot use MFA-protected API access)', async () => {
    await expect(svc.sts().send(new GetSessionTokenCommand({ SerialNumber: 'GAHT12345678', TokenCode: '123456' }))).rejects.toMatchObject({
      name: 'AccessDenied',
      message: MFA_UNKNOWN_SERIAL,
    });
  });

  test("AWS's two messages, exactly (the trailing space and the two spaces are AWS's)", () => {
    expect(MFA_INVALID_CODE).toBe('MultiFactorAuthentication failed with invalid MFA one time pass code. ');
    expect(MFA_UNKNOWN_SERIAL).toBe('MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your MFA serial number is valid and associated with this user.');
  });

  test('a malformed TokenCode is a ValidationError first', async () => {
    const user = await svc.userWithPolicy('mfa-malformed');
    await expect(svc.sts(user).send(new GetSessionTokenCommand({ SerialNumber: 'GAHT12345678', TokenCode: '12ab56' }))).rejects.toMatchObject({
      name: 'ValidationError',
      message: "1 validation error detected: Value '12ab56' at 'tokenCode' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\d]*",
    });
  });
});
