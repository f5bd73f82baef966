import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { scenarioArb } from './scenario.ts';
import { loadSuite, parseSuite, suiteNames } from './suite.ts';

describe('suites', () => {
  it('ships smoke, default, full and model', async () => {
    expect(await suiteNames()).toEqual(expect.arrayContaining(['default', 'full', 'model', 'smoke']));
    for (const n of await suiteNames()) expect((await loadSuite(n)).name).toBe(n);
  });

  it('an unknown suite names the valid ones', async () => {
    await expect(loadSuite('nightly')).rejects.toThrow(/unknown suite 'nightly' \(valid: default, focus, full, migration, model, smoke\)/);
  });

  it('a bad field is named with its file', () => {
    expect(() => parseSuite('name: x\nruns: -1\nmaxSteps: 3\ncommands: [start]\nbootSources: [containerDisk]\nbuilds: [yaml]\n', 's.yaml')).toThrow(/s\.yaml: runs:/);
    expect(() => parseSuite('name: x\nruns: 1\nmaxSteps: 3\ncommands: [explode]\nbootSources: [containerDisk]\nbuilds: [yaml]\n', 's.yaml')).toThrow(/s\.yaml: commands\.0:/);
  });

  it('minSteps: every scenario draws at least that many choices; more than maxSteps is refused, naming the field', () => {
    const doc = (min: number) => `name: x\nruns: 1\nmaxSteps: 8\nminSteps: ${min}\ncommands: [start]\nbootSources: [containerDisk]\nbuilds: [yaml]\n`;
    const lengths = fc.sample(scenarioArb(parseSuite(doc(6), 's.yaml')), { numRuns: 200, seed: 1 }).map((s) => s.choices.length);
    expect(Math.min(...lengths)).toBe(6);
    expect(Math.max(...lengths)).toBe(8);
    expect(() => parseSuite(doc(9), 's.yaml')).toThrow(/s\.yaml: minSteps: must be at most maxSteps \(8\), got 9/);
  });
});
