/**
 * examples/saml-sign-in runs as its README says (`npm run example:saml-sign-in`), from start to
 * end, so that it cannot rot: the person signs in at the IdP (samlp), the browser's POST carries
 * the signed response to the app, which trades it with AssumeRoleWithSAML and is allowed one call
 * and refused the other; the same response posted again is refused. It starts its own Latchkey in
 * memory, so it runs once, in the `processes` project.
 */
import { expect, test } from 'vitest';
import { EXAMPLE_TIMEOUT_MS, expectInOrder, runExample } from './run-example.js';

test('npm run example:saml-sign-in: sign in at the IdP, the POST to the app, AssumeRoleWithSAML, an allowed and a denied call, a replay refused', async () => {
  const r = await runExample('saml-sign-in');
  expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
  const session = String.raw`arn:aws:sts::\d{12}:assumed-role/reports-reader-[0-9a-f]{6}/alice@example\.com`;
  const acs = String.raw`http://127\.0\.0\.1:\d+/saml/acs`;
  const lines = [
    /^latchkey +Latchkey in this process at http:\/\/127\.0\.0\.1:\d+ \(PGlite in memory, account \d{12}, SAML_RECIPIENTS=http:\/\/127\.0\.0\.1:\d+\/saml\/acs\)$/m,
    new RegExp(String.raw`^admin +SP metadata at http://127\.0\.0\.1:\d+/static/saml-metadata\.xml: entity id urn:amazon:webservices, assertion consumer URLs ${acs}$`, 'm'),
    /^idp +samlp at http:\/\/127\.0\.0\.1:\d+, entity id http:\/\/127\.0\.0\.1:\d+\/saml: Audience urn:amazon:webservices/m,
    /^admin +CreateSAMLProvider from the IdP's metadata \(\d+ characters\): arn:aws:iam::\d{12}:saml-provider\/example-idp-[0-9a-f]{6}$/m,
    /^admin +role arn:aws:iam::\d{12}:role\/reports-reader-[0-9a-f]{6}: trusts the provider/m,
    new RegExp(String.raw`^browser +signed in at the IdP as alice; its page submits itself: POST ${acs} \(SAMLResponse, RelayState\)$`, 'm'),
    new RegExp(String.raw`^app +AssumeRoleWithSAML: ${session} \(subject alice, persistent; issuer http://127\.0\.0\.1:\d+/saml; audience ${acs}\), key ASIA[A-Z2-7]{16} until `, 'm'),
    new RegExp(String.raw`^app +GetCallerIdentity: ${session}$`, 'm'),
    /^app +iam:ListRoles allowed: \d+ role\(s\), reports-reader-[0-9a-f]{6} among them: yes$/m,
    new RegExp(String.raw`^app +iam:CreateUser denied \(AccessDenied\): User: ${session} is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::\d{12}:user/mallory because no identity-based policy allows the iam:CreateUser action$`, 'm'),
    new RegExp(String.raw`^browser +the app's page: "Signed in as ${session}"$`, 'm'),
    /^browser +posted the same form again \(the back button\): the app's page says InvalidIdentityToken\w*: Invalid SAML response: this assertion has already been used\.$/m,
    /^done +signed in through a SAML IdP/m,
  ];
  expectInOrder(r.stdout, lines);
}, EXAMPLE_TIMEOUT_MS);
