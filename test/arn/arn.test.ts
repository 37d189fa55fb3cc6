import { describe, expect, it } from 'vitest';
import {
  accountOwner,
  arnAccountField,
  arnAccountId,
  assumedRoleArn,
  awsManagedPolicyArn,
  entityArn,
  entityPrincipal,
  federatedUserArn,
  groupArn,
  hasArnShape,
  isArn,
  isAwsManagedPolicyArn,
  oidcProviderArn,
  parseOidcProviderArn,
  parsePolicyArn,
  parseRoleArn,
  parseUserGroupOrRoleArn,
  policyArn,
  roleArn,
  rootArn,
  userArn,
  userArnAccount,
} from '../../src/arn.js';

const A = '123456789012';

describe('building ARNs', () => {
  it('puts the path between the entity type and the name, as IAM writes it', () => {
    expect(entityArn(A, 'user', '/', 'alice')).toBe(`arn:aws:iam::${A}:user/alice`);
    expect(userArn(A, { path: '/dev/', name: 'alice' })).toBe(`arn:aws:iam::${A}:user/dev/alice`);
    expect(groupArn(A, { path: '/', name: 'admins' })).toBe(`arn:aws:iam::${A}:group/admins`);
    expect(roleArn(A, { path: '/service/', name: 'deploy' })).toBe(`arn:aws:iam::${A}:role/service/deploy`);
    expect(policyArn(A, { path: '/', name: 'p' })).toBe(`arn:aws:iam::${A}:policy/p`);
  });

  it('builds the account root, the STS session principals and AWS managed policies', () => {
    expect(rootArn(A)).toBe(`arn:aws:iam::${A}:root`);
    // A role session ARN carries the role's name, never its path.
    expect(assumedRoleArn(A, 'deploy', 'build-42')).toBe(`arn:aws:sts::${A}:assumed-role/deploy/build-42`);
    expect(federatedUserArn(A, 'bob')).toBe(`arn:aws:sts::${A}:federated-user/bob`);
    expect(awsManagedPolicyArn({ path: '/job-function/', name: 'ViewOnlyAccess' })).toBe('arn:aws:iam::aws:policy/job-function/ViewOnlyAccess');
  });

  it('tells AWS managed policies from customer managed ones', () => {
    expect(isAwsManagedPolicyArn('arn:aws:iam::aws:policy/ReadOnlyAccess')).toBe(true);
    expect(isAwsManagedPolicyArn(`arn:aws:iam::${A}:policy/ReadOnlyAccess`)).toBe(false);
  });
});

describe('ARN shape checks', () => {
  it('isArn wants six parts with a partition, a service and a resource (AWS: "X is invalid")', () => {
    expect(isArn(`arn:aws:iam::${A}:role/r`)).toBe(true);
    expect(isArn('arn:aws:s3:::bucket:with:colons')).toBe(true);
    expect(isArn('role/r')).toBe(false);
    expect(isArn(`arn::iam::${A}:role/r`)).toBe(false);
    expect(isArn(`arn:aws:::${A}:role/r`)).toBe(false);
    expect(isArn(`arn:aws:iam::${A}:`)).toBe(false);
    expect(isArn('arn:aws:iam::x')).toBe(false);
  });

  it('hasArnShape wants six colon-separated parts and a non-empty last one (IAM: "Could not be parsed!")', () => {
    expect(hasArnShape(`arn:aws:iam::${A}:policy/p`)).toBe(true);
    expect(hasArnShape('arn:::::x')).toBe(true);
    expect(hasArnShape('MyPolicy')).toBe(false);
    expect(hasArnShape(`arn:aws:iam::${A}:`)).toBe(false);
  });

  it('reads the account field, raw or only when it is an account id', () => {
    expect(arnAccountField(`arn:aws:iam::${A}:role/r`)).toBe(A);
    expect(arnAccountField('arn:aws:iam::aws:policy/p')).toBe('aws');
    expect(arnAccountField('arn:aws:s3:::bucket')).toBeUndefined();
    expect(arnAccountField('*')).toBeUndefined();
    expect(arnAccountId(`arn:aws:iam::${A}:role/r`)).toBe(A);
    expect(arnAccountId('arn:aws:iam::aws:policy/p')).toBeUndefined();
    expect(arnAccountId('arn:aws:iam::12345678901:role/r')).toBeUndefined();
    expect(arnAccountId('arn:aws:s3:::bucket')).toBeUndefined();
  });
});

describe('parsing IAM entity ARNs', () => {
  it('parses a policy ARN of an account or of aws, path included', () => {
    expect(parsePolicyArn(`arn:aws:iam::${A}:policy/p`)).toEqual({ accountId: A, path: '/', name: 'p' });
    expect(parsePolicyArn('arn:aws:iam::aws:policy/service-role/AWSLambdaRole')).toEqual({ accountId: 'aws', path: '/service-role/', name: 'AWSLambdaRole' });
  });

  it('refuses anything that is not a policy ARN of the aws partition', () => {
    for (const bad of [`arn:aws:iam::${A}:role/p`, `arn:aws-cn:iam::${A}:policy/p`, `arn:aws:iam::${A}:policy/`, `arn:aws:iam::1234:policy/p`, `arn:aws:iam::${A}:policy/a b`, 'p']) {
      expect(parsePolicyArn(bad), bad).toBeUndefined();
    }
  });

  it('parses a role ARN and refuses other entities, partitions and names', () => {
    expect(parseRoleArn(`arn:aws:iam::${A}:role/r`)).toEqual({ accountId: A, path: '/', name: 'r' });
    expect(parseRoleArn(`arn:aws:iam::${A}:role/a/b/r+=,.@-_`)).toEqual({ accountId: A, path: '/a/b/', name: 'r+=,.@-_' });
    for (const bad of [`arn:aws:iam::${A}:user/r`, `arn:aws-us-gov:iam::${A}:role/r`, `arn:aws:iam::${A}:role/`, `arn:aws:iam::aws:role/r`, `arn:aws:sts::${A}:assumed-role/r/s`]) {
      expect(parseRoleArn(bad), bad).toBeUndefined();
    }
  });

  it('reads the account of a user ARN only', () => {
    expect(userArnAccount(`arn:aws:iam::${A}:user/alice`)).toBe(A);
    expect(userArnAccount(`arn:aws:iam::${A}:user/dev/alice`)).toBe(A);
    expect(userArnAccount(`arn:aws:iam::${A}:role/alice`)).toBeUndefined();
    expect(userArnAccount(`arn:aws:iam::${A}:root`)).toBeUndefined();
  });

  it('parses a user, group or role ARN with its kind', () => {
    expect(parseUserGroupOrRoleArn(`arn:aws:iam::${A}:group/ops/admins`)).toEqual({ accountId: A, kind: 'group', path: '/ops/', name: 'admins' });
    expect(parseUserGroupOrRoleArn(`arn:aws:iam::${A}:user/alice`)).toEqual({ accountId: A, kind: 'user', path: '/', name: 'alice' });
    expect(parseUserGroupOrRoleArn(`arn:aws:iam::${A}:role/r`)).toEqual({ accountId: A, kind: 'role', path: '/', name: 'r' });
    expect(parseUserGroupOrRoleArn(`arn:aws:iam::${A}:policy/p`)).toBeUndefined();
  });

  it('reads a resource owner: an account id or its root ARN', () => {
    expect(accountOwner(A)).toBe(A);
    expect(accountOwner(`arn:aws:iam::${A}:root`)).toBe(A);
    expect(accountOwner(`arn:aws:iam::${A}:user/alice`)).toBeUndefined();
    expect(accountOwner('1234')).toBeUndefined();
  });
});

describe('principal ARNs', () => {
  it('splits a user or role principal into partition, account, path and name', () => {
    expect(entityPrincipal(`arn:aws:iam::${A}:role/a/b/r`)).toEqual({ partition: 'aws', accountId: A, type: 'role', path: '/a/b/', name: 'r' });
    expect(entityPrincipal(`arn:aws-cn:iam::${A}:user/u`)).toEqual({ partition: 'aws-cn', accountId: A, type: 'user', path: '/', name: 'u' });
    // A name ending in `/` names no one; the caller decides what to do with the empty name.
    expect(entityPrincipal(`arn:aws:iam::${A}:role/a/`)).toEqual({ partition: 'aws', accountId: A, type: 'role', path: '/a/', name: '' });
    expect(entityPrincipal(`arn:aws:iam::${A}:root`)).toBeUndefined();
    expect(entityPrincipal(`arn:aws:sts::${A}:assumed-role/r/s`)).toBeUndefined();
  });
});

describe('OpenID Connect provider ARNs', () => {
  it('names the provider by its URL without the scheme (host, port and path as given), and parses back in any partition', () => {
    expect(oidcProviderArn(A, 'token.actions.githubusercontent.com')).toBe(`arn:aws:iam::${A}:oidc-provider/token.actions.githubusercontent.com`);
    expect(oidcProviderArn(A, '127.0.0.1:8443/realms/dev')).toBe(`arn:aws:iam::${A}:oidc-provider/127.0.0.1:8443/realms/dev`);
    expect(parseOidcProviderArn(`arn:aws:iam::${A}:oidc-provider/127.0.0.1:8443/realms/dev`)).toEqual({ partition: 'aws', accountId: A, url: '127.0.0.1:8443/realms/dev' });
    expect(parseOidcProviderArn(`arn:aws-cn:iam::${A}:oidc-provider/x.example`)).toEqual({ partition: 'aws-cn', accountId: A, url: 'x.example' });
    expect(parseOidcProviderArn(`arn:aws:iam::${A}:oidc-provider/`)).toBeUndefined();
    expect(parseOidcProviderArn(`arn:aws:iam::${A}:saml-provider/x`)).toBeUndefined();
    expect(parseOidcProviderArn('accounts.google.com')).toBeUndefined();
  });
});
