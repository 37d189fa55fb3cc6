/**
 * Console sign-in with a password (and an MFA code, and a forced password change) through the
 * HTTP service, with login profiles, aliases, password policies and MFA devices made through the
 * real IAM API: each step's refusals, the session's credentials, throttling that ends, and an
 * audit trail and log that never hold a password or a code.
 */
import {
  CreateAccountAliasCommand,
  CreateLoginProfileCommand,
  CreateRoleCommand,
  CreateUserCommand,
  DeleteLoginProfileCommand,
  DeleteUserCommand,
  ListUsersCommand,
  UpdateAccountPasswordPolicyCommand,
  UpdateLoginProfileCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { describe, expect, it } from 'vitest';
import { MFA_REFUSED, SIGN_IN_REFUSED } from '../../src/console/routes.js';
import { sql } from 'drizzle-orm';
import { queryAuditEvents } from '../../src/store/audit.js';
import { rowsOf } from '../../src/store/db.js';
import { codeBlocks, ConsoleClient, csrfOf, type Page } from '../helpers/console.js';
import { enrolledDevice, type TestDevice } from '../helpers/mfa.js';
import { allow, credentialsOf, rootCredentials, useService, type TestService } from '../helpers/service.js';

let svc: TestService;
let iam: IAMClient;
let acct: string;
/** Every password and code sent in this file: none may appear in a log line or an audit row. */
const secrets = new Set<string>();

useService(async (s) => {
  svc = s.svc;
  iam = s.iam;
  acct = s.acct;
  await iam.send(new CreateAccountAliasCommand({ AccountAlias: 'console-corp' }));
});

async function userWithPassword(name: string, password: string, options: { reset?: boolean; policy?: object } = {}): Promise<void> {
  await svc.userWithPolicy(name, options.policy ?? allow(['iam:ListUsers', 'iam:ChangePassword']));
  await iam.send(new CreateLoginProfileCommand({ UserName: name, Password: password, PasswordResetRequired: options.reset ?? false }));
  secrets.add(password);
}

/** The sign-in form, filled and posted. */
async function signIn(browser: ConsoleClient, account: string, userName: string, password: string): Promise<Page> {
  if (password !== '') secrets.add(password);
  const form = await browser.get('/console/signin');
  return browser.post('/console/signin', { csrf: csrfOf(form), account, username: userName, password });
}

async function mfa(browser: ConsoleClient, code: string): Promise<Page> {
  secrets.add(code);
  const form = await browser.get('/console/mfa');
  return browser.post('/console/mfa', { csrf: csrfOf(form), code });
}

async function credentials(browser: ConsoleClient): Promise<{ accessKeyId: string; secretAccessKey: string; sessionToken: string }> {
  const home = await browser.get('/console');
  const page = await browser.post('/console/credentials', { csrf: csrfOf(home) });
  expect(page.status).toBe(200);
  const line = codeBlocks(page)[2] ?? '';
  const c = JSON.parse(line) as { AccessKeyId: string; SecretAccessKey: string; SessionToken: string };
  return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
}

describe('password sign-in', () => {
  it('signs a user in by account id or alias; the console shows the user, and its credentials act as the user', async () => {
    await userWithPassword('ana', 'Ana-passw0rd-1');
    for (const account of [acct, 'console-corp']) {
      const browser = new ConsoleClient(svc.url);
      const r = await signIn(browser, account, 'ana', 'Ana-passw0rd-1');
      expect(r.status).toBe(303);
      expect(r.location).toBe('/console');
      const home = await browser.get('/console');
      expect(home.status).toBe(200);
      expect(home.text).toContain(`arn:aws:iam::${acct}:user/ana`);
      expect(home.text).toContain('Signed in with</dt><dd>password</dd>');
    }
    const browser = new ConsoleClient(svc.url);
    await signIn(browser, acct, 'ana', 'Ana-passw0rd-1');
    const c = await credentials(browser);
    expect(c.accessKeyId).toMatch(/^ASIA/);
    const who = await svc.sts(c).send(new GetCallerIdentityCommand({}));
    expect(who.Arn).toBe(`arn:aws:iam::${acct}:user/ana`);
    // Without MFA, a console session's credentials are GetSessionToken's: no IAM.
    await expect(svc.iam(c).send(new ListUsersCommand({}))).rejects.toMatchObject({ name: 'InvalidClientTokenId' });
  });

  it('its credentials may assume a role the user may assume, and the role session works (the console sign-in is carried as its origin)', async () => {
    await userWithPassword('rina', 'Rina-passw0rd-1', { policy: allow('sts:AssumeRole') });
    await iam.send(
      new CreateRoleCommand({
        RoleName: 'ConsoleTarget',
        AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${acct}:user/rina` }, Action: 'sts:AssumeRole' }] }),
      }),
    );
    const browser = new ConsoleClient(svc.url);
    await signIn(browser, acct, 'rina', 'Rina-passw0rd-1');
    const c = await credentials(browser);
    const assumed = await svc.sts(c).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${acct}:role/ConsoleTarget`, RoleSessionName: 'rina' }));
    const who = await svc.sts(credentialsOf(assumed.Credentials)).send(new GetCallerIdentityCommand({}));
    expect(who.Arn).toBe(`arn:aws:sts::${acct}:assumed-role/ConsoleTarget/rina`);
  });

  it('signing out ends the credentials the session handed out, and role sessions chained from them, in any account', async () => {
    await userWithPassword('sol', 'Sol-passw0rd-12', { policy: allow('sts:AssumeRole') });
    const other = await svc.newAccount();
    const trustSol = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${acct}:user/sol` }, Action: 'sts:AssumeRole' }] });
    await iam.send(new CreateRoleCommand({ RoleName: 'SolHere', AssumeRolePolicyDocument: trustSol }));
    await svc.iam(rootCredentials(other)).send(new CreateRoleCommand({ RoleName: 'SolThere', AssumeRolePolicyDocument: trustSol }));
    const browser = new ConsoleClient(svc.url);
    await signIn(browser, acct, 'sol', 'Sol-passw0rd-12');
    const c = await credentials(browser);
    const here = credentialsOf((await svc.sts(c).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${acct}:role/SolHere`, RoleSessionName: 'sol' }))).Credentials);
    const there = credentialsOf((await svc.sts(c).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${other.accountId}:role/SolThere`, RoleSessionName: 'sol' }))).Credentials);
    for (const k of [c, here, there]) await svc.sts(k).send(new GetCallerIdentityCommand({}));
    expect((await browser.post('/console/signout', { csrf: csrfOf(await browser.get('/console')) })).status).toBe(200);
    for (const k of [c, here, there]) {
      await expect(svc.sts(k).send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({ name: 'InvalidClientTokenId' });
    }
    // Another sign-in is another console session: its credentials work.
    const again = new ConsoleClient(svc.url);
    await signIn(again, acct, 'sol', 'Sol-passw0rd-12');
    await svc.sts(await credentials(again)).send(new GetCallerIdentityCommand({}));
  });

  it('answers every wrong account, user or password alike, and audits the failure without the password', async () => {
    await userWithPassword('ben', 'Ben-passw0rd-1');
    for (const [account, user, password] of [
      [acct, 'ben', 'Wrong-passw0rd'],
      [acct, 'nobody', 'Ben-passw0rd-1'],
      ['999999999999', 'ben', 'Ben-passw0rd-1'],
      ['no-such-alias', 'ben', 'Ben-passw0rd-1'],
      [acct, 'ben', ''],
      ['not an account', 'ben', 'Ben-passw0rd-1'],
    ] as const) {
      const r = await signIn(new ConsoleClient(svc.url), account, user, password);
      expect(r.status, `${account} ${user}`).toBe(401);
      expect(r.text).toContain(SIGN_IN_REFUSED);
    }
    const failures = await queryAuditEvents(svc.store.db, { accountId: acct, action: 'signin:ConsoleLogin', principalArn: `arn:aws:iam::${acct}:user/ben`, limit: 100 });
    expect(failures.some((e) => e.decision === 'deny')).toBe(true);
  });

  it('ends the console session when the user is deleted, even if a user of the same name is created again', async () => {
    await iam.send(new CreateUserCommand({ UserName: 'ivy' }));
    await iam.send(new CreateLoginProfileCommand({ UserName: 'ivy', Password: 'Ivy-passw0rd-12' }));
    secrets.add('Ivy-passw0rd-12');
    const browser = new ConsoleClient(svc.url);
    expect((await signIn(browser, acct, 'ivy', 'Ivy-passw0rd-12')).location).toBe('/console');
    await iam.send(new DeleteLoginProfileCommand({ UserName: 'ivy' }));
    await iam.send(new DeleteUserCommand({ UserName: 'ivy' }));
    await iam.send(new CreateUserCommand({ UserName: 'ivy' }));
    expect((await browser.get('/console')).location).toBe('/console/signin');
  });

  it('refuses a chosen password change the user’s policies do not allow (before any account policy allows it)', async () => {
    await userWithPassword('jo', 'Jo-passw0rd-123', { policy: allow('iam:ListUsers') });
    const browser = new ConsoleClient(svc.url);
    await signIn(browser, acct, 'jo', 'Jo-passw0rd-123');
    const form = await browser.get('/console/password');
    secrets.add('Jo-new-passw0rd-4');
    const r = await browser.post('/console/password', { csrf: csrfOf(form), current: 'Jo-passw0rd-123', new: 'Jo-new-passw0rd-4', confirm: 'Jo-new-passw0rd-4' });
    expect(r.status).toBe(403);
    expect(r.text).toContain('You are not allowed to change your password');
    expect((await signIn(new ConsoleClient(svc.url), acct, 'jo', 'Jo-passw0rd-123')).location).toBe('/console');
  });

  it('refuses a POST without the form’s CSRF token, or from another origin', async () => {
    await userWithPassword('cid', 'Cid-passw0rd-1');
    const browser = new ConsoleClient(svc.url);
    const form = await browser.get('/console/signin');
    expect((await browser.post('/console/signin', { account: acct, username: 'cid', password: 'Cid-passw0rd-1' })).status).toBe(403);
    expect((await browser.post('/console/signin', { csrf: csrfOf(form), account: acct, username: 'cid', password: 'Cid-passw0rd-1' }, { origin: 'https://evil.example' })).status).toBe(403);
    // A stranger's browser, with no sign-in cookie, cannot post a form it copied.
    expect((await new ConsoleClient(svc.url).post('/console/signin', { csrf: csrfOf(form), account: acct, username: 'cid', password: 'Cid-passw0rd-1' })).status).toBe(403);
  });

  it('throttles repeated failures with a message saying until when, and the block ends by itself', async () => {
    await userWithPassword('dee', 'Dee-passw0rd-1');
    let last: Page | undefined;
    for (let i = 0; i < 7; i++) last = await signIn(new ConsoleClient(svc.url), acct, 'dee', `Wrong-${i}`);
    expect(last?.status).toBe(429);
    expect(last?.text).toMatch(/Too many failed sign-in attempts\. Try again after \d\d:\d\d:\d\d UTC\./);
    // Even the right password waits for the block to end.
    expect((await signIn(new ConsoleClient(svc.url), acct, 'dee', 'Dee-passw0rd-1')).status).toBe(429);
    svc.clockOffset += 16 * 60_000;
    try {
      expect((await signIn(new ConsoleClient(svc.url), acct, 'dee', 'Dee-passw0rd-1')).status).toBe(303);
    } finally {
      svc.clockOffset = 0;
    }
    const lockouts = await queryAuditEvents(svc.store.db, { accountId: acct, action: 'signin:ConsoleLogin', principalArn: `arn:aws:iam::${acct}:user/dee`, limit: 100 });
    expect(lockouts.some((e) => e.errorCode === 'Throttled')).toBe(true);
  });
});

describe('MFA at sign-in', () => {
  let device: TestDevice;

  it('asks for the code after the password, accepts it once, and the session carries MFA', async () => {
    await userWithPassword('eve', 'Eve-passw0rd-1', { policy: allow(['iam:ListUsers']) });
    device = await enrolledDevice(svc, iam, 'eve');
    const browser = new ConsoleClient(svc.url);
    const r = await signIn(browser, acct, 'eve', 'Eve-passw0rd-1');
    expect(r.location).toBe('/console/mfa');
    // Not signed in yet: the console sends the browser back.
    expect((await browser.get('/console')).location).toBe('/console/signin');
    const wrong = await mfa(browser, '000000');
    expect(wrong.status).toBe(401);
    expect(wrong.text).toContain(MFA_REFUSED);
    const code = device.code();
    const ok = await mfa(browser, code);
    expect(ok.location).toBe('/console');
    const home = await browser.get('/console');
    expect(home.text).toContain('password and MFA');
    // The same code again, in another sign-in: refused (a code is accepted once).
    const other = new ConsoleClient(svc.url);
    await signIn(other, acct, 'eve', 'Eve-passw0rd-1');
    expect((await mfa(other, code)).status).toBe(401);
    // Credentials of an MFA console session may call IAM (as MFA GetSessionToken credentials may).
    const c = await credentials(browser);
    const users = await svc.iam(c).send(new ListUsersCommand({}));
    expect(users.Users?.some((u) => u.UserName === 'eve')).toBe(true);
    const checks = await queryAuditEvents(svc.store.db, { accountId: acct, action: 'signin:CheckMfa', limit: 100 });
    expect(checks.some((e) => e.decision === 'allow' && (e.details ?? '').includes(device.serial))).toBe(true);
    expect(checks.some((e) => e.decision === 'deny')).toBe(true);
  });

  it('a login profile deleted between the password and the code ends the sign-in: the right code is refused', async () => {
    await userWithPassword('gus', 'Gus-passw0rd-12');
    const gusDevice = await enrolledDevice(svc, iam, 'gus');
    const browser = new ConsoleClient(svc.url);
    expect((await signIn(browser, acct, 'gus', 'Gus-passw0rd-12')).location).toBe('/console/mfa');
    await iam.send(new DeleteLoginProfileCommand({ UserName: 'gus' }));
    const r = await mfa(browser, gusDevice.code());
    expect(r.status).toBe(401);
    expect((await browser.get('/console')).location).toBe('/console/signin');
  });

  it('refuses an MFA step nobody reached with a password, and a code posted without the step’s cookie', async () => {
    const stranger = new ConsoleClient(svc.url);
    expect((await stranger.get('/console/mfa')).location).toBe('/console/signin');
    const form = await stranger.get('/console/signin');
    expect((await stranger.post('/console/mfa', { csrf: csrfOf(form), code: '123456' })).status).toBe(403);
  });
});

describe('password changes', () => {
  it('forces a new password when the administrator asked for one, under the account policy', async () => {
    await iam.send(new UpdateAccountPasswordPolicyCommand({ MinimumPasswordLength: 12, RequireNumbers: true, AllowUsersToChangePassword: true }));
    await userWithPassword('fay', 'Fay-passw0rd-1', { reset: true });
    const browser = new ConsoleClient(svc.url);
    const r = await signIn(browser, acct, 'fay', 'Fay-passw0rd-1');
    expect(r.location).toBe('/console/signin/password');
    expect((await browser.get('/console')).location).toBe('/console/signin');
    const form = await browser.get('/console/signin/password');
    expect(form.text).toContain('requires you to choose a new password');
    const csrf = csrfOf(form);
    const mismatch = await browser.post('/console/signin/password', { csrf, current: 'Fay-passw0rd-1', new: 'Fay-new-passw0rd-2', confirm: 'Fay-new-passw0rd-3' });
    expect(mismatch.status).toBe(400);
    const weak = await browser.post('/console/signin/password', { csrf, current: 'Fay-passw0rd-1', new: 'short', confirm: 'short' });
    expect(weak.status).toBe(400);
    expect(weak.text).toMatch(/password/i);
    const wrongOld = await browser.post('/console/signin/password', { csrf, current: 'Not-her-passw0rd', new: 'Fay-new-passw0rd-2', confirm: 'Fay-new-passw0rd-2' });
    expect(wrongOld.status).toBe(401);
    secrets.add('Fay-new-passw0rd-2').add('Not-her-passw0rd');
    const done = await browser.post('/console/signin/password', { csrf, current: 'Fay-passw0rd-1', new: 'Fay-new-passw0rd-2', confirm: 'Fay-new-passw0rd-2' });
    expect(done.status).toBe(303);
    expect(done.location).toBe('/console?notice=password-changed');
    expect((await browser.get(done.location ?? '')).text).toContain('Your password has been changed.');
    expect((await signIn(new ConsoleClient(svc.url), acct, 'fay', 'Fay-passw0rd-1')).status).toBe(401);
    expect((await signIn(new ConsoleClient(svc.url), acct, 'fay', 'Fay-new-passw0rd-2')).location).toBe('/console');
  });

  it('asks for the MFA code before the forced change', async () => {
    await userWithPassword('gil', 'Gil-passw0rd-12', { reset: true });
    const device = await enrolledDevice(svc, iam, 'gil');
    const browser = new ConsoleClient(svc.url);
    expect((await signIn(browser, acct, 'gil', 'Gil-passw0rd-12')).location).toBe('/console/mfa');
    expect((await browser.get('/console/signin/password')).location).toBe('/console/signin');
    expect((await mfa(browser, device.code())).location).toBe('/console/signin/password');
    const form = await browser.get('/console/signin/password');
    secrets.add('Gil-new-passw0rd-3');
    const done = await browser.post('/console/signin/password', { csrf: csrfOf(form), current: 'Gil-passw0rd-12', new: 'Gil-new-passw0rd-3', confirm: 'Gil-new-passw0rd-3' });
    expect(done.location).toBe('/console?notice=password-changed');
    expect((await browser.get('/console')).text).toContain('password and MFA');
  });

  it('lets a signed-in user change their password, and signs them out on request', async () => {
    await userWithPassword('hal', 'Hal-passw0rd-12');
    const browser = new ConsoleClient(svc.url);
    await signIn(browser, acct, 'hal', 'Hal-passw0rd-12');
    const form = await browser.get('/console/password');
    secrets.add('Hal-new-passw0rd-3');
    const r = await browser.post('/console/password', { csrf: csrfOf(form), current: 'Hal-passw0rd-12', new: 'Hal-new-passw0rd-3', confirm: 'Hal-new-passw0rd-3' });
    expect(r.location).toBe('/console?notice=password-changed');
    const home = await browser.get('/console');
    expect((await browser.post('/console/signout', { csrf: csrfOf(home) })).status).toBe(200);
    expect((await browser.get('/console')).location).toBe('/console/signin');
    await iam.send(new UpdateLoginProfileCommand({ UserName: 'hal', PasswordResetRequired: false }));
  });

  it('a password typed into the user name field is kept nowhere: the trail says HIDDEN_DUE_TO_SECURITY_REASONS and the throttle key is a hash', async () => {
    const typo = 'Ana-passw0rd-typed-as-name';
    secrets.add(typo);
    const r = await signIn(new ConsoleClient(svc.url), acct, typo, 'whatever-1');
    expect(r.status).toBe(401);
    const rows = await queryAuditEvents(svc.store.db, { accountId: acct, action: 'signin:ConsoleLogin', limit: 100_000 });
    expect(rows.some((e) => (e.details ?? '').includes('"userName":"HIDDEN_DUE_TO_SECURITY_REASONS"'))).toBe(true);
    const keys = rowsOf<{ key: string }>(await svc.store.db.execute(sql`select key from throttles`)).map((k) => k.key);
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.join('\n').toLowerCase()).not.toContain(typo.toLowerCase());
  });

  it('never writes a password or a code to the log or the audit trail', async () => {
    const rows = JSON.stringify(await queryAuditEvents(svc.store.db, { accountId: acct, limit: 100_000 }));
    const logs = svc.logs.join('\n');
    expect(secrets.size).toBeGreaterThan(10);
    for (const secret of secrets) {
      expect(rows, 'audit rows').not.toContain(secret);
      expect(logs, 'log lines').not.toContain(secret);
    }
  });
});
