/** Errors the user can fix, and the exit codes the command line ends with. */

/** Exit codes; several names share a number so each `throw` says which case it is. */
export const ExitCode = {
  Ok: 0,
  /** A bug: the CLI prints the stack. */
  Internal: 1,
  /** Bad input or usage: a missing notes folder, an invalid setting. */
  BadInput: 2,
  /** The environment: no browser, a browser that keeps failing, outputs that cannot be written, a port in use. */
  BrowserMissing: 3,
  BrowserFailed: 3,
  CannotWrite: 3,
  PortInUse: 3,
  /** `--strict` and the build had warnings. */
  StrictWarnings: 4,
  /** The blocks marked core need more pages than `--pages` allows. */
  CoreTooBig: 4,
  /** Stopped by Ctrl-C (128 + SIGINT) or SIGTERM (128 + SIGTERM). */
  Interrupted: 130,
  Terminated: 143,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** An error the user can fix; the CLI prints its message as one line, with no stack. The original error stays as `cause`. */
export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode = ExitCode.BadInput,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'UserError';
  }
}

/** The first line of an error's message: what goes into a one-line message (the whole error stays as `cause`). */
export function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] ?? message;
}
