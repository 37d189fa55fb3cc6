/**
 * The command line, parsed: a closed set of commands, each with the flags it accepts. Pure (the
 * caller passes argv), so every misuse is a value, not an exit.
 */

export type Command =
  | { readonly name: 'help' }
  | { readonly name: 'migrate' }
  | { readonly name: 'bootstrap' }
  | { readonly name: 'accounts create'; readonly id: string | undefined; readonly alias: string | undefined }
  | { readonly name: 'accounts list' }
  | { readonly name: 'keys rotate' };

export type ParsedArgs = { readonly ok: true; readonly command: Command } | { readonly ok: false; readonly problem: string };

const ACCOUNT_ID = /^\d{12}$/;
/** IAM's accountAliasType: 3 to 63 lower-case letters, digits and single hyphens, not at either end. */
const ACCOUNT_ALIAS = /^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$/;

const COMMANDS = ['help', 'migrate', 'bootstrap', 'accounts create', 'accounts list', 'keys rotate'] as const;
type CommandName = (typeof COMMANDS)[number];

/** Which flags each command takes (all take a value). */
const FLAGS: Record<CommandName, readonly string[]> = {
  help: [],
  migrate: [],
  bootstrap: [],
  'accounts create': ['id', 'alias'],
  'accounts list': [],
  'keys rotate': [],
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
      if (alias !== undefined && !ACCOUNT_ALIAS.test(alias)) {
        return fail('accounts create: --alias must be 3 to 63 lower-case letters, digits and hyphens, starting and ending with a letter or digit, without two hyphens in a row');
      }
      return { ok: true, command: { name, id, alias } };
    }
    default:
      return { ok: true, command: { name } };
  }
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
