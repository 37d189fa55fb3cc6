import {
  AddUserToGroupCommand,
  AttachGroupPolicyCommand,
  AttachRolePolicyCommand,
  AttachUserPolicyCommand,
  CreateGroupCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  CreateAccessKeyCommand,
  CreateUserCommand,
  DetachGroupPolicyCommand,
  DetachRolePolicyCommand,
  DetachUserPolicyCommand,
  GetPolicyCommand,
  ListAttachedGroupPoliciesCommand,
  ListAttachedRolePoliciesCommand,
  ListAttachedUserPoliciesCommand,
  ListEntitiesForPolicyCommand,
  ListPoliciesCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { beforeAll, describe, expect, test } from 'vitest';
import { allow, type Credentials, notAuthorized, type TestService, useService } from '../helpers/service.js';

let svc: TestService;
let iam: IAMClient;
let acct: string;
useService((s) => ({ svc, iam, acct } = s));

const doc = (action: string | string[] = 's3:GetObject') => JSON.stringify(allow(action));
const arnOf = (name: string, path = '/') => `arn:aws:iam::${acct}:policy${path}${name}`;
const TRUST = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] });

async function createPolicy(name: string, extra: { path?: string; document?: string } = {}): Promise<string> {
  const { Policy } = await iam.send(new CreatePolicyCommand({ PolicyName: name, PolicyDocument: extra.document ?? doc(), ...(extra.path ? { Path: extra.path } : {}) }));
  if (!Policy?.Arn) throw new Error('CreatePolicy returned no ARN');
  return Policy.Arn;
}

/** An IAM user with no policy yet, and an access key. */
async function userWithKey(name: string): Promise<Credentials> {
  await iam.send(new CreateUserCommand({ UserName: name }));
  const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: name }));
  if (!AccessKey?.AccessKeyId || !AccessKey.SecretAccessKey) throw new Error('CreateAccessKey returned no key');
  return { accessKeyId: AccessKey.AccessKeyId, secretAccessKey: AccessKey.SecretAccessKey };
}

/** The same three operations for each kind of entity. */
const KINDS = [
  {
    kind: 'User',
    create: (name: string, path = '/') => iam.send(new CreateUserCommand({ UserName: name, Path: path })),
    attach: (name: string, arn: string) => iam.send(new AttachUserPolicyCommand({ UserName: name, PolicyArn: arn })),
    detach: (name: string, arn: string) => iam.send(new DetachUserPolicyCommand({ UserName: name, PolicyArn: arn })),
    list: async (name: string, extra: { PathPrefix?: string; MaxItems?: number; Marker?: string | undefined } = {}) =>
      iam.send(new ListAttachedUserPoliciesCommand({ UserName: name, ...extra })),
    notFound: (name: string) => `The user with name ${name} cannot be found.`,
  },
  {
    kind: 'Group',
    create: (name: string, path = '/') => iam.send(new CreateGroupCommand({ GroupName: name, Path: path })),
    attach: (name: string, arn: string) => iam.send(new AttachGroupPolicyCommand({ GroupName: name, PolicyArn: arn })),
    detach: (name: string, arn: string) => iam.send(new DetachGroupPolicyCommand({ GroupName: name, PolicyArn: arn })),
    list: async (name: string, extra: { PathPrefix?: string; MaxItems?: number; Marker?: string | undefined } = {}) =>
      iam.send(new ListAttachedGroupPoliciesCommand({ GroupName: name, ...extra })),
    notFound: (name: string) => `The group with name ${name} cannot be found.`,
  },
  {
    kind: 'Role',
    create: (name: string, path = '/') => iam.send(new CreateRoleCommand({ RoleName: name, Path: path, AssumeRolePolicyDocument: TRUST })),
    attach: (name: string, arn: string) => iam.send(new AttachRolePolicyCommand({ RoleName: name, PolicyArn: arn })),
    detach: (name: string, arn: string) => iam.send(new DetachRolePolicyCommand({ RoleName: name, PolicyArn: arn })),
    list: async (name: string, extra: { PathPrefix?: string; MaxItems?: number; Marker?: string | undefined } = {}) =>
      iam.send(new ListAttachedRolePoliciesCommand({ RoleName: name, ...extra })),
    notFound: (name: string) => `The role with name ${name} cannot be found.`,
  },
] as const;

describe.each(KINDS)('$kind attachments', ({ kind, create, attach, detach, list, notFound }) => {
  const owner = `att-${kind.toLowerCase()}`;
  let a: string;
  let b: string;
  beforeAll(async () => {
    await create(owner);
    a = await createPolicy(`${kind}-a`, { path: '/p1/' });
    b = await createPolicy(`${kind}-b`, { path: '/p2/' });
  });

  test('attach, list, detach; attaching twice changes nothing', async () => {
    await attach(owner, a);
    await attach(owner, b);
    await attach(owner, a);
    expect((await list(owner)).AttachedPolicies).toEqual([
      { PolicyName: `${kind}-a`, PolicyArn: a },
      { PolicyName: `${kind}-b`, PolicyArn: b },
    ]);
    expect((await iam.send(new GetPolicyCommand({ PolicyArn: a }))).Policy?.AttachmentCount).toBe(1);
    expect((await list(owner, { PathPrefix: '/p2/' })).AttachedPolicies?.map((p) => p.PolicyName)).toEqual([`${kind}-b`]);

    const first = await list(owner, { MaxItems: 1 });
    expect(first.AttachedPolicies?.map((p) => p.PolicyArn)).toEqual([a]);
    expect(first.IsTruncated).toBe(true);
    const second = await list(owner, { MaxItems: 1, Marker: first.Marker });
    expect(second.AttachedPolicies?.map((p) => p.PolicyArn)).toEqual([b]);
    expect(second.IsTruncated).toBe(false);

    await detach(owner, a);
    expect((await list(owner)).AttachedPolicies?.map((p) => p.PolicyArn)).toEqual([b]);
    expect((await iam.send(new GetPolicyCommand({ PolicyArn: a }))).Policy?.AttachmentCount).toBe(0);
    await detach(owner, b);
  });

  test('names are case-insensitive', async () => {
    await attach(owner.toUpperCase(), a);
    expect((await list(owner)).AttachedPolicies?.map((p) => p.PolicyArn)).toEqual([a]);
    await detach(owner.toUpperCase(), a);
  });

  test.each([
    ['an unknown policy', () => attach(owner, arnOf('missing')), 'NoSuchEntityException', () => `Policy ${arnOf('missing')} does not exist or is not attachable.`],
    ['an AWS managed policy that AWS does not have', () => attach(owner, 'arn:aws:iam::aws:policy/NoSuchAwsPolicy'), 'NoSuchEntityException', () => 'Policy arn:aws:iam::aws:policy/NoSuchAwsPolicy does not exist or is not attachable.'],
    // AWS's answer to a PolicyArn that is no ARN at all, as recorded (two spaces).
    ['a bare policy name', () => attach(owner, 'longpolicynamebutnoarn'), 'ValidationError', () => 'Invalid ARN:  Could not be parsed!'],
    ['a string that is not a policy ARN', () => attach(owner, `arn:aws:iam::${acct}:role/whatever`), 'InvalidInputException', () => `ARN arn:aws:iam::${acct}:role/whatever is not valid.`],
    [`an unknown ${kind.toLowerCase()}`, () => attach('nobody-here', a), 'NoSuchEntityException', () => notFound('nobody-here')],
    ['detach of a policy that is not attached', () => detach(owner, a), 'NoSuchEntityException', () => `Policy ${a} was not found.`],
    ['detach of an unknown policy', () => detach(owner, arnOf('missing')), 'NoSuchEntityException', () => `Policy ${arnOf('missing')} was not found.`],
    [`detach from an unknown ${kind.toLowerCase()}`, () => detach('nobody-here', a), 'NoSuchEntityException', () => notFound('nobody-here')],
    [`listing for an unknown ${kind.toLowerCase()}`, () => list('nobody-here'), 'NoSuchEntityException', () => notFound('nobody-here')],
  ])('refuses %s', async (_, call, name, message) => {
    const err = await call().catch((e: unknown) => e);
    expect(err).toMatchObject({ name, message: message() });
  });

  test(`at most 10 managed policies per ${kind.toLowerCase()}`, async () => {
    const full = `${owner}-full`;
    await create(full);
    for (let i = 0; i < 10; i++) await attach(full, await createPolicy(`${kind}-q${i}`));
    const eleventh = await createPolicy(`${kind}-q10`);
    await expect(attach(full, eleventh)).rejects.toMatchObject({ name: 'LimitExceededException', message: `Cannot exceed quota for PoliciesPer${kind}: 10` });
    // Attaching one that is already attached is still fine at the quota.
    await attach(full, arnOf(`${kind}-q0`));
  });
});

describe('ListEntitiesForPolicy', () => {
  let shared: string;
  let ids: Record<string, string | undefined>;
  beforeAll(async () => {
    shared = await createPolicy('shared');
    const bound = await createPolicy('bounds');
    await iam.send(new CreateGroupCommand({ GroupName: 'e-group', Path: '/ent/' }));
    const u1 = await iam.send(new CreateUserCommand({ UserName: 'e-user1', Path: '/ent/' }));
    const u2 = await iam.send(new CreateUserCommand({ UserName: 'e-user2' }));
    const u3 = await iam.send(new CreateUserCommand({ UserName: 'e-user3', PermissionsBoundary: shared }));
    const r = await iam.send(new CreateRoleCommand({ RoleName: 'e-role', AssumeRolePolicyDocument: TRUST }));
    await iam.send(new AttachGroupPolicyCommand({ GroupName: 'e-group', PolicyArn: shared }));
    await iam.send(new AttachUserPolicyCommand({ UserName: 'e-user1', PolicyArn: shared }));
    await iam.send(new AttachUserPolicyCommand({ UserName: 'e-user2', PolicyArn: shared }));
    await iam.send(new AttachRolePolicyCommand({ RoleName: 'e-role', PolicyArn: shared }));
    await iam.send(new CreateUserCommand({ UserName: 'e-bounded', PermissionsBoundary: bound }));
    ids = { u1: u1.User?.UserId, u2: u2.User?.UserId, u3: u3.User?.UserId, r: r.Role?.RoleId };
  });

  const names = async (input: Omit<ConstructorParameters<typeof ListEntitiesForPolicyCommand>[0], 'PolicyArn'>) => {
    const out = await iam.send(new ListEntitiesForPolicyCommand({ PolicyArn: shared, ...input }));
    return {
      groups: out.PolicyGroups?.map((x) => x.GroupName),
      users: out.PolicyUsers?.map((x) => x.UserName),
      roles: out.PolicyRoles?.map((x) => x.RoleName),
    };
  };

  test('lists every entity with its id', async () => {
    const out = await iam.send(new ListEntitiesForPolicyCommand({ PolicyArn: shared }));
    expect(out.PolicyGroups?.map((g) => g.GroupName)).toEqual(['e-group']);
    expect(out.PolicyGroups?.[0]?.GroupId).toMatch(/^AGPA/);
    expect(out.PolicyUsers).toEqual([
      { UserName: 'e-user1', UserId: ids.u1 },
      { UserName: 'e-user2', UserId: ids.u2 },
      { UserName: 'e-user3', UserId: ids.u3 },
    ]);
    expect(out.PolicyRoles).toEqual([{ RoleName: 'e-role', RoleId: ids.r }]);
    expect(out.IsTruncated).toBe(false);
  });

  test.each([
    ['EntityFilter=User', { EntityFilter: 'User' as const }, { groups: [], users: ['e-user1', 'e-user2', 'e-user3'], roles: [] }],
    ['EntityFilter=Group', { EntityFilter: 'Group' as const }, { groups: ['e-group'], users: [], roles: [] }],
    ['EntityFilter=Role', { EntityFilter: 'Role' as const }, { groups: [], users: [], roles: ['e-role'] }],
    ['EntityFilter=LocalManagedPolicy', { EntityFilter: 'LocalManagedPolicy' as const }, { groups: [], users: [], roles: [] }],
    ['PathPrefix', { PathPrefix: '/ent/' }, { groups: ['e-group'], users: ['e-user1'], roles: [] }],
    ['PolicyUsageFilter=PermissionsPolicy', { PolicyUsageFilter: 'PermissionsPolicy' as const }, { groups: ['e-group'], users: ['e-user1', 'e-user2'], roles: ['e-role'] }],
    ['PolicyUsageFilter=PermissionsBoundary', { PolicyUsageFilter: 'PermissionsBoundary' as const }, { groups: [], users: ['e-user3'], roles: [] }],
  ])('%s', async (_, input, expected) => {
    expect(await names(input)).toEqual(expected);
  });

  test('paginates over groups, users and roles together', async () => {
    const seen: string[] = [];
    let marker: string | undefined;
    let pages = 0;
    do {
      const out = await iam.send(new ListEntitiesForPolicyCommand({ PolicyArn: shared, MaxItems: 2, ...(marker ? { Marker: marker } : {}) }));
      const page = [...(out.PolicyGroups ?? []).map((g) => `g:${g.GroupName}`), ...(out.PolicyUsers ?? []).map((u) => `u:${u.UserName}`), ...(out.PolicyRoles ?? []).map((r) => `r:${r.RoleName}`)];
      expect(page.length).toBeLessThanOrEqual(2);
      seen.push(...page);
      marker = out.IsTruncated ? out.Marker : undefined;
      pages++;
    } while (marker && pages < 10);
    expect(seen).toEqual(['g:e-group', 'u:e-user1', 'u:e-user2', 'u:e-user3', 'r:e-role']);
    expect(pages).toBe(3);
  });

  test('GetPolicy and ListPolicies count attachments and boundary uses', async () => {
    expect((await iam.send(new GetPolicyCommand({ PolicyArn: shared }))).Policy).toMatchObject({ AttachmentCount: 4, PermissionsBoundaryUsageCount: 1 });
    const boundaries = await iam.send(new ListPoliciesCommand({ PolicyUsageFilter: 'PermissionsBoundary' }));
    expect(boundaries.Policies?.map((p) => p.PolicyName)).toEqual(['bounds', 'shared']);
  });

  test('of an unknown policy is NoSuchEntity', async () => {
    await expect(iam.send(new ListEntitiesForPolicyCommand({ PolicyArn: arnOf('missing') }))).rejects.toMatchObject({ name: 'NoSuchEntityException' });
  });
});

describe('authorization', () => {
  test('iam:PolicyARN lets a user attach only the policy it names', async () => {
    const permitted = await createPolicy('permitted');
    const forbidden = await createPolicy('forbidden');
    await iam.send(new CreateUserCommand({ UserName: 'target', Path: '/t/' }));
    const creds = await userWithKey('attacher');
    const rules = await createPolicy('attacher-rules', {
      document: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 'iam:AttachUserPolicy', Resource: '*', Condition: { ArnEquals: { 'iam:PolicyARN': permitted } } }],
      }),
    });
    await iam.send(new AttachUserPolicyCommand({ UserName: 'attacher', PolicyArn: rules }));
    const attacher = svc.iam(creds);
    await attacher.send(new AttachUserPolicyCommand({ UserName: 'target', PolicyArn: permitted }));
    await expect(attacher.send(new AttachUserPolicyCommand({ UserName: 'target', PolicyArn: forbidden }))).rejects.toMatchObject({
      name: 'AccessDenied',
      // The resource is the user's ARN, with its real path.
      message: `User: arn:aws:iam::${acct}:user/attacher is not authorized to perform: iam:AttachUserPolicy on resource: arn:aws:iam::${acct}:user/t/target because no identity-based policy allows the iam:AttachUserPolicy action`,
    });
    expect((await iam.send(new ListAttachedUserPoliciesCommand({ UserName: 'target' }))).AttachedPolicies?.map((p) => p.PolicyArn)).toEqual([permitted]);
  });

  test('attaching and detaching changes what the user may do on the next request', async () => {
    const creds = await userWithKey('grows');
    const user = svc.iam(creds);
    const denied = { name: 'AccessDenied', message: `User: arn:aws:iam::${acct}:user/grows is not authorized to perform: iam:ListPolicies on resource: * because no identity-based policy allows the iam:ListPolicies action` };
    await expect(user.send(new ListPoliciesCommand({}))).rejects.toMatchObject(denied);
    const lister = await createPolicy('lister', { document: doc('iam:ListPolicies') });
    await iam.send(new AttachUserPolicyCommand({ UserName: 'grows', PolicyArn: lister }));
    await user.send(new ListPoliciesCommand({}));
    await iam.send(new DetachUserPolicyCommand({ UserName: 'grows', PolicyArn: lister }));
    await expect(user.send(new ListPoliciesCommand({}))).rejects.toMatchObject(denied);
  });

  test("a group's attached policy applies to its members", async () => {
    const creds = await userWithKey('member');
    await iam.send(new CreateGroupCommand({ GroupName: 'listers' }));
    await iam.send(new AddUserToGroupCommand({ GroupName: 'listers', UserName: 'member' }));
    await iam.send(new AttachGroupPolicyCommand({ GroupName: 'listers', PolicyArn: await createPolicy('group-lister', { document: doc('iam:ListPolicies') }) }));
    await svc.iam(creds).send(new ListPoliciesCommand({}));
  });

  test('ListAttachedRolePolicies is authorized on the role ARN', async () => {
    await iam.send(new CreateRoleCommand({ RoleName: 'guarded-role', Path: '/svc/', AssumeRolePolicyDocument: TRUST }));
    const creds = await userWithKey('role-peeker');
    const user = svc.iam(creds);
    await expect(user.send(new ListAttachedRolePoliciesCommand({ RoleName: 'guarded-role' }))).rejects.toMatchObject({
      name: 'AccessDenied',
      message: `User: arn:aws:iam::${acct}:user/role-peeker is not authorized to perform: iam:ListAttachedRolePolicies on resource: arn:aws:iam::${acct}:role/svc/guarded-role because no identity-based policy allows the iam:ListAttachedRolePolicies action`,
    });
  });
});

describe('the user or role as it is: iam:PermissionsBoundary and iam:ResourceTag', () => {
  const deniedMessage = (who: string, action: string, resource: string) => notAuthorized(acct, who, action, resource);

  test('a delegated administrator may attach and detach only on users and roles held to its boundary', async () => {
    const boundary = await createPolicy('dev-boundary');
    const otherBoundary = await createPolicy('other-boundary');
    const granted = await createPolicy('granted');
    await iam.send(new CreateUserCommand({ UserName: 'pb-bounded', PermissionsBoundary: boundary }));
    await iam.send(new CreateUserCommand({ UserName: 'pb-free' }));
    await iam.send(new CreateUserCommand({ UserName: 'pb-other', PermissionsBoundary: otherBoundary }));
    await iam.send(new CreateRoleCommand({ RoleName: 'pb-bounded-role', AssumeRolePolicyDocument: TRUST, PermissionsBoundary: boundary }));
    await iam.send(new CreateRoleCommand({ RoleName: 'pb-free-role', AssumeRolePolicyDocument: TRUST }));
    const delegate = svc.iam(
      await svc.userWithPolicy('pb-admin', {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: ['iam:AttachUserPolicy', 'iam:DetachUserPolicy', 'iam:AttachRolePolicy', 'iam:DetachRolePolicy'],
            Resource: '*',
            Condition: { StringEquals: { 'iam:PermissionsBoundary': boundary } },
          },
        ],
      }),
    );
    await delegate.send(new AttachUserPolicyCommand({ UserName: 'pb-bounded', PolicyArn: granted }));
    await delegate.send(new DetachUserPolicyCommand({ UserName: 'pb-bounded', PolicyArn: granted }));
    await delegate.send(new AttachRolePolicyCommand({ RoleName: 'pb-bounded-role', PolicyArn: granted }));
    await delegate.send(new DetachRolePolicyCommand({ RoleName: 'pb-bounded-role', PolicyArn: granted }));
    for (const [action, resource, call] of [
      ['iam:AttachUserPolicy', `arn:aws:iam::${acct}:user/pb-free`, () => delegate.send(new AttachUserPolicyCommand({ UserName: 'pb-free', PolicyArn: granted }))],
      ['iam:AttachUserPolicy', `arn:aws:iam::${acct}:user/pb-other`, () => delegate.send(new AttachUserPolicyCommand({ UserName: 'pb-other', PolicyArn: granted }))],
      ['iam:AttachRolePolicy', `arn:aws:iam::${acct}:role/pb-free-role`, () => delegate.send(new AttachRolePolicyCommand({ RoleName: 'pb-free-role', PolicyArn: granted }))],
    ] as const) {
      await expect(call()).rejects.toMatchObject({ name: 'AccessDenied', message: deniedMessage('pb-admin', action, resource) });
    }
    // Detach is judged the same way: the policy root attached to the free user stays out of reach.
    await iam.send(new AttachUserPolicyCommand({ UserName: 'pb-free', PolicyArn: granted }));
    await expect(delegate.send(new DetachUserPolicyCommand({ UserName: 'pb-free', PolicyArn: granted }))).rejects.toMatchObject({ name: 'AccessDenied' });
  });

  test('attach, detach and list are judged on the user’s or role’s tags; groups have none', async () => {
    const p = await createPolicy('tag-judged');
    await iam.send(new CreateUserCommand({ UserName: 'rt-user-x', Tags: [{ Key: 'team', Value: 'x' }] }));
    await iam.send(new CreateUserCommand({ UserName: 'rt-user-y', Tags: [{ Key: 'team', Value: 'y' }] }));
    await iam.send(new CreateRoleCommand({ RoleName: 'rt-role-x', AssumeRolePolicyDocument: TRUST, Tags: [{ Key: 'team', Value: 'x' }] }));
    await iam.send(new CreateRoleCommand({ RoleName: 'rt-role-y', AssumeRolePolicyDocument: TRUST, Tags: [{ Key: 'team', Value: 'y' }] }));
    await iam.send(new CreateGroupCommand({ GroupName: 'rt-group' }));
    const team = svc.iam(
      await svc.userWithPolicy('rt-attacher', {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: ['iam:AttachUserPolicy', 'iam:ListAttachedUserPolicies', 'iam:AttachRolePolicy', 'iam:ListAttachedRolePolicies', 'iam:ListAttachedGroupPolicies'],
            Resource: '*',
            Condition: { StringEquals: { 'iam:ResourceTag/team': 'x' } },
          },
        ],
      }),
    );
    await team.send(new AttachUserPolicyCommand({ UserName: 'rt-user-x', PolicyArn: p }));
    expect((await team.send(new ListAttachedUserPoliciesCommand({ UserName: 'rt-user-x' }))).AttachedPolicies?.map((a) => a.PolicyArn)).toEqual([p]);
    await team.send(new AttachRolePolicyCommand({ RoleName: 'rt-role-x', PolicyArn: p }));
    expect((await team.send(new ListAttachedRolePoliciesCommand({ RoleName: 'rt-role-x' }))).AttachedPolicies?.map((a) => a.PolicyArn)).toEqual([p]);
    for (const [action, resource, call] of [
      ['iam:AttachUserPolicy', `arn:aws:iam::${acct}:user/rt-user-y`, () => team.send(new AttachUserPolicyCommand({ UserName: 'rt-user-y', PolicyArn: p }))],
      ['iam:ListAttachedUserPolicies', `arn:aws:iam::${acct}:user/rt-user-y`, () => team.send(new ListAttachedUserPoliciesCommand({ UserName: 'rt-user-y' }))],
      ['iam:AttachRolePolicy', `arn:aws:iam::${acct}:role/rt-role-y`, () => team.send(new AttachRolePolicyCommand({ RoleName: 'rt-role-y', PolicyArn: p }))],
      ['iam:ListAttachedRolePolicies', `arn:aws:iam::${acct}:role/rt-role-y`, () => team.send(new ListAttachedRolePoliciesCommand({ RoleName: 'rt-role-y' }))],
      ['iam:ListAttachedGroupPolicies', `arn:aws:iam::${acct}:group/rt-group`, () => team.send(new ListAttachedGroupPoliciesCommand({ GroupName: 'rt-group' }))],
    ] as const) {
      await expect(call()).rejects.toMatchObject({ name: 'AccessDenied', message: deniedMessage('rt-attacher', action, resource) });
    }
  });
});
