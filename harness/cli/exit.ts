/** Exit codes of `vmconform` (public, documented in the README). */
export const EXIT = {
  ok: 0,
  counterexample: 1,
  usage: 2,
  infrastructure: 3,
} as const;

import { UsageError } from '../contract/index.ts';

export { UsageError };

/** Runs a flag parser (node:util parseArgs) and turns its errors into usage errors (exit 2). */
export function usageErrors<T>(parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}
