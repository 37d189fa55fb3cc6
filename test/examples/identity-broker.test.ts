/**
 * examples/identity-broker runs as its README says (`npm run example:identity-broker`), from start
 * to end: keys for one employee, refusals for a wrong password and a stranger, a console sign-in
 * URL that signs another in once. It starts its own Latchkey in memory, so it runs once, in the
 * `processes` project.
 */
import { expect, test } from 'vitest';
import { EXAMPLE_TIMEOUT_MS, expectInOrder, runExample } from './run-example.js';

test('npm run example:identity-broker: keys from GetFederationToken, refusals, a console sign-in URL used once', async () => {
  const r = await runExample('identity-broker');
  expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
  const lines = [
    /^latchkey +Latchkey in this process at http:\/\/127\.0\.0\.1:\d+ \(PGlite in memory, account \d{12}\)$/m,
    /^admin +broker user arn:aws:iam::\d{12}:user\/identity-broker-[0-9a-f]{6}: may call sts:GetFederationToken/m,
    /^broker +listening at http:\/\/127\.0\.0\.1:\d+ \(directory\.json: 2 employees/m,
    /^employee +alice: keys for arn:aws:sts::\d{12}:federated-user\/alice \(engineering session policy, packed \d+%\), key ASIA[A-Z2-7]{16} until /m,
    /^employee +alice: GetCallerIdentity: arn:aws:sts::\d{12}:federated-user\/alice$/m,
    /^employee +bob: refused \(401\): unknown user or wrong password$/m,
    /^employee +mallory: refused \(401\): unknown user or wrong password$/m,
    /^employee +bob: console sign-in URL from the broker: http:\/\/127\.0\.0\.1:\d+\/federation\?Action=login&Issuer=.*&SigninToken=…/m,
    /^employee +bob: signed in to the console \(200\) as arn:aws:sts::\d{12}:federated-user\/bob$/m,
    /^employee +bob: the same sign-in URL again: refused \(400\)/m,
    /^done +keys and a console sign-in/m,
  ];
  expectInOrder(r.stdout, lines);
  // The broker prints no secret: no secret key, session token or sign-in token.
  expect(r.stdout).not.toMatch(/SecretAccessKey|SessionToken|SigninToken=[A-Za-z0-9_-]/);
}, EXAMPLE_TIMEOUT_MS);
