/**
 * The shrink oracle answers a candidate from what real runs showed, or asks
 * for a replay. Toy backend (fakeBackend.testkit.ts): its reset makes a new
 * VMI on the deviant; the reference alone counts how often it is created.
 */
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../backends/contract.ts';
import type { Command } from './command.ts';
import { createFakeBackend } from './fakeBackend.testkit.ts';
import { runSequence, type BackendFactory } from './runner.ts';
import { ShrinkOracle } from './shrinkOracle.ts';

const vm = (name: string): KubeObject => ({ apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { name }, spec: { runStrategy: 'Always', template: { spec: { domain: { devices: {} } } } } }) as unknown as KubeObject;
const apply = (name: string): Command => ({ kind: 'apply', args: { object: vm(name) } });
const reset = (vmi: string): Command => ({ kind: 'guest', args: { action: 'reset', vmi } });
const stop = (name: string): Command => ({ kind: 'vm', args: { verb: 'stop', name } });
const start = (name: string): Command => ({ kind: 'vm', args: { verb: 'start', name } });

let created = 0;
const reference: BackendFactory = { name: 'a', inMemory: true, create: async () => (created++, createFakeBackend({ name: 'a' })) };
const deviant: BackendFactory = { name: 'b', create: async () => createFakeBackend({ name: 'b', deviation: 'resetNewVmi' }) };
const plain: BackendFactory = { name: 'b', create: async () => createFakeBackend({ name: 'b' }) };
const run = (commands: Command[], other = deviant) => runSequence({ setup: [], commands }, [reference, other], { settleBudgetMs: 1000 });
const judge = (o: ShrinkOracle, commands: Command[]) => o.judge({ setup: [], commands });

describe('ShrinkOracle', () => {
  it('a candidate whose first k commands failed at step k fails the same way, without a replay', async () => {
    const o = new ShrinkOracle(reference, 1000);
    const failed = await run([apply('vm-a'), reset('vm-a')]);
    expect(failed.ok).toBe(false);
    o.learn(failed);
    const v = await judge(o, [apply('vm-a'), reset('vm-a'), stop('vm-a')]);
    expect(v).toEqual({ kind: 'fail', out: failed });
  });

  it('a candidate that no longer holds the failing step (kind and answer) passes without a replay', async () => {
    const o = new ShrinkOracle(reference, 1000);
    o.learn(await run([apply('vm-a'), reset('vm-a')]));
    expect(await judge(o, [apply('vm-a'), stop('vm-a')])).toEqual({ kind: 'pass' });
    // A reset the reference refuses (no VMI: 404) is not the failing step either.
    expect(await judge(o, [reset('vm-a')])).toEqual({ kind: 'pass' });
  });

  it('a command list a run passed, or a prefix of one, passes without a replay', async () => {
    const o = new ShrinkOracle(reference, 1000);
    o.learn(await run([apply('vm-a'), reset('vm-a')]));
    const passing = await run([apply('vm-b'), reset('vm-b'), stop('vm-b')], plain);
    expect(passing.ok).toBe(true);
    o.learn(passing);
    expect(await judge(o, [apply('vm-b'), reset('vm-b')])).toEqual({ kind: 'pass' });
  });

  it('anything else holding the failing step is replayed; the reference alone resolves it once', async () => {
    const o = new ShrinkOracle(reference, 1000);
    o.learn(await run([apply('vm-a'), reset('vm-a')]));
    const before = created;
    expect(await judge(o, [apply('vm-a'), stop('vm-a'), start('vm-a'), reset('vm-a')])).toEqual({ kind: 'replay' });
    expect(created - before).toBe(1);
  });
});
