import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { KubeObject } from '../../backends/contract.ts';
import { createFakeBackend } from './fakeBackend.testkit.ts';
import { runSequence, setupCommands } from './runner.ts';
import { recordTiming, timed, timerFor, timingsFile } from './stepTimings.ts';

let dir = '';
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vmconform-timings-'));
});
afterEach(async () => {
  vi.unstubAllEnvs();
  await rm(dir, { recursive: true, force: true });
});

const lines = async (f: string): Promise<Array<Record<string, unknown>>> => (await readFile(f, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);

describe('step timings (VMCONFORM_TIMINGS)', () => {
  it('are off unless the variable names a file, and then cost no wrapper', async () => {
    expect(timingsFile({})).toBeNull();
    expect(timingsFile({ VMCONFORM_TIMINGS: '' })).toBeNull();
    expect(timingsFile({ VMCONFORM_TIMINGS: '/x/t.jsonl' })).toBe('/x/t.jsonl');
    const p = Promise.resolve(1);
    expect(timerFor(null)(p, [], 0)).toBe(p);
    expect(timerFor('/x/t.jsonl')).toBe(timed);
  });

  it('timed writes the wall ms of a promise that resolves or rejects', async () => {
    const out: number[] = [];
    await timed(new Promise((r) => setTimeout(r, 30)), out, 1);
    await expect(timed(Promise.reject(new Error('no')), out, 0)).rejects.toThrow('no');
    expect(out[0]).toBeGreaterThanOrEqual(0);
    expect(out[1]).toBeGreaterThanOrEqual(25);
  });

  it('recordTiming appends one JSON line per record with its epoch ms', async () => {
    const f = join(dir, 't.jsonl');
    recordTiming({ phase: 'sequence', createMs: [1, 2], disposeMs: [3, 4] }, f);
    recordTiming({ phase: 'sequence', createMs: [5], disposeMs: [6] }, f);
    const got = await lines(f);
    expect(got).toHaveLength(2);
    expect(got[0]).toMatchObject({ phase: 'sequence', createMs: [1, 2], disposeMs: [3, 4], t: expect.any(Number) });
    recordTiming({ phase: 'sequence', createMs: [], disposeMs: [] }, null); // off: nothing written anywhere
  });

  it('the runner writes one line per step (setup included) and one per sequence, a figure per backend', async () => {
    const f = join(dir, 'run.jsonl');
    vi.stubEnv('VMCONFORM_TIMINGS', f);
    const node: KubeObject = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node01' } } as KubeObject;
    const vm: KubeObject = { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { name: 'vm1' }, spec: { runStrategy: 'Halted', template: { spec: {} } } } as KubeObject;
    const factories = ['a', 'b'].map((name) => ({ name, create: async () => createFakeBackend({ name }) }));
    const out = await runSequence({ setup: setupCommands([node]), commands: [{ kind: 'apply', args: { object: vm } }, { kind: 'vm', args: { verb: 'start', name: 'vm1' } }] }, factories, { settleBudgetMs: 1000 });
    expect(out.ok).toBe(true);
    const got = await lines(f);
    expect(got.map((l) => [l['phase'], l['kind'] ?? null])).toEqual([['step', 'apply'], ['step', 'apply'], ['step', 'vm'], ['sequence', null]]);
    expect(got[2]).toMatchObject({ text: 'virtctl start vm1', sendMs: [expect.any(Number), expect.any(Number)], settleMs: [expect.any(Number), expect.any(Number)], observeMs: [expect.any(Number), expect.any(Number)] });
    expect(got[3]).toMatchObject({ createMs: [expect.any(Number), expect.any(Number)], disposeMs: [expect.any(Number), expect.any(Number)] });
  });
});
