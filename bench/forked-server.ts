/**
 * A server forked into its own process (bench/http-server.ts, bench/fuzz-server.ts), spoken to
 * over IPC: send a message, wait for its answer of a given type. A `{ type: 'failed' }` message or
 * the process's exit rejects whatever is being waited for.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

interface Message {
  readonly type: string;
}

export class ForkedServer<To extends Message, From extends Message> {
  readonly #child: ChildProcess;
  readonly #stop: To;
  readonly #waiting = new Map<string, (m: From) => void>();
  #failure: ((err: Error) => void) | undefined;
  /** How the process ended (its signal or exit code), once it has. */
  exited: string | undefined;

  /** `script` relative to bench/; `stop` is the message that asks the server to stop. */
  constructor(script: string, stop: To, execArgv: readonly string[] = process.execArgv) {
    this.#stop = stop;
    this.#child = fork(fileURLToPath(new URL(script, import.meta.url)), [], { execArgv: [...execArgv], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.#child.on('message', (m: From) => {
      if (m.type === 'failed') this.#failure?.(new Error(`server process: ${(m as { message?: string }).message ?? ''}`));
      else this.#waiting.get(m.type)?.(m);
    });
    // Rejects whatever is being waited for (a no-op once it was answered).
    this.#child.on('exit', (code, signal) => {
      this.exited = `${signal ?? code}`;
      this.#failure?.(new Error(`server process exited (${this.exited})`));
    });
  }

  get pid(): number {
    const pid = this.#child.pid;
    if (pid === undefined) throw new Error('server process has no pid');
    return pid;
  }

  ask<T extends From['type']>(message: To, answer: T): Promise<Extract<From, { type: T }>> {
    return new Promise((resolve, reject) => {
      this.#failure = reject;
      this.#waiting.set(answer, (m) => {
        this.#waiting.delete(answer);
        resolve(m as Extract<From, { type: T }>);
      });
      this.#child.send(message);
    });
  }

  /** Resolves when the process has exited (and written its CPU profile, if asked for). */
  async stop(): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    const exited = new Promise<void>((done) => this.#child.once('exit', () => done()));
    if (this.#child.connected) this.#child.send(this.#stop);
    else this.#child.kill();
    // The server exits by itself once stopped (or 15 s after being asked); this is the backstop.
    const backstop = setTimeout(() => this.#child.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(backstop);
  }
}
