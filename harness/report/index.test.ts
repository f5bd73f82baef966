import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeReport } from './index.ts';
import { passingRun } from './fixtures/passingRun.ts';

const results = passingRun;

describe('writeReport', () => {
  it('writes results.json, TAP, JUnit and HTML into a new directory', async () => {
    const base = await mkdtemp(join(tmpdir(), 'vmconform-report-'));
    try {
      const dir = join(base, 'reports', 'r1');
      const written = await writeReport(dir, results);
      expect((await readdir(dir)).sort()).toEqual(['index.html', 'junit.xml', 'results.json', 'results.tap']);
      expect(written[0]).toBe(join(dir, 'results.json'));
      expect(JSON.parse(await readFile(join(dir, 'results.json'), 'utf8'))).toEqual(results);
      expect(await readFile(join(dir, 'results.tap'), 'utf8')).toMatch(/^TAP version 14/);
    } finally {
      await rm(base, { recursive: true, force: true });
    }
  });
});
