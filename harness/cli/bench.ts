/**
 * `vmconform bench [--json] [--only AREA] [--quick]`: runs the benchmark
 * suites of each area and prints their figures (JSON with --json).
 */
import { parseArgs } from 'node:util';
import { meetsTarget, type BenchFigure, type BenchSuite } from '../bench.ts';
import { EXIT, UsageError, usageErrors } from './exit.ts';

// Each area's bench.ts, loaded on demand (an area's second entry, docs/architecture.md §2).
const SUITES: Record<string, () => Promise<BenchSuite>> = {
  api: async () => (await import('../api/bench.ts')).bench,
  model: async () => (await import('../../backends/model/bench.ts')).bench,
  engine: async () => (await import('../engine/bench.ts')).bench,
  guest: async () => (await import('../../guest/bench.ts')).bench,
  qemu: async () => (await import('../../backends/qemu/bench.ts')).bench,
  soak: async () => (await import('../../backends/qemu/bench.ts')).soak,
  server: async () => (await import('../server/bench.ts')).bench,
};

export async function run(argv: string[]): Promise<number> {
  const { values } = usageErrors(() =>
    parseArgs({
      args: argv,
      strict: true,
      options: {
        json: { type: 'boolean', default: false },
        only: { type: 'string', multiple: true },
        quick: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }),
  );
  if (values.help) {
    console.log(`usage: vmconform bench [--json] [--only ${Object.keys(SUITES).join('|')}]... [--quick]`);
    return EXIT.ok;
  }
  const only = values.only ?? Object.keys(SUITES);
  for (const name of only) if (!SUITES[name]) throw new UsageError(`--only: unknown area '${name}' (one of ${Object.keys(SUITES).join(', ')})`);

  const figures: BenchFigure[] = [];
  for (const name of only) {
    const bench = await SUITES[name]!();
    const got = await bench({ quick: values.quick });
    figures.push(...got);
    if (!values.json) for (const f of got) console.log(formatFigure(f));
  }
  if (values.json) {
    console.log(JSON.stringify({ date: new Date().toISOString(), figures: figures.map((f) => ({ ...f, met: meetsTarget(f) })) }, null, 2));
  }
  return EXIT.ok;
}

function formatFigure(f: BenchFigure): string {
  const met = meetsTarget(f);
  const target = f.target ? ` (target ${f.target.op} ${f.target.value}: ${met ? 'met' : 'NOT met'})` : '';
  return `${f.name}: ${Number.isInteger(f.value) ? f.value : f.value.toFixed(3)} ${f.unit}${target}`;
}
