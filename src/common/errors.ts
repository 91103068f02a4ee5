/** Documented exit codes (README "Exit codes"). */
export const ExitCode = {
  OK: 0,
  FINDINGS: 1,
  INPUT: 2,
  CLUSTER: 3,
  INTERNAL: 4,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * An error the user can act on. The CLI prints `error: <message>` and `hint: <hint>` on one line
 * each, with no stack trace unless --debug, and exits with `exitCode`.
 */
export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCodeValue,
    readonly hint?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'UserError';
  }
}

/** Bad input: a missing file, broken YAML, a bad flag. Exit 2. */
export class InputError extends UserError {
  constructor(message: string, hint?: string, options?: { cause?: unknown }) {
    super(message, ExitCode.INPUT, hint, options);
    this.name = 'InputError';
  }
}

/** The cluster or its API could not be used: unreachable, bad credentials, wrong context. Exit 3. */
export class ClusterError extends UserError {
  constructor(message: string, hint?: string, options?: { cause?: unknown }) {
    super(message, ExitCode.CLUSTER, hint, options);
    this.name = 'ClusterError';
  }
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
