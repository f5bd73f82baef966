import { describe, expect, it } from 'vitest';
import { makeRules, printableStatus, PRINTABLE_STATUS_RULES, RUN_STRATEGY_TABLE, type VmStatusFacts } from './rules.ts';

const base: VmStatusFacts = {
  deleting: false,
  vmiPhase: null,
  vmiFinal: false,
  vmiDeleting: false,
  expectDelete: false,
  migrating: false,
  paused: false,
  syncReason: null,
  unschedulable: false,
  dvError: false,
  dvProvisioning: false,
  setToStart: false,
  pvcUnbound: false,
  expectCreate: false,
  startFailures: 0,
  strategy: 'Always',
};

describe('R-PS printableStatus: first match wins', () => {
  it.each<[string, Partial<VmStatusFacts>]>([
    ['Terminating', { deleting: true, vmiPhase: 'Running' }],
    ['Stopping', { vmiPhase: 'Running', vmiDeleting: true, migrating: true }],
    ['Migrating', { vmiPhase: 'Running', migrating: true, paused: true }],
    ['Paused', { vmiPhase: 'Running', paused: true }],
    ['Running', { vmiPhase: 'Running', dvError: true }],
    ['ErrorPvcNotFound', { vmiPhase: 'Pending', syncReason: 'FailedPvcNotFound', dvError: true }],
    ['DataVolumeError', { dvError: true, unschedulable: true }],
    ['ErrorUnschedulable', { vmiPhase: 'Scheduling', unschedulable: true, dvProvisioning: true }],
    ['Provisioning', { dvProvisioning: true, setToStart: true, pvcUnbound: true }],
    ['WaitingForVolumeBinding', { vmiPhase: 'Pending', setToStart: true, pvcUnbound: true }],
    ['ErrImagePull', { vmiPhase: 'Pending', syncReason: 'ErrImagePull' }],
    ['ImagePullBackOff', { vmiPhase: 'Pending', syncReason: 'ImagePullBackOff' }],
    ['Starting', { vmiPhase: 'Scheduled' }],
    ['CrashLoopBackOff', { startFailures: 2 }],
    ['Stopped', { startFailures: 2, strategy: 'Manual' }],
    ['Stopped', { vmiPhase: 'Succeeded', vmiFinal: true }],
    ['Starting', { expectCreate: true }],
  ])('%s for %j', (expected, facts) => {
    expect(printableStatus(PRINTABLE_STATUS_RULES, { ...base, ...facts })).toBe(expected);
  });

  it('Unknown when nothing matches', () => {
    expect(printableStatus([], base)).toBe('Unknown');
  });
});

describe('rule overrides (deviant models)', () => {
  it('merges a run-strategy row without touching the defaults', () => {
    const r = makeRules({ runStrategy: { RerunOnFailure: { succeeded: 'deleteRecreate' } }, behaviour: { reset: 'newVmi' } });
    expect(r.runStrategy.RerunOnFailure).toEqual({ ...RUN_STRATEGY_TABLE.RerunOnFailure, succeeded: 'deleteRecreate' });
    expect(RUN_STRATEGY_TABLE.RerunOnFailure.succeeded).toBe('delete');
    expect(r.behaviour).toEqual({ reset: 'newVmi', migrationMovesNode: true, crashLoopBackoff: 'expires' });
  });
});
