/**
 * The console's routes, mounted in the Hono app beside the AWS Query endpoint (which they do not
 * touch): /federation (the identity broker endpoint, src/console/federation.ts) and /console/*
 * (sign-in, MFA, password change, the signed-in page, credentials, sign-out).
 *
 * Every response: Cache-Control no-store, a Content-Security-Policy with no script at all and
 * `frame-ancestors 'none'` (and X-Frame-Options DENY), nosniff, Referrer-Policy same-origin (a
 * sign-in URL's token never leaves in a Referer to another site). Every POST: the form's `csrf` must equal the
 * token sealed in the cookie it acts on (compared in constant time), and an Origin header, when
 * the browser sends one, must be this host.
 */
import { randomUUID } from 'node:crypto';
import type { HttpBindings } from '@hono/node-server';
import type { Context, Hono } from 'hono';
import { getCookie, generateCookie } from 'hono/cookie';
import { bodyLimit } from 'hono/body-limit';
import { entityArn } from '../arn.js';
import { issuanceDetails } from '../audit/issuance.js';
import { consoleRevocationId } from '../auth/revocation.js';
import { describeError } from '../describe-error.js';
import { plain } from '../http/forwarded.js';
import { rawHeaderMap } from '../sigv4/index.js';
import { constantTimeEqual } from '../sigv4/constant-time.js';
import { isConnectionError } from '../store/errors.js';
import { insertRevokedSession, isRevoked } from '../store/sessions.js';
import { findUser } from '../store/users.js';
import { issueCredentials, type TemporaryCredentials } from '../sts/issue.js';
import { sealSessionToken } from '../tokens/session-token.js';
import { HIDDEN_USER_NAME } from '../audit/events.js';
import { consoleEvent, type ConsoleRequestFacts } from './audit.js';
import { credentialFormats } from './credentials.js';
import type { ConsoleDeps } from './deps.js';
import { acceptIssuer, CONSOLE_HOME, resolveDestination } from './destination.js';
import { federatedLogin, FederationError, getSigninToken } from './federation.js';
import { changePasswordPage, credentialsPage, errorPage, homePage, mfaPage, signedOutPage, signInPage, STYLESHEET } from './pages.js';
import {
  chunkName,
  chunks,
  joinChunks,
  MAX_EXTRA_CHUNKS,
  newCsrfToken,
  newSessionId,
  openSession,
  openSignIn,
  sealSession,
  sealSignIn,
  SESSION_COOKIE,
  SIGN_IN_COOKIE,
  SIGN_IN_SECONDS,
  type ConsoleSession,
  type ConsoleUser,
  type SignInState,
} from './session.js';

type App = Hono<{ Bindings: Partial<HttpBindings> }>;
type Ctx = Context<{ Bindings: Partial<HttpBindings> }>;

/** A password sign-in's console session: AWS's console sessions for IAM users last 12 hours. */
export const PASSWORD_SESSION_SECONDS = 43_200;
/** Forms are small: anything bigger is refused before it is read. */
const MAX_FORM_BYTES = 16 * 1024;

const CSP = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/** AWS's console wording for a wrong account, user or password. */
export const SIGN_IN_REFUSED = 'Your authentication information is incorrect. Please try again.';
export const MFA_REFUSED = 'The MFA code is not valid. Please try again.';

interface Facts extends ConsoleRequestFacts {
  /** The federation endpoint's error code when it refused (for the metrics' outcome). */
  errorCode?: string | undefined;
  /** The federation action, when it is one of the two (for the metrics' operation label). */
  operation?: 'getSigninToken' | 'login' | undefined;
  readonly secure: boolean;
  /** This service's origin as the browser reached it: scheme://host. */
  readonly origin: string;
}

function factsOf(deps: ConsoleDeps, c: Ctx): Facts {
  const incoming = c.env?.incoming;
  const peer = plain(incoming?.socket.remoteAddress ?? '0.0.0.0');
  const tls = incoming !== undefined && 'encrypted' in incoming.socket && incoming.socket.encrypted === true;
  const origin = deps.trustedProxies && incoming ? deps.trustedProxies.origin(peer, tls, rawHeaderMap(incoming.rawHeaders)) : undefined;
  const secure = origin ? origin.secureTransport : tls || (incoming === undefined && new URL(c.req.url).protocol === 'https:');
  const host = c.req.header('host') ?? new URL(c.req.url).host;
  return {
    requestId: randomUUID(),
    at: new Date(deps.clock()),
    sourceIp: incoming ? (origin ? origin.sourceIp : peer) : undefined,
    userAgent: c.req.header('user-agent'),
    secure,
    origin: `${secure ? 'https' : 'http'}://${host}`,
  };
}

function securityHeaders(f: Facts, contentType: string): Headers {
  const h = new Headers({
    'content-type': contentType,
    'cache-control': 'no-store',
    pragma: 'no-cache',
    'content-security-policy': CSP,
    'x-frame-options': 'DENY',
    'x-content-type-options': 'nosniff',
    // same-origin, not no-referrer: with no-referrer browsers send `Origin: null` on our own form posts.
    'referrer-policy': 'same-origin',
    'cross-origin-opener-policy': 'same-origin',
    'x-amzn-RequestId': f.requestId,
  });
  if (f.secure) h.set('strict-transport-security', 'max-age=31536000');
  return h;
}

/** What one response sets: a page or a redirect, and cookies. */
interface Reply {
  readonly status: number;
  readonly body?: string | undefined;
  readonly contentType?: string | undefined;
  readonly location?: string | undefined;
  readonly cookies?: readonly string[] | undefined;
}

function respond(f: Facts, r: Reply): Response {
  const h = securityHeaders(f, r.contentType ?? 'text/html; charset=utf-8');
  if (r.location !== undefined) h.set('location', r.location);
  for (const cookie of r.cookies ?? []) h.append('set-cookie', cookie);
  return new Response(r.body ?? null, { status: r.status, headers: h });
}

const cookieOptions = (f: Facts, maxAge: number) => ({ path: '/', httpOnly: true, secure: f.secure, sameSite: 'Lax' as const, maxAge: Math.max(0, maxAge) });

/** Set-Cookie lines for the session (chunked), clearing chunks the previous value had beyond them. */
function sessionCookies(deps: ConsoleDeps, f: Facts, session: ConsoleSession): string[] {
  const parts = chunks(sealSession(deps.keyring, session));
  const maxAge = session.exp - Math.floor(f.at.getTime() / 1000);
  const out = parts.map((part, i) => generateCookie(chunkName(SESSION_COOKIE, i), part, cookieOptions(f, maxAge)));
  for (let i = parts.length; i <= MAX_EXTRA_CHUNKS; i++) if (i > 0) out.push(generateCookie(chunkName(SESSION_COOKIE, i), '', cookieOptions(f, 0)));
  return out;
}

function clearSessionCookies(f: Facts): string[] {
  const out: string[] = [];
  for (let i = 0; i <= MAX_EXTRA_CHUNKS; i++) out.push(generateCookie(chunkName(SESSION_COOKIE, i), '', cookieOptions(f, 0)));
  return out;
}

function signInCookie(deps: ConsoleDeps, f: Facts, state: SignInState): string {
  return generateCookie(SIGN_IN_COOKIE, sealSignIn(deps.keyring, state), cookieOptions(f, state.exp - Math.floor(f.at.getTime() / 1000)));
}

const clearSignInCookie = (f: Facts): string => generateCookie(SIGN_IN_COOKIE, '', cookieOptions(f, 0));

function nowSeconds(f: Facts): number {
  return Math.floor(f.at.getTime() / 1000);
}

/**
 * The signed-in session, if its cookie opens, it has not expired, was not signed out, and still
 * stands for someone: a federation sign-in's credentials still hold (not revoked, source key not
 * deactivated); a password sign-in's user still exists (the same user: a user deleted and created
 * again under the name has a new id).
 */
async function currentSession(deps: ConsoleDeps, c: Ctx, f: Facts): Promise<ConsoleSession | undefined> {
  const session = openSession(deps.keyring, joinChunks(getCookie(c), SESSION_COOKIE), nowSeconds(f));
  if (!session) return undefined;
  if (await isRevoked(deps.db, consoleRevocationId(session.id))) return undefined;
  if (session.claims !== undefined && !(await deps.checkSession(session.claims, f.at.getTime()))) return undefined;
  if (session.user !== undefined && (await findUser(deps.db, session.acct, session.user.name))?.id !== session.user.id) return undefined;
  return session;
}

function currentSignIn(deps: ConsoleDeps, c: Ctx, f: Facts): SignInState | undefined {
  return openSignIn(deps.keyring, getCookie(c, SIGN_IN_COOKIE), nowSeconds(f));
}

/** The form's fields as strings (repeated fields and files refused). */
async function readForm(c: Ctx): Promise<Record<string, string>> {
  const type = c.req.header('content-type') ?? '';
  if (!type.toLowerCase().startsWith('application/x-www-form-urlencoded')) throw new FormError();
  const text = await c.req.text();
  const out: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(text)) {
    if (k in out) throw new FormError();
    out[k] = v;
  }
  return out;
}

class FormError extends Error {}

/** The POST came from one of our pages: same-origin (when the browser says) and the right CSRF token. */
function postAllowed(c: Ctx, f: Facts, form: Record<string, string>, expected: string | undefined): boolean {
  const origin = c.req.header('origin');
  if (origin !== undefined && origin !== 'null') {
    try {
      if (new URL(origin).host !== new URL(f.origin).host) return false;
    } catch {
      return false;
    }
  } else if (origin === 'null') return false;
  const token = form.csrf;
  return expected !== undefined && token !== undefined && constantTimeEqual(token, expected);
}

function forbidden(f: Facts): Response {
  return respond(f, { status: 403, body: errorPage('Request refused', 'This form has expired or did not come from this console. Sign in again.'), cookies: [clearSignInCookie(f)] });
}

function redirect(f: Facts, location: string, cookies: readonly string[] = []): Response {
  return respond(f, { status: 303, location, cookies });
}

function newSignInState(f: Facts): SignInState {
  return { v: 1, csrf: newCsrfToken(), stage: 'start', exp: nowSeconds(f) + SIGN_IN_SECONDS };
}

function userArn(accountId: string, user: ConsoleUser): string {
  return entityArn(accountId, 'user', user.path, user.name);
}

/** A password sign-in's session begins: audited (ConsoleLogin) before the cookie is set. */
async function beginPasswordSession(deps: ConsoleDeps, f: Facts, accountId: string, user: ConsoleUser, mfa: number | undefined, notice?: string): Promise<Response> {
  const iat = nowSeconds(f);
  const session: ConsoleSession = { v: 1, id: newSessionId(), csrf: newCsrfToken(), acct: accountId, arn: userArn(accountId, user), via: 'password', user, ...(mfa !== undefined ? { mfa } : {}), iat, exp: iat + PASSWORD_SESSION_SECONDS };
  await deps.audit.append([
    consoleEvent(f, {
      accountId,
      action: 'signin:ConsoleLogin',
      principalArn: session.arn,
      resource: session.arn,
      decision: 'allow',
      details: { userName: user.name, consoleLogin: 'Success', via: 'password', mfaUsed: mfa !== undefined ? 'Yes' : 'No', consoleSessionId: session.id, expiration: new Date(session.exp * 1000).toISOString() },
    }),
  ]);
  return redirect(f, notice ? `${CONSOLE_HOME}?notice=${notice}` : CONSOLE_HOME, [...sessionCookies(deps, f, session), clearSignInCookie(f)]);
}

function until(d: Date): string {
  return `${d.toISOString().slice(11, 19)} UTC`;
}

/** The credentials of a console session: a federation session's own; a password session's freshly issued (audited as an issuance). */
async function consoleCredentials(deps: ConsoleDeps, f: Facts, session: ConsoleSession): Promise<TemporaryCredentials> {
  if (session.claims !== undefined) {
    const claims = session.claims;
    await deps.audit.append([
      consoleEvent(f, { accountId: claims.acct, action: 'signin:GetConsoleCredentials', principalArn: claims.arn, accessKeyId: claims.akid, sourceIdentity: claims.sid, resource: claims.arn, decision: 'allow', details: { consoleSessionId: session.id, jti: claims.jti, accessKeyId: claims.akid, sessionType: claims.kind, issued: false } }),
    ]);
    // The same claims sealed anew: the same key, secret, session and expiry.
    return { accessKeyId: claims.akid, secretAccessKey: claims.sk, sessionToken: sealSessionToken(deps.keyring, claims), expiration: new Date(claims.exp * 1000) };
  }
  const user = session.user;
  if (user === undefined) throw new Error('a password console session without its user');
  const seconds = Math.max(1, session.exp - nowSeconds(f));
  const { credentials, claims } = issueCredentials(deps.keyring, f.at, seconds, {
    kind: 'session',
    acct: session.acct,
    arn: session.arn,
    uid: user.id,
    user,
    ...(session.mfa !== undefined ? { mfa: session.mfa } : {}),
    depth: 0,
    con: session.id,
  });
  await deps.audit.append([
    consoleEvent(f, { accountId: session.acct, action: 'signin:GetConsoleCredentials', principalArn: session.arn, resource: session.arn, decision: 'allow', details: { consoleSessionId: session.id, issued: true, ...issuanceDetails(claims) } }),
  ]);
  deps.metrics?.issued('GetConsoleCredentials');
  return credentials;
}

/**
 * Runs one console request, turning refusals and failures into pages (never a stack, never a 500
 * for bad input), counted in the metrics under `service` and the fixed `route` name (e.g.
 * `POST /console/signin`): outcome `ok` below 400, the federation endpoint's error code, else a
 * code for the status.
 */
function guarded(deps: ConsoleDeps, service: 'console' | 'federation', route: string, work: (c: Ctx, f: Facts) => Promise<Response>) {
  return async (c: Ctx): Promise<Response> => {
    const started = performance.now();
    const f = factsOf(deps, c);
    const done = (r: Response): Response => {
      deps.metrics?.route(service, f.operation ?? route, r.status < 400 ? undefined : (f.errorCode ?? statusCode(r.status)), (performance.now() - started) / 1000);
      return r;
    };
    try {
      const r = await work(c, f);
      deps.logger.info('request', { requestId: f.requestId, method: c.req.method, path: new URL(c.req.url).pathname, status: r.status });
      return done(r);
    } catch (err) {
      if (err instanceof FormError) return done(respond(f, { status: 400, body: errorPage('Bad request', 'The form could not be read.') }));
      const unavailable = isConnectionError(err);
      deps.logger.error('console request failed', { requestId: f.requestId, path: new URL(c.req.url).pathname, error: describeError(err) });
      return done(respond(f, { status: unavailable ? 503 : 500, body: errorPage('Unavailable', 'The console cannot answer right now. Try again shortly.') }));
    }
  };
}

/** A console page's refusal as the nearest code of the error table (src/errors.ts), for the metrics. */
function statusCode(status: number): string {
  if (status === 401 || status === 403) return 'AccessDenied';
  if (status === 404) return 'NoSuchEntity';
  if (status === 429) return 'Throttling';
  if (status === 503) return 'ServiceUnavailable';
  if (status >= 500) return 'InternalFailure';
  return 'InvalidInput';
}

function federationError(f: Facts, err: FederationError, html: boolean): Response {
  f.errorCode = err.code;
  if (html) return respond(f, { status: err.status, body: errorPage('Sign-in failed', err.message) });
  return respond(f, { status: err.status, contentType: 'application/json', body: JSON.stringify({ Error: { Code: err.code, Message: err.message } }) });
}

/** /federation: GET with the query, or POST with a form (some brokers post getSigninToken). */
async function federation(deps: ConsoleDeps, c: Ctx, f: Facts): Promise<Response> {
  const params = c.req.method === 'POST' ? new URLSearchParams(await c.req.text()) : new URL(c.req.url).searchParams;
  const action = params.get('Action') ?? undefined;
  if (action === 'getSigninToken' || action === 'login') f.operation = action;
  try {
    if (action === 'getSigninToken') {
      const token = await getSigninToken(deps, { session: params.get('Session') ?? undefined, sessionDuration: params.get('SessionDuration') ?? undefined }, f);
      deps.metrics?.issued('getSigninToken');
      return respond(f, { status: 200, contentType: 'application/json', body: JSON.stringify({ SigninToken: token }) });
    }
    if (action === 'login') {
      const destination = resolveDestination(params.get('Destination') ?? undefined, f.origin, deps.destinations);
      if (destination === undefined) throw new FederationError(400, 'InvalidParameterValue', 'The Destination is not this console or an allowed destination.');
      const rawIssuer = params.get('Issuer') ?? undefined;
      const issuer = acceptIssuer(rawIssuer);
      const session = await federatedLogin(deps, { signinToken: params.get('SigninToken') ?? undefined, issuer }, f);
      return respond(f, { status: 302, location: destination, cookies: [...sessionCookies(deps, f, session), clearSignInCookie(f)] });
    }
    throw new FederationError(400, 'InvalidAction', 'Action must be getSigninToken or login.');
  } catch (err) {
    if (err instanceof FederationError) return federationError(f, err, action === 'login');
    throw err;
  }
}

export function mountConsole(app: App, deps: ConsoleDeps): void {
  const limit = bodyLimit({ maxSize: MAX_FORM_BYTES, onError: (c) => c.text('Request body too large', 413) });
  app.use('/console/*', limit);
  app.use('/federation', bodyLimit({ maxSize: 64 * 1024, onError: (c) => c.text('Request body too large', 413) }));
  app.on(['GET', 'POST'], '/federation', guarded(deps, 'federation', 'unknown', (c, f) => federation(deps, c, f)));

  app.get('/console/style.css', (c) => {
    const f = factsOf(deps, c);
    const h = securityHeaders(f, 'text/css; charset=utf-8');
    h.set('cache-control', 'public, max-age=3600');
    return new Response(STYLESHEET, { status: 200, headers: h });
  });

  app.get(
    CONSOLE_HOME,
    guarded(deps, 'console', 'GET /console', async (c, f) => {
      const session = await currentSession(deps, c, f);
      if (!session) return redirect(f, '/console/signin', clearSessionCookies(f));
      const notice = c.req.query('notice') === 'password-changed' ? 'Your password has been changed.' : undefined;
      return respond(f, { status: 200, body: homePage({ session, notice }) });
    }),
  );

  app.get(
    '/console/signin',
    guarded(deps, 'console', 'GET /console/signin', async (c, f) => {
      if (await currentSession(deps, c, f)) return redirect(f, CONSOLE_HOME);
      const state = newSignInState(f);
      return respond(f, { status: 200, body: signInPage({ csrf: state.csrf, passwordSignIn: deps.signIn !== undefined }), cookies: [signInCookie(deps, f, state)] });
    }),
  );

  app.post(
    '/console/signin',
    guarded(deps, 'console', 'POST /console/signin', async (c, f) => {
      const form = await readForm(c);
      const state = currentSignIn(deps, c, f);
      if (!postAllowed(c, f, form, state?.csrf)) return forbidden(f);
      const port = deps.signIn;
      if (!port) return respond(f, { status: 404, body: signInPage({ csrf: '', passwordSignIn: false }) });
      const account = (form.account ?? '').trim();
      const userName = (form.username ?? '').trim();
      const password = form.password ?? '';
      const again = (status: number, error: string): Response => {
        const next = newSignInState(f);
        return respond(f, { status, body: signInPage({ csrf: next.csrf, error, account, userName, passwordSignIn: true }), cookies: [signInCookie(deps, f, next)] });
      };
      // Shapes first (IAM's limits): nothing malformed reaches the password check.
      if (!/^(\d{12}|[a-z0-9](?:[a-z0-9]|-(?!-)){1,61}[a-z0-9])$/.test(account) || !/^[\w+=,.@-]{1,64}$/.test(userName) || password.length < 1 || password.length > 128) {
        deps.metrics?.signIn('refused');
        return again(401, SIGN_IN_REFUSED);
      }
      const check = await port.verifyPassword({ account, userName, password, now: f.at, sourceIp: f.sourceIp });
      if (check.kind === 'refused' || check.kind === 'throttled') {
        const throttled = check.kind === 'throttled';
        deps.metrics?.signIn(throttled ? 'throttled' : 'refused');
        if (check.accountId !== undefined) {
          await deps.audit.append([
            consoleEvent(f, {
              accountId: check.accountId,
              action: 'signin:ConsoleLogin',
              // As CloudTrail: what was typed as the user name is kept only when it names a user.
              principalArn: check.userArn,
              resource: check.userArn,
              decision: 'deny',
              errorCode: throttled ? 'Throttled' : 'FailedAuthentication',
              details: { consoleLogin: 'Failure', via: 'password', userName: check.userArn !== undefined ? userName : HIDDEN_USER_NAME, ...(throttled ? { blockedUntil: check.until.toISOString() } : {}) },
            }),
          ]);
        } else deps.logger.info('console sign-in refused', { requestId: f.requestId, reason: throttled ? 'throttled' : 'refused', sourceIp: f.sourceIp });
        return again(throttled ? 429 : 401, throttled ? `Too many failed sign-in attempts. Try again after ${until(check.until)}.` : SIGN_IN_REFUSED);
      }
      if (check.kind === 'expired') {
        deps.metrics?.signIn('expired');
        await deps.audit.append([
          consoleEvent(f, { accountId: check.accountId, action: 'signin:ConsoleLogin', principalArn: userArn(check.accountId, check.user), resource: userArn(check.accountId, check.user), decision: 'deny', errorCode: 'PasswordExpired', details: { consoleLogin: 'Failure', via: 'password', reason: 'password expired (hard expiry)' } }),
        ]);
        return again(403, 'Your password has expired and only an administrator can reset it.');
      }
      const base = { v: 1 as const, csrf: newCsrfToken(), acct: check.accountId, user: check.user, reason: check.mustChange, mfaDevice: check.mfaDevice, exp: nowSeconds(f) + SIGN_IN_SECONDS };
      deps.metrics?.signIn(check.mfaDevice ? 'mfa_required' : check.mustChange !== undefined ? 'password_change_required' : 'success');
      if (check.mfaDevice) return redirect(f, '/console/mfa', [signInCookie(deps, f, { ...base, stage: 'mfa' })]);
      if (check.mustChange !== undefined) return redirect(f, '/console/signin/password', [signInCookie(deps, f, { ...base, stage: 'change' })]);
      return beginPasswordSession(deps, f, check.accountId, check.user, undefined);
    }),
  );

  app.get(
    '/console/mfa',
    guarded(deps, 'console', 'GET /console/mfa', async (c, f) => {
      const state = currentSignIn(deps, c, f);
      if (!state || state.stage !== 'mfa') return redirect(f, '/console/signin');
      return respond(f, { status: 200, body: mfaPage({ csrf: state.csrf }) });
    }),
  );

  app.post(
    '/console/mfa',
    guarded(deps, 'console', 'POST /console/mfa', async (c, f) => {
      const form = await readForm(c);
      const state = currentSignIn(deps, c, f);
      if (!postAllowed(c, f, form, state?.csrf) || !state || state.stage !== 'mfa' || !state.acct || !state.user || !deps.signIn) return forbidden(f);
      const { acct, user } = state;
      const code = (form.code ?? '').trim();
      const arn = userArn(acct, user);
      const check = /^\d{6}$/.test(code) ? await deps.signIn.verifyMfa({ accountId: acct, user, code, now: f.at }) : ({ kind: 'refused' } as const);
      if (check.kind !== 'ok') {
        const throttled = check.kind === 'throttled';
        deps.metrics?.mfaCode(throttled ? 'throttled' : 'invalid');
        await deps.audit.append([
          consoleEvent(f, { accountId: acct, action: 'signin:CheckMfa', principalArn: arn, resource: arn, decision: 'deny', errorCode: throttled ? 'Throttled' : 'InvalidAuthenticationCode', details: { checkMfa: 'Failure', ...(throttled ? { blockedUntil: check.until.toISOString() } : {}) } }),
        ]);
        const error = throttled ? `Too many failed MFA codes. Try again after ${until(check.until)}.` : MFA_REFUSED;
        return respond(f, { status: throttled ? 429 : 401, body: mfaPage({ csrf: state.csrf, error }) });
      }
      deps.metrics?.mfaCode('accepted');
      await deps.audit.append([consoleEvent(f, { accountId: acct, action: 'signin:CheckMfa', principalArn: arn, resource: arn, decision: 'allow', details: { checkMfa: 'Success', serialNumber: check.serialNumber } })]);
      const mfa = nowSeconds(f);
      if (state.reason !== undefined) return redirect(f, '/console/signin/password', [signInCookie(deps, f, { ...state, stage: 'change', mfa, csrf: newCsrfToken() })]);
      return beginPasswordSession(deps, f, acct, user, mfa);
    }),
  );

  /** The password change itself, forced (during sign-in) or chosen (signed in). The port audits a change that happens; refusals are audited here. */
  async function changePassword(f: Facts, form: Record<string, string>, accountId: string, user: ConsoleUser, forced: boolean): Promise<{ ok: true } | { ok: false; status: number; error: string }> {
    const port = deps.signIn;
    if (!port) return { ok: false, status: 404, error: 'Password sign-in is not enabled.' };
    const oldPassword = form.current ?? '';
    const newPassword = form.new ?? '';
    if (newPassword !== (form.confirm ?? '')) return { ok: false, status: 400, error: 'The new password and its confirmation do not match.' };
    if (oldPassword.length < 1 || oldPassword.length > 128 || newPassword.length < 1 || newPassword.length > 128) return { ok: false, status: 400, error: 'Passwords are 1 to 128 characters.' };
    const result = await port.changePassword({ accountId, user, oldPassword, newPassword, forced, request: f });
    if (result.kind === 'ok') return { ok: true };
    const arn = userArn(accountId, user);
    const errorCode = { refused: 'AccessDenied', invalid: 'PasswordPolicyViolation', denied: 'AccessDenied', throttled: 'Throttled' }[result.kind];
    const reason = result.kind === 'refused' ? 'the old password is incorrect' : result.kind === 'denied' ? 'not allowed' : result.kind === 'invalid' ? 'the new password was refused' : 'throttled';
    await deps.audit.append([consoleEvent(f, { accountId, action: 'iam:ChangePassword', principalArn: arn, resource: arn, decision: 'deny', errorCode, details: { via: 'console', forced, reason } })]);
    if (result.kind === 'refused') return { ok: false, status: 401, error: 'The current password is incorrect.' };
    if (result.kind === 'invalid') return { ok: false, status: 400, error: result.message };
    if (result.kind === 'denied') return { ok: false, status: 403, error: 'You are not allowed to change your password. Ask your administrator.' };
    return { ok: false, status: 429, error: `Too many failed attempts. Try again after ${until(result.until)}.` };
  }

  app.get(
    '/console/signin/password',
    guarded(deps, 'console', 'GET /console/signin/password', async (c, f) => {
      const state = currentSignIn(deps, c, f);
      if (!state || state.stage !== 'change') return redirect(f, '/console/signin');
      return respond(f, { status: 200, body: changePasswordPage({ csrf: state.csrf, reason: state.reason, forced: true }) });
    }),
  );

  app.post(
    '/console/signin/password',
    guarded(deps, 'console', 'POST /console/signin/password', async (c, f) => {
      const form = await readForm(c);
      const state = currentSignIn(deps, c, f);
      if (!postAllowed(c, f, form, state?.csrf) || !state || state.stage !== 'change' || !state.acct || !state.user) return forbidden(f);
      // An MFA user reaches this step only after their code.
      if (state.mfaDevice === true && state.mfa === undefined) return forbidden(f);
      const done = await changePassword(f, form, state.acct, state.user, true);
      if (!done.ok) return respond(f, { status: done.status, body: changePasswordPage({ csrf: state.csrf, reason: state.reason, forced: true, error: done.error }) });
      return beginPasswordSession(deps, f, state.acct, state.user, state.mfa, 'password-changed');
    }),
  );

  app.get(
    '/console/password',
    guarded(deps, 'console', 'GET /console/password', async (c, f) => {
      const session = await currentSession(deps, c, f);
      if (!session || session.via !== 'password') return redirect(f, '/console/signin');
      return respond(f, { status: 200, body: changePasswordPage({ csrf: session.csrf, forced: false }) });
    }),
  );

  app.post(
    '/console/password',
    guarded(deps, 'console', 'POST /console/password', async (c, f) => {
      const form = await readForm(c);
      const session = await currentSession(deps, c, f);
      if (!postAllowed(c, f, form, session?.csrf) || !session || session.via !== 'password' || !session.user) return forbidden(f);
      const done = await changePassword(f, form, session.acct, session.user, false);
      if (!done.ok) return respond(f, { status: done.status, body: changePasswordPage({ csrf: session.csrf, forced: false, error: done.error }) });
      return redirect(f, `${CONSOLE_HOME}?notice=password-changed`);
    }),
  );

  app.post(
    '/console/credentials',
    guarded(deps, 'console', 'POST /console/credentials', async (c, f) => {
      const form = await readForm(c);
      const session = await currentSession(deps, c, f);
      if (!postAllowed(c, f, form, session?.csrf) || !session) return forbidden(f);
      const credentials = await consoleCredentials(deps, f, session);
      return respond(f, { status: 200, body: credentialsPage({ session, formats: credentialFormats(credentials, f.origin), expiration: credentials.expiration }) });
    }),
  );

  app.post(
    '/console/signout',
    guarded(deps, 'console', 'POST /console/signout', async (c, f) => {
      const form = await readForm(c);
      const session = openSession(deps.keyring, joinChunks(getCookie(c), SESSION_COOKIE), nowSeconds(f));
      if (!postAllowed(c, f, form, session?.csrf) || !session) return forbidden(f);
      // Recorded on every node: the same cookie, replayed, is refused from now on, and so are the
      // credentials the session handed out (and role sessions chained from them: src/auth/revocation.ts),
      // once every node has dropped the account's revoked set (the announcement).
      await insertRevokedSession(deps.db, { jti: consoleRevocationId(session.id), accountId: session.acct, expiresAt: new Date(session.exp * 1000), revokedAt: f.at });
      await deps.announce?.(deps.db, session.acct);
      await deps.audit.append([consoleEvent(f, { accountId: session.acct, action: 'signin:ConsoleLogout', principalArn: session.arn, resource: session.arn, decision: 'allow', details: { consoleSessionId: session.id, via: session.via } })]);
      return respond(f, { status: 200, body: signedOutPage({ issuer: session.iss }), cookies: [...clearSessionCookies(f), clearSignInCookie(f)] });
    }),
  );
}
