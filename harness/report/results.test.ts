import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readResults, toResultsJson } from './results.ts';
import { passingRun } from './fixtures/passingRun.ts';

const results = passingRun;

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vmconform-results-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('results.json', () => {
  it('round-trips through a report directory and through the file path', async () => {
    await writeFile(join(dir, 'results.json'), toResultsJson(results));
    expect(await readResults(dir)).toEqual({ ok: true, results, file: join(dir, 'results.json') });
    expect((await readResults(join(dir, 'results.json'))).ok).toBe(true);
  });

  it('names the file and the problem instead of throwing', async () => {
    expect(await readResults(join(dir, 'missing'))).toEqual({ ok: false, message: `${join(dir, 'missing')}: no such file or directory` });
    await writeFile(join(dir, 'bad.json'), '{"runId":');
    expect(await readResults(join(dir, 'bad.json'))).toMatchObject({ ok: false, message: expect.stringContaining('bad.json: not valid JSON') });
    await writeFile(join(dir, 'shape.json'), JSON.stringify({ ...results, backends: [] }));
    expect(await readResults(join(dir, 'shape.json'))).toMatchObject({ ok: false, message: expect.stringMatching(/shape\.json: backends:/) });
  });
});
