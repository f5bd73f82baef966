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

/** What a failed launch leaves behind: everything needed to debug it without re-running. */
export interface LaunchFailure {
  /** The VMI whose launcher failed (namespace/name). */
  vmi: string;
  /** The full command line, binary first. */
  argv: readonly string[];
  /** Exit code, or null when a signal ended the process or it never started. */
  exitCode: number | null;
  /** The signal that ended the process (`SIGKILL`), or null. */
  signal: string | null;
  /** The last lines the process wrote to stderr. */
  stderrTail: string;
  cause?: unknown;
}

/**
 * A launcher (QEMU for the qemu backend) that did not start or died while
 * starting. One structured error instead of a string, like execa's
 * ExecaError: the message is a summary, the fields carry the evidence.
 */
export class LaunchError extends Error implements LaunchFailure {
  readonly vmi: string;
  readonly argv: readonly string[];
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly stderrTail: string;

  constructor(f: LaunchFailure) {
    super(launchSummary(f), f.cause !== undefined ? { cause: f.cause } : undefined);
    this.name = 'LaunchError';
    this.vmi = f.vmi;
    this.argv = f.argv;
    this.exitCode = f.exitCode;
    this.signal = f.signal;
    this.stderrTail = f.stderrTail;
  }
}

function launchSummary(f: LaunchFailure): string {
  const how = f.signal !== null ? `killed by ${f.signal}` : f.exitCode !== null ? `exited with code ${f.exitCode}` : 'did not start';
  const tail = f.stderrTail.trim();
  return `launcher of ${f.vmi} ${how}${tail ? `: ${tail.split('\n').at(-1)}` : ''}`;
}
