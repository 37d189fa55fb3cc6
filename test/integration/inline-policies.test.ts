import {
  AddUserToGroupCommand,
  CreateGroupCommand,
  CreateRoleCommand,
  CreateUserCommand,
  DeleteGroupPolicyCommand,
  DeleteRolePolicyCommand,
  DeleteUserPolicyCommand,
  GetGroupPolicyCommand,
  GetRolePolicyCommand,
  GetUserPolicyCommand,
  type IAMClient,
  ListGroupPoliciesCommand,
  ListRolePoliciesCommand,
  ListUserPoliciesCommand,
  ListUsersCommand,
  PutGroupPolicyCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
} from '@aws-sdk/client-iam';
import { beforeAll, describe, expect, test } from 'vitest';
import { allow, type TestService, useService } from '../helpers/service.js';

let svc: TestService;
let iam: IAMClient;
let acct: string;
useService((s) => ({ svc, iam, acct } = s));

const TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});

/** An identity policy of exactly `n` non-whitespace characters (n ≥ 110). */
function policyOfSize(n: number): string {
  const base = JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: '', Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] });
  return base.replace('"Sid":""', `"Sid":"${'S'.repeat(n - base.length)}"`);
}

/**
 * The same four operations on the three kinds of owner. Each row knows how to create an owner
 * and call Put/Get/Delete/List for it, and what AWS calls it in messages.
 */
interface OwnerCase {
  readonly type: 'user' | 'group' | 'role';
  readonly limit: number;
  create(name: string, path?: string): Promise<unknown>;
  put(owner: string, policyName: string, doc: string): Promise<unknown>;
  get(owner: string, policyName: string): Promise<{ owner: string | undefined; policyName: string | undefined; document: string | undefined }>;
  del(owner: string, policyName: string): Promise<unknown>;
  list(owner: string, maxItems?: number, marker?: string): Promise<{ names: string[] | undefined; isTruncated: boolean | undefined; marker: string | undefined }>;
}

const CASES: OwnerCase[] = [
  {
    type: 'user',
    limit: 2048,
    create: (name, path) => iam.send(new CreateUserCommand({ UserName: name, ...(path ? { Path: path } : {}) })),
    put: (o, p, d) => iam.send(new PutUserPolicyCommand({ UserName: o, PolicyName: p, PolicyDocument: d })),
    get: async (o, p) => {
      const r = await iam.send(new GetUserPolicyCommand({ UserName: o, PolicyName: p }));
      return { owner: r.UserName, policyName: r.PolicyName, document: r.PolicyDocument };
    },
    del: (o, p) => iam.send(new DeleteUserPolicyCommand({ UserName: o, PolicyName: p })),
    list: async (o, m, k) => {
      const r = await iam.send(new ListUserPoliciesCommand({ UserName: o, MaxItems: m, Marker: k }));
      return { names: r.PolicyNames, isTruncated: r.IsTruncated, marker: r.Marker };
    },
  },
  {
    type: 'group',
    limit: 5120,
    create: (name, path) => iam.send(new CreateGroupCommand({ GroupName: name, ...(path ? { Path: path } : {}) })),
    put: (o, p, d) => iam.send(new PutGroupPolicyCommand({ GroupName: o, PolicyName: p, PolicyDocument: d })),
    get: async (o, p) => {
      const r = await iam.send(new GetGroupPolicyCommand({ GroupName: o, PolicyName: p }));
      return { owner: r.GroupName, policyName: r.PolicyName, document: r.PolicyDocument };
    },
    del: (o, p) => iam.send(new DeleteGroupPolicyCommand({ GroupName: o, PolicyName: p })),
    list: async (o, m, k) => {
      const r = await iam.send(new ListGroupPoliciesCommand({ GroupName: o, MaxItems: m, Marker: k }));
      return { names: r.PolicyNames, isTruncated: r.IsTruncated, marker: r.Marker };
    },
  },
  {
    type: 'role',
    limit: 10_240,
    create: (name, path) => iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: TRUST, ...(path ? { Path: path } : {}) })),
    put: (o, p, d) => iam.send(new PutRolePolicyCommand({ RoleName: o, PolicyName: p, PolicyDocument: d })),
    get: async (o, p) => {
      const r = await iam.send(new GetRolePolicyCommand({ RoleName: o, PolicyName: p }));
      return { owner: r.RoleName, policyName: r.PolicyName, document: r.PolicyDocument };
    },
    del: (o, p) => iam.send(new DeleteRolePolicyCommand({ RoleName: o, PolicyName: p })),
    list: async (o, m, k) => {
      const r = await iam.send(new ListRolePoliciesCommand({ RoleName: o, MaxItems: m, Marker: k }));
      return { names: r.PolicyNames, isTruncated: r.IsTruncated, marker: r.Marker };
    },
  },
];

const DOC = JSON.stringify(allow(['s3:GetObject', 's3:PutObject'], 'arn:aws:s3:::bucket/*'));

describe.each(CASES)('inline $type policies', (c) => {
  const owner = `${c.type}-owner`;
  beforeAll(async () => {
    await c.create(owner);
  });

  test('Put, then Get returns the URL-encoded document under the owner’s real name', async () => {
    await c.put(owner, 'Read', DOC);
    const got = await c.get(owner.toUpperCase(), 'Read');
    expect(got).toMatchObject({ owner, policyName: 'Read' });
    // IAM returns documents URL-encoded (RFC 3986: even `*` is escaped); SDK helpers decode them.
    expect(got.document).toMatch(/^%7B%22Version%22/);
    expect(decodeURIComponent(got.document ?? '')).toBe(DOC);
  });

  test('Put with the same name replaces the document', async () => {
    const next = JSON.stringify(allow('s3:ListBucket', 'arn:aws:s3:::bucket'));
    await c.put(owner, 'Read', next);
    expect(decodeURIComponent((await c.get(owner, 'Read')).document ?? '')).toBe(next);
  });

  test('List returns names sorted and paginated', async () => {
    for (const p of ['zeta', 'Alpha', 'mid']) await c.put(owner, p, DOC);
    expect((await c.list(owner)).names).toEqual(['Alpha', 'Read', 'mid', 'zeta']);
    const first = await c.list(owner, 3);
    expect(first).toMatchObject({ names: ['Alpha', 'Read', 'mid'], isTruncated: true });
    const second = await c.list(owner, 3, first.marker);
    expect(second).toEqual({ names: ['zeta'], isTruncated: false, marker: undefined });
  });

  test('Delete removes the policy; Get and Delete then answer NoSuchEntity with AWS wording', async () => {
    await c.del(owner, 'zeta');
    const message = `The ${c.type} policy with name zeta cannot be found.`;
    await expect(c.get(owner, 'zeta')).rejects.toMatchObject({ name: 'NoSuchEntityException', message });
    await expect(c.del(owner, 'zeta')).rejects.toMatchObject({ name: 'NoSuchEntityException', message });
    expect((await c.list(owner)).names).not.toContain('zeta');
  });

  test('every operation on an unknown owner is NoSuchEntity', async () => {
    const message = `The ${c.type} with name Ghost cannot be found.`;
    for (const call of [() => c.put('Ghost', 'p', DOC), () => c.get('Ghost', 'p'), () => c.del('Ghost', 'p'), () => c.list('Ghost')]) {
      await expect(call()).rejects.toMatchObject({ name: 'NoSuchEntityException', message });
    }
  });

  const malformed: [string, string, RegExp][] = [
    ['not JSON', '{"Version":', /./],
    ['a Principal (identity policies have none)', JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:*', Resource: '*' }] }), /principal/i],
    ['no Resource', JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*' }] }), /resources/],
    ['an action without a vendor', JSON.stringify(allow('GetObject')), /vendor/],
  ];
  test.each(malformed)('Put refuses a document with %s', async (_, doc, message) => {
    const err = await c.put(owner, 'Bad', doc).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'MalformedPolicyDocumentException' });
    expect((err as Error).message).toMatch(message);
  });

  test(`the owner's inline policies together may not exceed ${c.limit} characters`, async () => {
    const sized = `${c.type}-sized`;
    await c.create(sized);
    const half = Math.floor(c.limit / 2);
    await c.put(sized, 'one', policyOfSize(half));
    // Whitespace does not count: this document is over the quota only when spaces are counted.
    await c.put(sized, 'two', policyOfSize(c.limit - half).replace(/,/g, ',    '));
    await expect(c.put(sized, 'three', policyOfSize(150))).rejects.toMatchObject({
      name: 'LimitExceededException',
      message: `Maximum policy size of ${c.limit} bytes exceeded for ${c.type} ${sized}`,
    });
    // Replacing a policy counts the new document in place of the old one.
    await c.put(sized, 'two', policyOfSize(c.limit - half));
    await expect(c.put(sized, 'two', policyOfSize(c.limit - half + 1))).rejects.toMatchObject({ name: 'LimitExceededException' });
    await c.del(sized, 'two');
    await c.put(sized, 'three', policyOfSize(150));
  });
});

test('concurrent PutUserPolicy calls cannot together pass the aggregate quota', async () => {
  await iam.send(new CreateUserCommand({ UserName: 'racer' }));
  const doc = policyOfSize(1500);
  const results = await Promise.allSettled(
    ['a', 'b', 'c'].map((p) => iam.send(new PutUserPolicyCommand({ UserName: 'racer', PolicyName: p, PolicyDocument: doc }))),
  );
  expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  for (const r of results) if (r.status === 'rejected') expect(r.reason).toMatchObject({ name: 'LimitExceededException' });
});

describe('authorization', () => {
  test('the resource is the owner ARN with its real path; a denied caller gets AWS message', async () => {
    await iam.send(new CreateUserCommand({ UserName: 'target', Path: '/team/' }));
    await iam.send(new CreateGroupCommand({ GroupName: 'crew', Path: '/team/' }));
    await iam.send(new CreateRoleCommand({ RoleName: 'worker', Path: '/team/', AssumeRolePolicyDocument: TRUST }));
    const admin = await svc.userWithPolicy(
      'team-admin',
      allow(['iam:PutUserPolicy', 'iam:PutGroupPolicy', 'iam:PutRolePolicy', 'iam:GetUserPolicy'], [
        `arn:aws:iam::${acct}:user/team/*`,
        `arn:aws:iam::${acct}:group/team/*`,
        `arn:aws:iam::${acct}:role/team/*`,
      ]),
    );
    const client = svc.iam(admin);
    await client.send(new PutUserPolicyCommand({ UserName: 'target', PolicyName: 'p', PolicyDocument: DOC }));
    await client.send(new PutGroupPolicyCommand({ GroupName: 'crew', PolicyName: 'p', PolicyDocument: DOC }));
    await client.send(new PutRolePolicyCommand({ RoleName: 'worker', PolicyName: 'p', PolicyDocument: DOC }));
    await client.send(new GetUserPolicyCommand({ UserName: 'target', PolicyName: 'p' }));

    const err = await client.send(new DeleteUserPolicyCommand({ UserName: 'target', PolicyName: 'p' })).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'AccessDenied' });
    expect((err as Error).message).toEqual(`User: arn:aws:iam::${acct}:user/team-admin is not authorized to perform: iam:DeleteUserPolicy on resource: arn:aws:iam::${acct}:user/team/target because no identity-based policy allows the iam:DeleteUserPolicy action`);
    // Itself is not under /team/: it may not grant itself more.
    await expect(client.send(new PutUserPolicyCommand({ UserName: 'team-admin', PolicyName: 'more', PolicyDocument: JSON.stringify(allow('*')) }))).rejects.toMatchObject({
      name: 'AccessDenied',
    });
  });

  test("a user's next call sees its inline policies change: denied, allowed, denied again", async () => {
    const who = await svc.userWithPolicy('fickle');
    const client = svc.iam(who);
    const first = await client.send(new ListUsersCommand({})).catch((e: unknown) => e);
    expect(first).toMatchObject({ name: 'AccessDenied' });
    expect((first as Error).message).toBe(`User: arn:aws:iam::${acct}:user/fickle is not authorized to perform: iam:ListUsers on resource: * because no identity-based policy allows the iam:ListUsers action`);

    await iam.send(new PutUserPolicyCommand({ UserName: 'fickle', PolicyName: 'list', PolicyDocument: JSON.stringify(allow('iam:ListUsers')) }));
    await client.send(new ListUsersCommand({}));

    await iam.send(new DeleteUserPolicyCommand({ UserName: 'fickle', PolicyName: 'list' }));
    await expect(client.send(new ListUsersCommand({}))).rejects.toMatchObject({ name: 'AccessDenied' });
  });

  test('an inline Deny wins over an Allow', async () => {
    const who = await svc.userWithPolicy('denied', allow('iam:*'));
    await iam.send(
      new PutUserPolicyCommand({
        UserName: 'denied',
        PolicyName: 'no-create',
        PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 'iam:CreateUser', Resource: '*' }] }),
      }),
    );
    const client = svc.iam(who);
    await client.send(new ListUsersCommand({}));
    const err = await client.send(new CreateUserCommand({ UserName: 'nope' })).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'AccessDenied' });
    expect((err as Error).message).toEqual(`User: arn:aws:iam::${acct}:user/denied is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::${acct}:user/nope with an explicit deny in an identity-based policy`);
  });

  test('group inline policies apply to the group’s members', async () => {
    const who = await svc.userWithPolicy('member');
    const client = svc.iam(who);
    await expect(client.send(new ListUsersCommand({}))).rejects.toMatchObject({ name: 'AccessDenied' });
    await iam.send(new CreateGroupCommand({ GroupName: 'listers' }));
    await iam.send(new PutGroupPolicyCommand({ GroupName: 'listers', PolicyName: 'list', PolicyDocument: JSON.stringify(allow('iam:ListUsers')) }));
    await iam.send(new AddUserToGroupCommand({ GroupName: 'listers', UserName: 'member' }));
    await client.send(new ListUsersCommand({}));
    await iam.send(new DeleteGroupPolicyCommand({ GroupName: 'listers', PolicyName: 'list' }));
    await expect(client.send(new ListUsersCommand({}))).rejects.toMatchObject({ name: 'AccessDenied' });
  });

  test('the owner’s tags are aws:ResourceTag/… and iam:ResourceTag/… for user and role policies', async () => {
    await iam.send(new CreateUserCommand({ UserName: 'blue-user', Tags: [{ Key: 'project', Value: 'blue' }] }));
    await iam.send(new CreateUserCommand({ UserName: 'red-user', Tags: [{ Key: 'project', Value: 'red' }] }));
    await iam.send(new CreateRoleCommand({ RoleName: 'blue-role', AssumeRolePolicyDocument: TRUST, Tags: [{ Key: 'project', Value: 'blue' }] }));
    await iam.send(new CreateRoleCommand({ RoleName: 'red-role', AssumeRolePolicyDocument: TRUST, Tags: [{ Key: 'project', Value: 'red' }] }));
    const who = await svc.userWithPolicy('blue-admin', {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: ['iam:PutUserPolicy', 'iam:ListUserPolicies'], Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/project': 'blue' } } },
        { Effect: 'Allow', Action: ['iam:PutRolePolicy', 'iam:GetRolePolicy'], Resource: '*', Condition: { StringEquals: { 'iam:ResourceTag/project': 'blue' } } },
      ],
    });
    const client = svc.iam(who);
    await client.send(new PutUserPolicyCommand({ UserName: 'blue-user', PolicyName: 'p', PolicyDocument: DOC }));
    expect((await client.send(new ListUserPoliciesCommand({ UserName: 'blue-user' }))).PolicyNames).toEqual(['p']);
    await client.send(new PutRolePolicyCommand({ RoleName: 'blue-role', PolicyName: 'p', PolicyDocument: DOC }));
    await client.send(new GetRolePolicyCommand({ RoleName: 'blue-role', PolicyName: 'p' }));

    const err = await client.send(new PutUserPolicyCommand({ UserName: 'red-user', PolicyName: 'p', PolicyDocument: DOC })).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'AccessDenied' });
    expect((err as Error).message).toEqual(`User: arn:aws:iam::${acct}:user/blue-admin is not authorized to perform: iam:PutUserPolicy on resource: arn:aws:iam::${acct}:user/red-user because no identity-based policy allows the iam:PutUserPolicy action`);
    await expect(client.send(new ListUserPoliciesCommand({ UserName: 'red-user' }))).rejects.toMatchObject({ name: 'AccessDenied' });
    await expect(client.send(new PutRolePolicyCommand({ RoleName: 'red-role', PolicyName: 'p', PolicyDocument: DOC }))).rejects.toMatchObject({ name: 'AccessDenied' });
  });
});
