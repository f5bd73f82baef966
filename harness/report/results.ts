/**
 * results.json writer and reader. Public: `vmconform run` writes it,
 * `vmconform replay` and CI read it. The reader checks the shape the replay
 * needs and names what is wrong; it never trusts a file blindly.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { RunResults } from './types.ts';

export const RESULTS_FILE = 'results.json';

/** Serialises results.json (stable key order as built, 2-space indent, final newline). Public. */
export function toResultsJson(results: RunResults): string {
  return `${JSON.stringify(results, null, 2)}\n`;
}

const stepSchema = z.looseObject({
  command: z.looseObject({ kind: z.string(), args: z.record(z.string(), z.unknown()), text: z.string() }),
  results: z.record(z.string(), z.unknown()),
});

const resultsSchema = z.looseObject({
  runId: z.string(),
  backends: z.array(z.string()).min(1),
  seed: z.number(),
  passed: z.boolean(),
  suite: z.string().optional(),
  failures: z.array(
    z.looseObject({
      property: z.string(),
      seed: z.number(),
      path: z.string(),
      token: z.string(),
      steps: z.array(stepSchema),
      diff: z.array(z.unknown()),
    }),
  ),
});

export type ReadResult = { ok: true; results: RunResults; file: string } | { ok: false; message: string };

/** Reads results.json from a report directory or a file path. Errors as values naming the file. Public. */
export async function readResults(dirOrFile: string): Promise<ReadResult> {
  let file = dirOrFile;
  try {
    if ((await stat(dirOrFile)).isDirectory()) file = join(dirOrFile, RESULTS_FILE);
  } catch {
    return { ok: false, message: `${dirOrFile}: no such file or directory` };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    return { ok: false, message: e.code ? `${file}: cannot read (${e.code})` : `${file}: not valid JSON: ${e.message}` };
  }
  const r = resultsSchema.safeParse(raw);
  if (!r.success) {
    return { ok: false, message: r.error.issues.map((i) => `${file}: ${i.path.join('.') || '(root)'}: ${i.message}`).join('\n') };
  }
  return { ok: true, results: r.data as unknown as RunResults, file };
}
