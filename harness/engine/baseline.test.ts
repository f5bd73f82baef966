import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Failure } from './runResults.ts';
import { classifyKnown, loadBaseline } from './baseline.ts';

const failure = (paths: string[], backend = 'qemu'): Failure => ({
  property: 'generated',
  seed: 1,
  path: '0',
  token: 't',
  steps: [],
  diff: paths.map((path) => ({ path, expected: 1, actual: 2, backend })),
  shrunkFrom: 1,
});

describe('baseline of known deviations', () => {
  const baseline = { deviations: [{ path: 'vmis.*.conditions.AgentConnected', backend: 'qemu', reason: 'agent is late on TCG', link: 'https://example.invalid/12' }] };

  it('marks a failure known when every diff entry matches (`*` is one path segment)', () => {
    const f = failure(['vmis.db.conditions.AgentConnected']);
    classifyKnown(f, baseline);
    expect(f.known).toEqual({ reason: 'agent is late on TCG', link: 'https://example.invalid/12' });
  });

  it('leaves it unknown when one entry does not match, or for another backend', () => {
    const partly = failure(['vmis.db.conditions.AgentConnected', 'vmis.db.phase']);
    classifyKnown(partly, baseline);
    expect(partly.known).toBeUndefined();
    const other = failure(['vmis.db.conditions.AgentConnected'], 'kubevirt');
    classifyKnown(other, baseline);
    expect(other.known).toBeUndefined();
    const deeper = failure(['vmis.a.b.conditions.AgentConnected']);
    classifyKnown(deeper, baseline);
    expect(deeper.known).toBeUndefined();
  });

  it('names the file and field of a malformed baseline', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vmconform-baseline-'));
    try {
      const file = join(dir, 'b.yaml');
      await writeFile(file, 'deviations:\n  - path: vmis.*.phase\n');
      await expect(loadBaseline(file)).rejects.toThrow(`--baseline ${file}: deviations.0.reason:`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
