/**
 * Hostile HTTP requests for a running Latchkey, as data first (fast-check generates the plan)
 * and bytes second (toWire signs it at the moment it is sent, since a signature is good for 15
 * minutes). Shared by the HTTP property (hostile-requests.http.test.ts) and `npm run fuzz`.
 *
 *   signed     validly signed by one of the caller's keys (header or presigned URL), the
 *              parameters hostile; sometimes damaged after signing (a changed signature, a
 *              parameter added, the wrong service or a skewed clock, a forged session token)
 *   unsigned   the same parameters with no signature (federation actions among them)
 *   bytes      a body of random bytes or broken form encoding, signed or not, any method and path
 *   header     a hostile Authorization header and X-Amz-Date around well-formed parameters
 */
import fc from 'fast-check';
import { ERRORS } from '../../src/errors.js';
import type { Param, Services } from '../../src/protocol/index.js';
import { encode, presignedGet, signedPost, type Key, type WireRequest } from '../negative/wire.js';
import { anyQueryParams, hostileText, IAM_VERSION, STS_VERSION } from './arbitraries.js';
import { NodeSha256 } from './node-sha256.js';

/** Who signs: the account's root, an IAM user allowed everything, one allowed nothing, a session, a key nobody has. */
export type Signer = 'root' | 'admin' | 'denied' | 'session' | 'unknown';

export type Damage = 'none' | 'tamper' | 'added-param' | 'wrong-service' | 'skewed' | 'forged-token' | 'no-date';

export type Plan =
  | { readonly kind: 'signed'; readonly signer: Signer; readonly params: readonly Param[]; readonly presigned: boolean; readonly damage: Damage }
  | { readonly kind: 'unsigned'; readonly params: readonly Param[]; readonly method: 'POST' | 'GET' }
  | { readonly kind: 'bytes'; readonly method: string; readonly path: string; readonly contentType: string; readonly body: Uint8Array; readonly signer: Signer | undefined }
  | { readonly kind: 'header'; readonly params: readonly Param[]; readonly authorization: string; readonly amzDate: string; readonly token: string | undefined };

export type Keys = Readonly<Record<Signer, Key>>;

/** A key that no account has, well-formed. */
export const UNKNOWN_KEY: Key = { accessKeyId: 'AKIAZZZZZZZZZZZZZZZZ', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };

const signer = fc.constantFrom<Signer>('root', 'root', 'root', 'admin', 'admin', 'denied', 'session', 'unknown');
const damage = fc.oneof(
  { arbitrary: fc.constant<Damage>('none'), weight: 8 },
  { arbitrary: fc.constantFrom<Damage>('tamper', 'added-param', 'wrong-service', 'skewed', 'forged-token', 'no-date'), weight: 3 },
);

/**
 * Header text node's client will send (it refuses control characters and non-Latin-1), short
 * enough that the headers stay under node's 16 KiB limit (past it node's parser answers 431
 * before the service sees the request; npm run fuzz sends such requests on purpose).
 */
export function headerSafe(s: string): string {
  return s.slice(0, 4096).replace(/[^\t\x20-\x7e]/g, '?');
}

/** Broken form encoding: stray percent signs, truncated escapes, invalid UTF-8, ampersands and equals signs. */
const brokenForm = fc
  .array(fc.oneof(fc.constantFrom('%', '%2', '%zz', '%C3%28', '%ED%A0%80', '%FF', '&&', '==', '=&=', '+', 'Action=GetUser', 'Version=2010-05-08', 'Action', '&'), hostileText), { maxLength: 10 })
  .map((parts) => new TextEncoder().encode(parts.join('')));

/** The plans, for the services' models. `accountId` goes in the ARNs of valid parameters. */
export function requestPlan(services: Services, accountId?: string): fc.Arbitrary<Plan> {
  const params = anyQueryParams(services, accountId);
  return fc.oneof(
    // A quarter presigned (GET with the signature in the query), the rest with the Authorization header.
    { arbitrary: fc.record({ kind: fc.constant('signed' as const), signer, params, presigned: fc.nat({ max: 3 }).map((n) => n === 0), damage }), weight: 10 },
    { arbitrary: fc.record({ kind: fc.constant('unsigned' as const), params, method: fc.constantFrom<'POST' | 'GET'>('POST', 'GET') }), weight: 3 },
    {
      arbitrary: fc.record({
        kind: fc.constant('bytes' as const),
        method: fc.constantFrom('POST', 'POST', 'POST', 'GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'),
        path: fc.oneof({ arbitrary: fc.constant('/'), weight: 6 }, { arbitrary: fc.constantFrom('/x', '//', '/%2F', '/..', '/?', '/healthz/..'), weight: 1 }),
        contentType: fc.constantFrom('application/x-www-form-urlencoded; charset=utf-8', 'application/x-www-form-urlencoded', 'text/plain', 'application/json', 'multipart/form-data; boundary=x', ''),
        body: fc.oneof(fc.uint8Array({ maxLength: 512 }), brokenForm),
        signer: fc.option(signer, { freq: 2 }).map((s) => s ?? undefined),
      }),
      weight: 2,
    },
    {
      arbitrary: fc.record({
        kind: fc.constant('header' as const),
        params: fc.constant<readonly Param[]>([['Action', 'GetCallerIdentity'], ['Version', STS_VERSION]]),
        authorization: fc.oneof(
          hostileText,
          fc.tuple(hostileText, hostileText, hostileText).map(([c, h, s]) => `AWS4-HMAC-SHA256 Credential=${c}, SignedHeaders=${h}, Signature=${s}`),
          fc.tuple(fc.stringMatching(/^[A-Z0-9]{0,24}$/), fc.constantFrom('20261204', '2026120', 'yyyyMMdd', ''), fc.constantFrom('us-east-1', '', '*'), fc.constantFrom('sts', 'iam', 's3', '')).map(
            ([k, d, r, s]) => `AWS4-HMAC-SHA256 Credential=${k}/${d}/${r}/${s}/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(64)}`,
          ),
        ),
        amzDate: fc.oneof(fc.constant('now'), hostileText),
        token: fc.option(hostileText, { freq: 3 }).map((t) => t ?? undefined),
      }),
      weight: 2,
    },
  );
}

/** Longest parameter string sent in a presigned URL (the rest of the URL adds about 1 KiB, or more with a session token). */
export const MAX_PRESIGNED_QUERY = 8 * 1024;

const UNRESERVED = /^[A-Za-z0-9_.~-]$/;

/**
 * A form body as a hostile client writes it: RFC 3986 encoding, except that a lone surrogate
 * goes out as the three bytes of its WTF-8 form (%ED%A0%80), which encodeURIComponent refuses to
 * write and a strict server must refuse to read.
 */
export function formBody(params: readonly Param[]): string {
  return params.map(([k, v]) => `${encodeAny(k)}=${encodeAny(v)}`).join('&');
}

function encodeAny(s: string): string {
  if (!/[\uD800-\uDFFF]/.test(s)) return encode(s);
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    if (c >= 0xd800 && c <= 0xdfff) out += [0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f)].map((b) => `%${b.toString(16).toUpperCase()}`).join('');
    else out += UNRESERVED.test(ch) ? ch : encode(ch);
  }
  return out;
}

const SIGNING_NAME: Readonly<Record<string, string>> = { [IAM_VERSION]: 'iam', [STS_VERSION]: 'sts' };

function signingNameOf(params: readonly Param[]): string {
  const version = params.find(([n]) => n === 'Version')?.[1];
  return (version === undefined ? undefined : SIGNING_NAME[version]) ?? 'sts';
}

function hostOf(url: string): string {
  return new URL(url).host;
}

/** The request a plan describes, signed now (or `at`) with `keys`. */
export async function toWire(plan: Plan, url: string, keys: Keys, at: Date = new Date()): Promise<WireRequest> {
  switch (plan.kind) {
    case 'unsigned': {
      const form = formBody(plan.params);
      return plan.method === 'POST' || form.length > MAX_PRESIGNED_QUERY
        ? { method: 'POST', target: '/', headers: { host: hostOf(url), 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body: form }
        : { method: 'GET', target: `/?${form}`, headers: { host: hostOf(url) }, body: '' };
    }
    case 'header': {
      const amzDate = plan.amzDate === 'now' ? at.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '') : plan.amzDate;
      const headers: Record<string, string> = {
        host: hostOf(url),
        'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
        authorization: headerSafe(plan.authorization),
        'x-amz-date': headerSafe(amzDate),
      };
      if (plan.token !== undefined) headers['x-amz-security-token'] = headerSafe(plan.token);
      return { method: 'POST', target: '/', headers, body: formBody(plan.params) };
    }
    case 'bytes': {
      const headers: Record<string, string> = { host: hostOf(url) };
      if (plan.contentType !== '') headers['content-type'] = plan.contentType;
      if (plan.signer === undefined || plan.method !== 'POST') return { method: plan.method, target: plan.path, headers, body: plan.body };
      // Signed over the bytes read as Latin-1 (so right for ASCII bodies only): the body is not a form.
      const signed = await signedPost(url, Buffer.from(plan.body).toString('latin1'), { key: keys[plan.signer], service: 'sts', signingDate: at, sha256: NodeSha256 });
      return { ...signed, target: plan.path, body: Buffer.from(plan.body) };
    }
    case 'signed':
      return signedWire(plan, url, keys, at);
  }
}

async function signedWire(plan: Extract<Plan, { kind: 'signed' }>, url: string, keys: Keys, at: Date): Promise<WireRequest> {
  const key = keys[plan.signer];
  const service = plan.damage === 'wrong-service' ? (signingNameOf(plan.params) === 'iam' ? 'sts' : 'iam') : signingNameOf(plan.params);
  const signingDate = plan.damage === 'skewed' ? new Date(at.getTime() - 20 * 60_000) : at;
  const forged = plan.damage === 'forged-token' ? { ...key, sessionToken: `${key.sessionToken ?? 'IQoJb3JpZ2luX2Vj'}x` } : key;
  // A URL past node's header limit (16 KiB) is refused by its HTTP parser (431) before the
  // service sees it: such parameters go in a signed body instead.
  // The SDK's presigner cannot write a lone surrogate either.
  const presignable = formBody(plan.params).length <= MAX_PRESIGNED_QUERY && !plan.params.some(([k, v]) => /[\uD800-\uDFFF]/.test(k + v));
  if (plan.presigned && presignable) {
    const wire = await presignedGet(url, plan.params, { key: forged, service, signingDate, expiresIn: 300, sha256: NodeSha256 });
    return damaged(plan.damage, wire);
  }
  const wire = await signedPost(url, formBody(plan.params), { key: forged, service, signingDate, sha256: NodeSha256 });
  return damaged(plan.damage, wire);
}

function damaged(damage: Damage, wire: WireRequest): WireRequest {
  switch (damage) {
    case 'tamper': {
      const auth = wire.headers['authorization'];
      if (auth !== undefined) return { ...wire, headers: { ...wire.headers, authorization: flipLastHex(auth) } };
      return { ...wire, target: wire.target.replace(/(X-Amz-Signature=[0-9a-f]*)([0-9a-f])/, (_m, head: string, last: string) => `${head}${last === '0' ? '1' : '0'}`) };
    }
    case 'added-param':
      if (wire.method === 'POST') return { ...wire, body: `${String(wire.body)}&UserName=added-after-signing` };
      return { ...wire, target: `${wire.target}&UserName=added-after-signing` };
    case 'no-date': {
      const headers = { ...wire.headers };
      delete headers['x-amz-date'];
      return { ...wire, headers };
    }
    default:
      return wire;
  }
}

function flipLastHex(auth: string): string {
  return auth.replace(/([0-9a-f])$/, (last) => (last === '0' ? '1' : '0'));
}

/** Every error code the service may answer with, and its status. */
export const ERROR_CODES: ReadonlySet<string> = new Set(Object.keys(ERRORS));

const ERROR_RESPONSE =
  /^<ErrorResponse(?: xmlns="[^"<]*")?><Error><Type>(Sender|Receiver)<\/Type><Code>(\w+)<\/Code><Message>[^<]*<\/Message><\/Error><RequestId>[0-9a-f-]{36}<\/RequestId><\/ErrorResponse>$/;

/**
 * What is wrong with a reply, or undefined: a 5xx, an error that is not AWS's ErrorResponse with
 * a code from the error table and that code's status, a success that is not the operation's XML.
 */
export function replyProblem(status: number, body: string, requestId: string | undefined): string | undefined {
  if (status >= 500) return `server error ${status}: ${body.slice(0, 300)}`;
  if (requestId === undefined) return 'no x-amzn-RequestId';
  if (status >= 400) {
    const m = ERROR_RESPONSE.exec(body);
    if (!m) return `error ${status} without AWS's ErrorResponse shape: ${body.slice(0, 300)}`;
    const code = m[2] ?? '';
    if (!ERROR_CODES.has(code)) return `error code ${code} is not in the error table`;
    const expected = ERRORS[code as keyof typeof ERRORS].status;
    // The one answer outside the table: a path other than / (app.ts's notFound).
    if (status !== expected && !(code === 'InvalidAction' && status === 404)) return `${code} answered with ${status}, the table says ${expected}`;
    return undefined;
  }
  if (status >= 200 && status < 300 && !/^<(\w+)Response xmlns="https:\/\/(iam|sts)\.amazonaws\.com\/doc\/[0-9-]+\/">[\s\S]*<\/\1Response>$/.test(body)) {
    return `success ${status} whose body is not an operation's response: ${body.slice(0, 300)}`;
  }
  return undefined;
}
