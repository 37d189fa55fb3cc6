/**
 * SIGINT and SIGTERM for the whole life of the server process, start-up included, and the undo
 * steps (close the port, close the database, release its lock) that a stop or a failed start runs.
 *
 * - While starting, a signal is noted and the process stops at the next step boundary, so a step
 *   that creates something (the first account and its root-credentials.json, a key file, the
 *   embedded database's files) is never cut in half. Only a step marked abandonable (waiting on
 *   PostgreSQL, whose transaction rolls back when the connection goes) is given up when it has
 *   not ended within the grace period: exit status 1. Embedded-database steps are not: they do
 *   not wait on anything, and a first start's initialisation can take long on a slow machine.
 * - Once serving, the signal goes to the stop the server registered (drain, then undo).
 * - Repeated signals change nothing: under `npm start`, Ctrl-C reaches both npm and the server,
 *   and npm forwards it again, so one Ctrl-C is two SIGINTs.
 */
import type { Logger } from '../log.js';

export type Undo = () => Promise<void>;

export class Lifecycle {
  readonly #undo: Undo[] = [];
  #signal: string | undefined;
  #onSignal: ((signal: string) => void) | undefined;
  #deadline: NodeJS.Timeout | undefined;
  /** The grace period after a signal has passed. */
  #overdue = false;
  #abandonable = false;

  constructor(
    private readonly logger: Logger,
    private readonly graceMs: number,
    private readonly exit: (code: number) => never,
  ) {}

  /** Handle SIGINT and SIGTERM from now on. */
  trapSignals(): void {
    process.on('SIGINT', () => this.signalled('SIGINT'));
    process.on('SIGTERM', () => this.signalled('SIGTERM'));
  }

  /** Run `undo` when stopping or failing, the most recently registered first. */
  defer(undo: Undo): void {
    this.#undo.push(undo);
  }

  /**
   * Whether the steps from here on may be given up when a signal's grace period runs out (true
   * only while waiting on PostgreSQL); `checkpoint()` first.
   */
  abandonable(on: boolean): void {
    this.#abandonable = on;
    if (on && this.#overdue) this.#abandon();
  }

  /** Between start-up steps: when a signal came, undo what was done and exit 0. */
  async checkpoint(): Promise<void> {
    if (this.#signal === undefined) return;
    clearTimeout(this.#deadline);
    await this.unwind();
    this.logger.info('stopped');
    this.exit(0);
  }

  /** Run every undo step, newest first; one that fails is logged and the rest still run. */
  async unwind(): Promise<void> {
    for (let undo = this.#undo.pop(); undo; undo = this.#undo.pop()) {
      await undo().catch((err: unknown) => this.logger.error('could not undo a start-up step', { error: err instanceof Error ? err.name : String(err) }));
    }
  }

  /** Started: from now on a signal calls `stop` (which must tolerate being called twice). */
  serving(stop: (signal: string) => void): void {
    this.#onSignal = stop;
    clearTimeout(this.#deadline);
    // A signal that came during the last step.
    if (this.#signal !== undefined) stop(this.#signal);
  }

  /** What SIGINT or SIGTERM does (trapSignals routes them here). */
  signalled(signal: string): void {
    if (this.#onSignal) {
      this.#onSignal(signal);
      return;
    }
    if (this.#signal !== undefined) return;
    this.#signal = signal;
    this.logger.info('shutting down', { signal, phase: 'start-up' });
    this.#deadline = setTimeout(() => {
      this.#overdue = true;
      if (this.#abandonable) this.#abandon();
    }, this.graceMs);
    this.#deadline.unref();
  }

  #abandon(): never {
    this.logger.error('start-up step still waiting for the database after the grace period: abandoned', { graceMs: this.graceMs });
    return this.exit(1);
  }
}
