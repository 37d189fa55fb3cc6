/**
 * The command line, parsed: a closed set of commands, each with the flags it accepts. Pure (the
 * caller passes argv), so every misuse is a value, not an exit.
 */
import { aliasProblem } from '../account-alias.js';

export type Command =
  | { readonly name: 'help' }
  | { readonly name: 'serve' }
  | { readonly name: 'migrate' }
  | { readonly name: 'bootstrap' }
  | { readonly name: 'accounts create'; readonly id: string | undefined; readonly alias: string | undefined }
  | { readonly name: 'accounts list' }
  | { readonly name: 'keys rotate' }
  | { readonly name: 'audit'; readonly query: AuditFilter }
  | { readonly name: 'sessions revoke'; readonly accountId: string; readonly jti: string }
  | { readonly name: 'sessions revoke-role'; readonly accountId: string; readonly roleName: string };

export interface AuditFilter {
  readonly accountId: string | undefined;
  readonly since: Date | undefined;
  readonly action: string | undefined;
  readonly principalArn: string | undefined;
  readonly limit: number;
}

/** Events `audit` prints when --limit is not given, and the most it prints. */
export const AUDIT_DEFAULT_LIMIT = 100;
export const AUDIT_MAX_LIMIT = 10_000;

export type ParsedArgs = { readonly ok: true; readonly command: Command } | { readonly ok: false; readonly problem: string };

const ACCOUNT_ID = /^\d{12}$/;

/** The session token's jti: a UUID (src/sts/issue.ts). */
const JTI = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** IAM's roleNameType. */
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
/**
 * An ISO 8601 date (midnight UTC) or date and time with its zone (`2024-05-01`,
 * `2024-05-01T12:00:00Z`): a time without a zone would be read in the machine's local time.
 */
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2}))?$/;
/** `service:Action`, or a prefix ending in `*`. */
const ACTION = /^[a-zA-Z0-9-]+:[a-zA-Z0-9*]*$/;

const COMMANDS = ['help', 'serve', 'migrate', 'bootstrap', 'accounts create', 'accounts list', 'keys rotate', 'audit', 'sessions revoke', 'sessions revoke-role'] as const;
type CommandName = (typeof COMMANDS)[number];

/** Which flags each command takes (all take a value). */
const FLAGS: Record<CommandName, readonly string[]> = {
  help: [],
  serve: [],
  migrate: [],
  bootstrap: [],
  'accounts create': ['id', 'alias'],
  'accounts list': [],
  'keys rotate': [],
  audit: ['account', 'since', 'action', 'principal', 'limit'],
  'sessions revoke': ['account', 'jti'],
  'sessions revoke-role': ['account', 'role'],
};

const fail = (problem: string): ParsedArgs => ({ ok: false, problem });

export function parseArgs(argv: readonly string[]): ParsedArgs {
  const [first, second] = argv;
  if (first === undefined) return fail('no command given');
  if (first === '--help' || first === '-h') return argv.length === 1 ? { ok: true, command: { name: 'help' } } : fail(`unexpected argument '${argv[1]}'`);
  const two = `${first} ${second ?? ''}`;
  const name = COMMANDS.find((c) => c === first || c === two);
  if (!name) {
    const group = COMMANDS.filter((c) => c.startsWith(`${first} `));
    if (group.length > 0) return fail(second === undefined ? `'${first}' needs a subcommand: ${group.join(', ')}` : `unknown command '${two}'`);
    return fail(`unknown command '${first}'`);
  }
  const flags = parseFlags(argv.slice(name.split(' ').length), FLAGS[name]);
  if (!flags.ok) return fail(`${name}: ${flags.problem}`);
  const values = flags.values;
  switch (name) {
    case 'accounts create': {
      const id = values.get('id');
      const alias = values.get('alias');
      if (id !== undefined && !ACCOUNT_ID.test(id)) return fail('accounts create: --id must be 12 digits');
      const aliasWrong = alias === undefined ? undefined : aliasProblem(alias);
      if (aliasWrong !== undefined) return fail(`accounts create: --alias ${aliasWrong}`);
      return { ok: true, command: { name, id, alias } };
    }
    case 'audit':
      return parseAudit(values);
    case 'sessions revoke': {
      const accountId = values.get('account');
      const jti = values.get('jti');
      if (accountId === undefined || !ACCOUNT_ID.test(accountId)) return fail('sessions revoke: --account must be given, 12 digits');
      if (jti === undefined || !JTI.test(jti)) return fail("sessions revoke: --jti must be given: the session's jti (a UUID, in the details of its issuance's audit event)");
      return { ok: true, command: { name, accountId, jti: jti.toLowerCase() } };
    }
    case 'sessions revoke-role': {
      const accountId = values.get('account');
      const roleName = values.get('role');
      if (accountId === undefined || !ACCOUNT_ID.test(accountId)) return fail('sessions revoke-role: --account must be given, 12 digits');
      if (roleName === undefined || !ROLE_NAME.test(roleName)) return fail('sessions revoke-role: --role must be given: a role name (1 to 64 letters, digits and +=,.@_-)');
      return { ok: true, command: { name, accountId, roleName } };
    }
    default:
      return { ok: true, command: { name } };
  }
}

function parseAudit(values: ReadonlyMap<string, string>): ParsedArgs {
  const accountId = values.get('account');
  if (accountId !== undefined && !ACCOUNT_ID.test(accountId)) return fail('audit: --account must be 12 digits');
  const sinceText = values.get('since');
  const since = sinceText === undefined ? undefined : new Date(sinceText);
  if (sinceText !== undefined && (!ISO_DATE.test(sinceText) || since === undefined || Number.isNaN(since.getTime()))) {
    return fail('audit: --since must be an ISO 8601 date or time, e.g. 2024-05-01 or 2024-05-01T12:00:00Z (a time needs its zone)');
  }
  const action = values.get('action');
  if (action !== undefined && (!ACTION.test(action) || action.length > 128)) return fail('audit: --action must be service:Action (e.g. iam:CreateUser), or a prefix ending in * (e.g. sts:*)');
  const principalArn = values.get('principal');
  if (principalArn !== undefined && (!principalArn.startsWith('arn:') || principalArn.length > 2048)) return fail('audit: --principal must be an ARN');
  const limitText = values.get('limit');
  const limit = limitText === undefined ? AUDIT_DEFAULT_LIMIT : /^\d{1,6}$/.test(limitText) ? Number(limitText) : NaN;
  if (!(limit >= 1 && limit <= AUDIT_MAX_LIMIT)) return fail(`audit: --limit must be a whole number from 1 to ${AUDIT_MAX_LIMIT}`);
  return { ok: true, command: { name: 'audit', query: { accountId, since, action, principalArn, limit } } };
}

type FlagResult = { readonly ok: true; readonly values: ReadonlyMap<string, string> } | { readonly ok: false; readonly problem: string };

/** `--name value` or `--name=value`; every flag at most once; no positional arguments. */
function parseFlags(args: readonly string[], allowed: readonly string[]): FlagResult {
  const values = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    const match = /^--([a-z][a-z-]*)(?:=(.*))?$/s.exec(arg);
    if (!match) return { ok: false, problem: `unexpected argument '${arg}'` };
    const flag = match[1] as string;
    if (!allowed.includes(flag)) return { ok: false, problem: `unknown flag --${flag}` };
    if (values.has(flag)) return { ok: false, problem: `--${flag} given twice` };
    let value = match[2];
    if (value === undefined) {
      value = args[i + 1];
      if (value === undefined || value.startsWith('--')) return { ok: false, problem: `--${flag} needs a value` };
      i++;
    }
    values.set(flag, value);
  }
  return { ok: true, values };
}
