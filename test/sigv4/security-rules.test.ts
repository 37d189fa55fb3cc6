/**
 * Each security rule of SPEC §3 / issue 3, shown rejecting, end to end through verify(), on a
 * request the AWS SDK signer produced (an STS GetCallerIdentity form POST).
 */
import { describe, expect, it, vi } from 'vitest';
import { verify, type PlainSigV4Request } from '../../src/sigv4/index.js';
import { signWithOracle, type OracleKey } from './helpers/oracle.js';

const KEY: OracleKey = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', region: 'us-east-1', service: 'sts' };
const AT = new Date(Date.UTC(2013, 4, 24, 0, 0, 0));
const NOW = AT.getTime();
const MIN = 60_000;
const BODY = new TextEncoder().encode('Action=GetCallerIdentity&Version=2011-06-15');
const BASE = { method: 'POST', path: '/', query: {}, headers: { host: 'localhost:8080', 'content-type': 'application/x-www-form-urlencoded' }, body: BODY };

function sign(over: { headers?: Record<string, string>; key?: Partial<OracleKey>; presignExpires?: number; applyChecksum?: boolean } = {}) {
  return signWithOracle(
    { ...BASE, headers: over.headers ?? BASE.headers, query: over.presignExpires === undefined ? {} : { Action: 'GetCallerIdentity', Version: '2011-06-15' }, body: over.presignExpires === undefined ? BODY : new Uint8Array(0) },
    { ...KEY, ...over.key },
    { signingDate: AT, applyChecksum: over.applyChecksum ?? false, ...(over.presignExpires === undefined ? {} : { presignExpires: over.presignExpires }) },
  );
}

function check(req: PlainSigV4Request, opts: { now?: number; regions?: string[]; services?: string[]; secret?: string } = {}) {
  return verify(req, {
    now: opts.now ?? NOW,
    allowed: { services: opts.services ?? ['sts', 'iam'], ...(opts.regions === undefined ? {} : { regions: opts.regions }) },
    lookupSigner: async (p) => (p.accessKeyId === KEY.accessKeyId ? { secret: opts.secret ?? KEY.secretAccessKey } : undefined),
  }).then((verified) => verified.identity);
}

const fails = (code: string, message?: string | RegExp) =>
  expect.objectContaining({ code, ...(message === undefined ? {} : { message: typeof message === 'string' ? message : expect.stringMatching(message) }) });

function withAuth(req: PlainSigV4Request, edit: (auth: string) => string): PlainSigV4Request {
  return { ...req, headers: { ...req.headers, authorization: edit(String(req.headers['authorization'])) } };
}

describe('the baseline verifies', () => {
  it('header-signed and presigned', async () => {
    await expect(check(await sign())).resolves.toMatchObject({ accessKeyId: KEY.accessKeyId, service: 'sts', presigned: false });
    await expect(check(await sign({ presignExpires: 900 }))).resolves.toMatchObject({ presigned: true });
  });
});

describe('unsigned', () => {
  it('no Authorization header and no presigned query: MissingAuthenticationToken', async () => {
    const req = await sign();
    const { authorization: _drop, ...headers } = req.headers;
    await expect(check({ ...req, headers })).rejects.toEqual(fails('MissingAuthenticationToken', 'Request is missing Authentication Token'));
    await expect(check({ ...req, headers: { ...headers, authorization: '' } })).rejects.toEqual(fails('MissingAuthenticationToken'));
  });
  it('does not ask for the secret when the request is malformed', async () => {
    const lookupSigner = vi.fn(async () => ({ secret: KEY.secretAccessKey }));
    await expect(verify({ ...BASE, query: '', headers: { authorization: 'garbage' } }, { now: NOW, allowed: { services: ['sts'] }, lookupSigner })).rejects.toEqual(fails('IncompleteSignature'));
    expect(lookupSigner).not.toHaveBeenCalled();
  });
});

describe('host and x-amz-date must be signed', () => {
  it('host missing from SignedHeaders', async () => {
    const req = withAuth(await sign(), (a) => a.replace(/SignedHeaders=[^,]+/, 'SignedHeaders=content-type;x-amz-date'));
    await expect(check(req)).rejects.toEqual(fails('IncompleteSignature', "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."));
  });
  it('host not signed by the client at all', async () => {
    const signed = await sign({ headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    await expect(check({ ...signed, headers: { ...signed.headers, host: 'localhost:8080' } })).rejects.toEqual(fails('IncompleteSignature'));
  });
  it('x-amz-date missing from SignedHeaders', async () => {
    const req = withAuth(await sign(), (a) => a.replace(/SignedHeaders=[^,]+/, 'SignedHeaders=content-type;host'));
    await expect(check(req)).rejects.toEqual(fails('IncompleteSignature', /X-Amz-Date/));
  });
  it('x-amz-date header absent', async () => {
    const req = await sign();
    const { 'x-amz-date': _drop, ...headers } = req.headers;
    await expect(check({ ...req, headers })).rejects.toEqual(fails('IncompleteSignature', "Authorization header requires existence of a 'X-Amz-Date' header."));
  });
  it('presigned without host in X-Amz-SignedHeaders', async () => {
    const req = await sign({ presignExpires: 900 });
    await expect(check({ ...req, query: req.query.replace(/X-Amz-SignedHeaders=[^&]+/, 'X-Amz-SignedHeaders=content-type') })).rejects.toEqual(fails('IncompleteSignature'));
  });
});

describe('15-minute clock skew', () => {
  it('accepts exactly 15 minutes either way', async () => {
    const req = await sign();
    await expect(check(req, { now: NOW + 15 * MIN })).resolves.toBeDefined();
    await expect(check(req, { now: NOW - 15 * MIN })).resolves.toBeDefined();
  });
  it('rejects a request more than 15 minutes old', async () => {
    await expect(check(await sign(), { now: NOW + 16 * MIN })).rejects.toEqual(
      fails('SignatureDoesNotMatch', 'Signature expired: 20130524T000000Z is now earlier than 20130524T000100Z (20130524T001600Z - 15 min.)'),
    );
  });
  it('rejects a request more than 15 minutes in the future', async () => {
    await expect(check(await sign(), { now: NOW - 15 * MIN - 1000 })).rejects.toEqual(fails('SignatureDoesNotMatch', /^Signature not yet current: 20130524T000000Z is still later than/));
  });
  it('rejects a presigned request dated more than 15 minutes ahead', async () => {
    await expect(check(await sign({ presignExpires: 3600 }), { now: NOW - 16 * MIN })).rejects.toEqual(fails('SignatureDoesNotMatch', /not yet current/));
  });
});

describe('the body hash is recomputed, never trusted', () => {
  it('rejects a tampered body whose x-amz-content-sha256 still claims the old hash', async () => {
    const req = await sign({ applyChecksum: true });
    expect(req.headers['x-amz-content-sha256']).toMatch(/^[0-9a-f]{64}$/);
    const body = new TextEncoder().encode('Action=GetCallerIdentity&Version=2011-06-16');
    await expect(check({ ...req, body })).rejects.toEqual(fails('SignatureDoesNotMatch'));
  });
  it('rejects UNSIGNED-PAYLOAD', async () => {
    const req = await sign({ headers: { ...BASE.headers, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } });
    await expect(check(req)).rejects.toEqual(fails('SignatureDoesNotMatch'));
  });
});

describe('credential scope', () => {
  it('wrong service', async () => {
    await expect(check(await sign({ key: { service: 's3' } }))).rejects.toEqual(fails('SignatureDoesNotMatch', "Credential should be scoped to correct service: 'sts' or 'iam'."));
    await expect(check(await sign(), { services: ['iam'] })).rejects.toEqual(fails('SignatureDoesNotMatch', "Credential should be scoped to correct service: 'iam'."));
  });
  it('wrong region when regions are restricted; any region otherwise', async () => {
    const req = await sign({ key: { region: 'eu-west-3' } });
    await expect(check(req, { regions: ['us-east-1'] })).rejects.toEqual(fails('SignatureDoesNotMatch', "Credential should be scoped to a valid region, not 'eu-west-3'."));
    await expect(check(req)).resolves.toMatchObject({ region: 'eu-west-3' });
  });
  it('scope date other than the X-Amz-Date day', async () => {
    const req = withAuth(await sign(), (a) => a.replace('/20130524/', '/20130523/'));
    await expect(check(req)).rejects.toEqual(fails('SignatureDoesNotMatch', /^Date in Credential scope does not match YYYYMMDD/));
  });
});

describe('malformed Authorization headers', () => {
  it.each([
    ['garbage', () => 'garbage'],
    ['another scheme', () => 'Bearer abc.def.ghi'],
    ['algorithm only', () => 'AWS4-HMAC-SHA256'],
    ['missing Signature', (a: string) => a.replace(/, Signature=[0-9a-f]+/, '')],
    ['empty Signature', (a: string) => a.replace(/Signature=[0-9a-f]+/, 'Signature=')],
    ['duplicated Signature', (a: string) => `${a}, Signature=${'0'.repeat(64)}`],
    ['duplicated Credential', (a: string) => `${a}, Credential=x/20130524/us-east-1/sts/aws4_request`],
    ['part without =', (a: string) => `${a}, junk`],
    ['short credential', (a: string) => a.replace('/aws4_request', '')],
    ['bad terminator', (a: string) => a.replace('/aws4_request', '/aws5_request')],
    ['upper-case SignedHeaders', (a: string) => a.replace('SignedHeaders=content-type;host', 'SignedHeaders=Content-Type;Host')],
  ])('%s: IncompleteSignature', async (_name, edit) => {
    await expect(check(withAuth(await sign(), edit))).rejects.toEqual(fails('IncompleteSignature'));
  });
  it("AWS's message for a missing Signature", async () => {
    await expect(check(withAuth(await sign(), (a) => a.replace(/, Signature=[0-9a-f]+/, '')))).rejects.toEqual(fails('IncompleteSignature', "Authorization header requires 'Signature' parameter."));
  });
  it('a malformed X-Amz-Date', async () => {
    const req = await sign();
    await expect(check({ ...req, headers: { ...req.headers, 'x-amz-date': '2013-05-24T00:00:00Z' } })).rejects.toEqual(fails('IncompleteSignature'));
  });
  it('both an Authorization header and a presigned query', async () => {
    const pre = await sign({ presignExpires: 900 });
    const hdr = await sign();
    await expect(check({ ...pre, headers: { ...pre.headers, authorization: String(hdr.headers['authorization']) } })).rejects.toEqual(fails('IncompleteSignature'));
  });
});

describe('wrong signatures and keys', () => {
  it('a signature of the wrong length, case or value: SignatureDoesNotMatch', async () => {
    for (const edit of [(s: string) => s.slice(0, 40), (s: string) => s.toUpperCase(), (s: string) => (s.startsWith('0') ? '1' : '0') + s.slice(1)]) {
      const req = withAuth(await sign(), (a) => a.replace(/Signature=([0-9a-f]+)/, (_m, s: string) => `Signature=${edit(s)}`));
      await expect(check(req)).rejects.toEqual(fails('SignatureDoesNotMatch'));
    }
  });
  it('the wrong secret: SignatureDoesNotMatch', async () => {
    await expect(check(await sign(), { secret: 'not-the-secret' })).rejects.toEqual(fails('SignatureDoesNotMatch'));
  });
  it('an unknown access key: InvalidClientTokenId', async () => {
    await expect(check(await sign({ key: { accessKeyId: 'AKIAUNKNOWN' } }))).rejects.toEqual(fails('InvalidClientTokenId'));
  });
  it("the caller's own error for a key (e.g. expired token) passes through", async () => {
    const req = await sign({ key: { sessionToken: 'token' } });
    const lookupSigner = async () => {
      throw Object.assign(new Error('expired'), { code: 'ExpiredToken' });
    };
    await expect(verify(req, { now: NOW, allowed: { services: ['sts'] }, lookupSigner })).rejects.toEqual(expect.objectContaining({ code: 'ExpiredToken' }));
  });
});

describe('presigned requests', () => {
  it('accepts until X-Amz-Expires, then RequestExpired', async () => {
    const req = await sign({ presignExpires: 60 });
    await expect(check(req, { now: NOW + 60_000 })).resolves.toBeDefined();
    await expect(check(req, { now: NOW + 61_000 })).rejects.toEqual(fails('RequestExpired'));
  });
  it('accepts seven days, rejects X-Amz-Expires above seven days', async () => {
    const req = await sign({ presignExpires: 604800 });
    await expect(check(req, { now: NOW + 604800_000 })).resolves.toBeDefined();
    await expect(check({ ...req, query: req.query.replace('X-Amz-Expires=604800', 'X-Amz-Expires=604801') }, { now: NOW })).rejects.toEqual(
      fails('IncompleteSignature', 'X-Amz-Expires must be less than a week (in seconds) that is 604800'),
    );
  });
  it('rejects a lengthened X-Amz-Expires as a bad signature', async () => {
    const req = await sign({ presignExpires: 60 });
    await expect(check({ ...req, query: req.query.replace('X-Amz-Expires=60', 'X-Amz-Expires=3600') }, { now: NOW + 120_000 })).rejects.toEqual(fails('SignatureDoesNotMatch'));
  });
  it('rejects a missing or repeated X-Amz-* parameter', async () => {
    const req = await sign({ presignExpires: 60 });
    await expect(check({ ...req, query: req.query.replace(/&?X-Amz-Credential=[^&]+/, '') })).rejects.toEqual(fails('IncompleteSignature', /'X-Amz-Credential'/));
    await expect(check({ ...req, query: `${req.query}&X-Amz-Signature=${'0'.repeat(64)}` })).rejects.toEqual(fails('IncompleteSignature'));
  });
  it('carries the security token from the query', async () => {
    const req = await sign({ presignExpires: 60, key: { sessionToken: 'FwoGZXIvYXdzE+/=' } });
    await expect(check(req)).resolves.toMatchObject({ securityToken: 'FwoGZXIvYXdzE+/=' });
  });
});
