/**
 * Writes a report directory: results.json plus the TAP, JUnit and HTML
 * renderings of the same results. Public.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { toHtml } from './html.ts';
import { toJUnit } from './junit.ts';
import { RESULTS_FILE, toResultsJson } from './results.ts';
import { toTap14 } from './tap.ts';
import type { RunResults } from './types.ts';

export { readResults, toResultsJson, RESULTS_FILE, type ReadResult } from './results.ts';
export type * from './types.ts';

/** File name → writer; results.json first so that it exists even if a renderer fails. */
const WRITERS: [string, (r: RunResults) => string][] = [
  [RESULTS_FILE, toResultsJson],
  ['results.tap', toTap14],
  ['junit.xml', toJUnit],
  ['index.html', toHtml],
];

/** Writes every report file into `dir` (created if needed); returns the paths written. Public. */
export async function writeReport(dir: string, results: RunResults): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const written: string[] = [];
  for (const [name, write] of WRITERS) {
    const file = join(dir, name);
    await writeFile(file, write(results));
    written.push(file);
  }
  return written;
}
