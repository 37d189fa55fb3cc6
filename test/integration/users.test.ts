import { CreateUserCommand, GetUserCommand, ListUsersCommand } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startService, type TestService } from '../helpers/service.js';

let svc: TestService;
beforeAll(async () => {
  svc = await startService();
});
afterAll(async () => {
  await svc?.close();
});

describe('users', () => {
  test('CreateUser returns AWS shapes; GetUser and ListUsers see it', async () => {
    const iam = svc.iam();
    const { User } = await iam.send(new CreateUserCommand({ UserName: 'Alice', Path: '/eng/', Tags: [{ Key: 'team', Value: 'core' }] }));
    expect(User?.Arn).toBe(`arn:aws:iam::${svc.account.accountId}:user/eng/Alice`);
    expect(User?.UserId).toMatch(/^AIDA[A-Z2-7]{17}$/);
    const got = await iam.send(new GetUserCommand({ UserName: 'alice' }));
    expect(got.User?.UserName).toBe('Alice');
    expect(got.User?.Tags).toEqual([{ Key: 'team', Value: 'core' }]);
    const list = await iam.send(new ListUsersCommand({}));
    expect(list.Users?.map((u) => u.UserName)).toContain('Alice');
  });

  test('names are unique case-insensitively', async () => {
    await expect(svc.iam().send(new CreateUserCommand({ UserName: 'ALICE' }))).rejects.toMatchObject({ name: 'EntityAlreadyExistsException' });
  });

  test('ListUsers paginates with MaxItems and Marker', async () => {
    const iam = svc.iam();
    for (const n of ['p1', 'p2', 'p3']) await iam.send(new CreateUserCommand({ UserName: n, Path: '/page/' }));
    const first = await iam.send(new ListUsersCommand({ PathPrefix: '/page/', MaxItems: 2 }));
    expect(first.Users?.map((u) => u.UserName)).toEqual(['p1', 'p2']);
    expect(first.IsTruncated).toBe(true);
    const second = await iam.send(new ListUsersCommand({ PathPrefix: '/page/', MaxItems: 2, Marker: first.Marker }));
    expect(second.Users?.map((u) => u.UserName)).toEqual(['p3']);
    expect(second.IsTruncated).toBe(false);
  });
});
