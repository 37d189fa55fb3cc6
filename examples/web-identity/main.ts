/**
 * Web identity federation, end to end, in one process: a mobile-style app signs its user in at an
 * OpenID Connect provider, trades the ID token with AssumeRoleWithWebIdentity for temporary
 * credentials of a role, and calls the API with them: one call the role's policy allows, one it
 * does not. `npm run example:web-identity`; see README.md beside this file.
 *
 * The parts, each what it would be in a real deployment:
 * - Latchkey: started here over PGlite in memory (or, with LATCHKEY_ENDPOINT, the one you started
 *   with `npm start`, administered with the root keys in AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY);
 * - the identity provider: oidc-provider (from npm, by panva, certified OpenID Connect provider)
 *   on plain http on loopback, which Latchkey allows outside production (NODE_ENV=production
 *   refuses it: there, issuers are https);
 * - the administrator: registers the provider (CreateOpenIDConnectProvider) and a role that trusts
 *   it for this app's client id, with a policy allowing iam:ListRoles only;
 * - the app: a public client (no secret, as a mobile app has none) doing the authorization code
 *   flow with PKCE through openid-client; the user's part in the browser (the provider's own login
 *   and consent pages) is scripted here; then the AWS SDK for JavaScript, unchanged.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CreateOpenIDConnectProviderCommand,
  CreateRoleCommand,
  CreateUserCommand,
  DeleteOpenIDConnectProviderCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  IAMClient,
  ListRolesCommand,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { AssumeRoleWithWebIdentityCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import * as client from 'openid-client';
import { latchkey } from '../latchkey.js';

// The SDK's notice that its releases from 2027 need Node 22 (the SDK's own switch for it).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const REGION = 'us-east-1';
const CLIENT_ID = 'notes-app';
/** A native app's redirect: its own URL scheme, which the phone hands back to the app. */
const REDIRECT_URI = 'com.example.notes:/oauth2redirect';
const USER = 'alice';


function step(who: string, text: string): void {
  console.log(`${who.padEnd(9)} ${text}`);
}

/* ------------------------------------------------------------------------------------------ */
/* The identity provider                                                                        */
/* ------------------------------------------------------------------------------------------ */

/** oidc-provider on loopback, with its development login pages; any password signs in. */
async function identityProvider(): Promise<{ issuer: string; close(): Promise<void> }> {
  const { default: Provider } = await import('oidc-provider');
  let provider: InstanceType<typeof Provider> | undefined;
  const server: Server = createServer((req, res) => void provider?.callback()(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  provider = new Provider(issuer, {
    clients: [{ client_id: CLIENT_ID, application_type: 'native', token_endpoint_auth_method: 'none', redirect_uris: [REDIRECT_URI], grant_types: ['authorization_code'], response_types: ['code'] }],
    findAccount: (_ctx: unknown, sub: string) => ({ accountId: sub, claims: () => ({ sub }) }),
    ttl: { Interaction: 600, Session: 3600, Grant: 3600, AccessToken: 600, IdToken: 3600 },
  });
  return {
    issuer,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

/* ------------------------------------------------------------------------------------------ */
/* The app                                                                                      */
/* ------------------------------------------------------------------------------------------ */

/**
 * The browser's part of a sign-in: open the authorization URL, fill in the provider's login and
 * consent pages, and follow redirects until the provider sends the browser back to the app.
 */
async function browserSignIn(authorizationUrl: URL, user: string): Promise<URL> {
  const cookies = new Map<string, string>();
  const go = async (url: string, body?: string): Promise<Response> => {
    const headers: Record<string, string> = { cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; ') };
    if (body !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
    const res = await fetch(new URL(url, authorizationUrl), body === undefined ? { headers, redirect: 'manual' } : { method: 'POST', headers, body, redirect: 'manual' });
    for (const line of res.headers.getSetCookie()) {
      const pair = line.split(';')[0] ?? '';
      const eq = pair.indexOf('=');
      if (eq > 0) cookies.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
    return res;
  };
  const redirect = async (res: Response): Promise<string> => {
    const location = res.headers.get('location');
    if (res.status < 300 || res.status > 399 || !location) throw new Error(`the provider answered ${res.status}, not a redirect: ${(await res.text()).slice(0, 300)}`);
    return new URL(location, authorizationUrl).href;
  };
  let location = await redirect(await go(authorizationUrl.href));
  for (let page = 0; page < 4 && !location.startsWith(REDIRECT_URI); page++) {
    const form = await (await go(location)).text();
    const action = /\/interaction\/[^/?"]+/.exec(location)?.[0];
    if (!action) throw new Error(`an unexpected page at ${location}`);
    const fields = form.includes('name="login"') ? { prompt: 'login', login: user, password: 'any' } : { prompt: 'consent' };
    location = await redirect(await go(action, new URLSearchParams(fields).toString()));
    while (!location.startsWith(REDIRECT_URI) && !location.includes('/interaction/')) location = await redirect(await go(location));
  }
  if (!location.startsWith(REDIRECT_URI)) throw new Error(`the sign-in did not come back to the app: ${location}`);
  return new URL(location);
}

/** The app signs its user in (authorization code + PKCE, openid-client) and keeps the ID token. */
async function signIn(issuer: string, user: string): Promise<string> {
  // http is for this local provider only; a real app talks to an https issuer and drops this.
  const config = await client.discovery(new URL(issuer), CLIENT_ID, undefined, client.None(), { execute: [client.allowInsecureRequests] });
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT_URI,
    scope: 'openid',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  });
  const callback = await browserSignIn(url, user);
  // openid-client checks the state, the PKCE verifier, and the ID token (signature, iss, aud, nonce).
  const tokens = await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce });
  if (!tokens.id_token) throw new Error('the provider returned no ID token');
  return tokens.id_token;
}

function errorOf(err: unknown): { name: string; message: string } {
  return err instanceof Error ? { name: err.name, message: err.message } : { name: 'Error', message: String(err) };
}

async function main(): Promise<void> {
  // allowLoopbackHttp: what `npm start` does outside production (src/main.ts).
  const admin = await latchkey({ oidc: { allowLoopbackHttp: true } });
  const idp = await identityProvider();
  const clients: { destroy(): void }[] = [];
  const cleanup: (() => Promise<unknown>)[] = [];
  try {
    step('latchkey', admin.where);
    step('idp', `oidc-provider at ${idp.issuer}, client ${CLIENT_ID} (public: no secret, PKCE)`);

    // --- The administrator: the provider, and a role for the app's users.
    const iam = new IAMClient({ endpoint: admin.endpoint, region: REGION, credentials: admin.credentials, maxAttempts: 1 });
    clients.push(iam);
    const { OpenIDConnectProviderArn: providerArn } = await iam.send(new CreateOpenIDConnectProviderCommand({ Url: idp.issuer, ClientIDList: [CLIENT_ID] }));
    if (!providerArn) throw new Error('CreateOpenIDConnectProvider returned no ARN');
    cleanup.push(() => iam.send(new DeleteOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: providerArn })));
    const hostPath = idp.issuer.replace(/^https?:\/\//, '');
    const roleName = `notes-app-user-${randomBytes(3).toString('hex')}`;
    const trust = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Federated: providerArn }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: { StringEquals: { [`${hostPath}:aud`]: CLIENT_ID } } }],
    };
    const { Role } = await iam.send(new CreateRoleCommand({ RoleName: roleName, AssumeRolePolicyDocument: JSON.stringify(trust) }));
    if (!Role?.Arn) throw new Error('CreateRole returned no role');
    const roleArn = Role.Arn;
    cleanup.unshift(() => iam.send(new DeleteRoleCommand({ RoleName: roleName })));
    const permissions = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:ListRoles', Resource: '*' }] };
    await iam.send(new PutRolePolicyCommand({ RoleName: roleName, PolicyName: 'list-roles', PolicyDocument: JSON.stringify(permissions) }));
    cleanup.unshift(() => iam.send(new DeleteRolePolicyCommand({ RoleName: roleName, PolicyName: 'list-roles' })));
    step('admin', `registered ${providerArn}`);
    step('admin', `role ${roleArn}: trusts the provider for aud=${CLIENT_ID}; allows iam:ListRoles only`);

    // --- The app: sign the user in, trade the ID token, call the API.
    const idToken = await signIn(idp.issuer, USER);
    step('app', `${USER} signed in at the provider; the app holds her ID token (${idToken.length} characters)`);

    // No credentials: AssumeRoleWithWebIdentity is not signed; the ID token is the proof.
    const sts = new STSClient({ endpoint: admin.endpoint, region: REGION, maxAttempts: 1 });
    clients.push(sts);
    const out = await sts.send(new AssumeRoleWithWebIdentityCommand({ RoleArn: roleArn, RoleSessionName: `${USER}-phone`, WebIdentityToken: idToken, DurationSeconds: 900 }));
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) throw new Error('AssumeRoleWithWebIdentity returned no credentials');
    step('app', `AssumeRoleWithWebIdentity: ${out.AssumedRoleUser?.Arn} (subject ${out.SubjectFromWebIdentityToken}, audience ${out.Audience}), key ${c.AccessKeyId} until ${c.Expiration?.toISOString()}`);

    const credentials = { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
    const asUser = { endpoint: admin.endpoint, region: REGION, credentials, maxAttempts: 1 };
    const userSts = new STSClient(asUser);
    const userIam = new IAMClient(asUser);
    clients.push(userSts, userIam);
    const me = await userSts.send(new GetCallerIdentityCommand({}));
    step('app', `GetCallerIdentity: ${me.Arn}`);

    const { Roles } = await userIam.send(new ListRolesCommand({}));
    step('app', `iam:ListRoles allowed: ${Roles?.length ?? 0} role(s), ${roleName} among them: ${Roles?.some((r) => r.RoleName === roleName) ? 'yes' : 'no'}`);

    try {
      await userIam.send(new CreateUserCommand({ UserName: 'mallory' }));
      throw new Error('iam:CreateUser was allowed: the role policy allows only iam:ListRoles');
    } catch (err) {
      const { name, message } = errorOf(err);
      if (name !== 'AccessDenied' && name !== 'AccessDeniedException') throw err;
      step('app', `iam:CreateUser denied (AccessDenied): ${message}`);
    }
    step('done', 'an allowed and a denied call with credentials from a web identity');
  } finally {
    for (const c of clients) c.destroy();
    // Against your own Latchkey, leave nothing behind (in process, everything goes with it).
    if (process.env.LATCHKEY_ENDPOINT) for (const undo of cleanup) await undo().catch(() => undefined);
    await idp.close();
    await admin.close();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exitCode = 1;
});
