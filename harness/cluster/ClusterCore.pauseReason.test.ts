/**
 * The Paused condition's reason follows the agent's `paused.reason`
 * (docs/kubevirt-reference.md §3: PausedByUser, PausedIOError).
 */
import { describe, expect, it } from 'vitest';
import type { PauseReason } from './agent.ts';
import { ClusterCore } from './ClusterCore.ts';
import { condition, type VmiStatus, type VmStatus } from './store/objects.ts';
import { node, vm } from '../../backends/model/testObjects.ts';

function runningVmi(): { core: ClusterCore; uid: string } {
  const core = new ClusterCore();
  core.apply(node('n1'));
  core.apply(vm('v', 'Always'));
  const launch = core.takeEffects().find((e) => e.type === 'launch');
  if (launch?.type !== 'launch') throw new Error('no launch effect');
  core.onEvent({ type: 'running', uid: launch.spec.uid });
  return { core, uid: launch.spec.uid };
}

describe('R-P2 Paused condition reason', () => {
  it.each([
    [undefined, 'PausedByUser'],
    ['user', 'PausedByUser'],
    ['ioError', 'PausedIOError'],
  ] as const)('paused with reason %s → Paused=True/%s, Ready False, VM Paused; resumed → no Paused', (reason: PauseReason | undefined, want) => {
    const { core, uid } = runningVmi();
    core.onEvent(reason ? { type: 'paused', uid, paused: true, reason } : { type: 'paused', uid, paused: true });
    const conditions = () => (core.object('VirtualMachineInstance', 'v')!.status as VmiStatus).conditions;
    expect(condition(conditions(), 'Paused')).toEqual({ type: 'Paused', status: 'True', reason: want });
    expect(condition(conditions(), 'Ready')).toEqual({ type: 'Ready', status: 'False' });
    expect((core.object('VirtualMachine', 'v')!.status as VmStatus).printableStatus).toBe('Paused');
    core.onEvent({ type: 'paused', uid, paused: false });
    expect(condition(conditions(), 'Paused')).toBeUndefined();
  });
});
