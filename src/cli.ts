/**
 * The operator's command line (`npm run cli -- help`): migrate, bootstrap the first account,
 * create and list accounts, rotate keys. Like main.ts, a composition root: the only other place
 * that reads process.env and the file system. It reads the same configuration as the server.
 */
import { parseArgs } from './cli/args.js';
import { StartupError } from './boot/startup-error.js';
import { runCommand } from './cli/commands.js';
import { USAGE } from './cli/usage.js';
import { parseConfig } from './config.js';

type Write = (text: string) => void;

async function runCli(argv: readonly string[], env: Readonly<Record<string, string | undefined>>, out: Write, err: Write): Promise<number> {
  const parsed = parseArgs(argv);
  if (!parsed.ok) {
    err(`latchkey: ${parsed.problem}\n\n${USAGE}`);
    return 2;
  }
  const { command } = parsed;
  if (command.name === 'help') {
    out(USAGE);
    return 0;
  }
  const config = parseConfig(env);
  if (!config.ok) {
    err(`Configuration problems:\n${config.problems.map((p) => `  - ${p}`).join('\n')}\n`);
    return 2;
  }
  try {
    await runCommand(command, { config: config.config, now: () => new Date(), out, err });
    return 0;
  } catch (e) {
    if (e instanceof StartupError) {
      err(`latchkey ${command.name}: ${e.message}\n`);
      return e.exitCode;
    }
    err(`latchkey ${command.name} failed: ${describe(e)}\n`);
    return 1;
  }
}

/** The failure in one line. drizzle puts a statement's parameters (sealed secrets) in its message: show only the database's own error. */
function describe(e: unknown): string {
  if (e instanceof Error && 'params' in e) return e.cause === undefined ? e.name : describe(e.cause);
  if (e instanceof Error) return e.message;
  return String(e);
}

runCli(process.argv.slice(2), process.env, (t) => void process.stdout.write(t), (t) => void process.stderr.write(t)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`latchkey: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
