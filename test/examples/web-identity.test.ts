/**
 * examples/web-identity runs as its README says (`npm run example:web-identity`), from start to
 * end, so that it cannot rot: the app signs in at the provider, trades the ID token, and is
 * allowed one call and refused the other. It starts its own Latchkey in memory, so it runs once,
 * in the `processes` project.
 */
import { expect, test } from 'vitest';
import { EXAMPLE_TIMEOUT_MS, expectInOrder, runExample } from './run-example.js';

test('npm run example:web-identity: sign in, AssumeRoleWithWebIdentity, an allowed and a denied call', async () => {
  const r = await runExample('web-identity');
  expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
  const lines = [
    /^latchkey +Latchkey in this process at http:\/\/127\.0\.0\.1:\d+ \(PGlite in memory, account \d{12}\)$/m,
    /^admin +registered arn:aws:iam::\d{12}:oidc-provider\/127\.0\.0\.1:\d+$/m,
    /^app +alice signed in at the provider/m,
    /^app +AssumeRoleWithWebIdentity: arn:aws:sts::\d{12}:assumed-role\/notes-app-user-[0-9a-f]{6}\/alice-phone \(subject alice, audience notes-app\), key ASIA/m,
    /^app +GetCallerIdentity: arn:aws:sts::\d{12}:assumed-role\/notes-app-user-[0-9a-f]{6}\/alice-phone$/m,
    /^app +iam:ListRoles allowed: \d+ role\(s\), notes-app-user-[0-9a-f]{6} among them: yes$/m,
    /^app +iam:CreateUser denied \(AccessDenied\): User: arn:aws:sts::\d{12}:assumed-role\/notes-app-user-[0-9a-f]{6}\/alice-phone is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::\d{12}:user\/mallory because no identity-based policy allows the iam:CreateUser action$/m,
    /^done +an allowed and a denied call/m,
  ];
  expectInOrder(r.stdout, lines);
}, EXAMPLE_TIMEOUT_MS);
