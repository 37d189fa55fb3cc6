/**
 * The multi-tenant issuer guardrail (src/policy/multi-tenant.ts): a trust policy that lets
 * sts:AssumeRoleWithWebIdentity through for GitHub's or GitLab's issuer must restrict the token's
 * subject, or anyone on that platform could assume the role.
 */
import { describe, expect, test } from 'vitest';
import { builtInTrustProblem, DEFAULT_MULTI_TENANT_ISSUERS, multiTenantTrustProblem, parsePolicy, wildcardTrustProblem } from '../../src/policy/index.js';

const GH = 'token.actions.githubusercontent.com';
const GH_ARN = `arn:aws:iam::123456789012:oidc-provider/${GH}`;
const GL_ARN = 'arn:aws:iam::123456789012:oidc-provider/gitlab.com';

function trust(...statements: object[]) {
  return parsePolicy(JSON.stringify({ Version: '2012-10-17', Statement: statements }), { kind: 'trust' });
}

function statement(federated: string | string[], condition?: object, extra: object = {}) {
  return { Effect: 'Allow', Principal: { Federated: federated }, Action: 'sts:AssumeRoleWithWebIdentity', ...(condition ? { Condition: condition } : {}), ...extra };
}

const problem = (doc: ReturnType<typeof trust>, issuers = DEFAULT_MULTI_TENANT_ISSUERS) => multiTenantTrustProblem(doc, issuers);

describe('refused: a multi-tenant issuer without a condition on the subject', () => {
  const refused: [string, ReturnType<typeof trust>][] = [
    ['GitHub, no condition at all', trust(statement(GH_ARN))],
    ['GitHub, only an audience condition', trust(statement(GH_ARN, { StringEquals: { [`${GH}:aud`]: 'sts.amazonaws.com' } }))],
    ['GitLab, no condition', trust(statement(GL_ARN))],
    ['GitHub named by its bare URL', trust(statement(GH))],
    ['GitHub in a list of principals', trust(statement(['accounts.google.com', GH_ARN]))],
    ['sub matched by StringLike "*"', trust(statement(GH_ARN, { StringLike: { [`${GH}:sub`]: '*' } }))],
    ['one value of several matches everything', trust(statement(GH_ARN, { StringLike: { [`${GH}:sub`]: ['repo:org/a:*', '*'] } }))],
    ['a negated operator (everyone but one repository)', trust(statement(GH_ARN, { StringNotEquals: { [`${GH}:sub`]: 'repo:org/a:ref:refs/heads/main' } }))],
    ['Null (only that a sub is present)', trust(statement(GH_ARN, { Null: { [`${GH}:sub`]: 'false' } }))],
    ['…IfExists', trust(statement(GH_ARN, { StringEqualsIfExists: { [`${GH}:sub`]: 'repo:org/a:ref:refs/heads/main' } }))],
    ['ForAllValues: (holds when the key is missing)', trust(statement(GH_ARN, { 'ForAllValues:StringEquals': { [`${GH}:sub`]: 'repo:org/a:ref:refs/heads/main' } }))],
    ['the sub of another provider', trust(statement(GH_ARN, { StringEquals: { 'gitlab.com:sub': 'project_path:g/p:ref_type:branch:ref:main' } }))],
    ['Action sts:*', trust(statement(GH_ARN, undefined, { Action: 'sts:*' }))],
    ['Action sts:AssumeRoleWith*', trust(statement(GH_ARN, undefined, { Action: ['sts:AssumeRoleWith*'] }))],
    ['NotAction that does not exclude it', trust({ Effect: 'Allow', Principal: { Federated: GH_ARN }, NotAction: 'sts:AssumeRole' })],
    ['the second statement', trust(statement('accounts.google.com'), statement(GL_ARN))],
    ['GitLab: repository is GitHub\'s key, not GitLab\'s', trust(statement(GL_ARN, { StringEquals: { 'gitlab.com:repository': 'g/p' } }))],
    // A policy variable is substituted from the request: the claim compared with itself (found in review).
    ['sub equal to ${…:sub}', trust(statement(GH_ARN, { StringEquals: { [`${GH}:sub`]: `\${${GH}:sub}` } }))],
    ['sub like a variable with a literal around it', trust(statement(GH_ARN, { StringLike: { [`${GH}:sub`]: `\${${GH}:sub}` } }))],
    ['repository equal to ${aws:username} (anything a caller can make it)', trust(statement(GH_ARN, { StringEquals: { [`${GH}:repository`]: '${aws:username}' } }))],
  ];
  test.each(refused)('%s', (_, doc) => {
    expect(problem(doc)).toMatch(/allows sts:AssumeRoleWithWebIdentity for the multi-tenant identity provider .* without a condition on .*:sub.*anyone on that platform can get a token/);
  });

  test('the message names the statement, the provider and the keys that would do', () => {
    expect(problem(trust({ ...statement(GH_ARN), Sid: 'CI' }))).toBe(
      `Trust policy statement "CI" allows sts:AssumeRoleWithWebIdentity for the multi-tenant identity provider ${GH} without a condition on ` +
        `${GH}:sub or ${GH}:repository or ${GH}:repository_id: anyone on that platform can get a token from it. ` +
        `Restrict the subject, e.g. "StringLike": {"${GH}:sub": "repo:my-org/my-repo:*"}.`,
    );
    expect(problem(trust(statement('accounts.google.com'), statement(GL_ARN)))).toMatch(/^Trust policy statement 2 allows .* gitlab\.com without a condition on gitlab\.com:sub:/);
  });

  test('a configured issuer (host/path, with a port) is caught the same way; case does not matter', () => {
    const url = 'gitlab.example.com:8443/ci';
    const doc = trust(statement(`arn:aws:iam::123456789012:oidc-provider/${url}`));
    expect(problem(doc, ['https://GitLab.example.com:8443/ci/'])).toMatch(/gitlab\.example\.com:8443\/ci without a condition on gitlab\.example\.com:8443\/ci:sub/);
    expect(problem(doc)).toBeUndefined();
  });
});

describe('accepted', () => {
  const accepted: [string, ReturnType<typeof trust>][] = [
    ['GitHub with StringLike on sub', trust(statement(GH_ARN, { StringLike: { [`${GH}:sub`]: 'repo:org/repo:*' } }))],
    ['GitHub with StringEquals on sub (key in another case)', trust(statement(GH_ARN, { StringEquals: { [`TOKEN.actions.githubusercontent.com:SUB`]: 'repo:org/repo:ref:refs/heads/main' } }))],
    ['GitHub with repository_id', trust(statement(GH_ARN, { StringEquals: { [`${GH}:repository_id`]: '123456' } }))],
    ['GitHub with repository', trust(statement(GH_ARN, { StringEquals: { [`${GH}:repository`]: 'org/repo' } }))],
    ['GitHub with ForAnyValue:StringLike on sub', trust(statement(GH_ARN, { 'ForAnyValue:StringLike': { [`${GH}:sub`]: 'repo:org/*' } }))],
    ['GitLab with sub', trust(statement(GL_ARN, { StringLike: { 'gitlab.com:sub': 'project_path:group/project:*' } }))],
    ['a literal "${" written with AWS\'s escape', trust(statement(GH_ARN, { StringEquals: { [`${GH}:sub`]: 'repo:org/${$}{x}' } }))],
    ['a Deny statement without conditions', trust({ Effect: 'Deny', Principal: { Federated: GH_ARN }, Action: 'sts:AssumeRoleWithWebIdentity' })],
    ['another action (sts:TagSession alone)', trust(statement(GH_ARN, undefined, { Action: 'sts:TagSession' }))],
    ['NotAction that excludes it', trust({ Effect: 'Allow', Principal: { Federated: GH_ARN }, NotAction: 'sts:AssumeRoleWith*' })],
    ['a single-tenant provider', trust(statement('arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC'))],
    ['GitHub Enterprise\'s own issuer (a path under the host)', trust(statement(`${GH_ARN}/my-enterprise`))],
    ['Google (built in)', trust(statement('accounts.google.com'))],
    ['an AWS principal', trust({ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::123456789012:root' }, Action: 'sts:AssumeRole' })],
  ];
  test.each(accepted)('%s', (_, doc) => {
    expect(problem(doc)).toBeUndefined();
  });

  test('an empty list turns the guardrail off', () => {
    expect(multiTenantTrustProblem(trust(statement(GH_ARN)), [])).toBeUndefined();
  });
});

describe('the built-in providers: a condition on the app is required', () => {
  const refused: [string, ReturnType<typeof trust>, RegExp][] = [
    ['Google without conditions', trust(statement('accounts.google.com')), /^Trust policy statement 1 allows sts:AssumeRoleWithWebIdentity for the built-in identity provider accounts\.google\.com without a condition on accounts\.google\.com:aud or accounts\.google\.com:oaud: any Google app's users can get a token from it\./],
    ['Google with a condition on sub only', trust(statement('accounts.google.com', { StringEquals: { 'accounts.google.com:sub': '1234' } })), /accounts\.google\.com:aud/],
    ['Google with aud under StringLike "*"', trust(statement('accounts.google.com', { StringLike: { 'accounts.google.com:aud': '*' } })), /accounts\.google\.com:aud/],
    ['Google with StringNotEquals on aud', trust(statement('accounts.google.com', { StringNotEquals: { 'accounts.google.com:aud': 'evil' } })), /accounts\.google\.com:aud/],
    ['Facebook without app_id', trust(statement('graph.facebook.com', { StringEquals: { 'graph.facebook.com:id': '42' } })), /graph\.facebook\.com:app_id: any Facebook app's users/],
    ['Login with Amazon without app_id', trust(statement('www.amazon.com')), /www\.amazon\.com:app_id: any Login with Amazon app's users/],
    ['Cognito without aud', trust(statement('cognito-identity.amazonaws.com')), /cognito-identity\.amazonaws\.com:aud/],
    ['Google with aud equal to ${accounts.google.com:aud}', trust(statement('accounts.google.com', { StringEquals: { 'accounts.google.com:aud': '${accounts.google.com:aud}' } })), /accounts\.google\.com:aud/],
    ['Google in a list beside a registered provider', trust({ ...statement(['accounts.google.com', GH_ARN]), Sid: 'Mobile' }), /^Trust policy statement "Mobile" allows/],
  ];
  test.each(refused)('refused: %s', (_, doc, message) => {
    expect(builtInTrustProblem(doc)).toMatch(message);
  });

  const accepted: [string, ReturnType<typeof trust>][] = [
    ['Google with aud', trust(statement('accounts.google.com', { StringEquals: { 'accounts.google.com:aud': '123-abc.apps.googleusercontent.com' } }))],
    ['Google with oaud (key in another case)', trust(statement('accounts.google.com', { StringEquals: { 'Accounts.Google.com:OAUD': '123-abc.apps.googleusercontent.com' } }))],
    ['Facebook with app_id', trust(statement('graph.facebook.com', { StringEquals: { 'graph.facebook.com:app_id': '111222333444555' } }))],
    ['Login with Amazon with app_id', trust(statement('www.amazon.com', { StringEquals: { 'www.amazon.com:app_id': 'amzn1.application-oa2-client.1' } }))],
    ['Cognito with aud', trust(statement('cognito-identity.amazonaws.com', { StringEquals: { 'cognito-identity.amazonaws.com:aud': 'us-east-1:pool' } }))],
    ['a Deny statement', trust({ Effect: 'Deny', Principal: { Federated: 'accounts.google.com' }, Action: 'sts:AssumeRoleWithWebIdentity' })],
    ['another action only', trust(statement('accounts.google.com', undefined, { Action: 'sts:TagSession' }))],
    ['a registered provider', trust(statement('arn:aws:iam::123456789012:oidc-provider/idp.example.com'))],
  ];
  test.each(accepted)('accepted: %s', (_, doc) => {
    expect(builtInTrustProblem(doc)).toBeUndefined();
  });
});

describe('a wildcard principal trusted for web identities', () => {
  const web = (principal: unknown, condition?: object, action: unknown = 'sts:AssumeRoleWithWebIdentity') =>
    trust({ Effect: 'Allow', Principal: principal, Action: action, ...(condition ? { Condition: condition } : {}) });
  const refused: [string, ReturnType<typeof trust>][] = [
    ['"Principal": "*"', web('*')],
    ['{"AWS": "*"}', web({ AWS: '*' })],
    ['Action sts:*', web('*', undefined, 'sts:*')],
    ['Action *', web('*', undefined, '*')],
    ['a condition any web identity meets', web('*', { StringEquals: { 'aws:FederatedProvider': 'accounts.google.com' } })],
    ['a condition on a signed caller key that holds when it is missing', web('*', { StringEqualsIfExists: { 'aws:PrincipalOrgID': 'o-abc' } })],
    ['an organisation condition that is a variable', web('*', { StringEquals: { 'aws:PrincipalOrgID': '${aws:PrincipalOrgID}' } })],
  ];
  test.each(refused)('refused: %s', (_, doc) => {
    expect(wildcardTrustProblem(doc)).toMatch(/allows sts:AssumeRoleWithWebIdentity for every principal \("\*"\).*Name the provider as "Federated"/);
  });
  const accepted: [string, ReturnType<typeof trust>][] = [
    ['an organisation condition (web identities carry no aws:PrincipalOrgID)', web('*', { StringEquals: { 'aws:PrincipalOrgID': 'o-abc' } }, 'sts:*')],
    ['AssumeRole only', web('*', undefined, 'sts:AssumeRole')],
    ['a named provider', trust(statement('arn:aws:iam::123456789012:oidc-provider/idp.example.com'))],
    ['a Deny', trust({ Effect: 'Deny', Principal: '*', Action: 'sts:AssumeRoleWithWebIdentity' })],
  ];
  test.each(accepted)('accepted: %s', (_, doc) => {
    expect(wildcardTrustProblem(doc)).toBeUndefined();
  });
});
