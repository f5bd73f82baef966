/**
 * Retries an async attempt until it succeeds or the deadline passes. Internal:
 * used where no event exists to await (a unix socket QEMU has yet to create).
 * `giveUp` returns a reason to stop early (e.g. the process already exited).
 */
export async function retryUntil<T>(
  attempt: () => Promise<T>,
  opts: { timeoutMs: number; intervalMs?: number; what: string; giveUp?: () => string | null },
): Promise<T> {
  const deadline = Date.now() + opts.timeoutMs;
  let last: unknown;
  for (;;) {
    const reason = opts.giveUp?.();
    if (reason) throw new Error(`${opts.what}: ${reason}`, { cause: last });
    try {
      return await attempt();
    } catch (err) {
      last = err;
    }
    if (Date.now() >= deadline) {
      throw new Error(`${opts.what}: not ready after ${opts.timeoutMs} ms (${last instanceof Error ? last.message : String(last)})`, { cause: last });
    }
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 20));
  }
}
