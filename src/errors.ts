// Exit codes and the error kinds that map to them. The CLI and the action
// each catch once at the top and turn these into a code or a failed step.

export const EXIT = {
  ok: 0,
  /** An unexpected internal error (a bug in kernel-bench). */
  internal: 1,
  /** Bad command line, bad script, bad log or baseline file. */
  input: 2,
  /** The kernel crashed, hung, was killed, or never became ready. */
  kernel: 3,
  /** `compare`/`ab` found a regression and was asked to fail on it. */
  regression: 4,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A problem with what the user gave us: flags, a script, a log. */
export class InputError extends Error {
  readonly exitCode = EXIT.input;
  override name = 'InputError';
}

/** The kernel process misbehaved: exited, crashed, never became ready, hung. */
export class KernelError extends Error {
  readonly exitCode = EXIT.kernel;
  override name = 'KernelError';
  constructor(
    message: string,
    /** The last lines of the kernel's own output, when there are any. */
    readonly logTail: string[] = [],
  ) {
    super(message);
  }
}

export function exitCodeOf(error: unknown): ExitCode {
  if (error instanceof InputError || error instanceof KernelError) return error.exitCode;
  return EXIT.internal;
}

/** Why a file could not be read, in words: `no such file`, `permission denied`, ... */
export function unreadable(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'it is a directory';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return code ?? (error instanceof Error ? error.message : String(error));
}
