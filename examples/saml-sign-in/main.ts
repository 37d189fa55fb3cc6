/**
 * SAML federation, end to end, in one process: a person signs in at a SAML identity provider, the
 * browser carries the signed response to a small relying app (the HTTP-POST binding: an
 * auto-submitting form), the app trades it with AssumeRoleWithSAML for temporary credentials of a
 * role, and calls the API with them: one call the role's policy allows, one it does not. Sending
 * the same response again is refused. `npm run example:saml-sign-in`; see README.md beside this file.
 *
 * The parts, each what it would be in a real deployment:
 * - Latchkey: started here over PGlite in memory, accepting the app's assertion consumer URL as
 *   Recipient (SAML_RECIPIENTS), or, with LATCHKEY_ENDPOINT, the one you started with `npm start`;
 * - the identity provider: auth0's samlp (from npm; the IdP middleware behind Auth0's SAML add-on)
 *   on plain http on loopback, with a two-person directory and a sign-in page; it signs the
 *   assertion with its own key (idp.key.pem, example only) and publishes its metadata;
 * - the administrator: reads this service's SP metadata (GET /static/saml-metadata.xml) to
 *   configure the IdP, registers the IdP's metadata (CreateSAMLProvider) and a role that trusts it,
 *   with a policy allowing iam:ListRoles only, and tells the IdP which Role attribute its users get;
 * - the browser: scripted with fetch here (it follows the link, fills in the sign-in form and
 *   submits the IdP's auto-submitting form, as a browser's script would);
 * - the app: the assertion consumer; it reads which role the assertion offers and calls
 *   AssumeRoleWithSAML with the stock AWS SDK for JavaScript, unsigned. It does not verify the
 *   response itself: Latchkey does (signature, issuer, audience, Recipient, time, replay).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { CreateRoleCommand, CreateSAMLProviderCommand, CreateUserCommand, DeleteRoleCommand, DeleteRolePolicyCommand, DeleteSAMLProviderCommand, IAMClient, ListRolesCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { AssumeRoleWithSAMLCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { DOMParser } from '@xmldom/xmldom';
import { latchkey } from '../latchkey.js';

// The SDK's notice that its releases from 2027 need Node 22 (the SDK's own switch for it).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const REGION = 'us-east-1';
const ACS_PATH = '/saml/acs';
/** Against your own Latchkey, the app listens here, so that SAML_RECIPIENTS can name it in advance. */
const DEFAULT_APP_PORT = 8790;
const AWS_ATTRIBUTE = 'https://aws.amazon.com/SAML/Attributes/';
const ROLE_ATTRIBUTE = `${AWS_ATTRIBUTE}Role`;
const PERSISTENT = 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent';
const SAML_ASSERTION_NS = 'urn:oasis:names:tc:SAML:2.0:assertion';
const SAML_METADATA_NS = 'urn:oasis:names:tc:SAML:2.0:metadata';

function step(who: string, text: string): void {
  console.log(`${who.padEnd(9)} ${text}`);
}

function errorOf(err: unknown): { name: string; message: string } {
  return err instanceof Error ? { name: err.name, message: err.message } : { name: 'Error', message: String(err) };
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

async function readForm(req: IncomingMessage): Promise<Record<string, string>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
}

function listenOn(server: Server, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((done) => {
    server.closeAllConnections();
    server.close(() => done());
  });
}

/* ------------------------------------------------------------------------------------------ */
/* Latchkey                                                                                     */
/* ------------------------------------------------------------------------------------------ */

/** What an IdP administrator reads from this service's SP metadata: its entity id and assertion consumer URLs. */
async function spMetadata(endpoint: string): Promise<{ url: string; entityId: string; acs: string[] }> {
  const url = new URL('/static/saml-metadata.xml', endpoint).href;
  const res = await fetch(url);
  if (res.status !== 200) throw new Error(`${url} answered ${res.status}`);
  const doc = new DOMParser().parseFromString(await res.text(), 'application/xml');
  const entityId = doc.documentElement?.getAttribute('entityID') ?? '';
  const services = doc.getElementsByTagNameNS(SAML_METADATA_NS, 'AssertionConsumerService');
  const acs: string[] = [];
  for (let i = 0; i < services.length; i++) acs.push(services.item(i)?.getAttribute('Location') ?? '');
  return { url, entityId, acs };
}

/* ------------------------------------------------------------------------------------------ */
/* The identity provider: auth0's samlp                                                         */
/* ------------------------------------------------------------------------------------------ */

/** The little of samlp 8 (which ships no types) this example uses: express-like req/res, nothing else. */
interface SamlpRequest {
  method: string;
  query: Record<string, string | undefined>;
  body: Record<string, string | undefined>;
  headers: IncomingHttpHeaders;
  protocol: string;
  originalUrl: string;
  user?: unknown;
}
interface SamlpResponse {
  set(name: string, value: string): void;
  send(statusOrBody: number | string, body?: unknown): void;
}
interface ProfileMap {
  getClaims(options: unknown): Record<string, string | string[]>;
  getNameIdentifier(options: unknown): { nameIdentifier: string; nameIdentifierFormat?: string };
}
type ProfileMapper = (user: unknown) => ProfileMap;
interface Samlp {
  auth(options: {
    issuer: string;
    cert: string;
    key: string;
    getPostURL(audience: string | undefined, samlRequestDom: unknown, req: SamlpRequest, callback: (err: unknown, url?: string) => void): void;
    profileMapper: ProfileMapper;
    audience: string;
    recipient: string;
    destination: string;
    signatureAlgorithm: 'rsa-sha256';
    digestAlgorithm: 'sha256';
    lifetimeInSeconds: number;
  }): (req: SamlpRequest, res: SamlpResponse, next: (err?: unknown) => void) => void;
  metadata(options: { issuer: string; cert: string; profileMapper: ProfileMapper; postEndpointPath: string; redirectEndpointPath: string }): (req: SamlpRequest, res: SamlpResponse) => void;
}
const samlp = createRequire(import.meta.url)('samlp') as Samlp;

/** A person in the IdP's directory. */
interface Person {
  readonly id: string;
  readonly email: string;
  readonly passwordSha256: Buffer;
  readonly groups: readonly string[];
}

const sha256 = (s: string) => createHash('sha256').update(s).digest();

/** The directory: one person, in the group the administrator maps to the AWS role. Her password is the example's own. */
const DIRECTORY: readonly Person[] = [{ id: 'alice', email: 'alice@example.com', passwordSha256: sha256('correct horse battery staple'), groups: ['aws-readers'] }];

interface IdentityProvider {
  readonly url: string;
  readonly entityId: string;
  /** The administrator's mapping: members of `group` get this Role attribute value (`role-arn,provider-arn`). */
  grant(group: string, roleValue: string): void;
  close(): Promise<void>;
}

/**
 * samlp on loopback: GET /metadata (samlp's own metadata document), GET /sso (the sign-in page,
 * IdP-initiated: it signs the person in for the one relying party it knows), POST /sso (the
 * password checked, then samlp's auto-submitting form with the signed response).
 * `relyingParty` is what the administrator read from the SP metadata: the Audience (its entity
 * id) and where to post (its assertion consumer URL, also the Recipient and Destination).
 */
async function identityProvider(relyingParty: { audience: string; acsUrl: string }): Promise<IdentityProvider> {
  const cert = readFileSync(new URL('idp.cert.pem', import.meta.url), 'utf8');
  const key = readFileSync(new URL('idp.key.pem', import.meta.url), 'utf8');
  const roleValues = new Map<string, string>();

  /** samlp's profile mapper: the person → NameID (persistent) and the AWS attributes. */
  function awsProfile(user: unknown): ProfileMap {
    const person = user as Person;
    return {
      getClaims: () => ({
        [ROLE_ATTRIBUTE]: person.groups.flatMap((g) => roleValues.get(g) ?? []),
        [`${AWS_ATTRIBUTE}RoleSessionName`]: person.email,
        [`${AWS_ATTRIBUTE}SessionDuration`]: '900',
      }),
      getNameIdentifier: () => ({ nameIdentifier: person.id, nameIdentifierFormat: PERSISTENT }),
    };
  }
  // samlp lists the claim types of its metadata from the mapper's prototype.
  awsProfile.prototype.metadata = ['Role', 'RoleSessionName', 'SessionDuration'].map((n) => ({ id: `${AWS_ATTRIBUTE}${n}`, displayName: n, description: `AWS's ${n} attribute` }));

  let url = '';
  let entityId = '';
  const metadataHandler = (): ReturnType<Samlp['metadata']> => samlp.metadata({ issuer: entityId, cert, profileMapper: awsProfile, postEndpointPath: '/sso', redirectEndpointPath: '/sso' });

  /** The express-like request and response samlp reads and writes, over node's. */
  function express(req: IncomingMessage, res: ServerResponse, body: Record<string, string>, user?: Person): { req: SamlpRequest; res: SamlpResponse } {
    const u = new URL(req.url ?? '/', url);
    const headers: Record<string, string> = {};
    return {
      req: { method: req.method ?? 'GET', query: Object.fromEntries(u.searchParams), body, headers: req.headers, protocol: 'http', originalUrl: u.pathname + u.search, user },
      res: {
        set: (name, value) => void (headers[name] = value),
        send: (statusOrBody, more) => {
          const [status, payload] = typeof statusOrBody === 'number' ? [statusOrBody, more === undefined ? '' : String(more)] : [200, statusOrBody];
          res.writeHead(status, headers).end(payload);
        },
      },
    };
  }

  function signInPage(res: ServerResponse, relayState: string, problem?: string): void {
    res.writeHead(problem ? 401 : 200, { 'content-type': 'text/html; charset=utf-8' }).end(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Example IdP: sign in</title></head><body>
<h1>Example IdP</h1>${problem ? `<p role="alert">${escapeHtml(problem)}</p>` : ''}
<form method="post" action="/sso">
  <input type="hidden" name="RelayState" value="${escapeHtml(relayState)}">
  <label>User name <input name="username" autocomplete="username"></label>
  <label>Password <input type="password" name="password" autocomplete="current-password"></label>
  <button>Sign in</button>
</form></body></html>`);
  }

  function authenticate(username: string, password: string): Person | undefined {
    const person = DIRECTORY.find((p) => p.id === username);
    // Compared in constant time, and as long for a stranger as for a wrong password.
    const ok = timingSafeEqual(sha256(password), person?.passwordSha256 ?? sha256(randomBytes(16).toString('hex')));
    return ok ? person : undefined;
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', url).pathname;
    if (req.method === 'GET' && path === '/metadata') {
      const pair = express(req, res, {});
      return metadataHandler()(pair.req, pair.res);
    }
    if (req.method === 'GET' && path === '/sso') return signInPage(res, new URL(req.url ?? '/', url).searchParams.get('RelayState') ?? '');
    if (req.method !== 'POST' || path !== '/sso') return void res.writeHead(404).end();
    const form = await readForm(req);
    const person = authenticate(form.username ?? '', form.password ?? '');
    if (!person) return signInPage(res, form.RelayState ?? '', 'Wrong user name or password.');
    const pair = express(req, res, form, person);
    await new Promise<void>((resolve) => {
      const send = pair.res.send;
      pair.res.send = (a, b) => {
        send(a, b);
        resolve();
      };
      // samlp renders its own page: a form that posts SAMLResponse and RelayState to the ACS URL
      // and submits itself (templates/form.ejs).
      samlp.auth({
        issuer: entityId,
        cert,
        key,
        profileMapper: awsProfile,
        audience: relyingParty.audience,
        recipient: relyingParty.acsUrl,
        destination: relyingParty.acsUrl,
        signatureAlgorithm: 'rsa-sha256',
        digestAlgorithm: 'sha256',
        lifetimeInSeconds: 300,
        getPostURL: (_audience, _request, _req, callback) => callback(null, relyingParty.acsUrl),
      })(pair.req, pair.res, (err) => {
        res.writeHead(500, { 'content-type': 'text/plain' }).end(`IdP error: ${errorOf(err).message}`);
        resolve();
      });
    });
  }

  const server = createServer((req, res) => {
    route(req, res).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`IdP error: ${errorOf(err).message}`);
    });
  });
  url = await listenOn(server, 0);
  entityId = `${url}/saml`;
  return { url, entityId, grant: (group, value) => void roleValues.set(group, value), close: () => closeServer(server) };
}

/* ------------------------------------------------------------------------------------------ */
/* The relying app                                                                              */
/* ------------------------------------------------------------------------------------------ */

/** The Role attribute's values in a response (not verified: only to choose the pair; Latchkey verifies). */
function offeredRoles(samlResponse: string): { roleArn: string; principalArn: string }[] {
  const doc = new DOMParser().parseFromString(Buffer.from(samlResponse, 'base64').toString('utf8'), 'application/xml');
  const attributes = doc.getElementsByTagNameNS(SAML_ASSERTION_NS, 'Attribute');
  const pairs: { roleArn: string; principalArn: string }[] = [];
  for (let i = 0; i < attributes.length; i++) {
    const attribute = attributes.item(i);
    if (attribute?.getAttribute('Name') !== ROLE_ATTRIBUTE) continue;
    const values = attribute.getElementsByTagNameNS(SAML_ASSERTION_NS, 'AttributeValue');
    for (let j = 0; j < values.length; j++) {
      const arns = (values.item(j)?.textContent ?? '').split(',').map((s) => s.trim());
      const principalArn = arns.find((a) => a.includes(':saml-provider/'));
      const roleArn = arns.find((a) => a.includes(':role/'));
      if (principalArn && roleArn) pairs.push({ roleArn, principalArn });
    }
  }
  return pairs;
}

interface SignedIn {
  readonly arn: string;
  readonly lines: readonly string[];
}

/** What the app does with a SAMLResponse: AssumeRoleWithSAML, then the API with the credentials. */
async function useResponse(endpoint: string, samlResponse: string, roleName: () => string): Promise<SignedIn> {
  const [offered, ...more] = offeredRoles(samlResponse);
  if (!offered) throw new Error('the assertion offers no role');
  // A real app lets the person choose when the IdP offers several roles.
  step('app', `received a SAMLResponse (${samlResponse.length} characters) offering ${1 + more.length} role(s): ${offered.roleArn} via ${offered.principalArn}`);

  // No credentials: AssumeRoleWithSAML is not signed; the signed assertion is the proof.
  const sts = new STSClient({ endpoint, region: REGION, maxAttempts: 1 });
  try {
    const out = await sts.send(new AssumeRoleWithSAMLCommand({ RoleArn: offered.roleArn, PrincipalArn: offered.principalArn, SAMLAssertion: samlResponse }));
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) throw new Error('AssumeRoleWithSAML returned no credentials');
    step('app', `AssumeRoleWithSAML: ${out.AssumedRoleUser?.Arn} (subject ${out.Subject}, ${out.SubjectType}; issuer ${out.Issuer}; audience ${out.Audience}), key ${c.AccessKeyId} until ${c.Expiration?.toISOString()}`);

    const asUser = { endpoint, region: REGION, credentials: { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken }, maxAttempts: 1 };
    const userSts = new STSClient(asUser);
    const userIam = new IAMClient(asUser);
    try {
      const lines: string[] = [];
      const me = await userSts.send(new GetCallerIdentityCommand({}));
      step('app', `GetCallerIdentity: ${me.Arn}`);
      lines.push(`GetCallerIdentity: ${me.Arn ?? ''}`);

      const { Roles } = await userIam.send(new ListRolesCommand({}));
      const listed = `iam:ListRoles allowed: ${Roles?.length ?? 0} role(s), ${roleName()} among them: ${Roles?.some((r) => r.RoleName === roleName()) ? 'yes' : 'no'}`;
      step('app', listed);
      lines.push(listed);

      try {
        await userIam.send(new CreateUserCommand({ UserName: 'mallory' }));
        throw new Error('iam:CreateUser was allowed: the role policy allows only iam:ListRoles');
      } catch (err) {
        const { name, message } = errorOf(err);
        if (name !== 'AccessDenied' && name !== 'AccessDeniedException') throw err;
        step('app', `iam:CreateUser denied (AccessDenied): ${message}`);
        lines.push(`iam:CreateUser denied (AccessDenied): ${message}`);
      }
      return { arn: me.Arn ?? '', lines };
    } finally {
      userSts.destroy();
      userIam.destroy();
    }
  } finally {
    sts.destroy();
  }
}

/** The relying app: a sign-in link to the IdP and the assertion consumer at ACS_PATH. */
function relyingApp(endpoint: () => string, idpSignIn: () => string, roleName: () => string): Server {
  const page = (title: string, body: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body><h1>${escapeHtml(title)}</h1>${body}</body></html>`;
  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://app').pathname;
    if (req.method === 'GET' && path === '/') {
      return void res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page('Reports', `<p><a id="sign-in" href="${escapeHtml(idpSignIn())}">Sign in with Example IdP</a></p>`));
    }
    if (req.method !== 'POST' || path !== ACS_PATH) return void res.writeHead(404).end();
    const form = await readForm(req);
    try {
      const signedIn = await useResponse(endpoint(), form.SAMLResponse ?? '', roleName);
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page(`Signed in as ${signedIn.arn}`, `<ul>${signedIn.lines.map((l) => `<li>${escapeHtml(l)}</li>`).join('')}</ul>`));
    } catch (err) {
      const { name, message } = errorOf(err);
      step('app', `AssumeRoleWithSAML refused (${name}): ${message}`);
      res.writeHead(401, { 'content-type': 'text/html; charset=utf-8' }).end(page('Sign-in refused', `<p role="alert" id="refusal">${escapeHtml(`${name}: ${message}`)}</p>`));
    }
  }
  return createServer((req, res) => {
    route(req, res).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`app error: ${errorOf(err).message}`);
    });
  });
}

/* ------------------------------------------------------------------------------------------ */
/* The browser                                                                                  */
/* ------------------------------------------------------------------------------------------ */

const unescapeHtml = (s: string) => s.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n))).replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/** The auto-submitting form of a page: where it posts and its hidden fields. */
function formOf(html: string, base: string): { action: string; fields: Record<string, string> } {
  const action = /<form[^>]*\saction="([^"]*)"/.exec(html)?.[1];
  if (action === undefined) throw new Error(`no form on the page: ${html.slice(0, 300)}`);
  const fields: Record<string, string> = {};
  for (const input of html.matchAll(/<input\b[^>]*>/g)) {
    const name = /\sname="([^"]*)"/.exec(input[0])?.[1];
    const value = /\svalue="([^"]*)"/.exec(input[0])?.[1];
    if (name !== undefined && value !== undefined) fields[unescapeHtml(name)] = unescapeHtml(value);
  }
  return { action: new URL(unescapeHtml(action), base).href, fields };
}

const titleOf = (html: string) => unescapeHtml(/<title>([^<]*)<\/title>/.exec(html)?.[1] ?? '');
const post = (url: string, fields: Record<string, string>) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString(), redirect: 'manual' });

/** A person at the browser: opens the app, signs in at the IdP, and the IdP's page posts itself to the app. */
async function browse(appUrl: string, username: string, password: string): Promise<{ acsForm: { action: string; fields: Record<string, string> }; page: string }> {
  const home = await (await fetch(appUrl)).text();
  const link = /<a id="sign-in" href="([^"]*)"/.exec(home)?.[1];
  if (!link) throw new Error(`no sign-in link at ${appUrl}`);
  const signInUrl = new URL(unescapeHtml(link), appUrl).href;
  const signIn = formOf(await (await fetch(signInUrl)).text(), signInUrl);
  step('browser', `opened the app at ${appUrl} and followed "Sign in with Example IdP" to ${signInUrl}`);

  const answer = await post(signIn.action, { ...signIn.fields, username, password });
  const autoPost = await answer.text();
  if (answer.status !== 200) throw new Error(`the IdP answered ${answer.status}: ${autoPost.slice(0, 300)}`);
  const acsForm = formOf(autoPost, signIn.action);
  step('browser', `signed in at the IdP as ${username}; its page submits itself: POST ${acsForm.action} (${Object.keys(acsForm.fields).join(', ')})`);

  const page = await (await post(acsForm.action, acsForm.fields)).text();
  step('browser', `the app's page: "${titleOf(page)}"`);
  return { acsForm, page };
}

/* ------------------------------------------------------------------------------------------ */

async function main(): Promise<void> {
  const own = process.env.LATCHKEY_ENDPOINT !== undefined;
  let endpoint = '';
  let idpSignIn = '';
  let roleName = '';
  const app = relyingApp(
    () => endpoint,
    () => idpSignIn,
    () => roleName,
  );
  const appUrl = await listenOn(app, Number(process.env.SAML_APP_PORT ?? (own ? DEFAULT_APP_PORT : 0)));
  const acsUrl = `${appUrl}${ACS_PATH}`;
  // What SAML_RECIPIENTS=<the app's ACS URL> does for `npm start` (src/config.ts); the audiences
  // stay AWS's (urn:amazon:webservices and https://signin.aws.amazon.com/saml).
  const admin = await latchkey({ saml: { recipients: [acsUrl] } }, `, SAML_RECIPIENTS=${acsUrl}`).catch(async (err: unknown) => {
    await closeServer(app);
    throw err;
  });
  endpoint = admin.endpoint;
  const clients: { destroy(): void }[] = [];
  const cleanup: (() => Promise<unknown>)[] = [];
  let idp: IdentityProvider | undefined;
  try {
    step('latchkey', admin.where);
    step('app', `the relying app at ${appUrl}, assertion consumer ${acsUrl}`);

    // --- The administrator configures the IdP from this service's SP metadata ...
    const sp = await spMetadata(admin.endpoint);
    step('admin', `SP metadata at ${sp.url}: entity id ${sp.entityId}, assertion consumer URLs ${sp.acs.join(', ')}`);
    if (!sp.acs.includes(acsUrl)) throw new Error(`${admin.endpoint} does not accept ${acsUrl} as Recipient: start it with SAML_RECIPIENTS=${acsUrl}`);
    idp = await identityProvider({ audience: sp.entityId, acsUrl });
    idpSignIn = `${idp.url}/sso?RelayState=${encodeURIComponent('/reports')}`;
    step('idp', `samlp at ${idp.url}, entity id ${idp.entityId}: Audience ${sp.entityId}, Recipient and Destination ${acsUrl}, signed with idp.key.pem`);

    // ... and registers the IdP in the account, with a role for its users.
    const iam = new IAMClient({ endpoint: admin.endpoint, region: REGION, credentials: admin.credentials, maxAttempts: 1 });
    clients.push(iam);
    const metadata = await (await fetch(`${idp.url}/metadata`)).text();
    const providerName = `example-idp-${randomBytes(3).toString('hex')}`;
    const { SAMLProviderArn: providerArn } = await iam.send(new CreateSAMLProviderCommand({ Name: providerName, SAMLMetadataDocument: metadata }));
    if (!providerArn) throw new Error('CreateSAMLProvider returned no ARN');
    cleanup.push(() => iam.send(new DeleteSAMLProviderCommand({ SAMLProviderArn: providerArn })));
    step('admin', `CreateSAMLProvider from the IdP's metadata (${metadata.length} characters): ${providerArn}`);

    roleName = `reports-reader-${randomBytes(3).toString('hex')}`;
    const trust = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Federated: providerArn }, Action: 'sts:AssumeRoleWithSAML', Condition: { StringEquals: { 'SAML:aud': acsUrl } } }],
    };
    const { Role } = await iam.send(new CreateRoleCommand({ RoleName: roleName, AssumeRolePolicyDocument: JSON.stringify(trust) }));
    if (!Role?.Arn) throw new Error('CreateRole returned no role');
    cleanup.unshift(() => iam.send(new DeleteRoleCommand({ RoleName: roleName })));
    const permissions = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:ListRoles', Resource: '*' }] };
    await iam.send(new PutRolePolicyCommand({ RoleName: roleName, PolicyName: 'list-roles', PolicyDocument: JSON.stringify(permissions) }));
    cleanup.unshift(() => iam.send(new DeleteRolePolicyCommand({ RoleName: roleName, PolicyName: 'list-roles' })));
    step('admin', `role ${Role.Arn}: trusts the provider for SAML:aud=${acsUrl}; allows iam:ListRoles only`);
    idp.grant('aws-readers', `${Role.Arn},${providerArn}`);
    step('admin', `at the IdP: members of aws-readers get the Role attribute ${Role.Arn},${providerArn}`);

    // --- The person signs in; the browser carries the response to the app, which uses it.
    const { acsForm, page } = await browse(appUrl, 'alice', 'correct horse battery staple');
    if (!titleOf(page).startsWith('Signed in as arn:aws:sts::')) throw new Error(`the app did not sign alice in: ${page.slice(0, 500)}`);

    // --- The back button: the browser posts the same response again. An assertion is used once.
    const again = await post(acsForm.action, acsForm.fields);
    const refusal = unescapeHtml(/<p role="alert" id="refusal">([^<]*)<\/p>/.exec(await again.text())?.[1] ?? '');
    if (again.status !== 401 || !refusal.startsWith('InvalidIdentityToken')) throw new Error(`the same response, posted again, answered ${again.status} ${refusal}`);
    step('browser', `posted the same form again (the back button): the app's page says ${refusal}`);
    step('done', 'signed in through a SAML IdP; an allowed and a denied call with the credentials; a used assertion refused');
  } finally {
    for (const c of clients) c.destroy();
    // Against your own Latchkey, leave nothing behind (in process, everything goes with it).
    if (own) for (const undo of cleanup) await undo().catch(() => undefined);
    await idp?.close();
    await closeServer(app);
    await admin.close();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exitCode = 1;
});
