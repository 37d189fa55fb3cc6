#!/usr/bin/env node
/**
 * The operator's command line and the `latchkey` bin (`latchkey help`): serve, migrate, bootstrap
 * the first account, create and list accounts, rotate keys. Like main.ts, a composition root: the
 * only other place that reads process.env and the file system. It reads the same configuration as the server.
 */
import { parseArgs, type ParsedArgs } from './cli/args.js';
import { StartupError } from './boot/startup-error.js';
import { describeError } from './boot/describe-error.js';
import { runCommand } from './cli/commands.js';
import { USAGE } from './cli/usage.js';
import { parseConfig } from './config.js';

type Write = (text: string) => void;

/** Every command but serve (which is the server: it never returns). */
async function runCli(parsed: ParsedArgs, env: Readonly<Record<string, string | undefined>>, out: Write, err: Write): Promise<number> {
  if (!parsed.ok) {
    err(`latchkey: ${parsed.problem}\n\n${USAGE}`);
    return 2;
  }
  const { command } = parsed;
  if (command.name === 'serve') return 2; // never here: serve is main.ts, imported below instead
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
    err(`latchkey ${command.name} failed: ${describeError(e)}\n`);
    return 1;
  }
}

const parsed = parseArgs(process.argv.slice(2));
if (parsed.ok && parsed.command.name === 'serve') {
  // The server owns the process from here (signals, exit status): main.ts runs on import. Its
  // workers (WORKERS above 1) re-run this file with the same arguments.
  await import('./main.js');
} else {
  runCli(parsed, process.env, (t) => void process.stdout.write(t), (t) => void process.stderr.write(t)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(`latchkey: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    },
  );
}
