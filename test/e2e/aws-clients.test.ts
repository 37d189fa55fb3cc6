/**
 * End to end with the clients people actually use: the AWS CLI (cli-journey.sh) and boto3
 * (boto3-journey.py) run against a real server, each on its own user. They run in an environment
 * built from nothing: a temporary HOME and empty AWS config and credentials files, so a developer's
 * own profiles, SSO sessions or AWS_* variables can neither help nor leak in.
 *
 * A machine without Python, boto3 or the CLI skips the journey that needs it, and says why.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { type TestService, useService } from '../helpers/service.js';
import { createSandbox, run } from './sandbox.js';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const JOURNEY_TIMEOUT_MS = 120_000;

const box = createSandbox('latchkey-e2e-');
const { environment, missing } = box;

const noCli = missing('aws', ['--version'], 'the AWS CLI');
const noBoto3 = missing('python3', ['-c', 'import boto3'], 'Python 3 with boto3');
for (const reason of [noCli, noBoto3]) if (reason) console.warn(`skipped: ${reason}`);

// Registered before useService, so it runs after the service has closed.
afterAll(() => {
  box.remove();
});
let svc: TestService;
useService((s) => ({ svc } = s));

function journeyEnv(user: string): Record<string, string> {
  return environment({
    LATCHKEY_ENDPOINT: svc.url,
    E2E_USER: user,
    AWS_ACCESS_KEY_ID: svc.root.accessKeyId,
    AWS_SECRET_ACCESS_KEY: svc.root.secretAccessKey,
  });
}

describe('AWS clients end to end', () => {
  test.skipIf(noCli !== undefined)(`the AWS CLI: a user allowed ListUsers and GetUser only${noCli ? ` (skipped: ${noCli})` : ''}`, async () => {
    const r = await run('bash', [join(HERE, 'cli-journey.sh')], journeyEnv('e2e-cli'), JOURNEY_TIMEOUT_MS);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toContain('ok: create-user as e2e-cli is AccessDenied');
  }, JOURNEY_TIMEOUT_MS);

  test.skipIf(noBoto3 !== undefined)(`boto3: a user allowed ListUsers and GetUser only${noBoto3 ? ` (skipped: ${noBoto3})` : ''}`, async () => {
    const r = await run('python3', [join(HERE, 'boto3-journey.py')], journeyEnv('e2e-boto3'), JOURNEY_TIMEOUT_MS);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toContain('ok: create_user as e2e-boto3 is AccessDenied');
  }, JOURNEY_TIMEOUT_MS);
});
