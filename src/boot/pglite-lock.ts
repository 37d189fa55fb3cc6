/**
 * An advisory lock file beside the embedded database. PGlite runs PostgreSQL inside one process
 * and takes no lock on its data directory (its postmaster.pid holds a fixed fake pid, -42), so two
 * processes can open the same directory and corrupt it. This lock makes a second CLI run refuse
 * instead; the server is protected only if it takes the same lock.
 */
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { StartupError } from './startup-error.js';

interface LockRecord {
  readonly pid: number;
  readonly holder: string;
  readonly since: string;
}

/** Take the lock at `file` for `holder`; the returned function releases it. */
export async function lockPglite(file: string, holder: string, now: Date): Promise<() => Promise<void>> {
  await mkdir(dirname(file), { recursive: true });
  // Written whole to a private file, then linked into place: link() fails if the lock exists, so
  // nobody ever reads a half-written lock.
  const tmp = `${file}.${process.pid}.tmp`;
  const record: LockRecord = { pid: process.pid, holder, since: now.toISOString() };
  await writeFile(tmp, `${JSON.stringify(record)}\n`, { mode: 0o600 });
  try {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        await link(tmp, file);
        return () => unlink(file).catch(() => {});
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const held = await readLock(file);
      if (held && isAlive(held.pid)) {
        throw new StartupError(1, `the embedded database is in use by process ${held.pid} (${held.holder}, since ${held.since}): stop it first. If no such process is running, delete ${file}.`);
      }
      // A lock left by a process that is gone: take it over.
      await unlink(file).catch(() => {});
    }
  } finally {
    await unlink(tmp).catch(() => {});
  }
  throw new StartupError(1, `could not take the lock ${file}: another process keeps taking it`);
}

async function readLock(file: string): Promise<LockRecord | undefined> {
  try {
    const parsed: unknown = JSON.parse(await readFile(file, 'utf8'));
    const { pid, holder, since } = parsed as Record<string, unknown>;
    if (typeof pid === 'number' && Number.isInteger(pid) && pid > 0) {
      return { pid, holder: typeof holder === 'string' ? holder : 'unknown', since: typeof since === 'string' ? since : 'unknown' };
    }
  } catch {
    // unreadable or half-written: treated as stale
  }
  return undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
