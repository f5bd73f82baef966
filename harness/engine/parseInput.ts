/**
 * YAML input files of the engine (suites, hand-written scenarios,
 * baselines): parse, validate with a zod schema, and turn every problem into
 * one UsageError line `<source>: <field path>: <message>`. Internal.
 */
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { UsageError } from '../contract/index.ts';

export function parseInput<S extends z.ZodType>(schema: S, text: string, source: string): z.output<S> {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    throw new UsageError(`${source}: YAML syntax error: ${(err as Error).message.split('\n')[0]}`);
  }
  const r = schema.safeParse(raw);
  if (!r.success) throw new UsageError(r.error.issues.map((i) => `${source}: ${i.path.join('.') || '(root)'}: ${i.message}`).join('\n'));
  return r.data;
}
