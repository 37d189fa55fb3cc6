/**
 * The identity broker's sign-in endpoint (/federation) and the console session it starts, through
 * the HTTP service: temporary credentials from the real STS API (GetFederationToken, AssumeRole)
 * become a sign-in token, then a console session cookie; every way to misuse either is refused.
 */
import { CreatePolicyCommand, CreateRoleCommand, PutRolePolicyCommand, UpdateAccessKeyCommand, type IAMClient } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand, GetFederationTokenCommand, GetSessionTokenCommand, type Credentials as StsCredentials } from '@aws-sdk/client-sts';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import { createService, listen } from '../../src/service.js';
import { queryAuditEvents } from '../../src/store/audit.js';
import { operatorAudit, revokeSession } from '../../src/sts/revocation.js';
import { openSessionToken } from '../../src/tokens/session-token.js';
import { codeBlocks, ConsoleClient, csrfOf, loginUrl, signinTokenUrl } from '../helpers/console.js';
import { allow, credentialsOf, useService, type Credentials, type TestService } from '../helpers/service.js';

let svc: TestService;
let iam: IAMClient;
let acct: string;
let broker: Credentials & { userName: string };

useService(async (s) => {
  svc = s.svc;
  iam = s.iam;
  acct = s.acct;
  broker = await svc.userWithPolicy('broker', allow(['sts:GetFederationToken', 'sts:AssumeRole']));
  const trust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${acct}:root` }, Action: 'sts:AssumeRole' }] };
  await iam.send(new CreateRoleCommand({ RoleName: 'console-role', AssumeRolePolicyDocument: JSON.stringify(trust), MaxSessionDuration: 43_200 }));
  // Its sessions may assume it again (role chaining).
  await iam.send(new PutRolePolicyCommand({ RoleName: 'console-role', PolicyName: 'chain', PolicyDocument: JSON.stringify(allow('sts:AssumeRole')) }));
});

const employeePolicy = JSON.stringify(allow('sts:GetCallerIdentity'));

async function federationToken(name = 'alice', credentials: Credentials = broker): Promise<StsCredentials> {
  const r = await svc.sts(credentials).send(new GetFederationTokenCommand({ Name: name, Policy: employeePolicy, DurationSeconds: 3600 }));
  if (!r.Credentials) throw new Error('no credentials');
  return r.Credentials;
}

async function roleSession(credentials: Credentials = broker, name = 'bob'): Promise<StsCredentials> {
  const r = await svc.sts(credentials).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${acct}:role/console-role`, RoleSessionName: name, DurationSeconds: 3600 }));
  if (!r.Credentials) throw new Error('no credentials');
  return r.Credentials;
}

async function getJson(url: string): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const res = await fetch(url);
  return { status: res.status, body: (await res.json()) as Record<string, unknown>, headers: res.headers };
}

async function signinToken(c: StsCredentials, extra = ''): Promise<string> {
  const r = await getJson(signinTokenUrl(svc.url, c, extra));
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  const token = r.body.SigninToken;
  if (typeof token !== 'string') throw new Error('no SigninToken');
  return token;
}

/** A browser signed in through the federation endpoint. */
async function signedIn(c: StsCredentials): Promise<ConsoleClient> {
  const browser = new ConsoleClient(svc.url);
  const r = await browser.get(loginUrl(svc.url, await signinToken(c)));
  expect(r.status).toBe(302);
  return browser;
}

describe('getSigninToken', () => {
  it('answers {"SigninToken"} for GetFederationToken credentials, not cached, and audits it without secrets', async () => {
    const c = await federationToken();
    const r = await getJson(signinTokenUrl(svc.url, c));
    expect(r.status).toBe(200);
    expect(Object.keys(r.body)).toEqual(['SigninToken']);
    expect(r.body.SigninToken).toMatch(/^[A-Za-z0-9_-]{100,}$/);
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect(r.headers.get('content-type')).toMatch(/^application\/json/);
    const events = await queryAuditEvents(svc.store.db, { accountId: acct, action: 'signin:GetSigninToken', limit: 1000 });
    const mine = events.filter((e) => e.accessKeyId === c.AccessKeyId);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ decision: 'allow', principalArn: `arn:aws:sts::${acct}:federated-user/alice` });
    const text = JSON.stringify(mine);
    for (const secret of [c.SecretAccessKey, c.SessionToken, r.body.SigninToken]) expect(text).not.toContain(String(secret));
  });

  it('takes SessionDuration for a role session, and a POSTed form as well as a GET', async () => {
    const c = await roleSession();
    await signinToken(c, '&SessionDuration=1800');
    const res = await fetch(`${svc.url}/federation`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ Action: 'getSigninToken', SessionType: 'json', Session: JSON.stringify({ sessionId: c.AccessKeyId, sessionKey: c.SecretAccessKey, sessionToken: c.SessionToken }) }).toString(),
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { SigninToken?: string }).SigninToken).toBeTypeOf('string');
  });

  it.each([
    ['no Session', '/federation?Action=getSigninToken', 400, 'MissingParameter'],
    ['Session not JSON', '/federation?Action=getSigninToken&Session=%7Bnope', 400, 'InvalidParameterValue'],
    ['Session a JSON array', `/federation?Action=getSigninToken&Session=${encodeURIComponent('[1]')}`, 400, 'InvalidParameterValue'],
    ['Session with numbers', `/federation?Action=getSigninToken&Session=${encodeURIComponent('{"sessionId":1,"sessionKey":2,"sessionToken":3}')}`, 400, 'InvalidParameterValue'],
    ['an unknown Action', '/federation?Action=steal', 400, 'InvalidAction'],
    ['no Action', '/federation', 400, 'InvalidAction'],
  ])('refuses %s with a 4xx JSON error', async (_name, path, status, code) => {
    const r = await getJson(`${svc.url}${path}`);
    expect(r.status).toBe(status);
    expect(r.body).toMatchObject({ Error: { Code: code } });
  });

  it('refuses long-term credentials (no sessionToken)', async () => {
    const r = await getJson(signinTokenUrl(svc.url, { AccessKeyId: broker.accessKeyId, SecretAccessKey: broker.secretAccessKey }));
    expect(r.status).toBe(403);
    expect(r.body).toMatchObject({ Error: { Code: 'AccessDenied', Message: expect.stringMatching(/Long-term credentials/) } });
  });

  it('refuses GetSessionToken credentials', async () => {
    const r0 = await svc.sts(broker).send(new GetSessionTokenCommand({}));
    const r = await getJson(signinTokenUrl(svc.url, r0.Credentials ?? {}));
    expect(r.status).toBe(403);
    expect(r.body).toMatchObject({ Error: { Code: 'AccessDenied' } });
  });

  it('refuses a wrong secret, another key id, a tampered token, and a token of another service', async () => {
    const c = await federationToken();
    const other = await federationToken('carol');
    const token = c.SessionToken ?? '';
    const flipped = `${token.slice(0, 40)}${token[40] === 'A' ? 'B' : 'A'}${token.slice(41)}`;
    for (const bad of [
      { ...c, SecretAccessKey: other.SecretAccessKey },
      { ...c, AccessKeyId: other.AccessKeyId },
      { ...c, SessionToken: flipped },
      { ...c, SessionToken: 'FwoGZXIvYXdzEJr//////////wEaDForeignToken' },
    ]) {
      const r = await getJson(signinTokenUrl(svc.url, bad));
      expect(r.status).toBe(403);
      expect(r.body).toMatchObject({ Error: { Code: 'InvalidClientTokenId' } });
    }
  });

  it('refuses expired credentials with ExpiredToken', async () => {
    const c = await federationToken();
    svc.clockOffset = 3601_000;
    try {
      const r = await getJson(signinTokenUrl(svc.url, c));
      expect(r.status).toBe(403);
      expect(r.body).toMatchObject({ Error: { Code: 'ExpiredToken' } });
    } finally {
      svc.clockOffset = 0;
    }
  });

  it('refuses a revoked session', async () => {
    const c = await federationToken();
    const claims = openSessionToken(svc.keyring, c.SessionToken ?? '');
    if (!claims) throw new Error('token does not open');
    await revokeSession(svc.store, { accountId: acct, jti: claims.jti, now: new Date(), audit: operatorAudit(new Date(), 'test') });
    // Revoked out of band (as the CLI does): the service hears of it through the store's change
    // notification, at once on PGlite and within moments on PostgreSQL, so the answer is polled.
    let r = await getJson(signinTokenUrl(svc.url, c));
    for (const started = Date.now(); r.status === 200 && Date.now() - started < 5_000; r = await getJson(signinTokenUrl(svc.url, c))) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(r.status).toBe(403);
    expect(r.body).toMatchObject({ Error: { Code: 'InvalidClientTokenId' } });
  });

  it('SessionDuration: refused outside 900..43200, with GetFederationToken credentials, and above an hour for a chained role session', async () => {
    const role = await roleSession();
    for (const d of ['899', '43201', '1e3', '-900', 'x']) {
      const r = await getJson(signinTokenUrl(svc.url, role, `&SessionDuration=${d}`));
      expect(r.status, d).toBe(400);
      expect(r.body).toMatchObject({ Error: { Code: 'InvalidParameterValue' } });
    }
    const fed = await getJson(signinTokenUrl(svc.url, await federationToken(), '&SessionDuration=3600'));
    expect(fed.status).toBe(400);
    const chained = await roleSession(credentialsOf(role), 'chained');
    expect((await getJson(signinTokenUrl(svc.url, chained, '&SessionDuration=7200'))).status).toBe(400);
    expect((await getJson(signinTokenUrl(svc.url, chained, '&SessionDuration=3600'))).status).toBe(200);
  });
});

describe('login', () => {
  it('sets an HttpOnly, SameSite=Lax session cookie (not Secure over plain http) and redirects to the console, which shows who is signed in', async () => {
    const c = await federationToken();
    const browser = new ConsoleClient(svc.url);
    const r = await browser.get(loginUrl(svc.url, await signinToken(c)));
    expect(r.status).toBe(302);
    expect(r.location).toBe('/console');
    const cookie = r.headers.getSetCookie().find((l) => l.startsWith('latchkey-console='));
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).toMatch(/Path=\//);
    expect(cookie).toMatch(/Max-Age=\d+/);
    expect(cookie).not.toMatch(/Secure/);
    const home = await browser.get('/console');
    expect(home.status).toBe(200);
    expect(home.text).toContain(`arn:aws:sts::${acct}:federated-user/alice`);
    expect(home.headers.get('content-security-policy')).toBe("default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
    expect(home.headers.get('x-frame-options')).toBe('DENY');
    expect(home.headers.get('cache-control')).toBe('no-store');
    expect(home.headers.get('referrer-policy')).toBe('same-origin');
    expect(home.text).not.toMatch(/<script/i);
  });

  it('sets the cookie Secure when a trusted proxy says the browser came over TLS', async () => {
    const secureNode = createService({ store: svc.store, keyring: svc.keyring, logger: createLogger('error', () => {}), trustedProxies: [{ address: '127.0.0.1' }] });
    const server = await listen(secureNode, 0, '127.0.0.1');
    try {
      const token = await signinToken(await federationToken());
      const res = await fetch(loginUrl(server.url, token), { redirect: 'manual', headers: { 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.9' } });
      expect(res.status).toBe(302);
      expect(res.headers.getSetCookie().find((l) => l.startsWith('latchkey-console='))).toMatch(/; Secure/);
      expect(res.headers.get('strict-transport-security')).toMatch(/max-age=/);
    } finally {
      await server.close();
      secureNode.dispose();
    }
  });

  it('accepts a sign-in token once, on every node', async () => {
    const token = await signinToken(await federationToken());
    const other = createService({ store: svc.store, keyring: svc.keyring, logger: createLogger('error', () => {}) });
    const server = await listen(other, 0, '127.0.0.1');
    try {
      const first = await new ConsoleClient(server.url).get(loginUrl(server.url, token));
      expect(first.status).toBe(302);
      const again = await new ConsoleClient(svc.url).get(loginUrl(svc.url, token));
      expect(again.status).toBe(400);
      expect(again.text).toMatch(/already been used/);
    } finally {
      await server.close();
      other.dispose();
    }
  });

  it('refuses a sign-in token after 15 minutes, a tampered one, and none', async () => {
    const token = await signinToken(await roleSession());
    svc.clockOffset = 901_000;
    try {
      const late = await new ConsoleClient(svc.url).get(loginUrl(svc.url, token));
      expect(late.status).toBe(400);
      expect(late.text).toMatch(/expired/);
    } finally {
      svc.clockOffset = 0;
    }
    const tampered = `${token.slice(0, 30)}${token[30] === 'x' ? 'y' : 'x'}${token.slice(31)}`;
    expect((await new ConsoleClient(svc.url).get(loginUrl(svc.url, tampered))).status).toBe(400);
    expect((await new ConsoleClient(svc.url).get(`${svc.url}/federation?Action=login&Destination=%2Fconsole`)).status).toBe(400);
  });

  it('never redirects elsewhere than this console (or a configured destination)', async () => {
    for (const destination of ['https://evil.example/', '//evil.example/console', '/\\evil.example', '/console/../evil', 'javascript:alert(1)', `${svc.url.replace('127.0.0.1', 'localhost')}/console`, '/consolex', 'http://user@127.0.0.1/console']) {
      const token = await signinToken(await federationToken());
      const r = await new ConsoleClient(svc.url).get(loginUrl(svc.url, token, destination));
      expect(r.status, destination).toBe(400);
      expect(r.location, destination).toBeUndefined();
      expect(r.headers.getSetCookie().some((l) => l.startsWith('latchkey-console=') && !l.includes('Max-Age=0')), destination).toBe(false);
    }
    for (const [destination, expected] of [
      [`${svc.url}/console?x=1`, '/console?x=1'],
      ['https://console.aws.amazon.com/', '/console'],
      ['', '/console'],
    ] as const) {
      const r = await new ConsoleClient(svc.url).get(loginUrl(svc.url, await signinToken(await federationToken()), destination));
      expect(r.status, destination).toBe(302);
      expect(r.location).toBe(expected);
    }
  });

  it('redirects to a CONSOLE_DESTINATIONS prefix, and nowhere beside it', async () => {
    const other = createService({ store: svc.store, keyring: svc.keyring, logger: createLogger('error', () => {}), console: { destinations: ['https://portal.example.com/app'] } });
    const server = await listen(other, 0, '127.0.0.1');
    try {
      const ok = await new ConsoleClient(server.url).get(loginUrl(server.url, await signinToken(await federationToken()), 'https://portal.example.com/app/home'));
      expect(ok.status).toBe(302);
      expect(ok.location).toBe('https://portal.example.com/app/home');
      const sibling = await new ConsoleClient(server.url).get(loginUrl(server.url, await signinToken(await federationToken()), 'https://portal.example.com/apple'));
      expect(sibling.status).toBe(400);
    } finally {
      await server.close();
      other.dispose();
    }
  });

  it('refuses the login, and ends the console session, once the credentials are revoked or their source key deactivated', async () => {
    const worker = await svc.userWithPolicy('worker', allow('sts:GetFederationToken'));
    const c = await federationToken('dave', worker);
    const token = await signinToken(c);
    const browser = await signedIn(await federationToken('erin', worker));
    expect((await browser.get('/console')).status).toBe(200);
    await iam.send(new UpdateAccessKeyCommand({ UserName: 'worker', AccessKeyId: worker.accessKeyId, Status: 'Inactive' }));
    const r = await new ConsoleClient(svc.url).get(loginUrl(svc.url, token));
    expect(r.status).toBe(403);
    const home = await browser.get('/console');
    expect(home.status).toBe(303);
    expect(home.location).toBe('/console/signin');
  });
});

describe('the signed-in console', () => {
  it('hands out the session’s own credentials in three formats, behind a CSRF-checked POST', async () => {
    const c = await federationToken('frank');
    const browser = await signedIn(c);
    const home = await browser.get('/console');
    expect((await browser.post('/console/credentials', {})).status).toBe(403);
    expect((await browser.post('/console/credentials', { csrf: 'x'.repeat(32) })).status).toBe(403);
    const page = await browser.post('/console/credentials', { csrf: csrfOf(home) });
    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).toBe('no-store');
    const [env = '', profile = '', processLine = ''] = codeBlocks(page);
    expect(env).toContain(`export AWS_ACCESS_KEY_ID=${c.AccessKeyId}`);
    expect(env).toContain(`export AWS_SECRET_ACCESS_KEY=${c.SecretAccessKey}`);
    expect(env).toContain(`export AWS_ENDPOINT_URL_STS=${svc.url}`);
    expect(profile).toMatch(/^\[latchkey\]\naws_access_key_id = ASIA/);
    const parsed = JSON.parse(processLine) as { Version: number; AccessKeyId: string; SecretAccessKey: string; SessionToken: string; Expiration: string };
    expect(parsed).toMatchObject({ Version: 1, AccessKeyId: c.AccessKeyId, SecretAccessKey: c.SecretAccessKey });
    expect(new Date(parsed.Expiration).getTime()).toBe(c.Expiration?.getTime());
    const who = await svc.sts({ accessKeyId: parsed.AccessKeyId, secretAccessKey: parsed.SecretAccessKey, sessionToken: parsed.SessionToken }).send(new GetCallerIdentityCommand({}));
    expect(who.Arn).toBe(`arn:aws:sts::${acct}:federated-user/frank`);
  });

  it('refuses a POST from another origin even with the right token', async () => {
    const browser = await signedIn(await federationToken());
    const csrf = csrfOf(await browser.get('/console'));
    expect((await browser.post('/console/credentials', { csrf }, { origin: 'https://evil.example' })).status).toBe(403);
    expect((await browser.post('/console/credentials', { csrf }, { origin: 'null' })).status).toBe(403);
  });

  it('refuses a tampered or foreign cookie', async () => {
    const browser = await signedIn(await federationToken());
    const value = browser.cookies.get('latchkey-console') ?? '';
    browser.cookies.set('latchkey-console', `${value.slice(0, 50)}${value[50] === 'A' ? 'B' : 'A'}${value.slice(51)}`);
    expect((await browser.get('/console')).location).toBe('/console/signin');
    // A sign-in cookie (another purpose) in the session cookie's place does not open.
    const other = new ConsoleClient(svc.url);
    await other.get('/console/signin');
    browser.cookies.set('latchkey-console', other.cookies.get('latchkey-signin') ?? '');
    expect((await browser.get('/console')).location).toBe('/console/signin');
  });

  it('signs out: the cookie is cleared, and the same cookie replayed (on any node) is refused', async () => {
    const browser = await signedIn(await federationToken());
    const saved = new Map(browser.cookies);
    const home = await browser.get('/console');
    const out = await browser.post('/console/signout', { csrf: csrfOf(home) });
    expect(out.status).toBe(200);
    expect(out.text).toContain('https://broker.example/login');
    expect(browser.cookies.has('latchkey-console')).toBe(false);
    const replay = new ConsoleClient(svc.url);
    for (const [k, v] of saved) replay.cookies.set(k, v);
    expect((await replay.get('/console')).location).toBe('/console/signin');
    const events = await queryAuditEvents(svc.store.db, { accountId: acct, action: 'signin:ConsoleLogout', limit: 1000 });
    expect(events.length).toBeGreaterThan(0);
  });

  it('holds a session with about as large a session policy as packing allows', async () => {
    // A managed session policy of random resources (which deflate poorly), sealed into the token.
    const random = () => Array.from({ length: 3 }, () => Math.random().toString(36).slice(2)).join('');
    const doc = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:GetCallerIdentity', Resource: Array.from({ length: 60 }, () => `arn:aws:s3:::${random()}`) }] };
    const p = await iam.send(new CreatePolicyCommand({ PolicyName: 'big-session', PolicyDocument: JSON.stringify(doc) }));
    const r = await svc.sts(broker).send(new GetFederationTokenCommand({ Name: 'big', PolicyArns: [{ arn: p.Policy?.Arn ?? '' }] }));
    if (!r.Credentials) throw new Error('no credentials');
    const browser = await signedIn(r.Credentials);
    for (const value of browser.cookies.values()) expect(value.length).toBeLessThanOrEqual(3800);
    const home = await browser.get('/console');
    expect(home.status).toBe(200);
    expect(home.text).toContain('federated-user/big');
  });

  it('audits the console login with the session, never the secrets', async () => {
    const c = await federationToken('grace');
    await signedIn(c);
    const events = await queryAuditEvents(svc.store.db, { accountId: acct, action: 'signin:ConsoleLogin', limit: 1000 });
    const mine = events.filter((e) => e.accessKeyId === c.AccessKeyId);
    expect(mine).toHaveLength(1);
    expect(JSON.parse(mine[0]?.details ?? '{}')).toMatchObject({ consoleLogin: 'Success', via: 'federation', issuer: 'https://broker.example/login' });
    const all = JSON.stringify(await queryAuditEvents(svc.store.db, { accountId: acct, limit: 10000 }));
    expect(all).not.toContain(c.SecretAccessKey);
    expect(all).not.toContain(c.SessionToken);
    for (const line of svc.logs) {
      expect(line).not.toContain(c.SecretAccessKey);
      expect(line).not.toContain(c.SessionToken);
    }
  });
});
