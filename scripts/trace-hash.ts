/**
 * The model's trace hash (backends/model/traceHash.ts), from the command line:
 *
 *   node --import tsx scripts/trace-hash.ts [seeds=40] [commands=250] [trace-file]
 *
 * Prints one sha256 per stream and one over all of them; with a trace file,
 * also writes every hashed line there (`seed step stream json`), to find the
 * first difference between two versions with diff.
 */
import { writeFileSync } from 'node:fs';
import { traceHashes } from '../backends/model/index.ts';

const seeds = Number(process.argv[2] ?? 40);
const commands = Number(process.argv[3] ?? 250);
const out = process.argv[4];
const lines: string[] = [];
const t0 = performance.now();
const hashes = traceHashes(seeds, commands, out === undefined ? undefined : (l) => lines.push(l));
if (out !== undefined) writeFileSync(out, lines.join(''));
for (const [k, v] of Object.entries(hashes)) console.log(`${k.padEnd(12)} ${v}`);
console.log(`(${seeds} seeds × ${commands} commands, ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
