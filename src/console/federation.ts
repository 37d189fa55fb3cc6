/**
 * AWS's federation endpoint for identity brokers ("Enable custom identity broker access to the AWS
 * console", IAM User Guide), served at /federation:
 *
 * 1. `Action=getSigninToken&Session={"sessionId","sessionKey","sessionToken"}` (URL-encoded JSON of
 *    temporary credentials; optional `SessionDuration` 900..43200) → `{"SigninToken": "…"}`.
 *    The credentials must be a session of ours, checked as authenticate() checks a signed
 *    request's (the token opens, belongs to the key id, the secret matches in constant time, not
 *    expired, its source key active and not deactivated since, not revoked), and of a role
 *    (AssumeRole*) or a federated user (GetFederationToken): long-term keys and GetSessionToken
 *    credentials are refused, as AWS refuses them.
 * 2. `Action=login&Issuer=…&Destination=…&SigninToken=…` → the console session cookie, then a
 *    redirect to Destination (this console, or a CONSOLE_DESTINATIONS prefix: src/console/destination.ts).
 *
 * The sign-in token is the session's claims sealed by the keyring (never stored), good for 15
 * minutes (AWS's figure) and once: its id is recorded at login in revoked_sessions
 * (`signin-token:ID`, kept until the token expires), a conditional insert on the primary key, so
 * a second login with the same token fails on every node.
 *
 * SessionDuration: a role session's console session lasts SessionDuration (900..43200), at most
 * 3600 for a chained role session (role chaining caps sessions at one hour), and without it as long
 * as the credentials remain valid (at most 12 hours). It never outlasts the credentials: on AWS a
 * console session may outlive them, but this console hands out the session's own credentials
 * (src/console/routes.ts), so it ends with them. GetFederationToken credentials take no
 * SessionDuration (AWS's guide says the call fails); their console session lasts as long as they do.
 */
import { randomUUID } from 'node:crypto';
import type { Caller } from '../auth/caller.js';
import { constantTimeEqual } from '../sigv4/constant-time.js';
import { insertRevokedSession } from '../store/sessions.js';
import { openSessionToken, type SessionClaims } from '../tokens/session-token.js';
import { consoleEvent, type ConsoleRequestFacts } from './audit.js';
import type { ConsoleDeps } from './deps.js';
import { openJson, sealJson } from './sealed.js';
import { newCsrfToken, newSessionId, type ConsoleSession } from './session.js';

const SIGNIN_TOKEN_AAD = 'federation-signin-token:v1';
/** AWS: "the sign-in token is valid for 15 minutes". */
export const SIGNIN_TOKEN_SECONDS = 900;
export const MIN_SESSION_DURATION = 900;
export const MAX_SESSION_DURATION = 43_200;
/** A chained role session (AssumeRole from a role session) may not hold a console session longer. */
export const MAX_CHAINED_SESSION_DURATION = 3_600;
/** The Session parameter is three strings, the token the longest (at most 16 KB). */
const MAX_SESSION_PARAMETER = 20_000;

/** A refusal of the federation endpoint: its HTTP status, a code and a message. Never a secret in either. */
export class FederationError extends Error {
  constructor(
    readonly status: 400 | 403 | 503,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

interface SigninTokenBody {
  readonly v: 1;
  readonly id: string;
  /** Epoch seconds: the token's own expiry. */
  readonly exp: number;
  /** The console session's length, in seconds. */
  readonly dur: number;
  readonly claims: SessionClaims;
}

export interface PresentedSession {
  readonly sessionId: string;
  readonly sessionKey: string;
  readonly sessionToken: string | undefined;
}

/** The `Session` parameter: JSON with string sessionId, sessionKey and (for temporary credentials) sessionToken. */
export function parseSessionParameter(text: string | undefined): PresentedSession {
  if (text === undefined || text === '') throw new FederationError(400, 'MissingParameter', 'The request must contain the parameter Session.');
  if (text.length > MAX_SESSION_PARAMETER) throw new FederationError(400, 'InvalidParameterValue', 'The Session parameter is too long.');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new FederationError(400, 'InvalidParameterValue', 'The Session parameter must be a JSON object with sessionId, sessionKey and sessionToken.');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new FederationError(400, 'InvalidParameterValue', 'The Session parameter must be a JSON object with sessionId, sessionKey and sessionToken.');
  const o = value as Record<string, unknown>;
  const { sessionId, sessionKey, sessionToken } = o;
  if (typeof sessionId !== 'string' || typeof sessionKey !== 'string' || (sessionToken !== undefined && typeof sessionToken !== 'string')) {
    throw new FederationError(400, 'InvalidParameterValue', 'The Session parameter must be a JSON object with sessionId, sessionKey and sessionToken.');
  }
  return { sessionId, sessionKey, sessionToken: sessionToken === '' ? undefined : sessionToken };
}

/** SessionDuration: an integer 900..43200, or absent. */
export function parseSessionDuration(text: string | undefined): number | undefined {
  if (text === undefined || text === '') return undefined;
  const n = Number(text);
  if (!/^\d{1,6}$/.test(text) || n < MIN_SESSION_DURATION || n > MAX_SESSION_DURATION) {
    throw new FederationError(400, 'InvalidParameterValue', `SessionDuration must be an integer from ${MIN_SESSION_DURATION} to ${MAX_SESSION_DURATION} (seconds).`);
  }
  return n;
}

const NOT_VALID = 'The credentials in the Session parameter are not valid temporary credentials of this service.';

/**
 * The presented credentials' claims and caller, after every check authenticate() makes, or a
 * FederationError. The same refusal for every way a credential can be wrong (unknown, tampered,
 * wrong secret, revoked, key deactivated): only expiry is told apart, as ExpiredToken is on AWS.
 */
async function verifyPresented(deps: ConsoleDeps, presented: PresentedSession, now: number): Promise<{ claims: SessionClaims; caller: Caller }> {
  if (presented.sessionToken === undefined) {
    throw new FederationError(403, 'AccessDenied', 'Long-term credentials cannot be used to sign in: pass temporary credentials from AssumeRole or GetFederationToken, with their sessionToken.');
  }
  const claims = openSessionToken(deps.keyring, presented.sessionToken);
  // The secret is compared even when the key id already differs: no shortcut to time.
  const secretMatches = claims !== undefined && constantTimeEqual(claims.sk, presented.sessionKey);
  if (!claims || claims.akid !== presented.sessionId || !secretMatches) throw new FederationError(403, 'InvalidClientTokenId', NOT_VALID);
  if (claims.exp * 1000 <= now) throw new FederationError(403, 'ExpiredToken', 'The security token included in the request is expired');
  const caller = await deps.checkSession(claims, now);
  if (!caller) throw new FederationError(403, 'InvalidClientTokenId', NOT_VALID);
  if (claims.kind === 'session') {
    throw new FederationError(403, 'AccessDenied', 'GetSessionToken credentials cannot be used to sign in: use credentials from AssumeRole or GetFederationToken.');
  }
  return { claims, caller };
}

/** How long the console session will last, from the request's SessionDuration and the credentials. */
function consoleSeconds(claims: SessionClaims, requested: number | undefined, now: number): number {
  const remaining = Math.floor(claims.exp - now / 1000);
  if (claims.kind === 'federated') {
    if (requested !== undefined) throw new FederationError(400, 'InvalidParameterValue', 'SessionDuration cannot be used with credentials from GetFederationToken: their console session lasts as long as they do.');
    return Math.min(remaining, MAX_SESSION_DURATION);
  }
  if (requested !== undefined && claims.depth > 0 && requested > MAX_CHAINED_SESSION_DURATION) {
    throw new FederationError(400, 'InvalidParameterValue', `SessionDuration must be at most ${MAX_CHAINED_SESSION_DURATION} seconds for a role session obtained by role chaining.`);
  }
  return Math.min(requested ?? remaining, remaining, MAX_SESSION_DURATION);
}

function auditFor(claims: SessionClaims, req: ConsoleRequestFacts, action: string, decision: 'allow' | 'deny', details: Record<string, unknown>, errorCode?: string) {
  return consoleEvent(req, { accountId: claims.acct, action, principalArn: claims.arn, accessKeyId: claims.akid, sourceIdentity: claims.sid, resource: claims.arn, decision, errorCode, details });
}

/** Action=getSigninToken: a sealed, short-lived sign-in token for verified temporary credentials. */
export async function getSigninToken(deps: ConsoleDeps, params: { session: string | undefined; sessionDuration: string | undefined }, req: ConsoleRequestFacts): Promise<string> {
  const presented = parseSessionParameter(params.session);
  const requested = parseSessionDuration(params.sessionDuration);
  const now = req.at.getTime();
  const { claims } = await verifyPresented(deps, presented, now);
  let dur: number;
  try {
    dur = consoleSeconds(claims, requested, now);
  } catch (err) {
    if (err instanceof FederationError) await deps.audit.append([auditFor(claims, req, 'signin:GetSigninToken', 'deny', { reason: err.message }, err.code)]);
    throw err;
  }
  const id = randomUUID();
  const body: SigninTokenBody = { v: 1, id, exp: Math.floor(now / 1000) + SIGNIN_TOKEN_SECONDS, dur, claims };
  const token = sealJson(deps.keyring, SIGNIN_TOKEN_AAD, body);
  await deps.audit.append([auditFor(claims, req, 'signin:GetSigninToken', 'allow', { signinTokenId: id, jti: claims.jti, sessionType: claims.kind, consoleSessionSeconds: dur })]);
  return token;
}

function openSigninToken(deps: ConsoleDeps, token: string | undefined, now: number): SigninTokenBody {
  if (token === undefined || token === '') throw new FederationError(400, 'MissingParameter', 'The request must contain the parameter SigninToken.');
  const body = openJson(deps.keyring, SIGNIN_TOKEN_AAD, token) as SigninTokenBody | undefined;
  if (!body || body.v !== 1 || typeof body.id !== 'string' || typeof body.exp !== 'number' || typeof body.dur !== 'number' || typeof body.claims !== 'object') {
    throw new FederationError(400, 'InvalidParameterValue', 'The sign-in token is not valid.');
  }
  if (body.exp * 1000 <= now) throw new FederationError(400, 'ExpiredToken', 'The sign-in token has expired: ask your identity broker for a new sign-in link.');
  return body;
}

/**
 * Action=login: the console session a sign-in token stands for, once. The credentials are
 * checked again (revoked, key deactivated or expired since the token was made), then the token's
 * id is spent.
 */
export async function federatedLogin(deps: ConsoleDeps, params: { signinToken: string | undefined; issuer: string | undefined }, req: ConsoleRequestFacts): Promise<ConsoleSession> {
  const now = req.at.getTime();
  const body = openSigninToken(deps, params.signinToken, now);
  const { claims } = body;
  const caller = claims.exp * 1000 > now ? await deps.checkSession(claims, now) : undefined;
  if (!caller) {
    await deps.audit.append([auditFor(claims, req, 'signin:ConsoleLogin', 'deny', { consoleLogin: 'Failure', via: 'federation', signinTokenId: body.id, reason: 'the credentials are no longer valid' }, 'InvalidClientTokenId')]);
    throw new FederationError(403, 'InvalidClientTokenId', 'The credentials behind this sign-in link are no longer valid.');
  }
  const first = await insertRevokedSession(deps.db, { jti: `signin-token:${body.id}`, accountId: claims.acct, expiresAt: new Date(body.exp * 1000), revokedAt: req.at });
  if (!first) {
    await deps.audit.append([auditFor(claims, req, 'signin:ConsoleLogin', 'deny', { consoleLogin: 'Failure', via: 'federation', signinTokenId: body.id, reason: 'sign-in token already used' }, 'InvalidParameterValue')]);
    throw new FederationError(400, 'InvalidParameterValue', 'This sign-in link has already been used: ask your identity broker for a new one.');
  }
  const iat = Math.floor(now / 1000);
  const session: ConsoleSession = {
    v: 1,
    id: newSessionId(),
    csrf: newCsrfToken(),
    acct: claims.acct,
    arn: claims.arn,
    via: 'federation',
    claims,
    ...(params.issuer !== undefined ? { iss: params.issuer } : {}),
    iat,
    exp: Math.min(iat + body.dur, claims.exp),
  };
  await deps.audit.append([
    auditFor(claims, req, 'signin:ConsoleLogin', 'allow', {
      consoleLogin: 'Success',
      via: 'federation',
      mfaUsed: claims.mfa !== undefined ? 'Yes' : 'No',
      consoleSessionId: session.id,
      signinTokenId: body.id,
      jti: claims.jti,
      ...(params.issuer !== undefined ? { issuer: params.issuer } : {}),
      expiration: new Date(session.exp * 1000).toISOString(),
    }),
  ]);
  return session;
}
