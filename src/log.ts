/**
 * Structured JSON logs, one object per line. Callers pass fields, never secrets: request bodies,
 * signatures, secrets and session tokens are not logged anywhere (a test scans a full run).
 */
import type { LogLevel } from './config.js';

export type { LogLevel };
const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

/** Fields that the line itself sets: a field of the same name is dropped, never overrides them. */
const RESERVED = new Set(['level', 'time', 'msg']);

/**
 * One JSON line: the same text JSON.stringify({ level, time, msg, ...fields }) gives, built field
 * by field (the access log writes one per request, so no merged object is made for it).
 */
export function formatLine(level: LogLevel, time: string, msg: string, fields: LogFields | undefined, suffix = ''): string {
  return `{"level":"${level}","time":"${time}","msg":${json(msg)}${fields ? formatFields(fields) : ''}${suffix}}\n`;
}

/** `,"key":value` for each field JSON can carry (reserved names left out). */
function formatFields(fields: LogFields): string {
  let out = '';
  for (const key in fields) {
    if (!Object.hasOwn(fields, key)) continue;
    const prefix = keyPrefix(key);
    if (prefix === '') continue;
    const value = json(fields[key]);
    if (value !== undefined) out += prefix + value;
  }
  return out;
}

/**
 * `,"key":` for a field name, or '' for a reserved one. Field names are the few the code uses, so
 * each is escaped once and remembered (bounded, should a caller ever pass names from data).
 */
const prefixes = new Map<string, string>();

function keyPrefix(key: string): string {
  let prefix = prefixes.get(key);
  if (prefix === undefined) {
    prefix = RESERVED.has(key) ? '' : `,${json(key)}:`;
    if (prefixes.size < 1000) prefixes.set(key, prefix);
  }
  return prefix;
}

/** What JSON.stringify escapes in a string: quote, backslash, control characters, surrogates. */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/** JSON.stringify(value), with the common cases (plain strings, finite numbers) done without it. */
function json(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string') return NEEDS_ESCAPE.test(value) ? JSON.stringify(value) : `"${value}"`;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return JSON.stringify(value);
}

/**
 * `base`: fields added to every line after the call's own (e.g. which worker process wrote it);
 * formatted once, here.
 */
export function createLogger(level: LogLevel, write: (line: string) => void, clock: () => number = Date.now, base?: LogFields): Logger {
  const suffix = base ? formatFields(base) : '';
  const min = RANK[level];
  // Many lines share a millisecond: format its time once.
  let lastMs = Number.NaN;
  let lastTime = '';
  const emit = (lvl: LogLevel, msg: string, fields: LogFields | undefined): void => {
    if (RANK[lvl] < min) return;
    const ms = clock();
    if (ms !== lastMs) {
      lastMs = ms;
      lastTime = new Date(ms).toISOString();
    }
    write(formatLine(lvl, lastTime, msg, fields, suffix));
  };
  return {
    debug: (msg, fields) => emit('debug', msg, fields),
    info: (msg, fields) => emit('info', msg, fields),
    warn: (msg, fields) => emit('warn', msg, fields),
    error: (msg, fields) => emit('error', msg, fields),
  };
}

export interface BufferedWriter {
  readonly write: (line: string) => void;
  /** Write out what is pending, now (call it before the process exits). */
  readonly flush: () => void;
}

/**
 * Lines gathered and written together once per turn of the event loop (or as soon as `maxBytes`
 * are pending): one write to stdout for many requests' access-log lines instead of one each,
 * which on Linux is a blocking system call per line for a pipe or a file. A line waits at most
 * one turn; `flush` writes the rest at exit.
 */
export function bufferedWriter(out: (chunk: string) => void, maxBytes = 64 * 1024): BufferedWriter {
  let pending: string[] = [];
  let size = 0;
  let scheduled = false;
  const flush = (): void => {
    scheduled = false;
    if (pending.length === 0) return;
    const chunk = pending.length === 1 ? (pending[0] ?? '') : pending.join('');
    pending = [];
    size = 0;
    out(chunk);
  };
  return {
    write(line) {
      pending.push(line);
      size += line.length;
      if (size >= maxBytes) flush();
      else if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    },
    flush,
  };
}

/** A logger that drops everything (tests that do not look at logs). */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
