/**
 * examples/mfa-script runs as its README says (`npm run example:mfa-script`), from start to
 * end, so that it cannot rot: a device is enrolled, the profile with mfa_serial yields role keys
 * with a code, and not without. It starts its own Latchkey in memory, so it runs once,
 * in the `processes` project.
 */
import { expect, test } from 'vitest';
import { EXAMPLE_TIMEOUT_MS, expectInOrder, runExample } from './run-example.js';

test('npm run example:mfa-script: enrol a device, get MFA-protected keys from an mfa_serial profile, refused without', async () => {
  const r = await runExample('mfa-script');
  expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
  const lines = [
    /^latchkey +Latchkey in this process at http:\/\/127\.0\.0\.1:\d+ \(PGlite in memory, account \d{12}\)$/m,
    /^person +enrolled arn:aws:iam::\d{12}:mfa\/dev-\d{4} .*with two consecutive codes$/m,
    /^script +asked for the code of arn:aws:iam::\d{12}:mfa\/dev-\d{4}/m,
    /^script +MFA-protected keys: ASIA[A-Z2-7]{16}, expiring \d{4}-/m,
    /^script +GetCallerIdentity: arn:aws:sts::\d{12}:assumed-role\/prod-admin-\d{4}\//m,
    /^script +without mfa_serial: AccessDenied/m,
    /^done +MFA-protected keys from a profile with mfa_serial$/m,
  ];
  expectInOrder(r.stdout, lines);
}, EXAMPLE_TIMEOUT_MS);
