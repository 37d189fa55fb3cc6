/**
 * Each operation declares how it is authenticated (src/operation.ts): a `'none'` operation (the
 * unsigned federation actions) is reached without a signature and has no caller; a `'sigv4'`
 * operation is never reached unsigned, nor with a signature that does not verify. The service is
 * the real one, with planted handlers in place of two operations of the STS model.
 */
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AwsError } from '../../src/errors.js';
import { createApp } from '../../src/http/app.js';
import { registerOperations, type OperationDef } from '../../src/operation.js';
import { listen, type Listening } from '../../src/service.js';
import { rootCredentials, startService, type TestService } from '../helpers/service.js';

const STS = '2011-06-15';

interface Reached {
  readonly op: string;
  readonly hadCaller: boolean;
}

let svc: TestService;
let server: Listening;
const reached: Reached[] = [];

/** Unsigned: answers with an error that says it was reached (its output would need credentials). */
const unsigned: OperationDef = {
  name: 'AssumeRoleWithWebIdentity',
  action: 'sts:AssumeRoleWithWebIdentity',
  authentication: 'none',
  authorization: 'handler',
  write: false,
  resource: () => '*',
  async handle(_input, ctx) {
    reached.push({ op: 'AssumeRoleWithWebIdentity', hadCaller: 'caller' in ctx });
    throw new AwsError('InvalidIdentityToken', 'planted handler reached');
  },
};

/** Signed: a stand-in for GetCallerIdentity that records every call it gets. */
const signed: OperationDef = {
  name: 'GetCallerIdentity',
  action: 'sts:GetCallerIdentity',
  authentication: 'sigv4',
  authorization: 'none',
  write: false,
  resource: () => '*',
  async handle(_input, ctx) {
    reached.push({ op: 'GetCallerIdentity', hadCaller: ctx.caller !== undefined });
    return { userId: ctx.caller.userId, account: ctx.accountId, arn: ctx.caller.arn };
  },
};

beforeAll(async () => {
  svc = await startService();
  const operations = new Map(svc.service.deps.operations);
  operations.set(`${STS}:${unsigned.name}`, unsigned);
  operations.set(`${STS}:${signed.name}`, signed);
  const app = createApp({ ...svc.service.deps, operations });
  server = await listen({ ...svc.service, app }, 0, '127.0.0.1');
});

afterAll(async () => {
  await server?.close();
  await svc?.close();
});

async function post(body: string, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  const res = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body });
  return { status: res.status, text: await res.text() };
}

function client(credentials = rootCredentials(svc.account)): STSClient {
  return new STSClient({ endpoint: server.url, region: 'us-east-1', credentials });
}

describe("an operation declared 'none'", () => {
  it('is reached unsigned, with no caller', async () => {
    reached.length = 0;
    const r = await post(`Action=AssumeRoleWithWebIdentity&Version=${STS}&RoleArn=arn:aws:iam::123456789012:role/r&RoleSessionName=session1&WebIdentityToken=${'x'.repeat(20)}`);
    expect(r.text).toContain('<Code>InvalidIdentityToken</Code>');
    expect(r.text).toContain('planted handler reached');
    expect(reached).toEqual([{ op: 'AssumeRoleWithWebIdentity', hadCaller: false }]);
  });

  it('does not read a signature the request carries, however bad', async () => {
    reached.length = 0;
    const r = await post(`Action=AssumeRoleWithWebIdentity&Version=${STS}&RoleArn=arn:aws:iam::123456789012:role/r&RoleSessionName=session1&WebIdentityToken=${'x'.repeat(20)}`, {
      authorization: 'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260101/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=00',
    });
    expect(r.text).toContain('planted handler reached');
    expect(reached).toEqual([{ op: 'AssumeRoleWithWebIdentity', hadCaller: false }]);
  });

  it('still has its parameters validated against the model before it is reached', async () => {
    reached.length = 0;
    const r = await post(`Action=AssumeRoleWithWebIdentity&Version=${STS}&RoleSessionName=s`);
    expect(r.status).toBe(400);
    expect(r.text).not.toContain('planted handler reached');
    expect(reached).toEqual([]);
  });
});

describe("an operation declared 'sigv4'", () => {
  it('is never reached unsigned', async () => {
    reached.length = 0;
    const r = await post(`Action=GetCallerIdentity&Version=${STS}`);
    expect(r.status).toBe(403);
    expect(r.text).toContain('<Code>MissingAuthenticationToken</Code>');
    expect(reached).toEqual([]);
  });

  it('is never reached with a signature that does not verify', async () => {
    reached.length = 0;
    const forged = client({ accessKeyId: svc.account.accessKeyId, secretAccessKey: 'not-the-secret-at-all-0000000000000000000' });
    await expect(forged.send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({ name: 'SignatureDoesNotMatch' });
    expect(reached).toEqual([]);
  });

  it('is reached signed, with its caller', async () => {
    reached.length = 0;
    const me = await client().send(new GetCallerIdentityCommand({}));
    expect(me.Account).toBe(svc.account.accountId);
    expect(reached).toEqual([{ op: 'GetCallerIdentity', hadCaller: true }]);
  });
});

describe('the operation registry', () => {
  const base = { name: 'X', action: 'sts:X', write: false, resource: () => '*', handle: async () => ({}) };

  it('refuses at start an operation that declares no authentication', () => {
    expect(() => registerOperations(new Map(), STS, [base as unknown as OperationDef])).toThrow(/X declares no authentication/);
    expect(() => registerOperations(new Map(), STS, [{ ...base, authentication: 'sometimes' } as unknown as OperationDef])).toThrow(/X declares no authentication/);
  });

  it('refuses an unsigned operation that the pipeline would have to authorize', () => {
    expect(() => registerOperations(new Map(), STS, [{ ...base, authentication: 'none', authorization: 'resource' } as unknown as OperationDef])).toThrow(/unsigned, so its handler must authorize it/);
  });

  it('refuses a name defined twice, and accepts the real ones', () => {
    const def = { ...base, authentication: 'sigv4' } as unknown as OperationDef;
    expect(() => registerOperations(new Map(), STS, [def, def])).toThrow(/defined twice/);
    expect(svc.service.deps.operations.size).toBeGreaterThan(60);
    for (const op of svc.service.deps.operations.values()) expect(['sigv4', 'none']).toContain(op.authentication);
  });
});
