/**
 * STS end to end with the clients people actually use: the AWS CLI (sts-cli-journey.sh) and boto3
 * (sts-boto3-journey.py) run against a real server, each with its own user and roles, through the
 * three ways of getting temporary credentials: get-session-token, assume-role from a profile with
 * role_arn + source_profile, and get-federation-token with a policy; each credential is then
 * allowed and refused as the intersection of its policies (and its kind) says.
 *
 * As in aws-clients.test.ts, they run in an environment built from nothing: a temporary HOME and
 * empty AWS config and credentials files (the journeys write their own profile files), so a
 * developer's own profiles, SSO sessions or AWS_* variables can neither help nor leak in. A machine
 * without Python, boto3 or the CLI skips the journey that needs it, and says why.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { type TestService, useService } from '../helpers/service.js';
import { createSandbox, expectSteps, run } from './sandbox.js';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const JOURNEY_TIMEOUT_MS = 120_000;

const box = createSandbox('latchkey-e2e-sts-');
const { environment, missing } = box;

// The CLI journey also reads the CLI's JSON answers with python3, which the CLI (v1) brings along
// but which need not be on PATH for a v2 install.
const noCli = missing('aws', ['--version'], 'the AWS CLI') ?? missing('python3', ['-c', 'import json'], 'Python 3');
const noBoto3 = missing('python3', ['-c', 'import boto3'], 'Python 3 with boto3');
for (const reason of [noCli, noBoto3]) if (reason) console.warn(`skipped: ${reason}`);

// Registered before useService, so it runs after the service has closed.
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

// The two journeys share nothing but the account (their names differ), and each spends its time
// waiting on its client, so they run side by side.
describe.concurrent('STS with AWS clients end to end', () => {
  test.skipIf(noCli !== undefined)(`the AWS CLI: get-session-token, a role_arn + source_profile profile, get-federation-token${noCli ? ` (skipped: ${noCli})` : ''}`, async () => {
    const r = await run('bash', [join(HERE, 'sts-cli-journey.sh')], journeyEnv('e2e-sts-cli'), JOURNEY_TIMEOUT_MS);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expectSteps(r.stdout, [
      'ok: list-users with the session token (no MFA) is InvalidClientTokenId',
      'ok: get-session-token with the session token is AccessDenied',
      'ok: assume-role e2e-sts-cli-lister with the session token',
      'ok: assume-role outsider-e2e-sts-cli with the session token is AccessDenied',
      'ok: --profile dev (role_arn + source_profile) is arn:aws:sts::',
      'ok: list-users with --profile dev',
      'ok: list-roles with --profile dev is AccessDenied',
      'ok: get-caller-identity as bob is arn:aws:sts::',
      'ok: get-federation-token as bob is AccessDenied',
      'ok: list-users as bob is InvalidClientTokenId',
      'ok: list-users with the role session',
      'ok: list-groups with the role session is AccessDenied: no session policy allows it',
    ]);
  }, JOURNEY_TIMEOUT_MS);

  test.skipIf(noBoto3 !== undefined)(`boto3: get_session_token, a role_arn + source_profile profile, get_federation_token${noBoto3 ? ` (skipped: ${noBoto3})` : ''}`, async () => {
    const r = await run('python3', [join(HERE, 'sts-boto3-journey.py')], journeyEnv('e2e-sts-boto3'), JOURNEY_TIMEOUT_MS);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expectSteps(r.stdout, [
      'ok: list_users with the session token (no MFA) is InvalidClientTokenId',
      'ok: get_session_token with the session token is AccessDenied',
      'ok: assume_role e2e-sts-boto3-lister with the session token',
      'ok: assume_role outsider-e2e-sts-boto3 with the session token is AccessDenied',
      "ok: boto3.Session(profile_name='dev') (role_arn + source_profile) is arn:aws:sts::",
      'ok: list_users with the dev profile',
      'ok: list_roles with the dev profile is AccessDenied',
      'ok: get_caller_identity as bob is arn:aws:sts::',
      'ok: get_federation_token as bob is AccessDenied',
      'ok: list_users as bob is InvalidClientTokenId',
      'ok: list_users with the role session',
      'ok: list_groups with the role session is AccessDenied: no session policy allows it',
    ]);
  }, JOURNEY_TIMEOUT_MS);
});
