import { describe, expect, test } from 'vitest';
import { parseArgs } from '../../src/cli/args.js';

describe('parseArgs', () => {
  test.each([
    [['help'], { name: 'help' }],
    [['--help'], { name: 'help' }],
    [['-h'], { name: 'help' }],
    [['serve'], { name: 'serve' }],
    [['migrate'], { name: 'migrate' }],
    [['bootstrap'], { name: 'bootstrap' }],
    [['accounts', 'create'], { name: 'accounts create', id: undefined, alias: undefined }],
    [['accounts', 'create', '--id', '123456789012', '--alias', 'ops-team'], { name: 'accounts create', id: '123456789012', alias: 'ops-team' }],
    [['accounts', 'create', '--alias=ops', '--id=123456789012'], { name: 'accounts create', id: '123456789012', alias: 'ops' }],
    [['accounts', 'list'], { name: 'accounts list' }],
    [['keys', 'rotate'], { name: 'keys rotate' }],
    [['audit'], { name: 'audit', query: { accountId: undefined, since: undefined, action: undefined, principalArn: undefined, limit: 100 } }],
    [
      ['audit', '--account', '123456789012', '--since', '2024-05-01T12:00:00Z', '--action', 'sts:*', '--principal', 'arn:aws:iam::123456789012:user/bob', '--limit', '5'],
      { name: 'audit', query: { accountId: '123456789012', since: new Date('2024-05-01T12:00:00Z'), action: 'sts:*', principalArn: 'arn:aws:iam::123456789012:user/bob', limit: 5 } },
    ],
    [['audit', '--since=2024-05-01', '--action=iam:CreateUser'], { name: 'audit', query: { accountId: undefined, since: new Date('2024-05-01T00:00:00Z'), action: 'iam:CreateUser', principalArn: undefined, limit: 100 } }],
    [['audit', '--since', '2024-05-01T12:00:00.123+02:00'], { name: 'audit', query: { accountId: undefined, since: new Date('2024-05-01T10:00:00.123Z'), action: undefined, principalArn: undefined, limit: 100 } }],
    [
      ['sessions', 'revoke', '--account', '123456789012', '--jti', '0B1C2D3E-4F50-4172-8394-A5B6C7D8E9F0'],
      { name: 'sessions revoke', accountId: '123456789012', jti: '0b1c2d3e-4f50-4172-8394-a5b6c7d8e9f0' },
    ],
    [['sessions', 'revoke-role', '--account', '123456789012', '--role', 'ops+admin@x'], { name: 'sessions revoke-role', accountId: '123456789012', roleName: 'ops+admin@x' }],
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
    [['serve', '--port', '80'], 'serve: unknown flag --port'],
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
    [['sessions'], "'sessions' needs a subcommand: sessions revoke, sessions revoke-role"],
    [['sessions', 'list'], "unknown command 'sessions list'"],
    [['audit', '--account', '1234'], 'audit: --account must be 12 digits'],
    [['audit', '--since', 'yesterday'], 'audit: --since must be an ISO 8601 date or time, e.g. 2024-05-01 or 2024-05-01T12:00:00Z (a time needs its zone)'],
    [['audit', '--since', '2024-05-01T12:00'], 'audit: --since must be an ISO 8601 date or time, e.g. 2024-05-01 or 2024-05-01T12:00:00Z (a time needs its zone)'],
    [['audit', '--since', '2024-13-45'], 'audit: --since must be an ISO 8601 date or time, e.g. 2024-05-01 or 2024-05-01T12:00:00Z (a time needs its zone)'],
    [['audit', '--action', 'CreateUser'], 'audit: --action must be service:Action (e.g. iam:CreateUser), or a prefix ending in * (e.g. sts:*)'],
    [['audit', '--principal', 'bob'], 'audit: --principal must be an ARN'],
    [['audit', '--limit', '0'], 'audit: --limit must be a whole number from 1 to 10000'],
    [['audit', '--limit', '10001'], 'audit: --limit must be a whole number from 1 to 10000'],
    [['audit', '--limit', '5x'], 'audit: --limit must be a whole number from 1 to 10000'],
    [['audit', '--jti', 'x'], 'audit: unknown flag --jti'],
    [['sessions', 'revoke', '--jti', '0b1c2d3e-4f50-4172-8394-a5b6c7d8e9f0'], 'sessions revoke: --account must be given, 12 digits'],
    [['sessions', 'revoke', '--account', '123456789012'], "sessions revoke: --jti must be given: the session's jti (a UUID, in the details of its issuance's audit event)"],
    [['sessions', 'revoke', '--account', '123456789012', '--jti', 'ASIAAAAAAAAAAAAAAAAA'], "sessions revoke: --jti must be given: the session's jti (a UUID, in the details of its issuance's audit event)"],
    [['sessions', 'revoke-role', '--account', '123456789012'], 'sessions revoke-role: --role must be given: a role name (1 to 64 letters, digits and +=,.@_-)'],
    [['sessions', 'revoke-role', '--account', '123456789012', '--role', 'a/b'], 'sessions revoke-role: --role must be given: a role name (1 to 64 letters, digits and +=,.@_-)'],
  ])('%j is refused: %s', (argv, problem) => {
    expect(parseArgs(argv)).toEqual({ ok: false, problem });
  });

  // IAM's account alias rule (CreateAccountAlias): 3-63 of [a-z0-9-], no leading, trailing or double hyphen.
  test.each(['ab', 'Ops', '-ops', 'ops-', 'op--s', 'o_ps', 'a'.repeat(64)])('alias %j is refused', (alias) => {
    const parsed = parseArgs(['accounts', 'create', '--alias', alias]);
    expect(parsed.ok).toBe(false);
  });

  // Ours on top (src/account-alias.ts): an alias that reads as an account id is refused, as CreateAccountAlias refuses it.
  test('a 12-digit alias is refused', () => {
    expect(parseArgs(['accounts', 'create', '--alias', '123456789012'])).toEqual({ ok: false, problem: 'accounts create: --alias must not be 12 digits, which would read as an account id' });
    expect(parseArgs(['accounts', 'create', '--alias', '1234567890123'])).toMatchObject({ ok: true });
  });

  test.each(['abc', 'ops-team-1', 'a'.repeat(63)])('alias %j is accepted', (alias) => {
    expect(parseArgs(['accounts', 'create', '--alias', alias])).toMatchObject({ ok: true });
  });
});
