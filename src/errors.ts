/** An error the user can fix; the CLI prints its message as one line, with no stack. */
export class UserError extends Error {
  constructor(
    message: string,
    /** Process exit code: 2 bad input/usage, 3 environment (browser, permissions). */
    readonly exitCode = 2,
  ) {
    super(message);
    this.name = 'UserError';
  }
}
