/**
 * The built-in web identity providers through @aws-sdk/client-sts (unsigned): Google ID tokens
 * (no IAM provider object; `iss` with or without its scheme; the `azp`/`aud`/`oaud` rules), and
 * OAuth 2.0 access tokens with ProviderId graph.facebook.com and www.amazon.com, checked at those
 * providers' token-inspection endpoints. The providers are stand-ins on loopback over TLS (the test
 * CA through OIDC_CA_BUNDLE), reached at their real default URLs (https://accounts.google.com,
 * https://www.googleapis.com/oauth2/v3/certs, https://graph.facebook.com, https://api.amazon.com)
 * routed to loopback as a hosts file would, and answering as the real endpoints document:
 * Google's discovery document and key set; Graph API `/me?fields=id` → `{"id"}`, `/app` →
 * `{"link","name","id"}`, errors as `{"error":{"message","type":"OAuthException","code",
 * "error_subcode","fbtrace_id"}}` with HTTP 400; Login with Amazon `/auth/o2/tokeninfo` →
 * `{"aud","user_id","iss","exp","app_id","iat"}` (`exp` the seconds left), errors as HTTP 400
 * `{"error":"invalid_token","error_description"}`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CreateRoleCommand, type IAMClient, ListRolesCommand, ListUsersCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { AssumeRoleWithWebIdentityCommand, type AssumeRoleWithWebIdentityCommandOutput, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { queryAuditEvents } from '../../src/store/audit.js';
import { listenTls, type Listening, makePki, nowSeconds, PUBLIC_HOSTS, signingKey, signToken, type SigningKey } from '../helpers/oidc.js';
import { refusal } from '../helpers/outcome.js';
import { credentialsOf, type TestService, useService } from '../helpers/service.js';

const pki = makePki();
const FETCH_TIMEOUT_MS = 500;
let routedPort = 0;

let svc: TestService;
let iam: IAMClient;
let acct: string;
useService((s) => ({ svc, iam, acct } = s), {
  oidc: {
    caBundle: pki.ca.cert,
    timeoutMs: FETCH_TIMEOUT_MS,
    // The providers' real host names, routed to the stand-ins (the TLS name checked is still theirs).
    connectTo: (host) => (PUBLIC_HOSTS.includes(host) ? { host: '127.0.0.1', port: routedPort } : undefined),
  },
});

/* ----------------------------------------------------------------------------------------- */
/* The stand-ins                                                                              */
/* ----------------------------------------------------------------------------------------- */

const GOOGLE_CLIENT = '1234567890-web.apps.googleusercontent.com';
const GOOGLE_ANDROID = '1234567890-android.apps.googleusercontent.com';
const FB_APP = '111222333444555';
const LWA_CLIENT = 'amzn1.application-oa2-client.c3b583b90a274981a36d53f47234f111';

interface FacebookToken {
  readonly appId: string;
  readonly userId: string;
  /** How Graph answers: the token's data, an OAuthException, or not at all. */
  readonly answer?: 'expired' | 'rate-limited' | 'server-error' | 'hang';
}

interface AmazonToken {
  readonly clientId: string;
  readonly userId: string;
  /** Seconds left (tokeninfo's `exp`). */
  readonly left?: number;
  readonly answer?: 'garbage' | 'unavailable';
}

let googleKey: SigningKey;
let forger: SigningKey;
const facebookTokens = new Map<string, FacebookToken>();
const amazonTokens = new Map<string, AmazonToken>();
const hanging = new Set<ServerResponse>();
const requests: string[] = [];
let server: Listening;

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' });
  res.end(JSON.stringify(body));
}

function graphError(res: ServerResponse, message: string, code: number, subcode?: number): void {
  json(res, 400, { error: { message, type: 'OAuthException', code, ...(subcode !== undefined ? { error_subcode: subcode } : {}), fbtrace_id: 'AbCdEfGhIjK' } });
}

function google(req: IncomingMessage, res: ServerResponse, path: string): void {
  if (req.headers.host === 'accounts.google.com' && path === '/.well-known/openid-configuration') {
    // Google's discovery document (its shape; the key set lives on another host).
    return json(res, 200, {
      issuer: 'https://accounts.google.com',
      authorization_endpoint: 'https://accounts.google.com/o/oauth2/v2/auth',
      device_authorization_endpoint: 'https://oauth2.googleapis.com/device/code',
      token_endpoint: 'https://oauth2.googleapis.com/token',
      userinfo_endpoint: 'https://openidconnect.googleapis.com/v1/userinfo',
      revocation_endpoint: 'https://oauth2.googleapis.com/revoke',
      jwks_uri: 'https://www.googleapis.com/oauth2/v3/certs',
      response_types_supported: ['code', 'token', 'id_token', 'code token', 'code id_token', 'token id_token', 'code token id_token', 'none'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
      scopes_supported: ['openid', 'email', 'profile'],
      token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic'],
      claims_supported: ['aud', 'email', 'email_verified', 'exp', 'family_name', 'given_name', 'iat', 'iss', 'name', 'picture', 'sub'],
      code_challenge_methods_supported: ['plain', 'S256'],
      grant_types_supported: ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code', 'urn:ietf:params:oauth:grant-type:jwt-bearer'],
    });
  }
  if (req.headers.host === 'www.googleapis.com' && path === '/oauth2/v3/certs') return json(res, 200, { keys: [googleKey.publicJwk] });
  json(res, 404, { error: 'not found' });
}

function facebook(res: ServerResponse, path: string, query: URLSearchParams): void {
  const token = facebookTokens.get(query.get('access_token') ?? '');
  if (!token) return graphError(res, 'Invalid OAuth access token - Cannot parse access token', 190);
  switch (token.answer) {
    case 'expired':
      return graphError(res, 'Error validating access token: Session has expired on Tuesday, 01-Jan-30 00:00:00 PST. The current time is Wednesday, 02-Jan-30 00:00:00 PST.', 190, 463);
    case 'rate-limited':
      return graphError(res, 'Application request limit reached', 4);
    case 'server-error':
      return json(res, 500, { error: { message: 'An unexpected error has occurred. Please retry your request later.', type: 'OAuthException', is_transient: true, code: 2, fbtrace_id: 'AbCdEfGhIjK' } });
    case 'hang':
      hanging.add(res);
      return;
  }
  if (path === '/me' && query.get('fields') === 'id') return json(res, 200, { id: token.userId });
  if (path === '/app') return json(res, 200, { link: `https://www.facebook.com/games/?app_id=${token.appId}`, name: 'My Test App', id: token.appId });
  graphError(res, `Unknown path components: ${path}`, 2500);
}

function amazon(res: ServerResponse, path: string, query: URLSearchParams): void {
  if (path !== '/auth/o2/tokeninfo') return json(res, 404, { error: 'not_found' });
  const token = amazonTokens.get(query.get('access_token') ?? '');
  if (!token) return json(res, 400, { error_description: 'The request has an invalid parameter : access_token', error: 'invalid_token' });
  if (token.answer === 'garbage') {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<html>Service temporarily unavailable</html>');
    return;
  }
  if (token.answer === 'unavailable') return json(res, 503, { error: 'ServiceUnavailable' });
  json(res, 200, { aud: token.clientId, user_id: token.userId, iss: 'https://www.amazon.com', exp: token.left ?? 3597, app_id: 'amzn1.application.d65c23fdd3c64214bafc7a604820ffe9', iat: nowSeconds() - 3 });
}

beforeAll(async () => {
  googleKey = await signingKey('google-2024-1');
  forger = await signingKey('google-2024-1');
  server = await listenTls(pki.server, (req, res) => {
    const url = new URL(req.url ?? '/', 'https://x');
    requests.push(`${req.headers.host ?? ''}${url.pathname}`);
    if (req.method !== 'GET') return json(res, 405, {});
    switch (req.headers.host) {
      case 'accounts.google.com':
      case 'www.googleapis.com':
        return google(req, res, url.pathname);
      case 'graph.facebook.com':
        return facebook(res, url.pathname, url.searchParams);
      case 'api.amazon.com':
        return amazon(res, url.pathname, url.searchParams);
      default:
        return json(res, 404, {});
    }
  });
  routedPort = server.port;
});

afterAll(async () => {
  for (const res of hanging) res.destroy();
  await server?.close();
  pki.close();
});

/* ----------------------------------------------------------------------------------------- */
/* Helpers                                                                                    */
/* ----------------------------------------------------------------------------------------- */

async function trustingRole(name: string, provider: string, condition: object | undefined, policy?: object): Promise<string> {
  const trust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Federated: provider }, Action: 'sts:AssumeRoleWithWebIdentity', ...(condition ? { Condition: condition } : {}) }] };
  const { Role } = await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: JSON.stringify(trust) }));
  if (!Role?.Arn) throw new Error('no role');
  if (policy) await iam.send(new PutRolePolicyCommand({ RoleName: name, PolicyName: 'p', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: policy }) }));
  return Role.Arn;
}

function assume(roleArn: string, token: string, providerId?: string): Promise<AssumeRoleWithWebIdentityCommandOutput> {
  const sts = new STSClient({ endpoint: svc.url, region: 'us-east-1', maxAttempts: 1, credentials: { accessKeyId: 'UNUSED', secretAccessKey: 'UNUSED' } });
  return sts.send(new AssumeRoleWithWebIdentityCommand({ RoleArn: roleArn, RoleSessionName: 'web-session', WebIdentityToken: token, ...(providerId ? { ProviderId: providerId } : {}) }));
}


const DENIED = { code: 'AccessDenied', message: 'Not authorized to perform sts:AssumeRoleWithWebIdentity', status: 403 };

function googleClaims(more: Record<string, unknown> = {}): Record<string, unknown> {
  const now = nowSeconds();
  return { iss: 'https://accounts.google.com', aud: GOOGLE_CLIENT, sub: '110169484474386276334', email: 'alice@example.com', email_verified: true, iat: now, exp: now + 3600, ...more };
}

/** Allowed ListRoles when the session's provider keys say so; ListUsers denied for `user` (keys reach later calls). */
function sessionKeyPolicy(provider: string, appKey: string, app: string, userKey: string, user: string): object[] {
  return [
    { Effect: 'Allow', Action: ['iam:ListRoles', 'iam:ListUsers'], Resource: '*', Condition: { StringEquals: { 'aws:FederatedProvider': provider, [appKey]: app } } },
    { Effect: 'Deny', Action: 'iam:ListUsers', Resource: '*', Condition: { StringEquals: { [userKey]: user } } },
  ];
}

async function lastIssuance(): Promise<Record<string, unknown>> {
  const events = await queryAuditEvents(svc.store.db, { accountId: acct, action: 'sts:AssumeRoleWithWebIdentity', limit: 1 });
  return JSON.parse(String(events[0]?.details)) as Record<string, unknown>;
}

/* ----------------------------------------------------------------------------------------- */
/* Google                                                                                     */
/* ----------------------------------------------------------------------------------------- */

describe('Google (accounts.google.com), built in', () => {
  let roleArn: string;
  beforeAll(async () => {
    roleArn = await trustingRole('google-users', 'accounts.google.com', { StringEquals: { 'accounts.google.com:aud': GOOGLE_CLIENT } }, sessionKeyPolicy('accounts.google.com', 'accounts.google.com:aud', GOOGLE_CLIENT, 'accounts.google.com:sub', 'blocked-user'));
  });

  test('an ID token with iss https://accounts.google.com: verified with the discovered keys, no IAM provider object', async () => {
    const out = await assume(roleArn, await signToken(googleKey, googleClaims()));
    expect(out).toMatchObject({ Provider: 'accounts.google.com', SubjectFromWebIdentityToken: '110169484474386276334', Audience: GOOGLE_CLIENT, AssumedRoleUser: { Arn: `arn:aws:sts::${acct}:assumed-role/google-users/web-session` } });
    expect(requests).toEqual(expect.arrayContaining(['accounts.google.com/.well-known/openid-configuration', 'www.googleapis.com/oauth2/v3/certs']));
    const session = credentialsOf(out.Credentials);
    expect((await svc.sts(session).send(new GetCallerIdentityCommand({}))).Arn).toBe(`arn:aws:sts::${acct}:assumed-role/google-users/web-session`);
    // aws:FederatedProvider and accounts.google.com:aud reach the session's later calls.
    await expect(svc.iam(session).send(new ListUsersCommand({}))).resolves.toBeDefined();
    expect(await lastIssuance()).toMatchObject({ webIdentityProvider: 'accounts.google.com', webIdentitySubject: '110169484474386276334', webIdentityAudience: GOOGLE_CLIENT });
  });

  test('the same token with iss accounts.google.com (no scheme) is accepted too', async () => {
    await expect(assume(roleArn, await signToken(googleKey, googleClaims({ iss: 'accounts.google.com' })))).resolves.toMatchObject({ Provider: 'accounts.google.com', Audience: GOOGLE_CLIENT });
  });

  test('the session carries accounts.google.com:sub: a policy on it applies to later calls', async () => {
    const out = await assume(roleArn, await signToken(googleKey, googleClaims({ sub: 'blocked-user' })));
    const session = credentialsOf(out.Credentials);
    await expect(svc.iam(session).send(new ListRolesCommand({}))).resolves.toBeDefined();
    expect((await refusal(svc.iam(session).send(new ListUsersCommand({})))).code).toBe('AccessDenied');
  });

  test('azp and aud: accounts.google.com:aud is azp (the Android client), :oaud the aud (the web client); Audience is azp', async () => {
    const role = await trustingRole('google-android', 'accounts.google.com', { StringEquals: { 'accounts.google.com:aud': GOOGLE_ANDROID, 'accounts.google.com:oaud': GOOGLE_CLIENT } });
    const token = await signToken(googleKey, googleClaims({ azp: GOOGLE_ANDROID, aud: GOOGLE_CLIENT }));
    await expect(assume(role, token)).resolves.toMatchObject({ Audience: GOOGLE_ANDROID, SubjectFromWebIdentityToken: '110169484474386276334' });
    // The web client's own token (no azp) is not the Android client's: :aud is its aud.
    expect(await refusal(assume(role, await signToken(googleKey, googleClaims())))).toEqual(DENIED);
    // And the first role, which names the web client as :aud, refuses the Android client's token.
    expect(await refusal(assume(roleArn, token))).toEqual(DENIED);
  });

  test('a trust condition on :oaud alone is enough', async () => {
    const role = await trustingRole('google-oaud', 'accounts.google.com', { StringEquals: { 'accounts.google.com:oaud': GOOGLE_CLIENT } });
    await expect(assume(role, await signToken(googleKey, googleClaims({ azp: GOOGLE_ANDROID })))).resolves.toMatchObject({ Audience: GOOGLE_ANDROID });
  });

  test("attack: a Google token with an aud the trust policy does not name (another developer's app)", async () => {
    expect(await refusal(assume(roleArn, await signToken(googleKey, googleClaims({ aud: '999-evil.apps.googleusercontent.com' }))))).toEqual(DENIED);
  });

  test('attack: a trust policy that trusts Google without a condition on the app is refused at CreateRole', async () => {
    const err = await refusal(trustingRole('google-anyone', 'accounts.google.com', { StringEquals: { 'accounts.google.com:sub': '110169484474386276334' } }));
    expect(err).toMatchObject({ code: 'MalformedPolicyDocument', message: expect.stringContaining('without a condition on accounts.google.com:aud or accounts.google.com:oaud') });
  });

  test("attack: a token with Google's iss and kid, signed with another key", async () => {
    expect(await refusal(assume(roleArn, await signToken(forger, googleClaims())))).toMatchObject({ code: 'InvalidIdentityToken', status: 400 });
  });

  test('attack: alg none with Google iss', async () => {
    const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');
    expect(await refusal(assume(roleArn, `${b64({ alg: 'none', typ: 'JWT' })}.${b64(googleClaims())}.`))).toMatchObject({ code: 'InvalidIdentityToken' });
  });

  test('other spellings of the issuer are other issuers (no provider for them)', async () => {
    for (const iss of ['http://accounts.google.com', 'https://accounts.google.com/', 'https://ACCOUNTS.google.com']) {
      expect(await refusal(assume(roleArn, await signToken(googleKey, googleClaims({ iss }))))).toMatchObject({ code: 'InvalidIdentityToken', message: `No OpenIDConnect provider found in your account for ${iss}` });
    }
  });

  test('an expired Google token: ExpiredTokenException', async () => {
    const exp = nowSeconds() - 3600;
    const r = await refusal(assume(roleArn, await signToken(googleKey, googleClaims({ iat: exp - 3600, exp }))));
    expect(r.code).toBe('ExpiredTokenException');
    expect(r.message).toMatch(new RegExp(`^Token expired: current date/time \\d+ must be before the expiration date/time ${exp}$`));
  });

  test('a token without aud is refused', async () => {
    expect(await refusal(assume(roleArn, await signToken(googleKey, googleClaims({ aud: undefined }))))).toMatchObject({ code: 'InvalidIdentityToken' });
  });

  test('ProviderId accounts.google.com is not an OAuth 2.0 provider: InvalidParameterValue', async () => {
    expect(await refusal(assume(roleArn, await signToken(googleKey, googleClaims()), 'accounts.google.com'))).toMatchObject({ code: 'InvalidParameterValue', status: 400 });
  });
});

/* ----------------------------------------------------------------------------------------- */
/* Facebook                                                                                   */
/* ----------------------------------------------------------------------------------------- */

describe('Facebook (ProviderId graph.facebook.com): Graph API /me and /app', () => {
  let roleArn: string;
  beforeAll(async () => {
    facebookTokens.set('EAAGood', { appId: FB_APP, userId: '10215241773831025' });
    facebookTokens.set('EAABlocked', { appId: FB_APP, userId: '10000000000000001' });
    facebookTokens.set('EAAOtherApp', { appId: '999888777666555', userId: '10215241773831025' });
    facebookTokens.set('EAAExpired', { appId: FB_APP, userId: '10215241773831025', answer: 'expired' });
    facebookTokens.set('EAALimited', { appId: FB_APP, userId: '10215241773831025', answer: 'rate-limited' });
    facebookTokens.set('EAABroken', { appId: FB_APP, userId: '10215241773831025', answer: 'server-error' });
    facebookTokens.set('EAAHang', { appId: FB_APP, userId: '10215241773831025', answer: 'hang' });
    roleArn = await trustingRole('facebook-users', 'graph.facebook.com', { StringEquals: { 'graph.facebook.com:app_id': FB_APP } }, sessionKeyPolicy('graph.facebook.com', 'graph.facebook.com:app_id', FB_APP, 'graph.facebook.com:id', '10000000000000001'));
  });

  test("a user's access token: Provider is the ProviderId, Subject the user id, Audience the app id", async () => {
    const out = await assume(roleArn, 'EAAGood', 'graph.facebook.com');
    expect(out).toMatchObject({ Provider: 'graph.facebook.com', SubjectFromWebIdentityToken: '10215241773831025', Audience: FB_APP });
    const session = credentialsOf(out.Credentials);
    await expect(svc.iam(session).send(new ListUsersCommand({}))).resolves.toBeDefined();
    expect(await lastIssuance()).toMatchObject({ webIdentityProvider: 'graph.facebook.com', webIdentitySubject: '10215241773831025', webIdentityAudience: FB_APP });
  });

  test('graph.facebook.com:id reaches later calls', async () => {
    const session = credentialsOf((await assume(roleArn, 'EAABlocked', 'graph.facebook.com')).Credentials);
    await expect(svc.iam(session).send(new ListRolesCommand({}))).resolves.toBeDefined();
    expect((await refusal(svc.iam(session).send(new ListUsersCommand({})))).code).toBe('AccessDenied');
  });

  test('trust conditions on graph.facebook.com:id allow one user and refuse another', async () => {
    const role = await trustingRole('facebook-one-user', 'graph.facebook.com', { StringEquals: { 'graph.facebook.com:app_id': FB_APP, 'graph.facebook.com:id': '10215241773831025' } });
    await expect(assume(role, 'EAAGood', 'graph.facebook.com')).resolves.toBeDefined();
    expect(await refusal(assume(role, 'EAABlocked', 'graph.facebook.com'))).toEqual(DENIED);
  });

  test('attack: a Facebook token of another app', async () => {
    expect(await refusal(assume(roleArn, 'EAAOtherApp', 'graph.facebook.com'))).toEqual(DENIED);
  });

  test('an invalid token: IDPRejectedClaim (403), in the words AWS used', async () => {
    expect(await refusal(assume(roleArn, 'EAANotAToken', 'graph.facebook.com'))).toEqual({ code: 'IDPRejectedClaim', message: 'graph.facebook.com: graph.facebook.com responded with HTTP/1.1 400 Bad Request', status: 403 });
  });

  test('an expired token (OAuthException 190/463): IDPRejectedClaim', async () => {
    expect(await refusal(assume(roleArn, 'EAAExpired', 'graph.facebook.com'))).toMatchObject({ code: 'IDPRejectedClaim', status: 403 });
  });

  test('rate-limited (code 4) or a server error: IDPCommunicationError, retryable', async () => {
    expect(await refusal(assume(roleArn, 'EAALimited', 'graph.facebook.com'))).toMatchObject({ code: 'IDPCommunicationError', status: 400 });
    expect(await refusal(assume(roleArn, 'EAABroken', 'graph.facebook.com'))).toMatchObject({ code: 'IDPCommunicationError', status: 400 });
  });

  test('Graph does not answer: IDPCommunicationError within the bounded time', async () => {
    const started = Date.now();
    expect(await refusal(assume(roleArn, 'EAAHang', 'graph.facebook.com'))).toMatchObject({ code: 'IDPCommunicationError' });
    expect(Date.now() - started).toBeLessThan(FETCH_TIMEOUT_MS + 1500);
  });

  test('a Facebook token without ProviderId is not a JWT: InvalidIdentityToken', async () => {
    expect(await refusal(assume(roleArn, 'EAAGood'))).toMatchObject({ code: 'InvalidIdentityToken' });
  });
});

/* ----------------------------------------------------------------------------------------- */
/* Login with Amazon                                                                          */
/* ----------------------------------------------------------------------------------------- */

describe('Login with Amazon (ProviderId www.amazon.com): /auth/o2/tokeninfo', () => {
  let roleArn: string;
  beforeAll(async () => {
    amazonTokens.set('Atza|good', { clientId: LWA_CLIENT, userId: 'amzn1.account.AHQG2JPGF47GOIO4WYGDWAHKTIVA' });
    amazonTokens.set('Atza|blocked', { clientId: LWA_CLIENT, userId: 'amzn1.account.BLOCKED' });
    amazonTokens.set('Atza|other-client', { clientId: 'amzn1.application-oa2-client.someoneelse', userId: 'amzn1.account.AHQG2JPGF47GOIO4WYGDWAHKTIVA' });
    amazonTokens.set('Atza|no-time-left', { clientId: LWA_CLIENT, userId: 'amzn1.account.AHQG2JPGF47GOIO4WYGDWAHKTIVA', left: 0 });
    amazonTokens.set('Atza|garbage', { clientId: LWA_CLIENT, userId: 'x', answer: 'garbage' });
    amazonTokens.set('Atza|unavailable', { clientId: LWA_CLIENT, userId: 'x', answer: 'unavailable' });
    roleArn = await trustingRole('amazon-users', 'www.amazon.com', { StringEquals: { 'www.amazon.com:app_id': LWA_CLIENT } }, sessionKeyPolicy('www.amazon.com', 'www.amazon.com:app_id', LWA_CLIENT, 'www.amazon.com:user_id', 'amzn1.account.BLOCKED'));
  });

  test("a customer's access token: Provider www.amazon.com, Subject the user_id, Audience the client id (aud)", async () => {
    const out = await assume(roleArn, 'Atza|good', 'www.amazon.com');
    expect(out).toMatchObject({ Provider: 'www.amazon.com', SubjectFromWebIdentityToken: 'amzn1.account.AHQG2JPGF47GOIO4WYGDWAHKTIVA', Audience: LWA_CLIENT });
    await expect(svc.iam(credentialsOf(out.Credentials)).send(new ListUsersCommand({}))).resolves.toBeDefined();
    expect(await lastIssuance()).toMatchObject({ webIdentityProvider: 'www.amazon.com', webIdentitySubject: 'amzn1.account.AHQG2JPGF47GOIO4WYGDWAHKTIVA', webIdentityAudience: LWA_CLIENT });
  });

  test('www.amazon.com:user_id reaches later calls (the IAM User Guide policy variable)', async () => {
    const session = credentialsOf((await assume(roleArn, 'Atza|blocked', 'www.amazon.com')).Credentials);
    await expect(svc.iam(session).send(new ListRolesCommand({}))).resolves.toBeDefined();
    expect((await refusal(svc.iam(session).send(new ListUsersCommand({})))).code).toBe('AccessDenied');
  });

  test('attack: an Amazon token issued to another client id', async () => {
    expect(await refusal(assume(roleArn, 'Atza|other-client', 'www.amazon.com'))).toEqual(DENIED);
  });

  test('an invalid, expired or revoked token (HTTP 400 invalid_token): IDPRejectedClaim', async () => {
    expect(await refusal(assume(roleArn, 'Atza|revoked', 'www.amazon.com'))).toEqual({ code: 'IDPRejectedClaim', message: 'www.amazon.com: www.amazon.com responded with HTTP/1.1 400 Bad Request', status: 403 });
  });

  test('a token with no time left: ExpiredTokenException', async () => {
    const r = await refusal(assume(roleArn, 'Atza|no-time-left', 'www.amazon.com'));
    expect(r.code).toBe('ExpiredTokenException');
    expect(r.message).toMatch(/^Token expired: current date\/time \d+ must be before the expiration date\/time \d+$/);
  });

  test('an unreadable answer or a 503: IDPCommunicationError', async () => {
    expect(await refusal(assume(roleArn, 'Atza|garbage', 'www.amazon.com'))).toMatchObject({ code: 'IDPCommunicationError' });
    expect(await refusal(assume(roleArn, 'Atza|unavailable', 'www.amazon.com'))).toMatchObject({ code: 'IDPCommunicationError' });
  });

  test('a trust policy naming another built-in provider does not trust Amazon tokens', async () => {
    const fbRole = await trustingRole('facebook-only', 'graph.facebook.com', { StringEquals: { 'graph.facebook.com:app_id': LWA_CLIENT } });
    expect(await refusal(assume(fbRole, 'Atza|good', 'www.amazon.com'))).toEqual(DENIED);
  });

  test('ProviderId of another provider: InvalidParameterValue, nothing fetched', async () => {
    const before = requests.length;
    expect(await refusal(assume(roleArn, 'Atza|good', 'login.example.com'))).toMatchObject({ code: 'InvalidParameterValue', status: 400 });
    expect(requests.length).toBe(before);
  });
});
