/**
 * One CLI invocation as a function: arguments, environment and writers in, exit status out. No
 * process.exit and no process globals here, so the tests run every command in-process; src/cli.ts
 * wires it to the real process.
 */
import { StartupError } from '../boot/startup-error.js';
import { errorLine } from '../describe-error.js';
import { parseConfig } from '../config.js';
import { parseArgs } from './args.js';
import { runCommand } from './commands.js';
import { USAGE } from './usage.js';

export type Write = (text: string) => void;

export interface CliIo {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** stdout */
  readonly out: Write;
  /** stderr */
  readonly err: Write;
}

/** Every command but serve (which is the server: src/cli.ts hands it to main.ts). Resolves to the exit status. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const { env, out, err } = io;
  const parsed = parseArgs(argv);
  if (!parsed.ok) {
    err(`latchkey: ${parsed.problem}\n\n${USAGE}`);
    return 2;
  }
  const { command } = parsed;
  if (command.name === 'serve') {
    err('latchkey: serve runs the server, which owns its process: run it from src/cli.ts or src/main.ts\n');
    return 2;
  }
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
    err(`latchkey ${command.name} failed: ${errorLine(e)}\n`);
    return 1;
  }
}
