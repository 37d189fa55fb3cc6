/**
 * Account aliases (CreateAccountAlias, the CLI's `accounts create --alias`): one rule for both.
 *
 * AWS's form (accountAliasType): 3 to 63 lower-case letters, digits and hyphens, starting and
 * ending with a letter or digit, never two hyphens in a row. An account has at most one alias, and
 * an alias belongs to at most one account in the whole service (AWS: "unique across all Amazon Web
 * Services products" in a partition).
 *
 * One rule of ours on top: an alias may not be 12 digits. Sign-in takes an account id or an alias
 * in one field; an alias that reads as an id would be either one account's id or a way to stand in
 * for another account's id on a sign-in page, so it is refused (AWS documents no such rule).
 */
export const ACCOUNT_ALIAS = /^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$/;

const ACCOUNT_ID = /^\d{12}$/;

/** What is wrong with `alias` as an account alias, or undefined when it is a good one. */
export function aliasProblem(alias: string): string | undefined {
  if (!ACCOUNT_ALIAS.test(alias)) {
    return 'must be 3 to 63 lower-case letters, digits and hyphens, starting and ending with a letter or digit, without two hyphens in a row';
  }
  if (ACCOUNT_ID.test(alias)) return 'must not be 12 digits, which would read as an account id';
  return undefined;
}

/** Whether a sign-in's account field names an account by id (12 digits) rather than by alias. */
export function isAccountId(text: string): boolean {
  return ACCOUNT_ID.test(text);
}
