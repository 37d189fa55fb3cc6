/**
 * Account aliases: CreateAccountAlias, DeleteAccountAlias, ListAccountAliases. Sign-in takes an
 * alias in place of the account id (src/iam/sign-in.ts); the rule for its form is shared with the
 * CLI (src/account-alias.ts).
 *
 * An account has at most one alias: creating another replaces it ("If you create a new alias for
 * your AWS account, the new alias overwrites the previous alias", IAM User Guide, "Using an alias
 * for your AWS account ID"). An alias belongs to one account in the whole service: another
 * account's is EntityAlreadyExists. Creating the alias the account already has changes nothing.
 */
import { aliasProblem } from '../account-alias.js';
import { AwsError } from '../errors.js';
import { defineOperation, type DefinedOperation } from '../operation.js';
import { findAccount, findAccountByAlias, lockAlias, setAccountAlias } from '../store/accounts.js';

export const createAccountAlias = defineOperation('CreateAccountAlias', {
  authentication: 'sigv4',
  write: true,
  resource: () => '*',
  async handle(input, ctx) {
    const alias = input.accountAlias;
    // The model's pattern was checked; ours on top: not 12 digits.
    const problem = aliasProblem(alias);
    if (problem !== undefined) throw new AwsError('ValidationError', `The account alias ${problem}.`);
    await lockAlias(ctx.db, alias);
    const owner = await findAccountByAlias(ctx.db, alias);
    if (owner && owner.id !== ctx.accountId) throw new AwsError('EntityAlreadyExists', `The account alias ${alias} already exists.`);
    if (!owner) await setAccountAlias(ctx.db, ctx.accountId, alias);
    return {};
  },
});

export const deleteAccountAlias = defineOperation('DeleteAccountAlias', {
  authentication: 'sigv4',
  write: true,
  resource: () => '*',
  async handle(input, ctx) {
    const account = await findAccount(ctx.db, ctx.accountId);
    if (account?.alias !== input.accountAlias) throw new AwsError('NoSuchEntity', `The account alias ${input.accountAlias} cannot be found.`);
    await setAccountAlias(ctx.db, ctx.accountId, null);
    return {};
  },
});

export const listAccountAliases = defineOperation('ListAccountAliases', {
  authentication: 'sigv4',
  write: false,
  resource: () => '*',
  // At most one alias: one page, whatever Marker and MaxItems say.
  async handle(_input, ctx) {
    const account = await findAccount(ctx.db, ctx.accountId);
    return { accountAliases: account?.alias ? [account.alias] : [], isTruncated: false };
  },
});

export const accountAliasOperations: readonly DefinedOperation[] = [createAccountAlias, deleteAccountAlias, listAccountAliases];
