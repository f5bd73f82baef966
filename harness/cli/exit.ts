/** Exit codes of `vmconform` (public, documented in the README). */
export const EXIT = {
  ok: 0,
  counterexample: 1,
  usage: 2,
  infrastructure: 3,
} as const;

/** Bad flags or bad input: the CLI prints the message and exits 2, never a stack trace. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Runs a flag parser (node:util parseArgs) and turns its errors into usage errors (exit 2). */
export function usageErrors<T>(parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}
