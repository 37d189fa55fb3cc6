import { CreateAccountAliasCommand, DeleteAccountAliasCommand, ListAccountAliasesCommand, type IAMClient } from '@aws-sdk/client-iam';
import { describe, expect, test } from 'vitest';
import { findAccount } from '../../src/store/accounts.js';
import { refusal } from '../helpers/outcome.js';
import { rootCredentials, type TestService, useService } from '../helpers/service.js';

let svc: TestService;
let iam: IAMClient;
let acct: string;
useService((s) => ({ svc, iam, acct } = s));

const aliases = async (client: IAMClient) => (await client.send(new ListAccountAliasesCommand({}))).AccountAliases;

describe('account aliases', () => {
  test('one alias per account: created, listed, replaced by another, deleted', async () => {
    expect(await aliases(iam)).toEqual([]);
    await iam.send(new CreateAccountAliasCommand({ AccountAlias: 'acme-prod' }));
    expect(await iam.send(new ListAccountAliasesCommand({}))).toMatchObject({ AccountAliases: ['acme-prod'], IsTruncated: false });
    // The same alias again changes nothing; another one replaces it.
    await iam.send(new CreateAccountAliasCommand({ AccountAlias: 'acme-prod' }));
    await iam.send(new CreateAccountAliasCommand({ AccountAlias: 'acme-main' }));
    expect(await aliases(iam)).toEqual(['acme-main']);
    expect((await findAccount(svc.store.db, acct))?.alias).toBe('acme-main');
    expect(await refusal(iam.send(new DeleteAccountAliasCommand({ AccountAlias: 'acme-prod' })))).toEqual({
      code: 'NoSuchEntity',
      message: 'The account alias acme-prod cannot be found.',
      status: 404,
    });
    await iam.send(new DeleteAccountAliasCommand({ AccountAlias: 'acme-main' }));
    expect(await aliases(iam)).toEqual([]);
  });

  test('an alias belongs to one account in the whole service', async () => {
    const other = svc.iam(rootCredentials(await svc.newAccount()));
    await iam.send(new CreateAccountAliasCommand({ AccountAlias: 'shared-name' }));
    expect(await refusal(other.send(new CreateAccountAliasCommand({ AccountAlias: 'shared-name' })))).toEqual({
      code: 'EntityAlreadyExists',
      message: 'The account alias shared-name already exists.',
      status: 409,
    });
    // Another account cannot delete it either: it is not theirs.
    expect(await refusal(other.send(new DeleteAccountAliasCommand({ AccountAlias: 'shared-name' })))).toMatchObject({ code: 'NoSuchEntity' });
    await iam.send(new DeleteAccountAliasCommand({ AccountAlias: 'shared-name' }));
    await other.send(new CreateAccountAliasCommand({ AccountAlias: 'shared-name' }));
    expect(await aliases(other)).toEqual(['shared-name']);
  });

  test('two accounts asking for one alias at once: exactly one gets it', async () => {
    const [a, b] = [svc.iam(rootCredentials(await svc.newAccount())), svc.iam(rootCredentials(await svc.newAccount()))];
    const results = await Promise.allSettled([a.send(new CreateAccountAliasCommand({ AccountAlias: 'race-name' })), b.send(new CreateAccountAliasCommand({ AccountAlias: 'race-name' }))]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const lost = results.find((r) => r.status === 'rejected');
    expect((lost as PromiseRejectedResult | undefined)?.reason).toMatchObject({ name: 'EntityAlreadyExistsException' });
  });

  test.each([
    ['upper case', 'Acme'],
    ['underscore', 'ac_me'],
    ['leading hyphen', '-acme'],
    ['trailing hyphen', 'acme-'],
    ['two hyphens', 'ac--me'],
    ['too short', 'ab'],
    ['too long', 'a'.repeat(64)],
    ['an account id', '123456789012'],
    ['SQL', "a'; drop table accounts; --"],
  ])('hostile input: %s is a ValidationError', async (_what, alias) => {
    expect(await refusal(iam.send(new CreateAccountAliasCommand({ AccountAlias: alias })))).toMatchObject({ code: 'ValidationError', status: 400 });
  });
});
