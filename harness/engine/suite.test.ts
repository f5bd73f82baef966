import { describe, expect, it } from 'vitest';
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
});
