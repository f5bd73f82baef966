/**
 * Baseline of known deviations (`vmconform run --baseline FILE`). Public:
 * the file format.
 *
 * ```yaml
 * deviations:
 *   - path: vmis.*.conditions.AgentConnected   # diff path, `*` matches one path segment
 *     backend: qemu                            # optional: only for this backend
 *     reason: the guest agent connects after settle on TCG
 *     link: https://github.com/org/vmconform/issues/12
 * ```
 *
 * A failure is known when every entry of its diff matches a deviation; a
 * run whose failures are all known passes (exit 0) and says so.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { UsageError } from '../contract/index.ts';
import type { DiffEntry, Failure } from './runResults.ts';
import { parseInput } from './parseInput.ts';

const baselineSchema = z.strictObject({
  deviations: z.array(
    z.strictObject({
      path: z.string().min(1),
      backend: z.string().optional(),
      reason: z.string().min(1),
      link: z.string().optional(),
    }),
  ),
});

export type Baseline = z.infer<typeof baselineSchema>;

/** Reads a baseline file; unreadable or malformed → UsageError naming the file and field. Public. */
export async function loadBaseline(file: string): Promise<Baseline> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new UsageError(`--baseline ${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  return parseInput(baselineSchema, text, `--baseline ${file}`);
}

function pattern(path: string): RegExp {
  const esc = path.split('*').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${esc.join('[^.]+')}$`);
}

/** Marks a failure known when every entry of its diff matches a deviation. Public. */
export function classifyKnown(f: Failure, b: Baseline): void {
  if (f.diff.length === 0 || f.error !== undefined) return;
  const rules = b.deviations.map((d) => ({ d, re: pattern(d.path) }));
  const match = (e: DiffEntry) => rules.find((r) => r.re.test(e.path) && (r.d.backend === undefined || r.d.backend === e.backend));
  const hits = f.diff.map(match);
  if (hits.some((h) => h === undefined)) return;
  const first = hits[0]!.d;
  f.known = { reason: first.reason, ...(first.link !== undefined ? { link: first.link } : {}) };
}
