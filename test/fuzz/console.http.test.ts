/**
 * Generated hostile requests to the console (/console/…) and the identity-broker endpoint
 * (/federation) through the real service over HTTP: any method, path, query, form body and
 * cookies, including values shaped like ours (sealed-looking cookies, Session JSON, sign-in
 * tokens, destinations). For every one: never a 5xx, never a redirect off this service unless
 * to a configured destination (there is none here), and nothing logged as a failure. Then the
 * service still answers. Fixed seed (test/fuzz/settings.ts).
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { SESSION_COOKIE, SIGN_IN_COOKIE } from '../../src/console/session.js';
import { type TestService, useService } from '../helpers/service.js';
import { fuzzParams } from './settings.js';

let svc: TestService;
useService((s) => {
  svc = s.svc;
});

const PATHS = ['/federation', '/console', '/console/', '/console/signin', '/console/mfa', '/console/signin/password', '/console/password', '/console/credentials', '/console/signout', '/console/style.css', '/console/../federation', '/console/%2e%2e/federation'];
const NAMES = ['Action', 'Session', 'SessionDuration', 'SigninToken', 'Issuer', 'Destination', 'csrf', 'account', 'username', 'password', 'code', 'old', 'new', 'confirm', 'notice'];

const text = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.constantFrom('getSigninToken', 'login', '', 'null', '{}', '[]', '1e309', '-1', '43200', '899', 'https://evil.example/', '//evil.example', '/console/../../x', 'javascript:alert(1)', '\u0000', '%00', '\r\nSet-Cookie: x=y'),
  fc.record({ sessionId: fc.string({ maxLength: 24 }), sessionKey: fc.string({ maxLength: 44 }), sessionToken: fc.oneof(fc.string({ maxLength: 60 }), fc.base64String({ maxLength: 400 })) }).map((o) => JSON.stringify(o)),
  fc.base64String({ maxLength: 600 }),
  fc.string({ maxLength: 10 }).map((s) => s.repeat(500)),
);

const pairs = fc.array(fc.tuple(fc.oneof(fc.constantFrom(...NAMES), fc.string({ maxLength: 12 })), text), { maxLength: 6 });
const encode = (ps: readonly (readonly [string, string])[]) => ps.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');

const cookies = fc.array(
  fc.tuple(fc.constantFrom(SESSION_COOKIE, `${SESSION_COOKIE}.1`, SIGN_IN_COOKIE, 'x'), fc.oneof(fc.base64String({ maxLength: 800 }), fc.string({ maxLength: 40 }).map((s) => s.replace(/[;\r\n]/g, '')))),
  { maxLength: 3 },
);

const request = fc.record({
  method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'HEAD'),
  path: fc.constantFrom(...PATHS),
  query: pairs,
  body: fc.oneof(pairs.map(encode), fc.string({ maxLength: 200 }), fc.constant('')),
  contentType: fc.constantFrom('application/x-www-form-urlencoded', 'text/plain', 'multipart/form-data; boundary=x', 'application/json'),
  origin: fc.constantFrom(undefined, 'null', 'https://evil.example'),
  cookies,
});

describe('hostile requests to the console and /federation', () => {
  test('never a 5xx, never a redirect off this service, nothing logged as a failure', async () => {
    const before = svc.logs.length;
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const headers: Record<string, string> = { 'content-type': r.contentType };
        if (r.origin !== undefined) headers.origin = r.origin;
        if (r.cookies.length > 0) headers.cookie = r.cookies.map(([k, v]) => `${k}=${v}`).join('; ');
        const query = encode(r.query);
        const res = await fetch(`${svc.url}${r.path}${query ? `?${query}` : ''}`, {
          method: r.method,
          headers,
          redirect: 'manual',
          ...(r.method === 'GET' || r.method === 'HEAD' ? {} : { body: r.body }),
        });
        await res.arrayBuffer();
        expect(res.status, `${r.method} ${r.path}?${query}`).toBeLessThan(500);
        const location = res.headers.get('location');
        if (location !== null) expect(location.startsWith('/') && !location.startsWith('//'), location).toBe(true);
      }),
      fuzzParams(300, { shrink: false }),
    );
    const failures = svc.logs.slice(before).filter((l) => /"level":"error"|console request failed|unexpected failure/.test(l));
    expect(failures).toEqual([]);
    expect((await fetch(`${svc.url}/healthz`)).status).toBe(200);
  });
});
