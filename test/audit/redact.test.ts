/**
 * What the audit trail keeps of a request or response: only what the model describes, and never
 * a secret (the model's `sensitive` shapes, and members named like secrets the model misses).
 */
import { describe, expect, test } from 'vitest';
import { HIDDEN, redact } from '../../src/audit/redact.js';
import { loadServices } from '../../src/protocol/index.js';

const services = loadServices();
function op(version: string, name: string) {
  const found = services.byVersion.get(version)?.operations.get(name);
  if (!found) throw new Error(`no ${name}`);
  return found;
}
const IAM = '2010-05-08';
const STS = '2011-06-15';

describe('redact', () => {
  test('passwords in requests are hidden (sensitive in the model)', () => {
    expect(redact(op(IAM, 'CreateLoginProfile').input, { userName: 'bob', password: 'hunter2-Secret!', passwordResetRequired: true })).toEqual({
      userName: 'bob',
      password: HIDDEN,
      passwordResetRequired: true,
    });
    expect(redact(op(IAM, 'ChangePassword').input, { oldPassword: 'a', newPassword: 'b' })).toEqual({ oldPassword: HIDDEN, newPassword: HIDDEN });
  });

  test("a new access key's secret is hidden, its id kept; a server certificate's private key is hidden", () => {
    const created = new Date('2024-05-01T00:00:00Z');
    expect(redact(op(IAM, 'CreateAccessKey').output, { accessKey: { userName: 'bob', accessKeyId: 'AKIAEXAMPLE', status: 'Active', secretAccessKey: 'abc', createDate: created } })).toEqual({
      accessKey: { userName: 'bob', accessKeyId: 'AKIAEXAMPLE', status: 'Active', secretAccessKey: HIDDEN, createDate: '2024-05-01T00:00:00.000Z' },
    });
    const cert = redact(op(IAM, 'UploadServerCertificate').input, { serverCertificateName: 'c', certificateBody: 'BODY', privateKey: 'KEY' }) as Record<string, unknown>;
    expect(cert['privateKey']).toBe(HIDDEN);
    expect(cert['certificateBody']).toBe('BODY');
  });

  test('STS: the session token (not marked sensitive in the model) and MFA codes are hidden by name', () => {
    expect(redact(op(STS, 'GetSessionToken').output, { credentials: { accessKeyId: 'ASIA', secretAccessKey: 's', sessionToken: 't', expiration: new Date(0) } })).toEqual({
      credentials: { accessKeyId: 'ASIA', secretAccessKey: HIDDEN, sessionToken: HIDDEN, expiration: '1970-01-01T00:00:00.000Z' },
    });
    expect(redact(op(STS, 'AssumeRole').input, { roleArn: 'arn', roleSessionName: 's', serialNumber: 'mfa', tokenCode: '123456', tags: [{ key: 'k', value: 'v' }] })).toEqual({
      roleArn: 'arn',
      roleSessionName: 's',
      serialNumber: 'mfa',
      tokenCode: HIDDEN,
      tags: [{ key: 'k', value: 'v' }],
    });
  });

  test('members the model does not know are dropped; long strings are cut', () => {
    const long = 'x'.repeat(20_000);
    const out = redact(op(IAM, 'CreateUser').input, { userName: 'bob', path: long, smuggled: 'secret' }) as Record<string, string>;
    expect(Object.keys(out).sort()).toEqual(['path', 'userName']);
    expect(out['path']?.length).toBeLessThan(16_500);
    expect(out['path']).toMatch(/…\(20000 characters\)$/);
  });
});
