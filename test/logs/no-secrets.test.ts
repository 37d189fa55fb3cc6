/**
 * The logs of a full run hold no secret. A journey through the real server (root creates users,
 * access keys and policies; users are allowed, denied and refused; signatures are bad, expired,
 * presigned, carry a session token; bodies are malformed or too large; a handler fails
 * unexpectedly on a database error that names a sealed secret) and then every log line is searched
 * for every secret the run saw or stored: secret access keys (each one returned, and anything shaped
 * like one), signatures, Authorization header values, session tokens, sealed secrets.
 *
 * Every request to `/` must also leave exactly one `request` line whose requestId is the
 * `x-amzn-RequestId` its response carried, so an operator can find any call from its id.
 */
import { sql } from 'drizzle-orm';
import type { Agent } from 'node:http';
import { afterAll, describe, expect, test } from 'vitest';
import type { OperationDef } from '../../src/operation.js';
import { API_VERSIONS } from '../../src/protocol/index.js';
import { useService, type TestService } from '../helpers/service.js';
import { implemented, sealedSecrets } from '../negative/fixtures.js';
import { minimalParams } from '../negative/minimal-params.js';
import {
  createAgent,
  formBody,
  presignedGet,
  send,
  signedPost,
  tag,
  tamper,
  unsignedPost,
  type Key,
  type Param,
  type Reply,
  type WireRequest,
} from '../negative/wire.js';

const IAM_VERSION = API_VERSIONS.iam;

const MINUTE = 60_000;
const FAKE_TOKEN = 'IQoJb3JpZ2luX2VjEFakeSessionTokenForTheLogScan0123456789abcdefABCDEF/+==';

let svc: TestService;
let agent: Agent;

/** Everything the journey saw that must never be logged. */
const secrets = new Set<string>();
const signatures = new Set<string>();
const authorizations = new Set<string>();
/** Sealed secrets as stored, collected before any key is deleted. */
const sealedSeen = new Set<string>();
/** Every reply from `/`, for the request-line check. */
const replies: Reply[] = [];

useService(async (s) => {
  svc = s.svc;
  agent = createAgent(4);
  secrets.add(svc.root.secretAccessKey);
  await journey();
});
// Registered after useService's, so the agent goes before the service closes (after-hooks run last first).
afterAll(() => {
  agent?.destroy();
});

/** Send, remembering the signature and Authorization header it carried. */
async function call(req: WireRequest): Promise<Reply> {
  const auth = req.headers['authorization'];
  if (auth) {
    authorizations.add(auth);
    const sig = /Signature=([0-9a-f]{64})/.exec(auth)?.[1];
    if (sig) signatures.add(sig);
  }
  const presigned = /X-Amz-Signature=([0-9a-f]{64})/.exec(req.target)?.[1];
  if (presigned) signatures.add(presigned);
  const reply = await send(svc.url, req, agent);
  replies.push(reply);
  return reply;
}

function form(action: string, params: Record<string, string> = {}): string {
  return formBody([['Action', action], ['Version', IAM_VERSION], ...Object.entries(params)]);
}

async function as(key: Key, action: string, params: Record<string, string> = {}): Promise<Reply> {
  return call(await signedPost(svc.url, form(action, params), { key }));
}

async function ok(key: Key, action: string, params: Record<string, string> = {}): Promise<Reply> {
  const r = await as(key, action, params);
  if (r.status !== 200) throw new Error(`${action}: ${r.status} ${r.code ?? ''} ${r.message ?? ''}`);
  return r;
}

async function newKey(userName?: string): Promise<Key> {
  const r = await ok(svc.root, 'CreateAccessKey', userName ? { UserName: userName } : {});
  const accessKeyId = tag(r.body, 'AccessKeyId');
  const secretAccessKey = tag(r.body, 'SecretAccessKey');
  if (!accessKeyId || !secretAccessKey) throw new Error('CreateAccessKey returned no key');
  secrets.add(secretAccessKey);
  return { accessKeyId, secretAccessKey };
}

const policy = (actions: string[]): string =>
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }] });

async function journey(): Promise<void> {
  const root = svc.root;
  await ok(root, 'CreateUser', { UserName: 'log-alice' });
  await ok(root, 'CreateUser', { UserName: 'log-bob', Path: '/logs/' });
  const alice = await newKey('log-alice');
  const bob = await newKey('log-bob');
  const rootSecond = await newKey();
  await ok(root, 'PutUserPolicy', { UserName: 'log-alice', PolicyName: 'list', PolicyDocument: policy(['iam:ListUsers', 'iam:GetUser']) });
  const created = await ok(root, 'CreatePolicy', { PolicyName: 'log-policy', PolicyDocument: policy(['iam:ListAccessKeys']) });
  const policyArn = tag(created.body, 'Arn') ?? '';
  await ok(root, 'AttachUserPolicy', { UserName: 'log-bob', PolicyArn: policyArn });
  await ok(rootSecond, 'ListAccessKeys', { UserName: 'log-alice' });
  await ok(root, 'GetAccessKeyLastUsed', { AccessKeyId: alice.accessKeyId });

  // Allowed and denied callers.
  await ok(alice, 'ListUsers');
  await ok(alice, 'GetUser', { UserName: 'log-bob' });
  await ok(bob, 'ListAccessKeys');
  expect((await as(alice, 'CreateUser', { UserName: 'log-mallory' })).code).toBe('AccessDenied');
  expect((await as(bob, 'DeleteUser', { UserName: 'log-alice' })).code).toBe('AccessDenied');

  // Bad signatures of every kind.
  expect((await call(tamper(await signedPost(svc.url, form('ListUsers'), { key: bob })))).code).toBe('SignatureDoesNotMatch');
  expect((await call(await signedPost(svc.url, form('ListUsers'), { key: { ...bob, secretAccessKey: alice.secretAccessKey } }))).code).toBe('SignatureDoesNotMatch');
  const longAgo = new Date(Date.now() - 20 * MINUTE);
  expect((await call(await signedPost(svc.url, form('ListUsers'), { key: alice, signingDate: longAgo }))).code).toBe('SignatureDoesNotMatch');
  expect((await call(await signedPost(svc.url, form('ListUsers'), { key: alice, service: 'sts' }))).code).toBe('SignatureDoesNotMatch');
  expect((await call(await signedPost(svc.url, form('ListUsers'), { key: { ...alice, sessionToken: FAKE_TOKEN } }))).code).toBe('InvalidClientTokenId');
  expect((await call(unsignedPost(svc.url, form('ListUsers')))).code).toBe('MissingAuthenticationToken');
  const unknown = { accessKeyId: 'AKIAZZZZZZZZZZZZZZZZ', secretAccessKey: bob.secretAccessKey };
  expect((await call(await signedPost(svc.url, form('ListUsers'), { key: unknown }))).code).toBe('InvalidClientTokenId');

  // Presigned, with and without a token, then expired.
  const list: Param[] = [['Action', 'ListUsers'], ['Version', IAM_VERSION]];
  expect((await call(await presignedGet(svc.url, list, { key: root, expiresIn: 60 }))).status).toBe(200);
  expect((await call(await presignedGet(svc.url, list, { key: { ...alice, sessionToken: FAKE_TOKEN }, expiresIn: 60 }))).code).toBe('InvalidClientTokenId');
  expect((await call(await presignedGet(svc.url, list, { key: alice, expiresIn: 60, signingDate: new Date(Date.now() - 10 * MINUTE) }))).code).toBe('RequestExpired');

  // Secrets in the body of a request that fails before it is understood.
  const leaky = `${form('ListUsers')}&Marker=${encodeURIComponent(alice.secretAccessKey)}%ZZ`;
  expect((await call(await signedPost(svc.url, leaky, { key: alice }))).code).toBe('MalformedQueryString');
  expect((await call(unsignedPost(svc.url, `${form('ListUsers')}&X=${'a'.repeat(2 * 1024 * 1024)}`))).status).toBe(413);
  expect((await as(alice, 'NoSuchAction', { Secret: alice.secretAccessKey })).code).toBe('InvalidAction');

  // A key turned off, then deleted (its sealed secret is remembered first).
  for (const s of await sealedSecrets(svc)) sealedSeen.add(s);
  await ok(root, 'UpdateAccessKey', { UserName: 'log-alice', AccessKeyId: alice.accessKeyId, Status: 'Inactive' });
  expect((await as(alice, 'ListUsers')).code).toBe('InvalidClientTokenId');
  await ok(root, 'DeleteAccessKey', { UserName: 'log-bob', AccessKeyId: bob.accessKeyId });
  expect((await as(bob, 'ListUsers')).code).toBe('InvalidClientTokenId');

  await unexpectedFailure();
}

/**
 * A handler that fails on a database error whose text names a sealed secret: the pipeline must
 * answer InternalFailure and log the failure without the statement, its parameters or the
 * database's message. It is put in the place of an operation this service does not implement yet
 * (in this test's own service only).
 */
async function unexpectedFailure(): Promise<void> {
  const iam = svc.service.deps.services.byVersion.get(IAM_VERSION);
  const operation = [...(iam?.operations.values() ?? [])].find((op) => !implemented(svc, op.name));
  const operations = svc.service.deps.operations;
  if (!operation || !(operations instanceof Map)) throw new Error('no free operation to fail in');
  const [sealed] = await sealedSecrets(svc);
  const failing: OperationDef = {
    name: operation.name,
    action: `iam:${operation.name}`,
    authentication: 'sigv4',
    write: false,
    resource: () => '*',
    async handle(_input, ctx) {
      await ctx.db.execute(sql`select ${sealed ?? ''}::integer as n`);
      return {};
    },
  };
  operations.set(`${IAM_VERSION}:${operation.name}`, failing);
  const params = minimalParams(operation, svc.account.accountId);
  const r = await call(await signedPost(svc.url, formBody([['Action', operation.name], ['Version', IAM_VERSION], ...params]), { key: svc.root }));
  expect([r.status, r.code]).toEqual([500, 'InternalFailure']);
  expect(r.body).not.toContain(sealed);
}

interface LogLine {
  readonly msg?: unknown;
  readonly requestId?: unknown;
}

function parsed(): LogLine[] {
  return svc.logs.flatMap((chunk) => chunk.split('\n').filter((l) => l.trim() !== '')).map((l) => JSON.parse(l) as LogLine);
}

/** 40 characters of base64 with upper, lower and digits: what an AWS secret looks like. */
const SECRET_SHAPE = /(?<![A-Za-z0-9+/])(?=[A-Za-z0-9+/]{0,39}[0-9])(?=[A-Za-z0-9+/]{0,39}[a-z])(?=[A-Za-z0-9+/]{0,39}[A-Z])[A-Za-z0-9+/]{40}(?![A-Za-z0-9+/])/;

describe('a full run leaves no secret in the logs', () => {
  test('the journey happened and was logged', () => {
    expect(secrets.size).toBeGreaterThanOrEqual(4);
    expect(signatures.size).toBeGreaterThan(10);
    expect(svc.logs.length).toBeGreaterThan(replies.length);
    expect(svc.logs.join('')).toContain('unexpected failure');
    if (process.env.LATCHKEY_LOG_REPORT) console.info(svc.logs.filter((l) => !l.includes('"msg":"request"')).join(''));
  });

  test('every line is one JSON object', () => {
    for (const chunk of svc.logs) for (const line of chunk.split('\n').filter((l) => l !== '')) expect(() => JSON.parse(line) as unknown, line).not.toThrow();
  });

  test('no secret access key, signature, Authorization header or session token appears', () => {
    const text = svc.logs.join('');
    const found: string[] = [];
    for (const s of secrets) if (text.includes(s)) found.push(`secret ${s.slice(0, 4)}…`);
    for (const s of signatures) if (text.includes(s)) found.push(`signature ${s.slice(0, 8)}…`);
    for (const a of authorizations) if (text.includes(a)) found.push('an Authorization header');
    for (const needle of ['Signature=', 'X-Amz-Signature', 'X-Amz-Security-Token', 'x-amz-security-token', 'AWS4-HMAC-SHA256 Credential', FAKE_TOKEN]) {
      if (text.includes(needle)) found.push(needle);
    }
    // The secrets as they travel URL-encoded in a form body.
    for (const s of secrets) if (text.includes(encodeURIComponent(s))) found.push(`encoded secret ${s.slice(0, 4)}…`);
    expect(found).toEqual([]);
  });

  test('nothing shaped like a secret access key appears', () => {
    const lines = svc.logs.flatMap((chunk) => chunk.split('\n')).filter((l) => SECRET_SHAPE.test(l));
    expect(lines).toEqual([]);
  });

  test('no sealed secret appears', async () => {
    const sealed = [...new Set([...sealedSeen, ...(await sealedSecrets(svc))])];
    expect(sealed.length).toBeGreaterThanOrEqual(4);
    const text = svc.logs.join('');
    expect(sealed.filter((s) => text.includes(s))).toEqual([]);
  });

  test('every request left exactly one request line, with the id its response carried', () => {
    const ids = replies.map((r) => r.requestId);
    expect(ids.every((id) => typeof id === 'string' && id !== '')).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    const requestLines = parsed().filter((l) => l.msg === 'request');
    expect(requestLines.length).toBe(replies.length);
    const logged = requestLines.map((l) => l.requestId);
    expect([...logged].sort()).toEqual([...ids].sort());
  });
});

describe('requests outside the Query endpoint', () => {
  test('other paths and methods are logged with their request id too', async () => {
    const before = parsed().filter((l) => l.msg === 'request').length;
    const base = await signedPost(svc.url, form('ListUsers'), { key: svc.root });
    const r1 = await send(svc.url, { ...base, method: 'PUT' }, agent);
    const r2 = await send(svc.url, { ...base, target: '/other' }, agent);
    const lines = parsed().filter((l) => l.msg === 'request').slice(before);
    expect(lines.map((l) => l.requestId)).toEqual([r1.requestId, r2.requestId]);
  });
});
