/**
 * SAML federation end to end with the stock clients and no code of ours in them: the AWS CLI
 * (saml-cli-journey.sh) and boto3 (saml-boto3-journey.py) register an IdP from its metadata
 * (`create-saml-provider`), create a role that trusts it for alice, and trade signed SAML responses
 * for role sessions with `assume-role-with-saml`, called unsigned as the clients send it. The
 * session is then allowed one IAM call and refused another, as the role's policy says; the same
 * response sent again is refused (an assertion is used once), and mallory's response, as valid,
 * is refused by the trust policy's condition on `SAML:sub`.
 *
 * This test plays the IdP: it signs the responses (test/helpers/saml-sign.ts, xml-crypto, with the
 * test key idp-a; fresh assertion ids) for the ARNs the journey will create, which are known in
 * advance (account, role and provider names), and hands them to the journey in files with the
 * IdP's metadata. The attacks and the real IdP from npm are in
 * test/integration/sts-assume-role-with-saml*.test.ts.
 *
 * Sandboxed as the other e2e journeys are (sandbox.ts); a machine without the CLI or boto3 skips
 * the journey that needs it, and says why.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { idpMetadata, testKey, TEST_ENTITY_ID } from '../helpers/saml.js';
import { assertionXml, responseXml, signAssertion } from '../helpers/saml-sign.js';
import { type TestService, useService } from '../helpers/service.js';
import { createSandbox, expectSteps, run } from './sandbox.js';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const JOURNEY_TIMEOUT_MS = 120_000;

const box = createSandbox('latchkey-e2e-saml-');
const { environment, missing } = box;

const noCli = missing('aws', ['--version'], 'the AWS CLI') ?? missing('python3', ['-c', 'import json'], 'Python 3');
const noBoto3 = missing('python3', ['-c', 'import boto3'], 'Python 3 with boto3');
for (const reason of [noCli, noBoto3]) if (reason) console.warn(`skipped: ${reason}`);

// Registered before useService, so it runs after the service has closed.
afterAll(() => box.remove());
let svc: TestService;
let acct: string;
useService((s) => ({ svc, acct } = s));

let counter = 0;

/** A response signed by the IdP for `user`, naming the pair (role, provider) (a fresh assertion id each time). */
function signedResponse(user: string, roleArn: string, providerArn: string): string {
  const now = new Date();
  const id = `_e2e${++counter}${now.getTime().toString(36)}`;
  const xml = responseXml(assertionXml({ id, nameId: user, roleSessionName: user, roleValue: `${roleArn},${providerArn}`, now }), now);
  return Buffer.from(signAssertion(xml, { key: 'idp-a' })).toString('base64');
}

/** The journey's environment: the IdP's metadata, and alice's and mallory's signed responses, in files. */
function journeyEnv(which: 'cli' | 'boto3'): Record<string, string> {
  const prefix = `e2e-saml-${which}`;
  const providerName = `${prefix}-idp`;
  const providerArn = `arn:aws:iam::${acct}:saml-provider/${providerName}`;
  const roleArn = `arn:aws:iam::${acct}:role/${prefix}-web`;
  const files = { metadata: join(box.dir, `${which}-idp.xml`), alice: join(box.dir, `${which}-alice.b64`), mallory: join(box.dir, `${which}-mallory.b64`) };
  writeFileSync(files.metadata, idpMetadata([testKey('idp-a').certificateBase64]));
  writeFileSync(files.alice, signedResponse('alice', roleArn, providerArn));
  writeFileSync(files.mallory, signedResponse('mallory', roleArn, providerArn));
  return environment({
    LATCHKEY_ENDPOINT: svc.url,
    E2E_PREFIX: prefix,
    AWS_ACCESS_KEY_ID: svc.root.accessKeyId,
    AWS_SECRET_ACCESS_KEY: svc.root.secretAccessKey,
    SAML_PROVIDER_NAME: providerName,
    SAML_ISSUER: TEST_ENTITY_ID,
    IDP_METADATA_FILE: files.metadata,
    ALICE_RESPONSE_FILE: files.alice,
    MALLORY_RESPONSE_FILE: files.mallory,
  });
}

describe.concurrent('SAML federation with AWS clients end to end', () => {
  test.skipIf(noCli !== undefined)(`the AWS CLI: create-saml-provider, assume-role-with-saml, a used assertion, a refused subject${noCli ? ` (skipped: ${noCli})` : ''}`, async () => {
    const r = await run('bash', [join(HERE, 'saml-cli-journey.sh')], journeyEnv('cli'), JOURNEY_TIMEOUT_MS);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expectSteps(r.stdout, [
      'ok: set-up: create-saml-provider arn:aws:iam::',
      'ok: set-up: role e2e-saml-cli-web (iam:ListRoles) trusting alice at the provider',
      "ok: assume-role-with-saml with alice's response, unsigned",
      'ok: get-caller-identity with those credentials is arn:aws:sts::',
      'ok: list-roles with the SAML session',
      'ok: list-users with the SAML session is AccessDenied',
      "ok: assume-role-with-saml with alice's response again is InvalidIdentityToken",
      "ok: assume-role-with-saml with mallory's response is AccessDenied",
    ]);
  }, JOURNEY_TIMEOUT_MS);

  test.skipIf(noBoto3 !== undefined)(`boto3: create_saml_provider, assume_role_with_saml, a used assertion, a refused subject${noBoto3 ? ` (skipped: ${noBoto3})` : ''}`, async () => {
    const r = await run('python3', [join(HERE, 'saml-boto3-journey.py')], journeyEnv('boto3'), JOURNEY_TIMEOUT_MS);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expectSteps(r.stdout, [
      'ok: set-up: create_saml_provider arn:aws:iam::',
      'ok: set-up: role e2e-saml-boto3-web (iam:ListRoles) trusting alice at the provider',
      "ok: assume_role_with_saml with alice's response, unsigned",
      'ok: get_caller_identity with those credentials is arn:aws:sts::',
      'ok: list_roles with the SAML session',
      'ok: list_users with the SAML session is AccessDenied',
      "ok: assume_role_with_saml with alice's response again is InvalidIdentityToken",
      "ok: assume_role_with_saml with mallory's response is AccessDenied",
    ]);
  }, JOURNEY_TIMEOUT_MS);
});
