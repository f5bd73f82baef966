/**
 * The error classes every layer throws and the CLI maps to exit codes
 * (README "Exit codes"). Public. Errors at boundaries are values (Result);
 * these are for bad input, broken infrastructure and budgets that ran out.
 */

/** Bad flags or bad input: the CLI prints the message and exits 2, never a stack trace. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Thrown when a backend's infrastructure fails (QEMU missing, guest image absent): exit code 3. */
export class InfrastructureError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'InfrastructureError';
  }
}

/** Thrown by settle() when the backend did not quiesce within its budget. */
export class SettleTimeout extends Error {
  constructor(
    readonly backend: string,
    readonly budgetMs: number,
    readonly inFlight: string,
  ) {
    super(`${backend}: not settled after ${budgetMs} ms (${inFlight})`);
    this.name = 'SettleTimeout';
  }
}
