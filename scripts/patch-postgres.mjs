#!/usr/bin/env node
/**
 * Applied at install time (`postinstall`): fixes postgres.js 3.4.x's handling of a connection that
 * dies inside a transaction (porsager/postgres#1208, #1133, #1154; the fixes proposed upstream in
 * #1155, #1168, #1209 and #1215 are not released in 3.4.x). Without it:
 *
 * - the transaction's ROLLBACK (or any later query of the transaction) is written to the dead
 *   connection from a setImmediate, where `socket` is already null: an uncaught TypeError
 *   ("Cannot read properties of null (reading 'write')") that ends the process;
 * - closing cancels that setImmediate without forgetting it, so the connection object, reused by
 *   the pool, never schedules a write again and keeps the dead query's bytes in front of its next
 *   start-up message: every reconnection of it times out (CONNECT_TIMEOUT);
 * - a query queued on the dead connection after its error stays in its pipeline, and on the next
 *   connection takes the answer meant for another query; and the dead backend's last error
 *   (57P01 when it was terminated) fails the first query of the next connection.
 *
 * The patch: a query given to a connection without a socket is rejected with CONNECTION_CLOSED
 * at once (and the connection stays where the pool put it, not in its busy queue for ever); a scheduled write with no socket is dropped; closing (or terminating) forgets the
 * pending write; and closing rejects every query still in the pipeline, whatever the reason, and forgets the
 * dead backend's error.
 *
 * Idempotent (a marker says the file is patched), and loud: if postgres.js's code no longer reads
 * as expected, the install fails, so a dependency upgrade is checked rather than silently
 * unpatched. Run `node scripts/patch-postgres.mjs` to apply it by hand; `--check` only verifies;
 * `--revert` restores postgres.js as published; `--dir <dir>` works on another copy of the package.
 */
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const MARKER = '/* latchkey: porsager/postgres#1208 patched */';

/** [what postgres.js 3.4.x says, what it says patched, how many times it occurs]. */
const EDITS = [
  [
    "  function execute(q) {\n    if (terminated)\n      return queryError(q, Errors.connection('CONNECTION_DESTROYED', options))\n",
    "  function execute(q) {\n    if (terminated)\n      return queryError(q, Errors.connection('CONNECTION_DESTROYED', options))\n\n    if (socket === null) // latchkey #1208: the connection died (inside a transaction or reserved); true: the caller must not move it to the busy queue\n      return (queryError(q, Errors.connection('CONNECTION_CLOSED', options)), true)\n",
    1,
  ],
  [
    '  function nextWrite(fn) {\n    const x = socket.write(chunk, fn)\n',
    '  function nextWrite(fn) {\n    if (socket === null) // latchkey #1208: closed since the write was scheduled\n      return (chunk = nextWriteTimer = null, false)\n    const x = socket.write(chunk, fn)\n',
    1,
  ],
  [
    '    clearImmediate(nextWriteTimer)\n',
    '    clearImmediate(nextWriteTimer)\n    chunk = nextWriteTimer = null // latchkey #1208: forget the cancelled write\n',
    2,
  ],
  [
    "    !hadError && (query || sent.length) && error(Errors.connection('CONNECTION_CLOSED', options, socket))\n",
    "    ;(query || sent.length) && error(Errors.connection('CONNECTION_CLOSED', options, socket)) // latchkey #1208: also what was queued after an error\n    query = errorResponse = null // latchkey #1208: the dead backend's last error is not the next connection's\n",
    1,
  ],
];

const count = (text, part) => text.split(part).length - 1;

/** Undo the patch (postgres.js as published): to check whether a new version still needs it, and in tests. */
function revertFile(file) {
  let text = readFileSync(file, 'utf8');
  if (!text.startsWith(`${MARKER}\n`)) return 'not patched';
  text = text.slice(MARKER.length + 1);
  for (const [original, patched] of EDITS) text = text.split(patched).join(original);
  writeFileSync(file, text);
  return 'reverted';
}

/** Patch one copy of connection.js; returns what was done. */
function patchFile(file, checkOnly, revert) {
  if (revert) return revertFile(file);
  const text = readFileSync(file, 'utf8');
  if (text.includes(MARKER)) {
    for (const [, patched, times] of EDITS) {
      if (count(text, patched) !== times) throw new Error(`${file} carries the patch marker but not the whole patch: reinstall postgres (rm -rf node_modules/postgres && npm install)`);
    }
    return 'already patched';
  }
  let out = text;
  for (const [original, patched, times] of EDITS) {
    const found = count(out, original);
    if (found !== times) {
      throw new Error(`${file} no longer reads as postgres.js 3.4.9/3.4.10 did (expected ${times} occurrence(s) of ${JSON.stringify(original.trim().split('\n')[0])}, found ${found}). Check whether this postgres version fixes porsager/postgres#1208, then update or remove scripts/patch-postgres.mjs.`);
    }
    out = out.split(original).join(patched);
  }
  if (checkOnly) throw new Error(`${file} is not patched: run node scripts/patch-postgres.mjs`);
  writeFileSync(file, `${MARKER}\n${out}`);
  return 'patched';
}

function main() {
  const checkOnly = process.argv.includes('--check');
  const revert = process.argv.includes('--revert');
  const at = process.argv.indexOf('--dir');
  // --dir <postgres package directory>: patch that copy (tests) instead of this project's.
  if (at !== -1) return patchPackage(process.argv[at + 1] ?? '', checkOnly, revert);
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  const require = createRequire(join(root, 'package.json'));
  // The copy node resolves for this project, wherever the installer put it (a dependency may be
  // hoisted above the project's own node_modules). postgres.js's `exports` hide its package.json,
  // so resolve its entry point and walk up to the folder that holds its package.json.
  let entry;
  try {
    entry = require.resolve('postgres');
  } catch {
    throw new Error('postgres is not installed: nothing to patch');
  }
  patchPackage(packageDirOf(entry), checkOnly, revert);
}

function packageDirOf(file) {
  for (let dir = dirname(file); dir !== dirname(dir); dir = dirname(dir)) {
    const pkgFile = join(dir, 'package.json');
    if (existsSync(pkgFile) && JSON.parse(readFileSync(pkgFile, 'utf8')).name === 'postgres') return dir;
  }
  throw new Error(`no package.json of postgres above ${file}`);
}

function patchPackage(dir, checkOnly, revert) {
  const pkgFile = join(dir, 'package.json');
  const { version } = JSON.parse(readFileSync(pkgFile, 'utf8'));
  if (!/^3\.4\./.test(version)) throw new Error(`postgres ${version} is installed; this patch is for 3.4.x. Check whether ${version} fixes porsager/postgres#1208, then update or remove scripts/patch-postgres.mjs.`);
  for (const rel of ['src/connection.js', 'cjs/src/connection.js']) {
    const file = join(dir, rel);
    if (!existsSync(file)) continue;
    process.stdout.write(`postgres ${version} ${rel}: ${patchFile(file, checkOnly, revert)}\n`);
  }
}

try {
  main();
} catch (err) {
  process.stderr.write(`scripts/patch-postgres.mjs: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
