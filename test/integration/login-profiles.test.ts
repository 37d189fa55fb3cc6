import {
  ChangePasswordCommand,
  CreateLoginProfileCommand,
  CreateUserCommand,
  DeleteLoginProfileCommand,
  DeleteUserCommand,
  GetAccountPasswordPolicyCommand,
  GetLoginProfileCommand,
  GetUserCommand,
  ListUsersCommand,
  PutUserPolicyCommand,
  UpdateAccountPasswordPolicyCommand,
  UpdateLoginProfileCommand,
  DeleteAccountPasswordPolicyCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, test } from 'vitest';
import { verifyConsolePassword } from '../../src/iam/sign-in.js';
import { loginProfiles, passwordHistory } from '../../src/store/schema.js';
import { outcome, refusal } from '../helpers/outcome.js';
import { expectNoSecretsWritten } from '../helpers/secrets.js';
import { allow, notAuthorized, type Credentials, type TestService, useService } from '../helpers/service.js';

let svc: TestService;
let iam: IAMClient;
let acct: string;
useService((s) => ({ svc, iam, acct } = s));

/** Every password these tests send: none may be written to a log line or an audit row. */
const SENT: string[] = [];
const pw = (p: string) => (SENT.push(p), p);

async function profileRow(userName: string) {
  const { User } = await iam.send(new GetUserCommand({ UserName: userName }));
  const [row] = await svc.store.db.select().from(loginProfiles).where(eq(loginProfiles.userId, User?.UserId ?? ''));
  return row;
}

const signIn = (userName: string, password: string, now = new Date()) =>
  verifyConsolePassword(svc.store.db, {}, { account: acct, userName, password, sourceIp: '198.51.100.7', now });

describe('login profiles', () => {
  test('CreateLoginProfile, GetLoginProfile, UpdateLoginProfile, DeleteLoginProfile: AWS shapes and errors', async () => {
    await iam.send(new CreateUserCommand({ UserName: 'ana' }));
    const created = await iam.send(new CreateLoginProfileCommand({ UserName: 'ana', Password: pw('Corr3ct-Horse'), PasswordResetRequired: true }));
    expect(created.LoginProfile).toMatchObject({ UserName: 'ana', PasswordResetRequired: true });
    expect(created.LoginProfile?.CreateDate).toBeInstanceOf(Date);

    const got = await iam.send(new GetLoginProfileCommand({ UserName: 'ANA' }));
    expect(got.LoginProfile).toMatchObject({ UserName: 'ana', PasswordResetRequired: true });

    expect(await refusal(iam.send(new CreateLoginProfileCommand({ UserName: 'ana', Password: pw('An0ther-one!') })))).toEqual({
      code: 'EntityAlreadyExists',
      message: 'Login Profile for user ana already exists.',
      status: 409,
    });

    await iam.send(new UpdateLoginProfileCommand({ UserName: 'ana', PasswordResetRequired: false }));
    expect((await iam.send(new GetLoginProfileCommand({ UserName: 'ana' }))).LoginProfile?.PasswordResetRequired).toBe(false);
    await iam.send(new UpdateLoginProfileCommand({ UserName: 'ana', Password: pw('N3w-Secret-pass') }));
    expect((await signIn('ana', 'N3w-Secret-pass')).ok).toBe(true);
    expect((await signIn('ana', 'Corr3ct-Horse')).ok).toBe(false);

    await iam.send(new DeleteLoginProfileCommand({ UserName: 'ana' }));
    for (const call of [
      () => iam.send(new GetLoginProfileCommand({ UserName: 'ana' })),
      () => iam.send(new UpdateLoginProfileCommand({ UserName: 'ana', PasswordResetRequired: true })),
      () => iam.send(new DeleteLoginProfileCommand({ UserName: 'ana' })),
    ]) {
      expect(await refusal(call())).toEqual({ code: 'NoSuchEntity', message: 'Login Profile for User ana cannot be found.', status: 404 });
    }
    expect(await refusal(iam.send(new GetLoginProfileCommand({ UserName: 'nobody' })))).toMatchObject({ code: 'NoSuchEntity', message: 'The user with name nobody cannot be found.' });
  });

  test('the stored password is an argon2id PHC string with OWASP parameters, a fresh salt each time, never the password', async () => {
    await iam.send(new CreateUserCommand({ UserName: 'hashy' }));
    await iam.send(new CreateLoginProfileCommand({ UserName: 'hashy', Password: pw('Phc-Strin9-check') }));
    const row = await profileRow('hashy');
    expect(row?.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(row?.passwordHash).not.toContain('Phc-Strin9-check');
    await iam.send(new UpdateLoginProfileCommand({ UserName: 'hashy', Password: 'Phc-Strin9-check' }));
    const again = await profileRow('hashy');
    expect(again?.passwordHash).not.toBe(row?.passwordHash);
    const history = await svc.store.db.select().from(passwordHistory).where(eq(passwordHistory.userId, row?.userId ?? ''));
    expect(history).toHaveLength(2);
    for (const h of history) expect(h.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  });

  test('without UserName the operations act on the calling IAM user; root and others must name one', async () => {
    const me = await svc.userWithPolicy('selfie', allow(['iam:CreateLoginProfile', 'iam:GetLoginProfile', 'iam:DeleteLoginProfile'], `arn:aws:iam::${acct}:user/selfie`));
    const mine = svc.iam(me);
    await mine.send(new CreateLoginProfileCommand({ Password: pw('S3lf-service!') }));
    expect((await mine.send(new GetLoginProfileCommand({}))).LoginProfile?.UserName).toBe('selfie');
    await mine.send(new DeleteLoginProfileCommand({}));
    // Root may leave UserName out only in an AssumeRoot session, which this service does not have.
    const rootNeedsName = { code: 'InvalidInput', message: 'When you make this request with root user credentials, you must use an AssumeRoot session to omit the user name.', status: 400 };
    expect(await refusal(iam.send(new GetLoginProfileCommand({})))).toEqual(rootNeedsName);
    expect(await refusal(iam.send(new CreateLoginProfileCommand({ Password: 'Whatever-1!' })))).toEqual(rootNeedsName);
    expect(await refusal(iam.send(new DeleteLoginProfileCommand({})))).toEqual(rootNeedsName);
    // So may Password, "required in all other cases".
    expect(await refusal(iam.send(new CreateLoginProfileCommand({ UserName: 'selfie' })))).toEqual({
      code: 'InvalidInput',
      message: 'Password is required unless the request is made with an AssumeRoot session.',
      status: 400,
    });
  });

  test('hostile input is a 4xx for every operation, never a 500', async () => {
    await iam.send(new CreateUserCommand({ UserName: 'target' }));
    const cases: [string, () => Promise<unknown>][] = [
      ['password too long', () => iam.send(new CreateLoginProfileCommand({ UserName: 'target', Password: `Aa1!${'x'.repeat(125)}` }))],
      ['password outside U+00FF', () => iam.send(new CreateLoginProfileCommand({ UserName: 'target', Password: 'Ab1!ĀĀĀĀĀĀ' }))],
      ['NUL in the password', () => iam.send(new CreateLoginProfileCommand({ UserName: 'target', Password: 'Ab1!\u0000abcdef' }))],
      ['user name with a slash', () => iam.send(new GetLoginProfileCommand({ UserName: '../root' }))],
      ['user name too long', () => iam.send(new UpdateLoginProfileCommand({ UserName: 'u'.repeat(65), Password: 'Aa1!aaaaaa' }))],
      ['empty password on update', () => iam.send(new UpdateLoginProfileCommand({ UserName: 'target', Password: '' }))],
      ['SQL in a name', () => iam.send(new DeleteLoginProfileCommand({ UserName: "x'or'1'='1" }))],
      ['ChangePassword too long', () => iam.send(new ChangePasswordCommand({ OldPassword: 'x', NewPassword: 'y'.repeat(129) }))],
    ];
    for (const [what, call] of cases) {
      const r = await refusal(call());
      expect(r.status, `${what}: ${r.code} ${r.message}`).toBeGreaterThanOrEqual(400);
      expect(r.status, what).toBeLessThan(500);
    }
    // A password of 128 Latin-1 characters with tab and newline is one the model allows.
    await iam.send(new CreateLoginProfileCommand({ UserName: 'target', Password: pw(`Aa1!\t\nÿé${'z'.repeat(120)}`) }));
  });
  test('changes to one profile at once: each succeeds or is EntityTemporarilyUnmodifiable (try again), never a failure of ours', async () => {
    await iam.send(new CreateUserCommand({ UserName: 'busy' }));
    await iam.send(new CreateLoginProfileCommand({ UserName: 'busy', Password: pw('Busy-passw0rd-0') }));
    const answers = await Promise.all(
      [1, 2, 3, 4].map((i) => outcome(iam.send(new UpdateLoginProfileCommand({ UserName: 'busy', Password: pw(`Busy-passw0rd-${i}`) })))),
    );
    for (const a of answers) expect(['ok', 'EntityTemporarilyUnmodifiableException 409']).toContain(a);
    expect(answers).toContain('ok');
  });
});

describe('password rules', () => {
  test('without a custom policy: AWS default rules (8 characters, three of four character types)', async () => {
    await iam.send(new CreateUserCommand({ UserName: 'dflt' }));
    expect(await refusal(iam.send(new CreateLoginProfileCommand({ UserName: 'dflt', Password: 'Ab1!' })))).toEqual({
      code: 'PasswordPolicyViolation',
      message: 'Password should have a minimum length of 8',
      status: 400,
    });
    expect(await refusal(iam.send(new CreateLoginProfileCommand({ UserName: 'dflt', Password: 'onlylowercase' })))).toEqual({
      code: 'PasswordPolicyViolation',
      message: 'Password should meet 2 more of the following requirements: Password should have at least one uppercase letter, Password should have at least one number, Password should have at least one symbol',
      status: 400,
    });
    expect(await refusal(iam.send(new CreateLoginProfileCommand({ UserName: 'dflt', Password: acct })))).toMatchObject({ code: 'PasswordPolicyViolation' });
    await iam.send(new CreateLoginProfileCommand({ UserName: 'dflt', Password: pw('lower-and-123') }));
  });

  test('a custom policy: each character class and the length, with AWS texts', async () => {
    await iam.send(new UpdateAccountPasswordPolicyCommand({ MinimumPasswordLength: 12, RequireSymbols: true, RequireNumbers: true, RequireUppercaseCharacters: true, RequireLowercaseCharacters: true }));
    try {
      await iam.send(new CreateUserCommand({ UserName: 'strict' }));
      const cases: [string, string][] = [
        ['Sh0rt!a', 'Password should have a minimum length of 12'],
        ['no-upper-case-1', 'Password should have at least one uppercase letter'],
        ['NO-LOWER-CASE-1', 'Password should have at least one lowercase letter'],
        ['No-Numbers-Here', 'Password should have at least one number'],
        ['NoSymbols1234', 'Password should have at least one symbol'],
        // A character outside AWS's symbol list (`~`) is no symbol.
        ['Tilde~Only1234', 'Password should have at least one symbol'],
        ['abc', 'Password should have a minimum length of 12, Password should have at least one uppercase letter, Password should have at least one number, Password should have at least one symbol'],
      ];
      for (const [password, message] of cases) {
        expect(await refusal(iam.send(new CreateLoginProfileCommand({ UserName: 'strict', Password: password }))), password).toEqual({ code: 'PasswordPolicyViolation', message, status: 400 });
      }
      await iam.send(new CreateLoginProfileCommand({ UserName: 'strict', Password: pw("All-Cl4sses-here'") }));
      // UpdateLoginProfile is held to the policy too.
      expect(await refusal(iam.send(new UpdateLoginProfileCommand({ UserName: 'strict', Password: 'weakweakweakweak' })))).toMatchObject({ code: 'PasswordPolicyViolation' });
    } finally {
      await iam.send(new DeleteAccountPasswordPolicyCommand({}));
    }
  });

  test('reuse prevention: the last N passwords (each kept hash verified) are refused, older ones allowed', async () => {
    await iam.send(new UpdateAccountPasswordPolicyCommand({ MinimumPasswordLength: 6, PasswordReusePrevention: 2 }));
    try {
      await iam.send(new CreateUserCommand({ UserName: 'reuser' }));
      await iam.send(new CreateLoginProfileCommand({ UserName: 'reuser', Password: pw('first-pass') }));
      expect(await refusal(iam.send(new UpdateLoginProfileCommand({ UserName: 'reuser', Password: 'first-pass' })))).toEqual({
        code: 'PasswordPolicyViolation',
        message: 'Password should not be one of your last 2 passwords',
        status: 400,
      });
      await iam.send(new UpdateLoginProfileCommand({ UserName: 'reuser', Password: pw('second-pass') }));
      expect(await refusal(iam.send(new UpdateLoginProfileCommand({ UserName: 'reuser', Password: 'first-pass' })))).toMatchObject({ code: 'PasswordPolicyViolation' });
      await iam.send(new UpdateLoginProfileCommand({ UserName: 'reuser', Password: pw('third-pass') }));
      // first-pass is now three passwords back.
      await iam.send(new UpdateLoginProfileCommand({ UserName: 'reuser', Password: 'first-pass' }));
    } finally {
      await iam.send(new DeleteAccountPasswordPolicyCommand({}));
    }
  });
});

describe('ChangePassword', () => {
  let user: Credentials & { userName: string };
  beforeAll(async () => {
    user = await svc.userWithPolicy('changer', allow('iam:ChangePassword', `arn:aws:iam::${acct}:user/\${aws:username}`));
    await iam.send(new CreateLoginProfileCommand({ UserName: 'changer', Password: pw('Orig1nal-pass'), PasswordResetRequired: true }));
  });

  test('the user changes their own password: old verified, new stored, PasswordResetRequired cleared, audited without the passwords', async () => {
    const mine = svc.iam(user);
    expect(await refusal(mine.send(new ChangePasswordCommand({ OldPassword: pw('not-the-old-one'), NewPassword: pw('Whatever-new1') })))).toEqual({
      code: 'AccessDenied',
      message: 'The old password is incorrect.',
      status: 403,
    });
    await mine.send(new ChangePasswordCommand({ OldPassword: 'Orig1nal-pass', NewPassword: pw('Chang3d-pass!') }));
    const result = await signIn('changer', 'Chang3d-pass!');
    expect(result).toMatchObject({ ok: true, passwordResetRequired: false, mustChangePassword: false });
    expect((await iam.send(new GetLoginProfileCommand({ UserName: 'changer' }))).LoginProfile?.PasswordResetRequired).toBe(false);
    // The new password is held to the rules.
    expect(await refusal(mine.send(new ChangePasswordCommand({ OldPassword: 'Chang3d-pass!', NewPassword: 'weak' })))).toMatchObject({ code: 'PasswordPolicyViolation' });
  });

  test('who may: iam:ChangePassword, or every IAM user when AllowUsersToChangePassword is on (unless explicitly denied); never root or a session of a role', async () => {
    const plain = await svc.userWithPolicy('plainuser', undefined);
    await iam.send(new CreateLoginProfileCommand({ UserName: 'plainuser', Password: pw('Plain-us3r-pw') }));
    const theirs = svc.iam(plain);
    const arn = `arn:aws:iam::${acct}:user/plainuser`;
    expect(await refusal(theirs.send(new ChangePasswordCommand({ OldPassword: 'Plain-us3r-pw', NewPassword: pw('Plain-us3r-pw2') })))).toEqual({
      code: 'AccessDenied',
      message: notAuthorized(acct, 'plainuser', 'iam:ChangePassword', arn),
      status: 403,
    });
    expect(await refusal(theirs.send(new GetAccountPasswordPolicyCommand({})))).toMatchObject({ code: 'AccessDenied' });

    await iam.send(new UpdateAccountPasswordPolicyCommand({ AllowUsersToChangePassword: true }));
    try {
      await theirs.send(new ChangePasswordCommand({ OldPassword: 'Plain-us3r-pw', NewPassword: 'Plain-us3r-pw2' }));
      expect((await theirs.send(new GetAccountPasswordPolicyCommand({}))).PasswordPolicy?.AllowUsersToChangePassword).toBe(true);
      // An explicit deny still wins over the account-wide permission.
      await iam.send(new PutUserPolicyCommand({ UserName: 'plainuser', PolicyName: 'deny', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 'iam:ChangePassword', Resource: '*' }] }) }));
      expect(await refusal(theirs.send(new ChangePasswordCommand({ OldPassword: 'Plain-us3r-pw2', NewPassword: pw('Plain-us3r-pw3') })))).toMatchObject({ code: 'AccessDenied', message: expect.stringContaining('explicit deny') });
    } finally {
      await iam.send(new DeleteAccountPasswordPolicyCommand({}));
    }
    expect(await refusal(iam.send(new ChangePasswordCommand({ OldPassword: 'a', NewPassword: 'b' })))).toMatchObject({ code: 'InvalidUserType', status: 400 });
  });

  test('wrong old passwords are throttled with the sign-in count (LimitExceeded), and the block ends by itself', async () => {
    const victim = await svc.userWithPolicy('guessed', allow('iam:ChangePassword'));
    await iam.send(new CreateLoginProfileCommand({ UserName: 'guessed', Password: pw('Real-passw0rd') }));
    const theirs = svc.iam(victim);
    for (let i = 0; i < 5; i++) expect(await refusal(theirs.send(new ChangePasswordCommand({ OldPassword: `guess-${i}`, NewPassword: 'Next-passw0rd' })))).toMatchObject({ code: 'AccessDenied' });
    // The sixth wrong guess goes over the limit; then even the right password is refused for now.
    await refusal(theirs.send(new ChangePasswordCommand({ OldPassword: 'guess-5', NewPassword: 'Next-passw0rd' })));
    expect(await refusal(theirs.send(new ChangePasswordCommand({ OldPassword: 'Real-passw0rd', NewPassword: pw('Next-passw0rd') })))).toMatchObject({ code: 'LimitExceeded', status: 409 });
    // Console sign-in shares the count.
    expect(await signIn('guessed', 'Real-passw0rd')).toMatchObject({ ok: false, reason: 'throttled' });
    // The first block is a minute (src/iam/sign-in.ts, USER_THROTTLE); two minutes on, it is over.
    svc.clockOffset = 2 * 60_000;
    try {
      await theirs.send(new ChangePasswordCommand({ OldPassword: 'Real-passw0rd', NewPassword: 'Next-passw0rd' }));
    } finally {
      svc.clockOffset = 0;
    }
  });
});

describe('users and passwords', () => {
  test('DeleteUser refuses while a login profile exists; PasswordLastUsed shows the last sign-in', async () => {
    await iam.send(new CreateUserCommand({ UserName: 'leaver' }));
    await iam.send(new CreateLoginProfileCommand({ UserName: 'leaver', Password: pw('Leav1ng-soon') }));
    expect((await iam.send(new GetUserCommand({ UserName: 'leaver' }))).User?.PasswordLastUsed).toBeUndefined();
    const at = new Date(Math.floor(Date.now() / 1000) * 1000);
    expect((await signIn('leaver', 'Leav1ng-soon', at)).ok).toBe(true);
    expect((await iam.send(new GetUserCommand({ UserName: 'leaver' }))).User?.PasswordLastUsed).toEqual(at);
    const listed = (await iam.send(new ListUsersCommand({}))).Users?.find((u) => u.UserName === 'leaver');
    expect(listed?.PasswordLastUsed).toEqual(at);

    expect(await refusal(iam.send(new DeleteUserCommand({ UserName: 'leaver' })))).toEqual({
      code: 'DeleteConflict',
      message: 'Cannot delete entity, must delete login profile first.',
      status: 409,
    });
    await iam.send(new DeleteLoginProfileCommand({ UserName: 'leaver' }));
    await iam.send(new DeleteUserCommand({ UserName: 'leaver' }));
  });

  test('no password sent in these tests is in any log line or audit row', async () => {
    expect(SENT.length).toBeGreaterThan(10);
    await expectNoSecretsWritten(svc, SENT);
  });
});
