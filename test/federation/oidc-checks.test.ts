/**
 * The web identity token's checks, one named function each (src/federation/oidc/checks.ts), with a
 * fixed clock; the thumbprint rule (pinnedChainAccepts) and the bounded fetch (boundedGet) on
 * loopback; the claim → condition key mapping (src/federation/claims.ts).
 */
import { X509Certificate } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, test } from 'vitest';
import { AwsError } from '../../src/errors.js';
import { googleTrustKeys, oauthTrustKeys, sessionKeys, sourceIdentityClaim, tagsClaim, trustKeys } from '../../src/federation/claims.js';
import { googleIssuerForms } from '../../src/federation/google.js';
import {
  CLOCK_SKEW_SECONDS,
  checkExpiry,
  checkHeader,
  checkIntegerTimestamps,
  checkIssuer,
  checkNotBefore,
  checkTokenShape,
  INCORRECT_AUDIENCE,
  matchAudience,
  MAX_TOKEN_LENGTH,
  parseClaims,
  subjectOf,
} from '../../src/federation/oidc/checks.js';
import { boundedGet, FetchFailure, isLoopbackHost, pinnedChainAccepts, thumbprintOf } from '../../src/federation/oidc/https-get.js';
import { listenTls, makePki } from '../helpers/oidc.js';

const NOW = 1_700_000_000;

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (err) {
    return err instanceof AwsError ? err.code : 'not an AwsError';
  }
  return undefined;
}

describe('checkHeader: the algorithm allow-list and no foreign keys', () => {
  test.each(['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512'])('%s is accepted', (alg) => expect(codeOf(() => checkHeader({ alg, kid: 'k' }))).toBeUndefined());
  test.each(['none', 'None', 'HS256', 'HS512', 'PS256', 'EdDSA', 'ES256K', ''])('%s is refused', (alg) => expect(codeOf(() => checkHeader({ alg }))).toBe('InvalidIdentityToken'));
  test.each(['jku', 'x5u', 'jwk'])('a %s header is refused', (h) => expect(codeOf(() => checkHeader({ alg: 'RS256', [h]: 'https://elsewhere' }))).toBe('InvalidIdentityToken'));
  test('no header at all', () => expect(codeOf(() => checkHeader(undefined))).toBe('InvalidIdentityToken'));
});

describe('checkTokenShape', () => {
  test('a compact JWS within the bound', () => expect(codeOf(() => checkTokenShape('a.b.c'))).toBeUndefined());
  test('over MAX_TOKEN_LENGTH', () => expect(codeOf(() => checkTokenShape(`a.${'b'.repeat(MAX_TOKEN_LENGTH)}.c`))).toBe('InvalidIdentityToken'));
  test.each(['a.b', 'a.b.c.d', 'a.b+.c', ''])('not a compact JWS: %s', (t) => expect(codeOf(() => checkTokenShape(t))).toBe('InvalidIdentityToken'));
});

describe('claims', () => {
  test('parseClaims wants a JSON object', () => {
    expect(parseClaims('{"a":1}')).toEqual({ a: 1 });
    for (const bad of ['[1]', '1', 'null', 'nope']) expect(codeOf(() => parseClaims(bad))).toBe('InvalidIdentityToken');
  });
  test('checkIssuer is exact: no trailing slash, no case folding', () => {
    expect(codeOf(() => checkIssuer({ iss: 'https://a.example' }, 'https://a.example'))).toBeUndefined();
    for (const iss of ['https://a.example/', 'https://A.example', 'http://a.example', undefined]) expect(codeOf(() => checkIssuer({ iss }, 'https://a.example'))).toBe('InvalidIdentityToken');
  });
  test('matchAudience: aud (string or list) in the client ids, else azp', () => {
    expect(matchAudience({ aud: 'app' }, ['app'])).toBe('app');
    expect(matchAudience({ aud: ['x', 'app'] }, ['app'])).toBe('app');
    expect(matchAudience({ aud: 'x', azp: 'app' }, ['app'])).toBe('app');
    expect(() => matchAudience({ aud: 'x' }, ['app'])).toThrow(INCORRECT_AUDIENCE);
    expect(() => matchAudience({}, ['app'])).toThrow(INCORRECT_AUDIENCE);
  });
  test('subjectOf wants a non-empty string', () => {
    expect(subjectOf({ sub: 'u' })).toBe('u');
    for (const sub of ['', 1, undefined, 'x'.repeat(256)]) expect(codeOf(() => subjectOf({ sub }))).toBe('InvalidIdentityToken');
  });
});

describe('timestamps', () => {
  test('checkIntegerTimestamps: exp and iat required, each an integer', () => {
    expect(checkIntegerTimestamps({ exp: NOW + 1, iat: NOW })).toEqual({ exp: NOW + 1, iat: NOW, nbf: undefined });
    for (const bad of [{ exp: NOW + 0.5, iat: NOW }, { exp: NOW, iat: NOW - 0.1 }, { exp: NOW, iat: NOW, nbf: 1.5 }, { exp: `${NOW}`, iat: NOW }, { iat: NOW }, { exp: NOW }, { exp: NOW, iat: -1 }, { exp: 1e300, iat: NOW }]) {
      expect(codeOf(() => checkIntegerTimestamps(bad))).toBe('InvalidIdentityToken');
    }
  });
  test("checkExpiry: AWS's ExpiredTokenException and message, after the skew", () => {
    expect(codeOf(() => checkExpiry(NOW + 1, NOW))).toBeUndefined();
    expect(codeOf(() => checkExpiry(NOW - CLOCK_SKEW_SECONDS + 1, NOW))).toBeUndefined();
    expect(() => checkExpiry(NOW - CLOCK_SKEW_SECONDS, NOW)).toThrow(`Token expired: current date/time ${NOW} must be before the expiration date/time ${NOW - CLOCK_SKEW_SECONDS}`);
    expect(codeOf(() => checkExpiry(NOW - 3600, NOW))).toBe('ExpiredTokenException');
  });
  test('checkNotBefore: nbf and iat not beyond the skew in the future', () => {
    expect(codeOf(() => checkNotBefore({ iat: NOW + CLOCK_SKEW_SECONDS, nbf: NOW + CLOCK_SKEW_SECONDS }, NOW))).toBeUndefined();
    expect(codeOf(() => checkNotBefore({ iat: NOW, nbf: NOW + CLOCK_SKEW_SECONDS + 1 }, NOW))).toBe('InvalidIdentityToken');
    expect(codeOf(() => checkNotBefore({ iat: NOW + CLOCK_SKEW_SECONDS + 1, nbf: undefined }, NOW))).toBe('InvalidIdentityToken');
  });
});

describe('claims → condition keys', () => {
  test('every provider: aud, sub, amr; GitHub claims only for GitHub issuer', () => {
    const claims = { amr: ['pwd'], repository: 'o/r', actor_id: 42 };
    expect(trustKeys('idp.example/x', 'https://idp.example/x', claims, 'app', 'u')).toEqual({ 'idp.example/x:aud': 'app', 'idp.example/x:sub': 'u', 'idp.example/x:amr': ['pwd'] });
    expect(trustKeys('token.actions.githubusercontent.com', 'https://token.actions.githubusercontent.com', claims, 'sts.amazonaws.com', 's')).toMatchObject({
      'token.actions.githubusercontent.com:repository': 'o/r',
      'token.actions.githubusercontent.com:actor_id': '42',
    });
  });
  test('the session carries the provider, aud and sub only', () => {
    expect(sessionKeys('arn:p', 'h/p', 'a', 's')).toEqual({ 'aws:FederatedProvider': 'arn:p', 'h/p:aud': 'a', 'h/p:sub': 's' });
  });
  test('Google: :aud is azp when present, else aud; :oaud always aud', () => {
    expect(googleTrustKeys({ aud: 'web', azp: 'android' }, 'u')).toEqual({ 'accounts.google.com:aud': 'android', 'accounts.google.com:oaud': 'web', 'accounts.google.com:sub': 'u' });
    expect(googleTrustKeys({ aud: 'web' }, 'u')).toEqual({ 'accounts.google.com:aud': 'web', 'accounts.google.com:oaud': 'web', 'accounts.google.com:sub': 'u' });
    expect(googleIssuerForms('https://accounts.google.com')).toEqual(['https://accounts.google.com', 'accounts.google.com']);
  });
  test('Facebook and Login with Amazon: their own key names, in the trust policy and the session', () => {
    expect(oauthTrustKeys('graph.facebook.com', 'app', 'u')).toEqual({ 'graph.facebook.com:app_id': 'app', 'graph.facebook.com:id': 'u' });
    expect(oauthTrustKeys('www.amazon.com', 'client', 'u')).toEqual({ 'www.amazon.com:app_id': 'client', 'www.amazon.com:user_id': 'u' });
    expect(sessionKeys('www.amazon.com', 'www.amazon.com', 'client', 'u')).toEqual({ 'aws:FederatedProvider': 'www.amazon.com', 'www.amazon.com:app_id': 'client', 'www.amazon.com:user_id': 'u' });
    expect(sessionKeys('accounts.google.com', 'accounts.google.com', 'web', 'u')).toEqual({ 'aws:FederatedProvider': 'accounts.google.com', 'accounts.google.com:aud': 'web', 'accounts.google.com:sub': 'u' });
  });
  test('the tags claim', () => {
    const t = 'https://aws.amazon.com/tags';
    expect(tagsClaim({ [t]: { principal_tags: { a: ['1'] }, transitive_tag_keys: ['a'] } })).toEqual({ ok: true, tags: [{ key: 'a', value: '1' }], transitive: ['a'] });
    expect(tagsClaim({})).toEqual({ ok: true, tags: undefined, transitive: undefined });
    for (const bad of [[], 'x', { principal_tags: { a: [1] } }, { principal_tags: { a: ['1', '2'] } }, { transitive_tag_keys: 'a' }]) expect(tagsClaim({ [t]: bad }).ok).toBe(false);
    // The rules of the request's own Tags, which a token never passes through (found in review).
    const many = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, ['v']]));
    const fifty = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, ['v']]));
    expect(tagsClaim({ [t]: { principal_tags: fifty } }).ok).toBe(true);
    for (const bad of [
      { principal_tags: many },
      { principal_tags: { '': ['v'] } },
      { principal_tags: { ['k'.repeat(129)]: ['v'] } },
      { principal_tags: { k: ['v'.repeat(257)] } },
      { principal_tags: { 'a<b': ['v'] } },
      { principal_tags: { k: ['line\nbreak'] } },
      { principal_tags: { k: ['v'] }, transitive_tag_keys: Array.from({ length: 51 }, (_, i) => `k${i}`) },
      { principal_tags: { k: ['v'] }, transitive_tag_keys: [''] },
    ]) {
      const r = tagsClaim({ [t]: bad });
      expect(r.ok, JSON.stringify(bad).slice(0, 80)).toBe(false);
      if (!r.ok) expect(r.message).toMatch(/^The https:\/\/aws\.amazon\.com\/tags claim: at most 50|^The https:\/\/aws\.amazon\.com\/tags claim: a (session|transitive) tag/);
    }
    expect(tagsClaim({ [t]: { principal_tags: { 'Team Name_:/=+-@é': ['ä 1.2'] } } }).ok).toBe(true);
  });
  test('the source identity claim', () => {
    const s = 'https://aws.amazon.com/source_identity';
    expect(sourceIdentityClaim({ [s]: 'alice@example.com' })).toEqual({ ok: true, value: 'alice@example.com' });
    for (const bad of ['a', 'aws:x', 'has space', 1]) expect(sourceIdentityClaim({ [s]: bad }).ok).toBe(false);
  });
});

describe('pinnedChainAccepts: thumbprints along a chain whose signatures verify', () => {
  const pki = makePki();
  afterAll(() => pki.close());
  const x = (pem: string): X509Certificate => new X509Certificate(pem);
  const now = new Date();
  const leaf = x(pki.otherServer.cert);
  const ca = x(pki.otherCa.cert);
  const self = x(pki.selfSigned.cert);

  test('the leaf itself pinned', () => expect(pinnedChainAccepts([self], 'localhost', [thumbprintOf(self)], now)).toBe(true));
  test('the CA pinned, the leaf signed by it', () => expect(pinnedChainAccepts([leaf, ca], '127.0.0.1', [thumbprintOf(ca).toUpperCase()], now)).toBe(true));
  test('the CA pinned but merely sent along with a leaf it did not sign', () => expect(pinnedChainAccepts([self, ca], 'localhost', [thumbprintOf(ca)], now)).toBe(false));
  test('the host name must still match', () => expect(pinnedChainAccepts([self], 'other.example', [thumbprintOf(self)], now)).toBe(false));
  test('expired certificates are not accepted', () => expect(pinnedChainAccepts([self], 'localhost', [thumbprintOf(self)], new Date(Date.now() + 10 * 86_400_000))).toBe(false));
  test('no thumbprints, no acceptance', () => expect(pinnedChainAccepts([leaf, ca], 'localhost', [], now)).toBe(false));
});

describe('boundedGet', () => {
  const policy = { timeoutMs: 300, maxBytes: 1024, ca: [], thumbprints: [], allowLoopbackHttp: true, now: () => new Date() };
  const server = createServer((req, res) => {
    if (req.url === '/hang') return;
    if (req.url === '/stream') {
      res.writeHead(200);
      res.write('x'.repeat(800));
      res.end('y'.repeat(800));
      return;
    }
    res.writeHead(302, { location: 'http://127.0.0.1:1/elsewhere' });
    res.end();
  });
  const url = new Promise<string>((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });
  const failure = async (p: Promise<unknown>): Promise<string> => p.then(() => 'resolved', (e: unknown) => (e instanceof FetchFailure ? e.kind : String(e)));

  test('a body over maxBytes without a declared length', async () => expect(await failure(boundedGet(new URL(`${await url}/stream`), policy))).toBe('too-large'));
  test('an endpoint that hangs: timeout', async () => expect(await failure(boundedGet(new URL(`${await url}/hang`), policy))).toBe('timeout'));
  test('redirects are not followed', async () => expect((await boundedGet(new URL(`${await url}/redirect`), policy)).status).toBe(302));
  test('over https, a server that is not trusted never receives the request; a trusted one does', async () => {
    // Found in review: the trust check ran on the request's own socket, after the GET was queued for the server.
    const pki = makePki();
    const seen: string[] = [];
    const untrusted = await listenTls(pki.otherServer, (req, res) => {
      seen.push(req.url ?? '');
      res.end('{}');
    });
    const trusted = await listenTls(pki.server, (req, res) => {
      seen.push(`trusted ${req.url ?? ''}`);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    });
    try {
      const tls = { ...policy, ca: [pki.ca.cert], timeoutMs: 2000 };
      expect(await failure(boundedGet(new URL(`https://localhost:${untrusted.port}/admin/flush?all=true`), tls))).toBe('thumbprint');
      const ok = await boundedGet(new URL(`https://localhost:${trusted.port}/keys?x=1`), tls);
      expect([ok.status, ok.body.toString()]).toEqual([200, '{"ok":true}']);
      expect(seen).toEqual(['trusted /keys?x=1']);
    } finally {
      await untrusted.close();
      await trusted.close();
      pki.close();
    }
  });

  test('plain http only to loopback, and only when allowed', async () => {
    expect(await failure(boundedGet(new URL('http://idp.example/x'), policy))).toBe('insecure');
    expect(await failure(boundedGet(new URL(`${await url}/stream`), { ...policy, allowLoopbackHttp: false }))).toBe('insecure');
    expect([isLoopbackHost('127.0.0.1'), isLoopbackHost('[::1]'), isLoopbackHost('localhost'), isLoopbackHost('10.0.0.1')]).toEqual([true, true, true, false]);
  });
});
