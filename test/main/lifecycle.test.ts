/**
 * What a signal does at each point of the server's life (src/boot/lifecycle.ts), with the exit
 * replaced by a recorder: during start-up it waits for the step boundary and undoes what was done,
 * newest first; only an abandonable step (waiting on PostgreSQL) is given up after the grace;
 * once serving, every signal goes to the server's own stop.
 */
import { describe, expect, test } from 'vitest';
import { Lifecycle } from '../../src/boot/lifecycle.js';
import type { Logger } from '../../src/log.js';

class Exited extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

/** `throwing`: exit throws Exited, as process.exit never returns; otherwise it only records (for exits inside a timer). */
function setup(graceMs = 50, throwing = true) {
  const lines: string[] = [];
  const log = (msg: string) => void lines.push(msg);
  const logger: Logger = { debug: log, info: log, warn: log, error: log };
  const exits: number[] = [];
  const record = (code: number) => void exits.push(code);
  const exit = throwing
    ? (code: number): never => {
        record(code);
        throw new Exited(code);
      }
    : (record as (code: number) => never);
  return { life: new Lifecycle(logger, graceMs, exit), exits, lines };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Lifecycle', () => {
  test('no signal: checkpoints pass and nothing is undone', async () => {
    const { life, exits } = setup();
    const undone: string[] = [];
    life.defer(async () => void undone.push('port'));
    await life.checkpoint();
    await life.checkpoint();
    expect(exits).toEqual([]);
    expect(undone).toEqual([]);
  });

  test('a signal while starting: the next checkpoint undoes every step, newest first, and exits 0', async () => {
    const { life, exits, lines } = setup();
    const undone: string[] = [];
    life.defer(async () => void undone.push('port'));
    life.defer(async () => void undone.push('store'));
    life.signalled('SIGTERM');
    life.signalled('SIGINT'); // npm forwards Ctrl-C: a second signal changes nothing
    expect(undone).toEqual([]);
    await expect(life.checkpoint()).rejects.toEqual(new Exited(0));
    expect(undone).toEqual(['store', 'port']);
    expect(exits).toEqual([0]);
    expect(lines.filter((l) => l === 'shutting down')).toHaveLength(1);
  });

  test('an undo step that fails is logged and the others still run', async () => {
    const { life, lines } = setup();
    const undone: string[] = [];
    life.defer(async () => void undone.push('port'));
    life.defer(async () => {
      throw new Error('boom');
    });
    await life.unwind();
    expect(undone).toEqual(['port']);
    expect(lines).toContain('could not undo a start-up step');
  });

  test('a step that is not abandonable (the embedded database, a file write) is never given up, however long it takes', async () => {
    const { life, exits } = setup(20);
    life.signalled('SIGTERM');
    await sleep(80);
    expect(exits).toEqual([]);
    await expect(life.checkpoint()).rejects.toEqual(new Exited(0));
  });

  test('an abandonable step (waiting on PostgreSQL) still running after the grace is given up with status 1', async () => {
    const { life, exits, lines } = setup(20, false);
    life.abandonable(true);
    life.signalled('SIGTERM');
    expect(exits).toEqual([]);
    await sleep(80);
    expect(exits).toEqual([1]);
    expect(lines).toContain('start-up step still waiting for the database after the grace period: abandoned');
  });

  test('the grace ran out during a step that may not be abandoned: the next abandonable step is given up at once', async () => {
    const { life, exits } = setup(20);
    life.signalled('SIGTERM');
    await sleep(60);
    expect(exits).toEqual([]);
    expect(() => life.abandonable(true)).toThrow(new Exited(1));
  });

  test('serving: a signal goes to the server\'s stop, and one that came during the last step is delivered then', () => {
    const first = setup();
    const stops: string[] = [];
    first.life.serving((s) => void stops.push(s));
    first.life.signalled('SIGINT');
    first.life.signalled('SIGTERM');
    expect(stops).toEqual(['SIGINT', 'SIGTERM']);

    const second = setup();
    const late: string[] = [];
    second.life.signalled('SIGTERM');
    second.life.serving((s) => void late.push(s));
    expect(late).toEqual(['SIGTERM']);
    expect(second.exits).toEqual([]);
  });
});
