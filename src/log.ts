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

export function createLogger(level: LogLevel, write: (line: string) => void, clock: () => number = Date.now): Logger {
  const min = RANK[level];
  const log = (lvl: LogLevel) => (msg: string, fields?: LogFields) => {
    if (RANK[lvl] < min) return;
    write(`${JSON.stringify({ level: lvl, time: new Date(clock()).toISOString(), msg, ...fields })}\n`);
  };
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

/** A logger that drops everything (tests that do not look at logs). */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
