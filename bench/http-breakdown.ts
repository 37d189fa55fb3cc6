/**
 * Where the time of one request goes, measured inside the server process with no socket: each
 * stage of the pipeline alone, one call at a time. The first rows show what the hot caches save
 * (the token opened, the signing key derived, every time); from deps.authenticate() on, caches
 * are warm as in service, and subtracting one row from the next gives the cost of a layer
 * (authenticate → the whole AWS Query pipeline → Hono and the access log).
 */
import { performance } from 'node:perf_hooks';
import { randomUUID } from 'node:crypto';
import { authenticate } from '../src/auth/authenticate.js';
import { handleQuery } from '../src/http/pipeline.js';
import type { RawRequest } from '../src/http/raw-request.js';
import type { Service } from '../src/service.js';
import { verifyWebIdentityToken } from '../src/federation/oidc/verify.js';
import { parseXml, verifySignedAssertion } from '../src/federation/saml/samlify.js';
import { checkSchema } from '../src/federation/saml/schema.js';
import { verifySamlResponse } from '../src/federation/saml/verify-response.js';
import { asKeySet, verifySignature } from '../src/federation/oidc/jose.js';
import { verify } from '../src/sigv4/index.js';
import { findOidcProviderByIssuer } from '../src/store/oidc-providers.js';
import { useAssertionOnce } from '../src/store/saml-assertions.js';
import { issueCredentials } from '../src/sts/issue.js';
import type { Keyring } from '../src/tokens/keyring.js';
import { openSessionToken } from '../src/tokens/session-token.js';

/** A signed request as it goes on the wire. */
export interface WireRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** An AssumeRoleWithWebIdentity request, its token, and where the token's provider is registered. */
export interface WebIdentityBreakdown {
  readonly req: WireRequest;
  readonly token: string;
  readonly issuer: string;
  readonly accountId: string;
}

/** AssumeRoleWithSAML requests, each with a fresh signed response (an assertion is accepted once), and the provider. */
export interface SamlBreakdown {
  readonly reqs: readonly WireRequest[];
  /** One base64 response, for the stages that do not use it up. */
  readonly response: string;
  readonly providerArn: string;
  readonly accountId: string;
}

export interface StageResult {
  readonly name: string;
  readonly opsPerSec: number;
  readonly p50us: number;
  readonly p99us: number;
}

/** `fn` once per item (the first fifth as warm-up): for calls that succeed only once per input. */
async function timeEach<T>(name: string, items: readonly T[], fn: (item: T) => unknown): Promise<StageResult> {
  const warm = Math.floor(items.length / 5);
  for (const item of items.slice(0, warm)) await fn(item);
  const times: number[] = [];
  const start = performance.now();
  let now = start;
  for (const item of items.slice(warm)) {
    const t0 = now;
    await fn(item);
    now = performance.now();
    times.push((now - t0) * 1000);
  }
  const sorted = Float64Array.from(times).sort();
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] ?? 0;
  return { name, opsPerSec: times.length / ((now - start) / 1000), p50us: at(0.5), p99us: at(0.99) };
}

async function timeAsync(name: string, fn: () => unknown, durationMs = 1000): Promise<StageResult> {
  const warmEnd = performance.now() + 300;
  while (performance.now() < warmEnd) await fn();
  const times: number[] = [];
  const start = performance.now();
  let now = start;
  while (now - start < durationMs) {
    const t0 = now;
    await fn();
    now = performance.now();
    times.push((now - t0) * 1000);
  }
  const sorted = Float64Array.from(times).sort();
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] ?? 0;
  return { name, opsPerSec: times.length / ((now - start) / 1000), p50us: at(0.5), p99us: at(0.99) };
}

function rawOf(req: WireRequest): RawRequest {
  const headers: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(req.headers)) headers[k.toLowerCase()] = [v];
  return {
    sig: { method: req.method, path: req.path, query: '', headers, body: Buffer.from(req.body, 'utf8') },
    sourceIp: '127.0.0.1',
    secureTransport: false,
    userAgent: undefined,
  };
}

/** Stage by stage for one request made with temporary credentials, then the whole pipeline for every other one. */
export async function breakdown(
  service: Service,
  keyring: Keyring,
  url: string,
  temporary: WireRequest,
  others: readonly { name: string; req: WireRequest }[],
  webIdentity?: WebIdentityBreakdown,
  saml?: SamlBreakdown,
): Promise<StageResult[]> {
  const deps = service.deps;
  const raw = rawOf(temporary);
  const token = temporary.headers['x-amz-security-token'] ?? '';
  const authDeps = { db: deps.store.db, keyring: service.registry.keyring, keys: deps.caches.keys };
  const allowed = { services: ['sts'] };
  const check = async (r: RawRequest, name: string) => {
    const outcome = await handleQuery(deps, r, randomUUID());
    if (outcome.response.status !== 200) throw new Error(`breakdown ${name}: ${outcome.response.status} ${outcome.response.body}`);
  };
  await check(raw, 'GetCallerIdentity (temporary)');
  const secret = openSessionToken(keyring, token)?.sk;
  const results = [
    await timeAsync('token open (AES-256-GCM + JSON.parse)', () => openSessionToken(keyring, token)),
    await timeAsync('SigV4 verify, no caches (parse, canonical request, signing key derived, HMAC)', () =>
      verify(raw.sig, { now: Date.now(), allowed, lookupSigner: async () => (secret === undefined ? undefined : { secret }) }),
    ),
    await timeAsync('authenticate(), no caches (token opened, key checked, SigV4)', () => authenticate(authDeps, raw.sig, Date.now(), allowed)),
    await timeAsync('deps.authenticate(): the same as the pipeline calls it, caches warm', () => deps.authenticate(raw.sig, Date.now(), 'sts')),
    await timeAsync('handleQuery(): GetCallerIdentity, temporary credentials', () => handleQuery(deps, raw, randomUUID())),
    // With no socket there is no node message: the app reads this one through the WHATWG Request.
    await timeAsync('app.fetch(): the same through Hono + access log (WHATWG body)', async () => {
      const res = await service.app.fetch(new Request(url, { method: temporary.method, headers: temporary.headers, body: temporary.body }));
      await res.arrayBuffer();
    }),
  ];
  for (const { name, req } of others) {
    const r = rawOf(req);
    await check(r, name);
    results.push(await timeAsync(`handleQuery(): ${name}`, () => handleQuery(deps, r, randomUUID())));
  }
  if (webIdentity) results.push(...(await webIdentityStages(service, keyring, webIdentity, check)));
  if (saml) results.push(...(await samlStages(service, saml, check)));
  return results;
}

/**
 * AssumeRoleWithSAML's own steps, then the whole call: what it adds to AssumeRole's work is the
 * response parsed (xmldom), checked against the schemas (libxml2) and its signature verified
 * (xml-crypto, through samlify), the checks on the signed assertion, and the assertion's id inserted in the replay store (one more write per
 * call, beside the issuance's audit event).
 */
async function samlStages(service: Service, saml: SamlBreakdown, check: (r: RawRequest, name: string) => Promise<void>): Promise<StageResult[]> {
  const deps = service.deps;
  const [first, ...reqs] = saml.reqs.map(rawOf);
  if (!first) throw new Error('breakdown: no AssumeRoleWithSAML requests');
  await check(first, 'AssumeRoleWithSAML');
  const provider = await service.registry.samlProviders.find(saml.accountId, saml.providerArn, deps.store.db);
  if (!provider) throw new Error(`breakdown: no SAML provider ${saml.providerArn}`);
  const xml = Buffer.from(saml.response, 'base64').toString('utf8');
  const keys = { entityId: provider.entityId, certificates: provider.certificates, allowSha1: false };
  let n = 0;
  const expires = new Date(Date.now() + 600_000);
  return [
    await timeAsync('parseXml(): the response parsed alone (@xmldom/xmldom)', () => parseXml(xml)),
    await timeAsync('checkSchema(): the SAML 2.0 schemas (libxml2-wasm)', () => checkSchema(xml)),
    await timeAsync('verifySignedAssertion(): the XML signature (samlify + xml-crypto: parse, c14n, SHA-256, RSA)', () => verifySignedAssertion(xml, provider.certificates)),
    await timeAsync('verifySamlResponse(): every check of the response (no database)', () => verifySamlResponse(saml.response, keys, service.registry.saml, new Date())),
    await timeAsync('useAssertionOnce(): the replay store insert (a fresh id each time)', () => useAssertionOnce(deps.store.db, saml.providerArn, `_stage${++n}`, expires)),
    await timeEach('handleQuery(): AssumeRoleWithSAML (a fresh response each time)', reqs, async (r) => {
      const outcome = await handleQuery(deps, r, randomUUID());
      if (outcome.response.status !== 200) throw new Error(`breakdown AssumeRoleWithSAML: ${outcome.response.status} ${outcome.response.body}`);
    }),
  ];
}

/**
 * AssumeRoleWithWebIdentity's own steps (keys cached, as after the first request), then the whole
 * call: what it adds to AssumeRole's work (the role, its trust policy, the session token sealed,
 * the issuance's audit event written) is the token verified and the provider read.
 */
async function webIdentityStages(service: Service, keyring: Keyring, wi: WebIdentityBreakdown, check: (r: RawRequest, name: string) => Promise<void>): Promise<StageResult[]> {
  const deps = service.deps;
  const raw = rawOf(wi.req);
  // The first call fetches and caches the provider's keys; every later one uses them.
  await check(raw, 'AssumeRoleWithWebIdentity');
  const provider = await findOidcProviderByIssuer(deps.store.db, wi.accountId, wi.issuer);
  if (!provider) throw new Error(`breakdown: no provider for ${wi.issuer}`);
  const keys = asKeySet(await (await fetch(`${wi.issuer}/keys`)).json());
  if (!keys) throw new Error('breakdown: the issuer served no key set');
  const role = { id: 'AROABENCHBENCHBENCH01', name: 'bench-web-role', path: '/' };
  return [
    await timeAsync('verifySignature(): the RS256 signature alone (jose, cached key set)', () => verifySignature(wi.token, keys)),
    await timeAsync('verifyWebIdentityToken(): header, signature, claims, audience (keys cached)', () => verifyWebIdentityToken(wi.token, provider, service.registry.oidcKeys, new Date())),
    await timeAsync('findOidcProviderByIssuer(): the provider row (a database read per call)', () => findOidcProviderByIssuer(deps.store.db, wi.accountId, wi.issuer)),
    await timeAsync('issueCredentials(): a role session token sealed (AES-256-GCM)', () =>
      issueCredentials(keyring, new Date(), 3600, { kind: 'role', acct: wi.accountId, arn: `arn:aws:sts::${wi.accountId}:assumed-role/bench-web-role/b`, uid: `${role.id}:b`, role, name: 'b', depth: 0 }),
    ),
    await timeAsync('handleQuery(): AssumeRoleWithWebIdentity (keys cached)', () => handleQuery(deps, raw, randomUUID())),
  ];
}
