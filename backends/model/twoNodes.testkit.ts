/**
 * Test kit: a model backend on two nodes (node-a, node-b) with objects applied
 * and settled, and one command step that must succeed, settle and observe.
 * Shared by the model's rule tests.
 */
import { expect } from 'vitest';
import type { Backend, KubeObject, Observation, Result } from '../contract.ts';
import { OK } from '../contract.ts';
import { createModelBackend } from './index.ts';
import { node } from './testObjects.ts';

export async function twoNodeCluster(objs: KubeObject[], seed = 0): Promise<Backend> {
  const b = createModelBackend({ seed });
  for (const o of [node('node-a'), node('node-b'), ...objs]) expect(await b.apply(o)).toEqual(OK);
  await b.settle(1000);
  return b;
}

export async function step(b: Backend, r: Promise<Result>): Promise<Observation> {
  expect(await r).toEqual(OK);
  await b.settle(1000);
  return b.observe();
}

/**
 * The name of a VMI's one migration in an observation, leaving out `known`
 * ones: `virtctl migrate` and a drain name theirs from a generateName
 * (kubevirt-migrate-vm-, kubevirt-evacuation-) with a suffix drawn from the seed.
 */
export function migrationName(o: Observation, vmi: string, known: readonly string[] = []): string {
  const names = Object.keys(o.migrations).filter((n) => o.migrations[n]!.vmi === vmi && !known.includes(n));
  expect(names, `the migrations of ${vmi} besides ${known.join(', ') || 'none'}`).toHaveLength(1);
  return names[0]!;
}
