/**
 * Progress lines for `vmconform run` (internal): on a terminal one line
 * rewritten in place (sequences run, current step, counterexamples) at most
 * every `ttyEveryMs`; when not a TTY (CI) plain lines, at most one per
 * `everyMs`; both at once on a change of property or failure count.
 */
import type { Progress } from './property.ts';

export interface ProgressSink {
  update(p: Progress): void;
  /** Ends the in-place line before other output. */
  done(): void;
}

export function createProgress(stream: NodeJS.WriteStream, opts: { everyMs?: number; ttyEveryMs?: number; now?: () => number } = {}): ProgressSink {
  const now = opts.now ?? Date.now;
  const everyMs = opts.everyMs ?? 5000;
  const ttyEveryMs = opts.ttyEveryMs ?? 100;
  const tty = stream.isTTY === true;
  let lastAt = 0;
  let lastKey = '';
  let open = false;
  const text = (p: Progress) =>
    `${p.property}: ${p.sequences} sequence${p.sequences === 1 ? '' : 's'}, step ${p.step}, ${p.failures} counterexample${p.failures === 1 ? '' : 's'}${p.shrinking ? ' (shrinking)' : ''}`;
  return {
    update(p) {
      const key = `${p.property}/${p.failures}/${p.shrinking}`;
      if (key === lastKey && now() - lastAt < (tty ? ttyEveryMs : everyMs)) return;
      lastAt = now();
      lastKey = key;
      if (tty) {
        stream.write(`\r\x1b[2K${text(p)}`);
        open = true;
      } else stream.write(`${text(p)}\n`);
    },
    done() {
      if (open) stream.write('\n');
      open = false;
    },
  };
}
