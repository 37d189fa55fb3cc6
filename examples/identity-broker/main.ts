/**
 * A corporate identity broker, end to end, in one process: an employee signs in to the broker with
 * the company password, the broker calls GetFederationToken with a session policy made for that
 * employee, and hands out either short-lived keys or a console sign-in URL (AWS's federation
 * endpoint pattern, served by Latchkey at /federation). `npm run example:identity-broker`; see
 * README.md beside this file.
 *
 * The parts, each what it would be in a real deployment:
 * - Latchkey: started here over PGlite in memory (or, with LATCHKEY_ENDPOINT, the one you started
 *   with `npm start`, administered with the root keys in AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY);
 * - the administrator: creates the broker's IAM user, allowed sts:GetFederationToken and at most
 *   what any employee may get, and its access key;
 * - the broker: a small HTTP server (node:http) holding that key. Its directory is directory.json,
 *   two employees with argon2id password hashes: AN EXAMPLE ONLY. A real broker asks the company
 *   directory (LDAP, Active Directory, an OpenID Connect or SAML IdP) and never keeps passwords;
 * - the employee: scripted here (curl or a browser would do the same): asks for keys and uses them
 *   with the AWS SDK, then asks for the console and follows the redirects as a browser would.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { CreateAccessKeyCommand, CreateUserCommand, DeleteAccessKeyCommand, DeleteUserCommand, DeleteUserPolicyCommand, IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, GetFederationTokenCommand, STSClient } from '@aws-sdk/client-sts';
import { hash, verify } from '@node-rs/argon2';
import { latchkey } from '../latchkey.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const REGION = 'us-east-1';

interface Employee {
  readonly username: string;
  readonly name: string;
  readonly department: string;
  readonly passwordHash: string;
}

/** What each department's people may do: the session policy the broker passes for them. */
const DEPARTMENT_POLICIES: Record<string, object> = {
  engineering: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: 'arn:aws:s3:::eng-artifacts/*' }] },
  finance: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::finance-reports/*' }] },
};

function step(who: string, text: string): void {
  console.log(`${who.padEnd(9)} ${text}`);
}

/* ------------------------------------------------------------------------------------------ */
/* The broker                                                                                   */
/* ------------------------------------------------------------------------------------------ */

interface Broker {
  readonly url: string;
  close(): Promise<void>;
}

/** OWASP's argon2id parameters, as directory.json's hashes were made with. */
const ARGON2 = { memoryCost: 19456, timeCost: 2, parallelism: 1 };

function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString('utf8');
      if (body.length > 4096) req.destroy(new Error('form too large'));
    });
    req.on('end', () => resolve(new URLSearchParams(body)));
    req.on('error', reject);
  });
}

async function startBroker(latchkeyUrl: string, key: { accessKeyId: string; secretAccessKey: string }, directory: readonly Employee[]): Promise<Broker> {
  const sts = new STSClient({ endpoint: latchkeyUrl, region: REGION, credentials: key, maxAttempts: 1 });
  // A hash of something nobody knows: an unknown user costs as much as a wrong password.
  const decoyHash = await hash(randomBytes(16).toString('hex'), ARGON2);

  /** The employee, if the password is theirs (argon2id, as the directory stores it). */
  async function authenticate(username: string, password: string): Promise<Employee | undefined> {
    const employee = directory.find((e) => e.username === username);
    const ok = await verify(employee?.passwordHash ?? decoyHash, password).catch(() => false);
    return ok && employee ? employee : undefined;
  }

  /** GetFederationToken for the employee, with their department's session policy. */
  async function federate(employee: Employee) {
    const policy = DEPARTMENT_POLICIES[employee.department];
    if (!policy) throw new Error(`no policy for ${employee.department}`);
    const out = await sts.send(new GetFederationTokenCommand({ Name: employee.username, Policy: JSON.stringify(policy), DurationSeconds: 3600, Tags: [{ Key: 'department', Value: employee.department }] }));
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !c.Expiration) throw new Error('GetFederationToken returned no credentials');
    return { credentials: c, arn: out.FederatedUser?.Arn, packedPolicySize: out.PackedPolicySize };
  }

  /** AWS's two steps: the credentials for a sign-in token, then the login URL with it. */
  async function consoleUrl(c: { AccessKeyId?: string | undefined; SecretAccessKey?: string | undefined; SessionToken?: string | undefined }, issuer: string): Promise<string> {
    const session = JSON.stringify({ sessionId: c.AccessKeyId, sessionKey: c.SecretAccessKey, sessionToken: c.SessionToken });
    const res = await fetch(`${latchkeyUrl}/federation?Action=getSigninToken&Session=${encodeURIComponent(session)}`);
    const body = (await res.json()) as { SigninToken?: string };
    if (!res.ok || !body.SigninToken) throw new Error(`getSigninToken failed (${res.status})`);
    const destination = `${latchkeyUrl}/console`;
    return `${latchkeyUrl}/federation?Action=login&Issuer=${encodeURIComponent(issuer)}&Destination=${encodeURIComponent(destination)}&SigninToken=${encodeURIComponent(body.SigninToken)}`;
  }

  async function handle(req: IncomingMessage, res: ServerResponse, self: string): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'POST' || (path !== '/keys' && path !== '/console')) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"POST /keys or /console"}');
      return;
    }
    const form = await readForm(req);
    const employee = await authenticate(form.get('username') ?? '', form.get('password') ?? '');
    if (!employee) {
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"unknown user or wrong password"}');
      return;
    }
    const issued = await federate(employee);
    if (path === '/keys') {
      const c = issued.credentials;
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(
        JSON.stringify({ AccessKeyId: c.AccessKeyId, SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken, Expiration: c.Expiration?.toISOString(), Arn: issued.arn, PackedPolicySize: issued.packedPolicySize }),
      );
      return;
    }
    res.writeHead(303, { location: await consoleUrl(issued.credentials, `${self}/`), 'cache-control': 'no-store' }).end();
  }

  const server: Server = createServer((req, res) => {
    handle(req, res, url).catch((err: unknown) => {
      console.error(err instanceof Error ? err.message : String(err));
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' }).end('{"error":"the broker could not get credentials"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    close: () =>
      new Promise<void>((done) => {
        sts.destroy();
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

/* ------------------------------------------------------------------------------------------ */
/* The employee (a script standing in for curl and a browser)                                   */
/* ------------------------------------------------------------------------------------------ */

async function post(url: string, form: Record<string, string>): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString(), redirect: 'manual' });
}

/** The cookies a response sets, as a Cookie header. */
function cookiesOf(res: Response): string {
  return res.headers
    .getSetCookie()
    .map((l) => l.split(';')[0] ?? '')
    .filter((p) => !p.endsWith('='))
    .join('; ');
}

async function main(): Promise<void> {
  const admin = await latchkey();
  const clients: { destroy(): void }[] = [];
  const cleanup: (() => Promise<unknown>)[] = [];
  let broker: Broker | undefined;
  try {
    step('latchkey', admin.where);

    // --- The administrator: the broker's user, allowed to federate and at most what employees get.
    const iam = new IAMClient({ endpoint: admin.endpoint, region: REGION, credentials: admin.credentials, maxAttempts: 1 });
    clients.push(iam);
    const userName = `identity-broker-${randomBytes(3).toString('hex')}`;
    const { User } = await iam.send(new CreateUserCommand({ UserName: userName }));
    cleanup.unshift(() => iam.send(new DeleteUserCommand({ UserName: userName })));
    const accountId = User?.Arn?.split(':')[4] ?? '';
    const brokerPolicy = {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: ['sts:GetFederationToken', 'sts:TagSession'], Resource: `arn:aws:sts::${accountId}:federated-user/*` },
        // A federated user gets the intersection of this and the session policy: list here the most any employee may do.
        { Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: ['arn:aws:s3:::eng-artifacts/*', 'arn:aws:s3:::finance-reports/*'] },
      ],
    };
    await iam.send(new PutUserPolicyCommand({ UserName: userName, PolicyName: 'federate', PolicyDocument: JSON.stringify(brokerPolicy) }));
    cleanup.unshift(() => iam.send(new DeleteUserPolicyCommand({ UserName: userName, PolicyName: 'federate' })));
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: userName }));
    if (!AccessKey?.AccessKeyId || !AccessKey.SecretAccessKey) throw new Error('CreateAccessKey returned no key');
    const brokerKey = { accessKeyId: AccessKey.AccessKeyId, secretAccessKey: AccessKey.SecretAccessKey };
    cleanup.unshift(() => iam.send(new DeleteAccessKeyCommand({ UserName: userName, AccessKeyId: brokerKey.accessKeyId })));
    step('admin', `broker user ${User?.Arn}: may call sts:GetFederationToken for federated-user/*; key ${brokerKey.accessKeyId}`);

    // --- The broker.
    const directory = (JSON.parse(readFileSync(new URL('./directory.json', import.meta.url), 'utf8')) as { employees: Employee[] }).employees;
    broker = await startBroker(admin.endpoint, brokerKey, directory);
    step('broker', `listening at ${broker.url} (directory.json: ${directory.length} employees, argon2id password hashes; an example, not a directory)`);

    // --- Alice asks for keys and uses them.
    const keysRes = await post(`${broker.url}/keys`, { username: 'alice', password: 'correct horse battery staple' });
    if (keysRes.status !== 200) throw new Error(`the broker refused alice (${keysRes.status})`);
    const keys = (await keysRes.json()) as { AccessKeyId: string; SecretAccessKey: string; SessionToken: string; Expiration: string; Arn: string; PackedPolicySize: number };
    step('employee', `alice: keys for ${keys.Arn} (engineering session policy, packed ${keys.PackedPolicySize}%), key ${keys.AccessKeyId} until ${keys.Expiration}`);
    const asAlice = new STSClient({ endpoint: admin.endpoint, region: REGION, credentials: { accessKeyId: keys.AccessKeyId, secretAccessKey: keys.SecretAccessKey, sessionToken: keys.SessionToken }, maxAttempts: 1 });
    clients.push(asAlice);
    const me = await asAlice.send(new GetCallerIdentityCommand({}));
    step('employee', `alice: GetCallerIdentity: ${me.Arn}`);

    // --- A wrong password, and someone not in the directory.
    for (const [who, password] of [
      ['bob', 'not-his-password'],
      ['mallory', 'anything'],
    ] as const) {
      const r = await post(`${broker.url}/keys`, { username: who, password });
      step('employee', `${who}: refused (${r.status}): ${((await r.json()) as { error: string }).error}`);
    }

    // --- Bob asks for the console: the broker redirects him to Latchkey's sign-in URL.
    const consoleRes = await post(`${broker.url}/console`, { username: 'bob', password: 'tr0mbone-lantern-quiet' });
    const loginUrl = consoleRes.headers.get('location');
    if (consoleRes.status !== 303 || !loginUrl) throw new Error(`the broker gave bob no sign-in URL (${consoleRes.status})`);
    step('employee', `bob: console sign-in URL from the broker: ${loginUrl.slice(0, loginUrl.indexOf('SigninToken=') + 12)}… (${loginUrl.length} characters)`);
    const login = await fetch(loginUrl, { redirect: 'manual' });
    const landing = login.headers.get('location');
    if (login.status !== 302 || !landing) throw new Error(`the sign-in URL did not sign bob in (${login.status}): ${await login.text()}`);
    const cookie = cookiesOf(login);
    const page = await fetch(new URL(landing, admin.endpoint), { headers: { cookie } });
    const signedInAs = /<dt>Signed in as<\/dt><dd><code>([^<]+)<\/code>/.exec(await page.text())?.[1];
    step('employee', `bob: signed in to the console (${page.status}) as ${signedInAs}`);
    const again = await fetch(loginUrl, { redirect: 'manual' });
    step('employee', `bob: the same sign-in URL again: refused (${again.status}), a sign-in token works once`);
    step('done', 'keys and a console sign-in for employees of a directory Latchkey knows nothing about');
  } finally {
    for (const c of clients) c.destroy();
    await broker?.close();
    if (process.env.LATCHKEY_ENDPOINT) for (const undo of cleanup) await undo().catch(() => undefined);
    await admin.close();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exitCode = 1;
});
