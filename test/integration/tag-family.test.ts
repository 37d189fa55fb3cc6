/**
 * The tag family (src/iam/tags.ts, tagOperations): every taggable kind gets Tag*, Untag* and
 * List*Tags from one definition, so they check a request in one order: the request's tags (or
 * marker) first, then the kind's refusals, then whether the entity exists, then the quota.
 * Each kind's own behaviour is in users, roles and managed-policies.test.ts.
 */
import {
  CreatePolicyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  ListPolicyTagsCommand,
  ListRoleTagsCommand,
  ListUserTagsCommand,
  TagPolicyCommand,
  TagRoleCommand,
  TagUserCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { describe, expect, test } from 'vitest';
import { iamOperations } from '../../src/iam/index.js';
import { allow, useService } from '../helpers/service.js';

let iam: IAMClient;
let acct: string;
useService((s) => ({ iam, acct } = s));

const TRUST = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
const nobodyPolicy = () => `arn:aws:iam::${acct}:policy/tag-family-nobody`;
const reserved = [{ Key: 'aws:x', Value: 'v' }];
const many = (from: number, n: number) => Array.from({ length: n }, (_, i) => ({ Key: `k${from + i}`, Value: 'v' }));

describe('one family for every taggable kind', () => {
  test('users, roles and managed policies each have Tag*, Untag* and List*Tags', () => {
    const names = new Set(iamOperations.map((op) => op.name));
    for (const label of ['User', 'Role', 'Policy']) for (const op of [`Tag${label}`, `Untag${label}`, `List${label}Tags`]) expect(names.has(op), op).toBe(true);
  });

  test.each([
    ['TagUser', () => new TagUserCommand({ UserName: 'tag-family-nobody', Tags: reserved })],
    ['TagRole', () => new TagRoleCommand({ RoleName: 'tag-family-nobody', Tags: reserved })],
    ['TagPolicy', () => new TagPolicyCommand({ PolicyArn: nobodyPolicy(), Tags: reserved })],
    ['ListUserTags', () => new ListUserTagsCommand({ UserName: 'tag-family-nobody', Marker: 'not-ours' })],
    ['ListRoleTags', () => new ListRoleTagsCommand({ RoleName: 'tag-family-nobody', Marker: 'not-ours' })],
    ['ListPolicyTags', () => new ListPolicyTagsCommand({ PolicyArn: nobodyPolicy(), Marker: 'not-ours' })],
  ])('%s checks the request before the entity: InvalidInput even when it does not exist', async (_, command) => {
    await expect(iam.send(command() as TagUserCommand)).rejects.toMatchObject({ name: 'InvalidInputException' });
  });

  test('the same quota rule: 50 tags after the merge, a key given again in any case replacing its value', async () => {
    await iam.send(new CreateUserCommand({ UserName: 'tag-family-user' }));
    await iam.send(new CreateRoleCommand({ RoleName: 'tag-family-role', AssumeRolePolicyDocument: TRUST }));
    const { Policy } = await iam.send(new CreatePolicyCommand({ PolicyName: 'tag-family-policy', PolicyDocument: JSON.stringify(allow('s3:GetObject')) }));
    const arn = Policy?.Arn ?? '';
    const kinds = [
      { tag: (tags: { Key: string; Value: string }[]) => new TagUserCommand({ UserName: 'tag-family-user', Tags: tags }) },
      { tag: (tags: { Key: string; Value: string }[]) => new TagRoleCommand({ RoleName: 'tag-family-role', Tags: tags }) },
      { tag: (tags: { Key: string; Value: string }[]) => new TagPolicyCommand({ PolicyArn: arn, Tags: tags }) },
    ];
    for (const kind of kinds) {
      await iam.send(kind.tag(many(0, 49)) as TagUserCommand);
      await iam.send(kind.tag([...many(49, 1), { Key: 'K0', Value: 'again' }]) as TagUserCommand);
      await expect(iam.send(kind.tag(many(50, 1)) as TagUserCommand)).rejects.toMatchObject({
        name: 'LimitExceededException',
        message: 'The number of tags has reached the maximum limit (50).',
      });
    }
  });
});
