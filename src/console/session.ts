/**
 * The console's state in the browser, as sealed cookies (src/console/sealed.ts): no server-side
 * session table, so any node with the keys serves any request. Two cookies:
 *
 * - `latchkey-console`: the signed-in session (who, how, until when, its CSRF token; for a
 *   federation sign-in, the STS session's own claims, checked again on every request). Sessions
 *   whose claims carry large session policies are split over numbered cookies
 *   (`latchkey-console.1`, …), each under the 4 KB browsers keep.
 * - `latchkey-signin`: a sign-in in progress (the form's CSRF token; after the password, the user
 *   waiting for an MFA code or a new password). Lives 10 minutes.
 *
 * Both are HttpOnly, SameSite=Lax, Path=/, Secure when the request came over TLS, and expire with
 * what they hold. Signing out records the session's id as revoked (revoked_sessions, `console:ID`),
 * so a copied cookie is refused on every node after sign-out.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Keyring } from '../tokens/keyring.js';
import type { SessionClaims } from '../tokens/session-token.js';
import { openJson, sealJson } from './sealed.js';

export const SESSION_COOKIE = 'latchkey-console';
export const SIGN_IN_COOKIE = 'latchkey-signin';
/** A chunk's value stays below browsers' 4,096 bytes per cookie, name and attributes included. */
const CHUNK = 3800;
/** Chunks beyond the first: `latchkey-console.1` … `.5` (about 22 KB in all). */
export const MAX_EXTRA_CHUNKS = 5;

const SESSION_AAD = 'console-session:v1';
const SIGN_IN_AAD = 'console-sign-in:v1';

export interface ConsoleUser {
  readonly id: string;
  readonly name: string;
  readonly path: string;
}

/** A signed-in console session. Times are epoch seconds. */
export interface ConsoleSession {
  readonly v: 1;
  /** The console session's id: in the audit trail's sign-in event, revoked at sign-out. */
  readonly id: string;
  /** The CSRF token every form of this session carries. */
  readonly csrf: string;
  readonly acct: string;
  /** Who is signed in: the IAM user's ARN, or the federated user's or role session's STS ARN. */
  readonly arn: string;
  /** `password`: an IAM user's console password (and MFA); `federation`: an identity broker's sign-in URL. */
  readonly via: 'password' | 'federation';
  /** The IAM user signed in with a password. */
  readonly user?: ConsoleUser | undefined;
  /** When MFA was verified at sign-in (password sign-ins with a device). */
  readonly mfa?: number | undefined;
  /** A federation sign-in's STS session: its claims, as the broker's credentials carried them. */
  readonly claims?: SessionClaims | undefined;
  /** A federation sign-in's Issuer (the broker's URL, offered again at sign-out). */
  readonly iss?: string | undefined;
  readonly iat: number;
  readonly exp: number;
}

/** A password sign-in between its steps. */
export interface SignInState {
  readonly v: 1;
  readonly csrf: string;
  /** `start`: the form; `mfa`: the password was right, a code is due; `change`: a new password is due. */
  readonly stage: 'start' | 'mfa' | 'change';
  readonly acct?: string | undefined;
  readonly user?: ConsoleUser | undefined;
  /** Why the password must change. */
  readonly reason?: 'reset' | 'expired' | undefined;
  /** Whether the user has an MFA device (the code comes before the new password). */
  readonly mfaDevice?: boolean | undefined;
  readonly mfa?: number | undefined;
  readonly exp: number;
}

/** How long a sign-in in progress lasts (the form, the MFA code, the forced password change). */
export const SIGN_IN_SECONDS = 600;

export function newCsrfToken(): string {
  return randomBytes(24).toString('base64url');
}

export function newSessionId(): string {
  return randomUUID();
}

export function sealSession(keyring: Keyring, session: ConsoleSession): string {
  return sealJson(keyring, SESSION_AAD, session);
}

export function sealSignIn(keyring: Keyring, state: SignInState): string {
  return sealJson(keyring, SIGN_IN_AAD, state);
}

/** The session a cookie holds if it is one of ours and not expired at `nowSeconds`. */
export function openSession(keyring: Keyring, sealed: string | undefined, nowSeconds: number): ConsoleSession | undefined {
  if (sealed === undefined) return undefined;
  const s = openJson(keyring, SESSION_AAD, sealed) as ConsoleSession | undefined;
  if (!s || s.v !== 1 || typeof s.id !== 'string' || typeof s.csrf !== 'string' || typeof s.exp !== 'number') return undefined;
  return s.exp > nowSeconds ? s : undefined;
}

export function openSignIn(keyring: Keyring, sealed: string | undefined, nowSeconds: number): SignInState | undefined {
  if (sealed === undefined) return undefined;
  const s = openJson(keyring, SIGN_IN_AAD, sealed) as SignInState | undefined;
  if (!s || s.v !== 1 || typeof s.csrf !== 'string' || typeof s.exp !== 'number') return undefined;
  return s.exp > nowSeconds ? s : undefined;
}

/** A sealed value as cookie chunks: the first under `name`, the rest `name.1`, `name.2`, … */
export function chunks(value: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < value.length; i += CHUNK) out.push(value.slice(i, i + CHUNK));
  return out;
}

export function chunkName(name: string, index: number): string {
  return index === 0 ? name : `${name}.${index}`;
}

/** The value of a chunked cookie from the request's cookies; undefined when the first chunk is missing. */
export function joinChunks(cookies: Readonly<Record<string, string>>, name: string): string | undefined {
  const first = cookies[name];
  if (first === undefined) return undefined;
  let value = first;
  for (let i = 1; i <= MAX_EXTRA_CHUNKS; i++) {
    const next = cookies[chunkName(name, i)];
    if (next === undefined) break;
    value += next;
  }
  return value;
}
