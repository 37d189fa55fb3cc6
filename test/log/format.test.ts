import { describe, expect, it } from 'vitest';
import { bufferedWriter, createLogger, formatLine } from '../../src/log.js';

/** What a line used to be: JSON.stringify of the merged object (with level, time and msg kept). */
function reference(level: string, time: string, msg: string, fields: Record<string, unknown> | undefined): string {
  const { level: _l, time: _t, msg: _m, ...rest } = fields ?? {};
  return `${JSON.stringify({ level, time, msg, ...rest })}\n`;
}

describe('log lines', () => {
  it.each([
    ['no fields', undefined],
    ['empty fields', {}],
    ['every kind of value', { n: 1.5, s: 'quote " newline \n tab \t \u2028', u: undefined, z: null, o: { a: [1, 'x'] }, f: () => 1, y: Symbol('s'), d: new Date(0), b: true }],
    ['an access log line', { requestId: 'r-1', method: 'POST', action: 'GetCallerIdentity', status: 200, code: undefined, caller: 'arn:aws:iam::123456789012:user/a', accessKeyId: 'ASIA', ms: 0.3 }],
    ['keys that need escaping', { 'a"b': 1, 'ü\n': 2, 'back\\slash': 3 }],
    ['strings JSON escapes', { a: '\u0000\u001f', b: 'lone \ud800 surrogate', c: 'pair \ud83d\ude00', d: '\\', e: '\u007f\u2028é' }],
    ['numbers', { a: 0, b: -0, c: 1e21, d: Number.NaN, e: Infinity, f: 5e-7, g: 123456789.125 }],
  ])('match JSON.stringify of the merged object: %s', (_name, fields) => {
    expect(formatLine('info', '2026-11-22T10:00:00.000Z', 'm "x"', fields)).toBe(reference('info', '2026-11-22T10:00:00.000Z', 'm "x"', fields));
  });

  it('never lets a field replace the level, time or message', () => {
    const line = JSON.parse(formatLine('warn', 'T', 'real', { level: 'debug', time: 'forged', msg: 'forged', other: 1 }));
    expect(line).toEqual({ level: 'warn', time: 'T', msg: 'real', other: 1 });
  });

  it('writes each line with the time of its own millisecond and drops levels below the minimum', () => {
    const lines: string[] = [];
    let now = Date.UTC(2026, 10, 22, 10, 0, 0, 1);
    const log = createLogger('info', (l) => lines.push(l), () => now);
    log.debug('hidden');
    log.info('a');
    log.info('b');
    now += 1;
    log.error('c', { k: 'v' });
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      { level: 'info', time: '2026-11-22T10:00:00.001Z', msg: 'a' },
      { level: 'info', time: '2026-11-22T10:00:00.001Z', msg: 'b' },
      { level: 'error', time: '2026-11-22T10:00:00.002Z', msg: 'c', k: 'v' },
    ]);
  });

  it("adds the logger's own fields (a worker's id) to every line, after the call's fields", () => {
    const lines: string[] = [];
    const log = createLogger('info', (l) => lines.push(l), () => 0, { worker: 3, level: 'ignored' });
    log.info('a');
    log.warn('b', { k: 'v' });
    expect(lines).toEqual(['{"level":"info","time":"1970-01-01T00:00:00.000Z","msg":"a","worker":3}\n', '{"level":"warn","time":"1970-01-01T00:00:00.000Z","msg":"b","k":"v","worker":3}\n']);
  });

  it('buffered: lines of one event-loop turn go out in one write, in order; flush writes what is pending at once', async () => {
    const writes: string[] = [];
    const out = bufferedWriter((chunk) => writes.push(chunk));
    out.write('a\n');
    out.write('b\n');
    expect(writes).toEqual([]);
    await new Promise((r) => setImmediate(r));
    expect(writes).toEqual(['a\nb\n']);
    out.write('c\n');
    out.flush();
    expect(writes).toEqual(['a\nb\n', 'c\n']);
    await new Promise((r) => setImmediate(r));
    expect(writes).toHaveLength(2); // nothing left to write, and no empty write
  });

  it('buffered: writes at once when the pending lines reach the size limit', () => {
    const writes: string[] = [];
    const out = bufferedWriter((chunk) => writes.push(chunk), 10);
    out.write('12345\n');
    expect(writes).toEqual([]);
    out.write('67890\n');
    expect(writes).toEqual(['12345\n67890\n']);
  });
});
