/**
 * TRUSTED_PROXIES: behind a proxy we trust, aws:SourceIp, aws:SecureTransport and the audit's
 * source IP are the client's, from X-Forwarded-For/-Proto; from anyone else those headers change
 * nothing.
 */
import { describe, expect, test } from 'vitest';
import { queryAuditEvents } from '../../src/store/audit.js';
import { type StartOptions, type TestService, useService } from '../helpers/service.js';
import { send, signedPost, type Key } from '../negative/wire.js';

const LIST_USERS = 'Action=ListUsers&Version=2010-05-08';

const fromOffice = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 'iam:ListUsers', Resource: '*', Condition: { IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } } }],
};
const overTls = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 'iam:ListUsers', Resource: '*', Condition: { Bool: { 'aws:SecureTransport': 'true' } } }],
};

async function listUsers(svc: TestService, key: Key, extra: Record<string, string>): Promise<string | undefined> {
  const req = await signedPost(svc.url, LIST_USERS, { key });
  // Added after signing, as a proxy adds them.
  const reply = await send(svc.url, { ...req, headers: { ...req.headers, ...extra } });
  return reply.status === 200 ? 'allowed' : reply.code;
}

/** A service for this describe block, with one user allowed only from the office and one only over TLS. */
function serviceWithUsers(options: StartOptions): { svc: TestService; office: Key; tls: Key } {
  const ctx = {} as { svc: TestService; office: Key; tls: Key };
  useService(async ({ svc }) => {
    ctx.svc = svc;
    ctx.office = await svc.userWithPolicy('office-only', fromOffice);
    ctx.tls = await svc.userWithPolicy('tls-only', overTls);
  }, options);
  return ctx;
}

describe('behind a trusted proxy (TRUSTED_PROXIES=127.0.0.1)', () => {
  const ctx = serviceWithUsers({ trustedProxies: [{ address: '127.0.0.1' }] });

  test('aws:SourceIp is the client the proxy saw', async () => {
    expect(await listUsers(ctx.svc, ctx.office, { 'x-forwarded-for': '203.0.113.7' })).toBe('allowed');
    expect(await listUsers(ctx.svc, ctx.office, { 'x-forwarded-for': '198.51.100.1' })).toBe('AccessDenied');
    expect(await listUsers(ctx.svc, ctx.office, {})).toBe('AccessDenied');
  });

  test('an address the client wrote in front of the proxy’s is not believed', async () => {
    expect(await listUsers(ctx.svc, ctx.office, { 'x-forwarded-for': '203.0.113.7, 198.51.100.1' })).toBe('AccessDenied');
  });

  test('aws:SecureTransport follows X-Forwarded-Proto', async () => {
    expect(await listUsers(ctx.svc, ctx.tls, { 'x-forwarded-proto': 'https' })).toBe('allowed');
    expect(await listUsers(ctx.svc, ctx.tls, { 'x-forwarded-proto': 'http' })).toBe('AccessDenied');
    expect(await listUsers(ctx.svc, ctx.tls, {})).toBe('AccessDenied');
  });

  test('the audit records the client’s address', async () => {
    expect(await listUsers(ctx.svc, ctx.office, { 'x-forwarded-for': '198.51.100.23' })).toBe('AccessDenied');
    const denied = await queryAuditEvents(ctx.svc.store.db, { accountId: ctx.svc.account.accountId, action: 'iam:ListUsers', limit: 100 });
    expect(denied.map((r) => r.sourceIp)).toContain('198.51.100.23');
  });
});

describe('with no trusted proxies (the default)', () => {
  const ctx = serviceWithUsers({});

  test('X-Forwarded-For and X-Forwarded-Proto change nothing', async () => {
    expect(await listUsers(ctx.svc, ctx.office, { 'x-forwarded-for': '203.0.113.7' })).toBe('AccessDenied');
    expect(await listUsers(ctx.svc, ctx.tls, { 'x-forwarded-proto': 'https' })).toBe('AccessDenied');
  });
});
