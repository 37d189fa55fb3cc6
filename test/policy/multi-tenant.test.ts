/**
 * The multi-tenant issuer guardrail (src/policy/multi-tenant.ts): a trust policy that lets
 * sts:AssumeRoleWithWebIdentity through for GitHub's or GitLab's issuer must restrict the token's
 * subject, or anyone on that platform could assume the role.
 */
import { describe, expect, test } from 'vitest';
import { DEFAULT_MULTI_TENANT_ISSUERS, multiTenantTrustProblem, parsePolicy } from '../../src/policy/index.js';

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
