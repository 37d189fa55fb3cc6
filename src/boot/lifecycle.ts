/**
 * SIGINT and SIGTERM for the whole life of the server process, start-up included, and the undo
 * steps (close the port, close the database, release its lock) that a stop or a failed start runs.
 *
 * - While starting, a signal is noted and the process stops at the next step boundary, so a step
 *   that creates something (the first account and its root-credentials.json, a migration, a
 *   write to the embedded database) is never cut in half. A step that does not end within the
 *   grace period (a database that does not answer) is abandoned: exit status 1.
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

  constructor(
    private readonly logger: Logger,
    private readonly graceMs: number,
    private readonly exit: (code: number) => never,
  ) {}

  /** Handle SIGINT and SIGTERM from now on. */
  trapSignals(): void {
    process.on('SIGINT', () => this.#signalled('SIGINT'));
    process.on('SIGTERM', () => this.#signalled('SIGTERM'));
  }

  /** Run `undo` when stopping or failing, the most recently registered first. */
  defer(undo: Undo): void {
    this.#undo.push(undo);
  }

  /** Between start-up steps: when a signal came, undo what was done and exit 0. */
  async checkpoint(): Promise<void> {
    if (this.#signal === undefined) return;
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

  #signalled(signal: string): void {
    if (this.#onSignal) {
      this.#onSignal(signal);
      return;
    }
    if (this.#signal !== undefined) return;
    this.#signal = signal;
    this.logger.info('shutting down', { signal, phase: 'start-up' });
    this.#deadline = setTimeout(() => {
      this.logger.error('start-up did not reach a point where it can stop in time: exiting', { graceMs: this.graceMs });
      this.exit(1);
    }, this.graceMs).unref();
  }
}
