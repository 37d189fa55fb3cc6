import { describe, expect, test } from 'vitest';
import { parseArgs } from '../../src/cli/args.js';

describe('parseArgs', () => {
  test.each([
    [['help'], { name: 'help' }],
    [['--help'], { name: 'help' }],
    [['-h'], { name: 'help' }],
    [['migrate'], { name: 'migrate' }],
    [['bootstrap'], { name: 'bootstrap' }],
    [['accounts', 'create'], { name: 'accounts create', id: undefined, alias: undefined }],
    [['accounts', 'create', '--id', '123456789012', '--alias', 'ops-team'], { name: 'accounts create', id: '123456789012', alias: 'ops-team' }],
    [['accounts', 'create', '--alias=ops', '--id=123456789012'], { name: 'accounts create', id: '123456789012', alias: 'ops' }],
    [['accounts', 'list'], { name: 'accounts list' }],
    [['keys', 'rotate'], { name: 'keys rotate' }],
  ])('%j → %j', (argv, command) => {
    expect(parseArgs(argv)).toEqual({ ok: true, command });
  });

  test.each([
    [[], 'no command given'],
    [['frobnicate'], "unknown command 'frobnicate'"],
    [['accounts'], "'accounts' needs a subcommand: accounts create, accounts list"],
    [['accounts', 'delete'], "unknown command 'accounts delete'"],
    [['keys'], "'keys' needs a subcommand: keys rotate"],
    [['migrate', 'now'], "migrate: unexpected argument 'now'"],
    [['migrate', '--force'], 'migrate: unknown flag --force'],
    [['help', 'migrate'], "help: unexpected argument 'migrate'"],
    [['--help', 'migrate'], "unexpected argument 'migrate'"],
    [['accounts', 'list', '--id', '123456789012'], 'accounts list: unknown flag --id'],
    [['accounts', 'create', '--id'], 'accounts create: --id needs a value'],
    [['accounts', 'create', '--id', '--alias', 'x'], 'accounts create: --id needs a value'],
    [['accounts', 'create', '--id', '1', '--id', '2'], 'accounts create: --id given twice'],
    [['accounts', 'create', '--id', '12345678901'], 'accounts create: --id must be 12 digits'],
    [['accounts', 'create', '--id', '12345678901a'], 'accounts create: --id must be 12 digits'],
    [['accounts', 'create', '-i', '123456789012'], "accounts create: unexpected argument '-i'"],
  ])('%j is refused: %s', (argv, problem) => {
    expect(parseArgs(argv)).toEqual({ ok: false, problem });
  });

  // IAM's account alias rule (CreateAccountAlias): 3-63 of [a-z0-9-], no leading, trailing or double hyphen.
  test.each(['ab', 'Ops', '-ops', 'ops-', 'op--s', 'o_ps', 'a'.repeat(64)])('alias %j is refused', (alias) => {
    const parsed = parseArgs(['accounts', 'create', '--alias', alias]);
    expect(parsed.ok).toBe(false);
  });

  test.each(['abc', 'ops-team-1', 'a'.repeat(63)])('alias %j is accepted', (alias) => {
    expect(parseArgs(['accounts', 'create', '--alias', alias])).toMatchObject({ ok: true });
  });
});
