/**
 * The scenario arbitrary (docs/harness-choices.md §8). Public.
 *
 * Why this shape (instead of `fc.commands`): a scenario is a cluster, a VM
 * set (both consistent by construction) and a list of *choices*. A choice is
 * two small integers: which kind of step among the kinds that have valid
 * candidates in the current state, and which candidate of that kind. The
 * runner resolves each choice against the reference backend's state while it
 * runs (catalogue.ts), so every drawn command is meaningful in the state it
 * meets, and rejected-on-purpose commands are drawn where they make sense.
 *
 * Shrinking is fast-check's own on plain data: it drops choices, drops VMs
 * and nodes, and moves integers toward 0 (the first valid kind and
 * candidate). Whatever it produces stays consistent, because an index that no
 * longer fits wraps modulo the valid list, and VM dependencies travel with
 * their VM. Replay is exact: seed + path regenerate the same data, and the
 * resolution against a deterministic reference is a pure function of it.
 */
import fc from 'fast-check';
import type { Choice } from './catalogue.ts';
import { clusterArb, type ClusterSpec } from './clusterArb.ts';
import type { Suite } from './suite.ts';
import { buildVmEntry, vmShapeArb, type VmEntry } from './vmArb.ts';

/**
 * Bumped whenever a change to the arbitraries or the catalogue changes what
 * a (seed, path) generates: replay tokens carry it.
 */
export const GENERATOR_VERSION = 4;

/** Largest choice index; choices wrap, so the bound only shapes the distribution. */
const CHOICE_MAX = 1023;

/** A generated scenario. Public. */
export interface Scenario {
  cluster: ClusterSpec;
  vms: VmEntry[];
  choices: Choice[];
}

/** Scenarios for a suite: 1..maxVms VMs, minSteps..maxSteps choices. Public. */
export function scenarioArb(suite: Suite): fc.Arbitrary<Scenario> {
  return fc.record({
    cluster: clusterArb(suite),
    vms: fc.array(vmShapeArb(suite), { minLength: 1, maxLength: suite.maxVms }).map((shapes) => shapes.map((s, i) => buildVmEntry(i, s))),
    choices: fc.array(fc.tuple(fc.nat(CHOICE_MAX), fc.nat(CHOICE_MAX)), { minLength: suite.minSteps, maxLength: suite.maxSteps }),
  });
}
