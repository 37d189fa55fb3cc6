#!/usr/bin/env node
/**
 * The operator's command line and the `latchkey` bin (`latchkey help`): serve, migrate, bootstrap
 * the first account, create and list accounts, rotate keys. Like main.ts, a composition root: the
 * only other place that reads process.env and the file system. It reads the same configuration as
 * the server. The commands themselves run in src/cli/run.ts, which the tests call in-process.
 */
import { parseArgs } from './cli/args.js';
import { runCli } from './cli/run.js';

const argv = process.argv.slice(2);
const parsed = parseArgs(argv);
if (parsed.ok && parsed.command.name === 'serve') {
  // The server owns the process from here (signals, exit status): main.ts runs on import. Its
  // workers (WORKERS above 1) re-run this file with the same arguments.
  await import('./main.js');
} else {
  runCli(argv, { env: process.env, out: (t) => void process.stdout.write(t), err: (t) => void process.stderr.write(t) }).then(
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(`latchkey: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    },
  );
}
