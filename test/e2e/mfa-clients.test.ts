/**
 * MFA end to end with the clients people use: the AWS CLI (mfa-cli-journey.sh) and boto3
 * (mfa-boto3-journey.py) against a real server: enrolment of virtual devices, `get-session-token
 * --serial-number … --token-code …`, and an assume-role profile with `mfa_serial` whose code is
 * fed to the client's prompt, each succeeding with the right code and failing without one. Codes
 * are computed in the journeys (RFC 6238 with Python's hmac and hashlib), on the real clock.
 *
 * As the other e2e suites, in an environment built from nothing (test/e2e/sandbox.ts); a machine
 * without the CLI or boto3 skips the journey that needs it, and says why.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { type TestService, useService } from '../helpers/service.js';
import { createSandbox, expectSteps, run } from './sandbox.js';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const JOURNEY_TIMEOUT_MS = 120_000;

const box = createSandbox('latchkey-e2e-mfa-');
const { environment, missing } = box;

const noCli = missing('aws', ['--version'], 'the AWS CLI') ?? missing('python3', ['-c', 'import json'], 'Python 3') ?? missing('setsid', ['--version'], 'setsid (util-linux)');
const noBoto3 = missing('python3', ['-c', 'import boto3'], 'Python 3 with boto3');
for (const reason of [noCli, noBoto3]) if (reason) console.warn(`skipped: ${reason}`);

afterAll(() => {
  box.remove();
});
let svc: TestService;
useService((s) => ({ svc } = s));

function journeyEnv(prefix: string): Record<string, string> {
  return environment({
    LATCHKEY_ENDPOINT: svc.url,
    E2E_PREFIX: prefix,
    AWS_ACCESS_KEY_ID: svc.root.accessKeyId,
    AWS_SECRET_ACCESS_KEY: svc.root.secretAccessKey,
  });
}

describe.concurrent('MFA with AWS clients end to end', () => {
  test.skipIf(noCli !== undefined)(`the AWS CLI: enrol, get-session-token with a code, an mfa_serial profile${noCli ? ` (skipped: ${noCli})` : ''}`, async () => {
    const r = await run('bash', [join(HERE, 'mfa-cli-journey.sh')], journeyEnv('e2e-mfa-cli'), JOURNEY_TIMEOUT_MS);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expectSteps(r.stdout, [
      'ok: create-virtual-mfa-device --outfile and enable-mfa-device with two consecutive codes, twice',
      'ok: get-session-token --serial-number --token-code',
      'ok: list-users with the MFA session',
      'ok: the same code again is AccessDenied',
      'ok: get-session-token --serial-number without a code is AccessDenied',
      'ok: an unknown serial is AccessDenied',
      'ok: --profile admin (mfa_serial, the code fed to the prompt) is arn:aws:sts::',
      "ok: --profile admin-again with a wrong code fails with AWS's message",
      'ok: --profile admin-again without a code fails',
      'ok: --profile no-mfa (no mfa_serial) is AccessDenied by the trust policy',
    ]);
  }, JOURNEY_TIMEOUT_MS);

  test.skipIf(noBoto3 !== undefined)(`boto3: enrol, get_session_token with a code, an mfa_serial profile${noBoto3 ? ` (skipped: ${noBoto3})` : ''}`, async () => {
    const r = await run('python3', [join(HERE, 'mfa-boto3-journey.py')], journeyEnv('e2e-mfa-boto3'), JOURNEY_TIMEOUT_MS);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expectSteps(r.stdout, [
      'ok: create_virtual_mfa_device and enable_mfa_device with two consecutive codes, twice',
      'ok: get_session_token(SerialNumber, TokenCode); list_users with the MFA session',
      'ok: list_users with a session without MFA is InvalidClientTokenId',
      'ok: the same code again is AccessDenied',
      'ok: get_session_token(SerialNumber) without a code is AccessDenied',
      'ok: an unknown serial is AccessDenied',
      "ok: boto3.Session(profile_name='admin') (mfa_serial, the code from the prompter) is arn:aws:sts::",
      'ok: the admin-again profile with a wrong code is AccessDenied',
      'ok: the no-mfa profile (no mfa_serial) is AccessDenied by the trust policy',
    ]);
  }, JOURNEY_TIMEOUT_MS);
});
