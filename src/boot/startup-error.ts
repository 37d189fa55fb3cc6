/** A start-up failure (server or CLI) explained in one line on stderr and turns into its exit status. */
export class StartupError extends Error {
  constructor(
    readonly exitCode: 1 | 2,
    message: string,
  ) {
    super(message);
    this.name = 'StartupError';
  }
}
