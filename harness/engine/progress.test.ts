import { describe, expect, it } from 'vitest';
import { createProgress } from './progress.ts';

function sink(isTTY: boolean) {
  const out: string[] = [];
  return { out, stream: { isTTY, write: (s: string) => out.push(s) } as unknown as NodeJS.WriteStream };
}

const p = (sequences: number, failures = 0) => ({ property: 'generated', sequences, step: 3, failures, shrinking: failures > 0 });

describe('progress', () => {
  it('rewrites one line on a terminal, at most every ttyEveryMs', () => {
    const { out, stream } = sink(true);
    let t = 0;
    const pr = createProgress(stream, { ttyEveryMs: 100, now: () => t });
    pr.update(p(1));
    t = 50;
    pr.update(p(5)); // too soon: skipped
    t = 150;
    pr.update(p(2));
    pr.done();
    expect(out).toEqual(['\r\x1b[2Kgenerated: 1 sequence, step 3, 0 counterexamples', '\r\x1b[2Kgenerated: 2 sequences, step 3, 0 counterexamples', '\n']);
  });

  it('prints plain lines when not a TTY: on change of failures, else at most every interval', () => {
    const { out, stream } = sink(false);
    let t = 0;
    const pr = createProgress(stream, { everyMs: 1000, now: () => t });
    pr.update(p(1));
    t = 10;
    pr.update(p(2));
    pr.update(p(3, 1));
    t = 2000;
    pr.update(p(4, 1));
    pr.done();
    expect(out).toEqual([
      'generated: 1 sequence, step 3, 0 counterexamples\n',
      'generated: 3 sequences, step 3, 1 counterexample (shrinking)\n',
      'generated: 4 sequences, step 3, 1 counterexample (shrinking)\n',
    ]);
  });
});
