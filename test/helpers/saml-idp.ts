/**
 * A real SAML identity provider on loopback that nobody here wrote: auth0's `samlp` (the IdP
 * middleware behind Auth0's SAML add-on; it builds the assertion with auth0's `saml` and signs it
 * with its own xml-crypto 2), served by node's http through a minimal express-like shim (samlp
 * reads `req.query`/`req.body`/`req.headers` and calls `res.set`/`res.send`, nothing else).
 *
 * A person signs in with a user name and password on its page (POST /sso); the IdP answers with
 * the HTML auto-POST form the browser would submit to AWS, carrying the signed SAMLResponse, with
 * the AWS attributes (Role `role-arn,provider-arn`, RoleSessionName, SessionDuration,
 * PrincipalTag:*, TransitiveTagKeys, SourceIdentity) and the Recipient and Audience AWS expects.
 * `signIn` does that over HTTP and reads the form, as a browser would.
 *
 * Its metadata (GET /metadata) is samlp's own document, for CreateSAMLProvider. Rotation: the IdP
 * publishes the next certificate beside the current one (`publish(['idp-a', 'idp-b'])`; samlp
 * writes one KeyDescriptor per document, so the second is samlp's KeyDescriptor for the other
 * certificate spliced in), then signs with the next key (`signWith('idp-b')`).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import samlp, { type AuthOptions, type ProfileMap, type ProfileMapper, type SamlpRequest, type SamlpResponse } from 'samlp';
import { testKey, type TestKeyName } from './saml.js';

export const AWS_ATTRIBUTE = 'https://aws.amazon.com/SAML/Attributes/';
/** Where an IdP configured for AWS posts the response: AWS's sign-in endpoint (the Recipient and Destination). */
export const AWS_RECIPIENT = 'https://signin.aws.amazon.com/saml';
/** AWS's SP entity id, the Audience an IdP configured for AWS sends. */
export const AWS_AUDIENCE = 'urn:amazon:webservices';
export const PERSISTENT = 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent';

/** A person in the IdP's directory and the AWS attributes it releases for them. */
export interface SamlUser {
  /** The login name, and the NameID. */
  readonly name: string;
  readonly password?: string;
  /** Values of the Role attribute, each `role-arn,provider-arn` (or the other order). */
  readonly roles: readonly string[];
  /** RoleSessionName (default: the name). */
  readonly sessionName?: string;
  /** SessionDuration, seconds. */
  readonly sessionDuration?: number;
  /** PrincipalTag:KEY attributes. */
  readonly tags?: Readonly<Record<string, string>>;
  readonly transitiveTagKeys?: readonly string[];
  readonly sourceIdentity?: string;
  readonly nameIdFormat?: string;
  /** More attributes, by full Name (eduPerson OIDs, …). */
  readonly attributes?: Readonly<Record<string, string | readonly string[]>>;
}

/** How the IdP is configured for this relying party (per sign-in; AWS's values by default). */
export interface RelyingParty {
  readonly audience?: string;
  /** SubjectConfirmationData Recipient (in the signed assertion). */
  readonly recipient?: string;
  /** The Response's Destination, and where the form posts (default: the Recipient). */
  readonly destination?: string;
  readonly issuer?: string;
  readonly signatureAlgorithm?: 'rsa-sha256' | 'rsa-sha1';
  readonly digestAlgorithm?: 'sha256' | 'sha1';
  /** Sign the Response (samlp's default: no). */
  readonly signResponse?: boolean;
  /** Sign the Assertion (samlp's default: yes). */
  readonly signAssertion?: boolean;
  /** Conditions NotBefore = now, NotOnOrAfter = now + this (default 300 s). */
  readonly lifetimeSeconds?: number;
}

export interface SamlIdp {
  readonly url: string;
  /** The entity id (samlp's `issuer`). */
  readonly entityId: string;
  /** The key it signs with now. */
  readonly signingKey: TestKeyName;
  /** Sign with another key from now on (the second step of a rotation). */
  signWith(key: TestKeyName): void;
  /** The certificates its metadata lists, in order (default: the signing key's). */
  publish(keys: readonly TestKeyName[]): void;
  /** Its metadata document, fetched over HTTP (for CreateSAMLProvider / UpdateSAMLProvider). */
  metadata(): Promise<string>;
  /** Sign `user` in (their password, over HTTP) and return the base64 SAMLResponse of the auto-POST form. */
  signIn(user: SamlUser, relyingParty?: RelyingParty): Promise<string>;
  /** signIn, decoded: the response XML exactly as the IdP signed it. */
  signInXml(user: SamlUser, relyingParty?: RelyingParty): Promise<string>;
  close(): Promise<void>;
}

const DEFAULT_PASSWORD = 'correct horse battery staple';

/** The claims samlp puts in the AttributeStatement, by the AWS attribute names. */
function awsClaims(user: SamlUser): Record<string, string | string[]> {
  const claims: Record<string, string | string[]> = {
    [`${AWS_ATTRIBUTE}Role`]: [...user.roles],
    [`${AWS_ATTRIBUTE}RoleSessionName`]: user.sessionName ?? user.name,
  };
  if (user.sessionDuration !== undefined) claims[`${AWS_ATTRIBUTE}SessionDuration`] = String(user.sessionDuration);
  for (const [key, value] of Object.entries(user.tags ?? {})) claims[`${AWS_ATTRIBUTE}PrincipalTag:${key}`] = value;
  if (user.transitiveTagKeys) claims[`${AWS_ATTRIBUTE}TransitiveTagKeys`] = [...user.transitiveTagKeys];
  if (user.sourceIdentity !== undefined) claims[`${AWS_ATTRIBUTE}SourceIdentity`] = user.sourceIdentity;
  for (const [name, value] of Object.entries(user.attributes ?? {})) claims[name] = typeof value === 'string' ? value : [...value];
  return claims;
}

/** samlp's profile mapper interface: user → claims and NameID; `prototype.metadata` lists the claim types in the metadata. */
function awsProfileMapper(user: unknown): ProfileMap {
  const u = user as SamlUser;
  return {
    getClaims: () => awsClaims(u),
    getNameIdentifier: () => ({ nameIdentifier: u.name, nameIdentifierFormat: u.nameIdFormat ?? PERSISTENT }),
  };
}
awsProfileMapper.prototype.metadata = ['Role', 'RoleSessionName', 'SessionDuration', 'SourceIdentity', 'TransitiveTagKeys'].map((n) => ({
  id: `${AWS_ATTRIBUTE}${n}`,
  displayName: n,
  description: `The AWS ${n} attribute`,
}));
const profileMapper: ProfileMapper = awsProfileMapper;

/** The express-like pair samlp expects, over node's request and response. */
function shim(req: IncomingMessage, res: ServerResponse, body: Record<string, string>, user?: SamlUser): { req: SamlpRequest; res: SamlpResponse } {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const headers: Record<string, string> = {};
  return {
    req: {
      method: req.method ?? 'GET',
      query: Object.fromEntries(url.searchParams),
      body,
      headers: req.headers,
      protocol: 'http',
      originalUrl: url.pathname + url.search,
      user,
    },
    res: {
      set: (name, value) => void (headers[name] = value),
      send: (statusOrBody, body2) => {
        const [status, payload] = typeof statusOrBody === 'number' ? [statusOrBody, body2 === undefined ? '' : String(body2)] : [200, statusOrBody];
        res.writeHead(status, headers).end(payload);
      },
    },
  };
}

async function readBody(req: IncomingMessage): Promise<Record<string, string>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
}

const escapeHtml = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

/** Start the IdP on 127.0.0.1 (a free port), signing with `key` (default idp-a). */
export async function startSamlIdp(options: { key?: TestKeyName; entityId?: string } = {}): Promise<SamlIdp> {
  let signingKey: TestKeyName = options.key ?? 'idp-a';
  let published: readonly TestKeyName[] | undefined;
  const users = new Map<string, SamlUser>();
  /** Relying-party settings per sign-in flow (the hidden `flow` field of the sign-in form). */
  const flows = new Map<string, RelyingParty>();
  let base = '';
  let entityId = '';

  function samlpMetadata(req: IncomingMessage, res: ServerResponse, key: TestKeyName): Promise<string> {
    return new Promise((resolve) => {
      const pair = shim(req, res, {});
      samlp.metadata({ issuer: entityId, cert: testKey(key).certificate, profileMapper, postEndpointPath: '/sso', redirectEndpointPath: '/sso' })(pair.req, {
        set: () => undefined,
        send: (body) => resolve(String(body)),
      });
    });
  }

  async function metadata(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const keys = published ?? [signingKey];
    const [first = signingKey, ...more] = keys;
    let doc = await samlpMetadata(req, res, first);
    for (const key of more) {
      const other = await samlpMetadata(req, res, key);
      const descriptor = /<KeyDescriptor[\s\S]*?<\/KeyDescriptor>/.exec(other)?.[0];
      if (!descriptor) throw new Error('samlp metadata without a KeyDescriptor');
      doc = doc.replace(/(<\/KeyDescriptor>)(?![\s\S]*<\/KeyDescriptor>)/, `$1\n    ${descriptor}`);
    }
    res.writeHead(200, { 'content-type': 'application/xml' }).end(doc);
  }

  function signInPage(res: ServerResponse, flow: string, message = ''): void {
    res.writeHead(message ? 401 : 200, { 'content-type': 'text/html; charset=utf-8' }).end(
      `<!doctype html><title>Sign in</title>${message ? `<p role="alert">${escapeHtml(message)}</p>` : ''}<form method="post" action="/sso"><input type="hidden" name="flow" value="${escapeHtml(flow)}"><label>User <input name="username"></label><label>Password <input type="password" name="password"></label><button>Sign in</button></form>`,
    );
  }

  async function sso(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const flow = body.flow ?? '';
    const user = users.get(body.username ?? '');
    if (!user || (user.password ?? DEFAULT_PASSWORD) !== body.password) return signInPage(res, flow, 'Wrong user name or password.');
    const rp = flows.get(flow) ?? {};
    flows.delete(flow);
    const key = testKey(signingKey);
    const recipient = rp.recipient ?? AWS_RECIPIENT;
    const destination = rp.destination ?? recipient;
    const auth: AuthOptions = {
      issuer: rp.issuer ?? entityId,
      cert: key.certificate,
      key: key.privateKey,
      profileMapper,
      audience: rp.audience ?? AWS_AUDIENCE,
      recipient,
      destination,
      signatureAlgorithm: rp.signatureAlgorithm ?? 'rsa-sha256',
      digestAlgorithm: rp.digestAlgorithm ?? 'sha256',
      signResponse: rp.signResponse ?? false,
      signAssertion: rp.signAssertion ?? true,
      lifetimeInSeconds: rp.lifetimeSeconds ?? 300,
      getPostURL: (_audience, _request, _req, callback) => callback(null, destination),
    };
    const pair = shim(req, res, body, user);
    await new Promise<void>((resolve) => {
      const send = pair.res.send;
      pair.res.send = (a, b) => {
        send(a, b);
        resolve();
      };
      samlp.auth(auth)(pair.req, pair.res, (err) => {
        res.writeHead(500, { 'content-type': 'text/plain' }).end(`IdP error: ${String(err)}`);
        resolve();
      });
    });
  }

  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const route = req.method === 'GET' && path === '/metadata' ? metadata(req, res) : req.method === 'GET' && path === '/sso' ? Promise.resolve(signInPage(res, '')) : req.method === 'POST' && path === '/sso' ? sso(req, res) : Promise.resolve(void res.writeHead(404).end());
    route.catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`IdP error: ${String(err)}`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  base = `http://127.0.0.1:${port}`;
  entityId = options.entityId ?? `${base}/saml`;

  async function signIn(user: SamlUser, relyingParty: RelyingParty = {}): Promise<string> {
    users.set(user.name, user); // the directory entry as given: a changed profile is the IdP's current one
    const flow = randomUUID();
    flows.set(flow, relyingParty);
    const answer = await fetch(`${base}/sso`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ flow, username: user.name, password: user.password ?? DEFAULT_PASSWORD }).toString(),
    });
    const html = await answer.text();
    if (answer.status !== 200) throw new Error(`IdP sign-in answered ${answer.status}: ${html.slice(0, 300)}`);
    const action = /<form[^>]*\saction="([^"]*)"/.exec(html)?.[1];
    const samlResponse = /name="SAMLResponse"\s+value="([^"]*)"/.exec(html)?.[1];
    if (action !== (relyingParty.destination ?? relyingParty.recipient ?? AWS_RECIPIENT) || !samlResponse) throw new Error(`no auto-POST form to the destination in the IdP's answer: ${html.slice(0, 300)}`);
    return samlResponse;
  }

  return {
    url: base,
    entityId,
    get signingKey() {
      return signingKey;
    },
    signWith(key) {
      signingKey = key;
    },
    publish(keys) {
      published = [...keys];
    },
    async metadata() {
      const answer = await fetch(`${base}/metadata`);
      if (answer.status !== 200) throw new Error(`IdP metadata answered ${answer.status}`);
      return answer.text();
    },
    signIn,
    async signInXml(user, relyingParty) {
      return Buffer.from(await signIn(user, relyingParty), 'base64').toString('utf8');
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
