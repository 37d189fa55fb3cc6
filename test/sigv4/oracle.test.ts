/**
 * Several hundred generated requests, signed or presigned by the AWS SDK's signer, must verify;
 * each is then changed in one way and must fail with the right AWS error.
 */
import { describe, expect, it } from 'vitest';
import { verify, type SigV4Request } from '../../src/sigv4/index.js';
import { signWithOracle, type OracleKey, type OracleRequest } from './helpers/oracle.js';
import { Rng } from './helpers/rng.js';

const CASES = 400;
const ASCII = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'.split('');
const RESERVED = " !\"#$%&'()*+,/:;<=>?@[\\]^`{|}~-._".split('');
const UNICODE = ['é', 'ü', 'ሴ', '中', '😀', 'ß'];
const QUERY_CHARS = [...ASCII, ...ASCII, ...RESERVED, ...UNICODE];
/** Raw path pieces as a client could send them: unreserved, sub-delims, percent-escapes. */
const PATH_PIECES = [...ASCII, '-', '.', '_', '~', '!', '$', "'", '(', ')', '*', '+', ',', ';', '=', ':', '@', '%20', '%2F', '%25', '%C3%A9'];
const HEADER_CHARS = [...ASCII, ' ', ' ', '\t', '"', ',', ';', '=', '/', ':'];
const MUTATIONS = ['body', 'header', 'query', 'path', 'method', 'date', 'secret', 'region', 'service', 'unknown-key'] as const;
type Mutation = (typeof MUTATIONS)[number];

interface Case {
  readonly request: OracleRequest;
  readonly key: OracleKey;
  readonly signingDate: Date;
  readonly presignExpires: number | undefined;
  readonly applyChecksum: boolean;
  readonly now: number;
  readonly mutation: Mutation;
}

function genPath(rng: Rng): string {
  if (rng.bool(0.3)) return '/';
  const segments: string[] = [];
  for (let i = rng.int(1, 4); i > 0; i--) {
    segments.push(rng.bool(0.1) ? rng.pick(['.', '..', '']) : rng.string(PATH_PIECES, 1, 8));
  }
  return '/' + segments.join('/') + (rng.bool(0.3) ? '/' : '');
}

function genQuery(rng: Rng): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (let i = rng.int(0, 5); i > 0; i--) {
    const key = rng.bool(0.4) ? rng.pick(['Action', 'Version', 'Param', 'Tags.member.1.Key']) : rng.string(QUERY_CHARS, 1, 10);
    if (key.toLowerCase().startsWith('x-amz-')) continue;
    query[key] = rng.bool(0.25)
      ? Array.from({ length: rng.int(2, 3) }, () => rng.string(QUERY_CHARS, 0, 8))
      : rng.string(QUERY_CHARS, 0, 12);
  }
  return query;
}

function genHeaderValue(rng: Rng): string {
  const core = rng.string(HEADER_CHARS, 1, 20);
  return (rng.bool(0.3) ? '  ' : '') + core + (rng.bool(0.3) ? ' \t ' : '');
}

function genCase(i: number): Case {
  const rng = new Rng(0x5157 + i * 7919);
  const method = rng.pick(['GET', 'POST']);
  const host = rng.pick(['localhost:8080', 'sts.example.com', 'iam.amazonaws.com', '127.0.0.1:9000']);
  const headers: Record<string, string> = { host };
  for (let n = rng.int(0, 4); n > 0; n--) {
    const name = 'X-' + rng.pick(['Custom', 'Meta', 'Trace', 'Opt']) + '-' + rng.string(ASCII, 1, 5);
    headers[rng.bool() ? name : name.toLowerCase()] = genHeaderValue(rng);
  }
  if (method === 'POST') headers[rng.pick(['Content-Type', 'content-type'])] = 'application/x-www-form-urlencoded; charset=utf-8';
  if (rng.bool(0.3)) headers['User-Agent'] = 'aws-cli/2.0 ' + rng.string(ASCII, 1, 8);
  const body = method === 'GET' && rng.bool(0.7) ? new Uint8Array(0) : rng.bytes(rng.int(1, 300));
  const key: OracleKey = {
    accessKeyId: 'AKIA' + rng.string(ASCII, 16, 16).toUpperCase(),
    secretAccessKey: rng.string([...ASCII, '/', '+'], 40, 40),
    ...(rng.bool(0.3) ? { sessionToken: 'FwoG' + rng.string([...ASCII, '/', '+', '='], 20, 80) } : {}),
    region: rng.pick(['us-east-1', 'eu-west-1', 'ap-southeast-2']),
    service: rng.pick(['sts', 'iam']),
  };
  const signingDate = new Date(Date.UTC(2015, 0, 1) + rng.int(0, 15 * 365 * 86400) * 1000);
  const presignExpires = rng.bool(0.4) ? rng.pick([1, 60, 900, 3600, 86400, 604800]) : undefined;
  const at = signingDate.getTime();
  const now =
    presignExpires === undefined
      ? at + rng.int(-14 * 60, 14 * 60) * 1000
      : at + Math.floor(rng.next() * presignExpires) * 1000;
  return {
    request: { method, path: genPath(rng), query: genQuery(rng), headers, body },
    key,
    signingDate,
    presignExpires,
    applyChecksum: rng.bool(0.5),
    now,
    mutation: MUTATIONS[i % MUTATIONS.length] ?? 'body',
  };
}

async function signCase(c: Case, seed: number): Promise<SigV4Request> {
  return signWithOracle(
    c.request,
    c.key,
    {
      signingDate: c.signingDate,
      applyChecksum: c.applyChecksum,
      ...(c.presignExpires === undefined ? {} : { presignExpires: c.presignExpires }),
    },
    new Rng(seed),
  );
}

/** Changes one thing the signature covers (or the key that checks it). */
function mutate(c: Case, req: SigV4Request, rng: Rng): { req: SigV4Request; secret?: string; services?: string[]; regions?: string[]; code: string; message?: RegExp } {
  const bad = { code: 'SignatureDoesNotMatch' };
  const headers = { ...(req.headers as Record<string, string>) };
  switch (c.mutation) {
    case 'body': {
      const body = req.body.length === 0 ? Uint8Array.of(0x41) : Uint8Array.from(req.body);
      if (req.body.length > 0) {
        const at = rng.int(0, body.length - 1);
        body[at] = (body[at] ?? 0) ^ (1 << rng.int(0, 7));
      }
      return { ...bad, req: { ...req, body } };
    }
    case 'header': {
      const signed = (/SignedHeaders=([^,&]+)/.exec(String(headers['authorization'] ?? '')) ?? /X-Amz-SignedHeaders=([^&]+)/.exec(req.query))?.[1] ?? 'host';
      const names = decodeURIComponent(signed).split(';').filter((n) => n !== 'x-amz-date');
      const name = rng.pick(names);
      const actual = Object.keys(headers).find((k) => k.toLowerCase() === name) ?? name;
      headers[actual] = `${headers[actual] ?? ''}x`;
      return { ...bad, req: { ...req, headers } };
    }
    case 'query': {
      const extra = rng.pick(['Action=Other', 'Injected=1', 'a=b']);
      return { ...bad, req: { ...req, query: req.query === '' ? extra : `${req.query}&${extra}` } };
    }
    case 'path':
      return { ...bad, req: { ...req, path: req.path === '/' ? '/x' : `${req.path}x` } };
    case 'method':
      return { ...bad, req: { ...req, method: req.method === 'GET' ? 'POST' : 'GET' } };
    case 'date': {
      const date = c.signingDate.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
      const later = new Date(c.signingDate.getTime() + 1000).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
      if (c.presignExpires !== undefined) return { ...bad, req: { ...req, query: req.query.replace(`X-Amz-Date=${date}`, `X-Amz-Date=${later}`) } };
      const name = Object.keys(headers).find((k) => k.toLowerCase() === 'x-amz-date') ?? 'x-amz-date';
      headers[name] = later;
      return { ...bad, req: { ...req, headers } };
    }
    case 'secret':
      return { ...bad, req, secret: c.key.secretAccessKey.slice(0, -1) + (c.key.secretAccessKey.endsWith('a') ? 'b' : 'a') };
    case 'region':
      return { ...bad, req, regions: ['us-gov-west-1'], message: /^Credential should be scoped to a valid region, not '/ };
    case 'service':
      return { ...bad, req, services: [c.key.service === 'sts' ? 'iam' : 'sts'], message: /^Credential should be scoped to correct service: '/ };
    case 'unknown-key':
      return { req, secret: c.key.secretAccessKey, code: 'InvalidClientTokenId' };
  }
}

describe('generated requests signed by the AWS SDK signer', () => {
  for (let i = 0; i < CASES; i++) {
    const c = genCase(i);
    const kind = c.presignExpires === undefined ? 'header' : `presigned ${c.presignExpires}s`;
    it(`#${i} ${c.request.method} ${kind}, then ${c.mutation} changed`, async () => {
      const req = await signCase(c, i);
      const { identity } = await verify(req, {
        now: c.now,
        allowed: { services: ['sts', 'iam'] },
        lookupSigner: async (p) => (p.accessKeyId === c.key.accessKeyId ? { secret: c.key.secretAccessKey } : undefined),
      });
      expect(identity).toMatchObject({ accessKeyId: c.key.accessKeyId, region: c.key.region, service: c.key.service, presigned: c.presignExpires !== undefined });
      expect(identity.securityToken).toBe(c.key.sessionToken);
      expect(identity.signedHeaders).toContain('host');

      const m = mutate(c, req, new Rng(i));
      const lookupKey = c.mutation === 'unknown-key' ? 'AKIAUNKNOWN' : c.key.accessKeyId;
      const result = verify(m.req, {
        now: c.now,
        allowed: { services: m.services ?? ['sts', 'iam'], ...(m.regions === undefined ? {} : { regions: m.regions }) },
        lookupSigner: async (p) => (p.accessKeyId === lookupKey ? { secret: m.secret ?? c.key.secretAccessKey } : undefined),
      });
      await expect(result).rejects.toMatchObject({ code: m.code, ...(m.message === undefined ? {} : { message: expect.stringMatching(m.message) }) });
    });
  }
});
