/**
 * Web identity federation end to end with the stock clients and no code of ours in them: the AWS
 * CLI (web-identity-cli-journey.sh) and boto3 (web-identity-boto3-journey.py) trade ID tokens from
 * a real OpenID Connect provider nobody here wrote (oidc-provider, test/helpers/oidc.ts) for role
 * sessions, three ways: `assume-role-with-web-identity` called directly, a profile with
 * `role_arn` + `web_identity_token_file`, and the environment (AWS_ROLE_ARN +
 * AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ENDPOINT_URL_STS), which is what EKS pods and CI runners use.
 * Each session is then allowed one IAM call and refused another, as the role's policy says.
 *
 * The provider serves discovery and its keys over TLS on loopback with a test CA that the server
 * trusts through its CA bundle (OIDC_CA_BUNDLE); the clients only talk to our STS and IAM
 * endpoints, so Python needs no CA configuration. Each journey has its own provider (one IAM
 * provider per issuer URL and account), and registers it itself with
 * `create-open-id-connect-provider`. The test signs the users in (alice, whom the role trusts, and
 * mallory, whom it does not) and hands the journeys their ID tokens in files.
 *
 * Sandboxed as the other e2e journeys are (sandbox.ts); a machine without the CLI or boto3 skips
 * the journey that needs it, and says why.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { makePki, signingKey, startRealIdp, type RealIdp } from '../helpers/oidc.js';
import { type TestService, useService } from '../helpers/service.js';
import { createSandbox, expectSteps, run } from './sandbox.js';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const JOURNEY_TIMEOUT_MS = 120_000;

const box = createSandbox('latchkey-e2e-wi-');
const { environment, missing } = box;
const pki = makePki();

const noCli = missing('aws', ['--version'], 'the AWS CLI') ?? missing('python3', ['-c', 'import json'], 'Python 3');
const noBoto3 = missing('python3', ['-c', 'import boto3'], 'Python 3 with boto3');
for (const reason of [noCli, noBoto3]) if (reason) console.warn(`skipped: ${reason}`);

// Registered before useService, so it runs after the service has closed.
afterAll(() => {
  box.remove();
  pki.close();
});
let svc: TestService;
useService((s) => ({ svc } = s), { oidc: { caBundle: pki.ca.cert } });

const idps: Record<'cli' | 'boto3', RealIdp | undefined> = { cli: undefined, boto3: undefined };
beforeAll(async () => {
  idps.cli = await startRealIdp(pki.server, pki.ca.cert, await signingKey('cli-idp'));
  idps.boto3 = await startRealIdp(pki.server, pki.ca.cert, await signingKey('boto3-idp'));
});
afterAll(async () => {
  await idps.cli?.close();
  await idps.boto3?.close();
});

/** Sign alice and mallory in at the journey's provider; the journey's environment, their tokens in files. */
async function journeyEnv(which: 'cli' | 'boto3'): Promise<Record<string, string>> {
  const idp = idps[which];
  if (!idp) throw new Error(`the ${which} provider did not start`);
  const files = { alice: join(box.dir, `${which}-alice.jwt`), mallory: join(box.dir, `${which}-mallory.jwt`) };
  writeFileSync(files.alice, await idp.signIn('alice'));
  writeFileSync(files.mallory, await idp.signIn('mallory'));
  return environment({
    LATCHKEY_ENDPOINT: svc.url,
    E2E_PREFIX: `e2e-wi-${which}`,
    AWS_ACCESS_KEY_ID: svc.root.accessKeyId,
    AWS_SECRET_ACCESS_KEY: svc.root.secretAccessKey,
    OIDC_ISSUER: idp.issuer,
    OIDC_CLIENT_ID: idp.clientId,
    ALICE_TOKEN_FILE: files.alice,
    MALLORY_TOKEN_FILE: files.mallory,
  });
}

describe.concurrent('web identity with AWS clients end to end (a real OpenID Connect provider)', () => {
  test.skipIf(noCli !== undefined)(`the AWS CLI: assume-role-with-web-identity, a web_identity_token_file profile, AWS_WEB_IDENTITY_TOKEN_FILE${noCli ? ` (skipped: ${noCli})` : ''}`, async () => {
    const r = await run('bash', [join(HERE, 'web-identity-cli-journey.sh')], await journeyEnv('cli'), JOURNEY_TIMEOUT_MS);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expectSteps(r.stdout, [
      'ok: set-up: create-open-id-connect-provider',
      'ok: assume-role-with-web-identity with alice\'s ID token, unsigned',
      'ok: get-caller-identity with those credentials is arn:aws:sts::',
      'ok: assume-role-with-web-identity with mallory\'s ID token is AccessDenied',
      'ok: --profile wi (role_arn + web_identity_token_file) is arn:aws:sts::',
      'ok: list-roles with --profile wi',
      'ok: list-users with --profile wi is AccessDenied',
      'ok: AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ENDPOINT_URL_STS is arn:aws:sts::',
      'ok: list-roles with the environment\'s web identity',
      'ok: list-users with the environment\'s web identity is AccessDenied',
    ]);
  }, JOURNEY_TIMEOUT_MS);

  test.skipIf(noBoto3 !== undefined)(`boto3: assume_role_with_web_identity, a web_identity_token_file profile, AWS_WEB_IDENTITY_TOKEN_FILE${noBoto3 ? ` (skipped: ${noBoto3})` : ''}`, async () => {
    const r = await run('python3', [join(HERE, 'web-identity-boto3-journey.py')], await journeyEnv('boto3'), JOURNEY_TIMEOUT_MS);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expectSteps(r.stdout, [
      'ok: set-up: create_open_id_connect_provider',
      'ok: assume_role_with_web_identity with alice\'s ID token, unsigned',
      'ok: get_caller_identity with those credentials is arn:aws:sts::',
      'ok: assume_role_with_web_identity with mallory\'s ID token is AccessDenied',
      "ok: boto3.Session(profile_name='wi') (role_arn + web_identity_token_file) is arn:aws:sts::",
      'ok: list_roles with the wi profile',
      'ok: list_users with the wi profile is AccessDenied',
      'ok: boto3.Session() with AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ENDPOINT_URL_STS is arn:aws:sts::',
      "ok: list_roles with the environment's web identity",
      "ok: list_users with the environment's web identity is AccessDenied",
    ]);
  }, JOURNEY_TIMEOUT_MS);
});
