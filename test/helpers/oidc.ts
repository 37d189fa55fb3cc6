/**
 * Identity providers for the web identity tests, all on loopback over TLS:
 * - a test CA (openssl) whose certificate tests trust through OIDC_CA_BUNDLE, and certificates
 *   it did not sign (self-signed, another CA) for the thumbprint rule;
 * - a real OpenID Connect provider nobody here wrote (oidc-provider), signing users in through
 *   its own login and consent pages and issuing real ID tokens;
 * - stand-in issuers that serve discovery and a key set the tests control (GitHub-Actions- and
 *   Kubernetes-shaped tokens signed with those keys; key sets that hang, are huge, or are garbage).
 */
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, SignJWT, type JWK, type JWTPayload, type CryptoKey } from 'jose';

/* ----------------------------------------------------------------------------------------- */
/* Certificates                                                                                */
/* ----------------------------------------------------------------------------------------- */

export interface Pem {
  readonly key: string;
  readonly cert: string;
}

export interface TestPki {
  /** The CA tests trust (OIDC_CA_BUNDLE). */
  readonly ca: Pem;
  /** Signed by `ca`, for localhost, 127.0.0.1 and the stand-ins' public host names. */
  readonly server: Pem;
  /** A CA nobody trusts, and a localhost certificate it signed. */
  readonly otherCa: Pem;
  readonly otherServer: Pem;
  /** Self-signed, for localhost. */
  readonly selfSigned: Pem;
  close(): void;
}

/** Public host names the test certificate also names, so that tests can route them to loopback stand-ins (FetchPolicy.connectTo). */
export const PUBLIC_HOSTS = ['token.actions.githubusercontent.com', 'oidc.eks.us-east-1.amazonaws.com', 'accounts.google.com', 'www.googleapis.com', 'graph.facebook.com', 'api.amazon.com'];

/** Certificates from openssl, valid for two days. */
export function makePki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-pki-'));
  const ssl = (...args: string[]): void => void execFileSync('/usr/bin/openssl', args, { cwd: dir, stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  const ca = (name: string): void => ssl('req', '-x509', ...ec, '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '2', '-subj', `/CN=${name}`, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  const leaf = (name: string, caName: string, sans: string): void => {
    ssl('req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', '/CN=localhost');
    writeFileSync(join(dir, `${name}.ext`), `subjectAltName=${sans}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n`);
    ssl('x509', '-req', '-in', `${name}.csr`, '-CA', `${caName}.pem`, '-CAkey', `${caName}.key`, '-CAcreateserial', '-out', `${name}.pem`, '-days', '2', '-extfile', `${name}.ext`);
  };
  ca('test-ca');
  ca('other-ca');
  leaf('server', 'test-ca', ['DNS:localhost', 'IP:127.0.0.1', ...PUBLIC_HOSTS.map((h) => `DNS:${h}`)].join(','));
  leaf('other-server', 'other-ca', 'DNS:localhost,IP:127.0.0.1');
  ssl('req', '-x509', ...ec, '-keyout', 'self.key', '-out', 'self.pem', '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1');
  const read = (name: string): Pem => ({ key: readFileSync(join(dir, `${name}.key`), 'utf8'), cert: readFileSync(join(dir, `${name}.pem`), 'utf8') });
  const pki = { ca: read('test-ca'), server: read('server'), otherCa: read('other-ca'), otherServer: read('other-server'), selfSigned: read('self') };
  return { ...pki, close: () => rmSync(dir, { recursive: true, force: true }) };
}

/** IAM's thumbprint of a PEM certificate: its SHA-1, 40 lower-case hex digits. */
export function thumbprint(pem: string): string {
  return new X509Certificate(pem).fingerprint.replace(/:/g, '').toLowerCase();
}

/* ----------------------------------------------------------------------------------------- */
/* HTTPS                                                                                       */
/* ----------------------------------------------------------------------------------------- */

export interface Listening {
  readonly server: Server;
  readonly port: number;
  close(): Promise<void>;
}

export function listenTls(tls: { key: string; cert: string }, handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<Listening> {
  const server = createServer({ key: tls.key, cert: tls.cert }, handler);
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as AddressInfo).port;
      resolve({
        server,
        port,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

export interface HttpsAnswer {
  readonly status: number;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

/** One HTTPS request trusting `ca` (a browser's part in a sign-in, cookies passed by hand). */
export function httpsCall(url: string, ca: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<HttpsAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'GET', headers: options.headers, ca }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/* ----------------------------------------------------------------------------------------- */
/* Keys and tokens                                                                             */
/* ----------------------------------------------------------------------------------------- */

export interface SigningKey {
  readonly kid: string;
  readonly alg: 'RS256' | 'ES256' | 'ES384' | 'RS512';
  readonly privateKey: CryptoKey;
  readonly publicJwk: JWK;
}

export async function signingKey(kid: string, alg: SigningKey['alg'] = 'RS256'): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { kid, alg, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

/** A JWT signed with `key`; `header` adds to (or overrides) the protected header. */
export function signToken(key: SigningKey, claims: JWTPayload & Record<string, unknown>, header: Record<string, unknown> = {}): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT', ...header }).sign(key.privateKey);
}

/** base64url of a JSON value (hand-built tokens: alg none, HS256 with the public key). */
export function b64json(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/* ----------------------------------------------------------------------------------------- */
/* Stand-in issuers                                                                            */
/* ----------------------------------------------------------------------------------------- */

export type KeySetMode = 'ok' | 'hang' | 'huge' | 'garbage';

export interface StandInIssuer {
  /** The exact issuer URL (`https://host[:port]/path`). */
  readonly issuer: string;
  keys: SigningKey[];
  mode: KeySetMode;
  /** How many times its key set was fetched. */
  fetches: number;
}

/**
 * Many issuers on one HTTPS server, told apart by Host and path: discovery at
 * `${issuer}/.well-known/openid-configuration`, the key set at `${issuer}/keys`.
 */
export class StandIns {
  private readonly issuers = new Map<string, StandInIssuer>();
  private readonly hanging = new Set<ServerResponse>();

  constructor(readonly listening: Listening) {}

  static async start(tls: { key: string; cert: string }): Promise<StandIns> {
    let self: StandIns | undefined;
    const l = await listenTls(tls, (req, res) => self?.handle(req, res));
    self = new StandIns(l);
    return self;
  }

  get port(): number {
    return this.listening.port;
  }

  add(issuer: string, keys: SigningKey[], mode: KeySetMode = 'ok'): StandInIssuer {
    const entry: StandInIssuer = { issuer, keys, mode, fetches: 0 };
    this.issuers.set(issuer, entry);
    return entry;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const base = `https://${req.headers.host ?? ''}${req.url ?? ''}`;
    const discovery = '/.well-known/openid-configuration';
    const json = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (base.endsWith(discovery)) {
      // GitHub's issuer has no path: its discovery is at the root.
      const issuer = this.issuers.get(base.slice(0, -discovery.length));
      if (!issuer) return json(404, { error: 'no such issuer' });
      return json(200, { issuer: issuer.issuer, jwks_uri: `${issuer.issuer}/keys`, response_types_supported: ['id_token'], subject_types_supported: ['public'], id_token_signing_alg_values_supported: ['RS256', 'ES256'] });
    }
    if (base.endsWith('/keys')) {
      const issuer = this.issuers.get(base.slice(0, -'/keys'.length));
      if (!issuer) return json(404, { error: 'no such issuer' });
      issuer.fetches++;
      switch (issuer.mode) {
        case 'hang':
          this.hanging.add(res);
          return;
        case 'huge': {
          const body = `{"keys":[],"padding":"${'x'.repeat(2 * 1024 * 1024)}"}`;
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) });
          res.end(body);
          return;
        }
        case 'garbage':
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end('<html>this is not a key set</html>');
          return;
        default:
          return json(200, { keys: issuer.keys.map((k) => k.publicJwk) });
      }
    }
    json(404, { error: 'not found' });
  }

  async close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    await this.listening.close();
  }
}

/* ----------------------------------------------------------------------------------------- */
/* A real OpenID Connect provider                                                              */
/* ----------------------------------------------------------------------------------------- */

export interface RealIdp {
  readonly issuer: string;
  readonly clientId: string;
  /** Sign `user` in through the provider's own login and consent pages; its ID token. */
  signIn(user: string): Promise<string>;
  close(): Promise<void>;
}

const REDIRECT = 'https://app.example/callback';

/** oidc-provider (panva), its development login pages and a key of ours, over TLS on loopback. */
export async function startRealIdp(tls: Pem, ca: string, key: SigningKey): Promise<RealIdp> {
  const { default: Provider } = await import('oidc-provider');
  const clientId = 'mobile-app';
  let provider: InstanceType<typeof Provider> | undefined;
  const listening = await listenTls(tls, (req, res) => provider?.callback()(req, res));
  const issuer = `https://localhost:${listening.port}`;
  const jwk = { ...(await exportJWK(key.privateKey)), kid: key.kid, alg: key.alg, use: 'sig' };
  provider = new Provider(issuer, {
    clients: [{ client_id: clientId, client_secret: 'mobile-app-secret', redirect_uris: [REDIRECT], grant_types: ['authorization_code'], response_types: ['code'] }],
    jwks: { keys: [jwk] },
    findAccount: (_ctx: unknown, sub: string) => ({ accountId: sub, claims: () => ({ sub }) }),
    pkce: { required: () => false },
    // Explicit lifetimes (seconds): with oidc-provider's defaults it prints a NOTICE per kind.
    ttl: { Interaction: 600, Session: 3600, Grant: 3600, AccessToken: 600, IdToken: 3600 },
  });
  provider.proxy = false;
  const cookies = new Map<string, string>();
  const jar = (): string => [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  const keep = (a: HttpsAnswer): void => {
    for (const line of a.headers['set-cookie'] ?? []) {
      const [pair] = line.split(';');
      const eq = pair?.indexOf('=') ?? -1;
      if (pair && eq > 0) cookies.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
  };
  const go = async (url: string, options: { method?: string; body?: string } = {}): Promise<HttpsAnswer> => {
    const headers: Record<string, string> = { cookie: jar() };
    if (options.body !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
    const a = await httpsCall(new URL(url, issuer).href, ca, { ...options, headers });
    keep(a);
    return a;
  };
  const follow = (a: HttpsAnswer): string => {
    const location = a.headers.location;
    if (a.status < 300 || a.status > 399 || !location) throw new Error(`expected a redirect, got ${a.status}: ${a.body.slice(0, 300)}`);
    return location;
  };
  return {
    issuer,
    clientId,
    async signIn(user) {
      cookies.clear();
      const auth = new URL('/auth', issuer);
      auth.search = new URLSearchParams({ client_id: clientId, response_type: 'code', scope: 'openid', redirect_uri: REDIRECT, nonce: `n-${user}`, state: 's' }).toString();
      let location = follow(await go(auth.href));
      // The provider's own pages: login, then consent; each POST resumes the authorization.
      for (let step = 0; step < 4 && !location.startsWith(REDIRECT); step++) {
        const page = await go(location);
        const uid = /\/interaction\/([^/?"]+)/.exec(location)?.[1];
        if (!uid) throw new Error(`unexpected page at ${location}`);
        const form = page.body.includes('name="login"') ? `prompt=login&login=${encodeURIComponent(user)}&password=secret` : 'prompt=consent';
        location = follow(await go(`/interaction/${uid}`, { method: 'POST', body: form }));
        while (location.includes('/auth/')) location = follow(await go(location));
      }
      const code = new URL(location).searchParams.get('code');
      if (!code) throw new Error(`no code in ${location}`);
      const token = await httpsCall(new URL('/token', issuer).href, ca, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${clientId}:mobile-app-secret`).toString('base64')}` },
        body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT }).toString(),
      });
      const idToken = (JSON.parse(token.body) as { id_token?: string }).id_token;
      if (!idToken) throw new Error(`no id_token: ${token.body}`);
      return idToken;
    },
    close: () => listening.close(),
  };
}
