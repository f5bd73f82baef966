/**
 * The clean-up soak: `vmconform bench --only soak` (in `make bench`), or
 * `node --import tsx backends/qemu/soak.ts [--soak-runs N] [--seed S]`.
 * Public (bench figures `soak.*`; harness/bench.ts).
 *
 * N runs (default 100; `VMCONFORM_SOAK_RUNS`, 5 with --quick) of
 * `vmconform run --backend model,qemu --suite smoke --accel tcg` as a CI
 * runner starts them: default settings, all in one private TMPDIR. A third
 * of them, drawn at random, get SIGINT, SIGTERM or SIGKILL (drawn too) at a
 * random moment within the length of the first run (which is never killed).
 * TCG is forced so that no run spends 20 s on a KVM canary that cannot boot
 * here (docs/qemu-notes.md); the clean-up paths are the same.
 *
 * Leaks, read from /proc and the file system (testing/leaks.ts), never from
 * the harness's record:
 * - processes: the run's descendants (sampled every 250 ms while it runs)
 *   and any process mentioning the TMPDIR, still alive 2 s after the
 *   harness ended;
 * - ports: TCP ports those processes listen on;
 * - sockets and files: anything under the TMPDIR but the reports and tsx's
 *   cache. A SIGKILLed run cannot clean up: what it leaves is pending until
 *   the next run that ends on its own (it reaps stale run dirs at start),
 *   and a leak only if that run did not remove it. After the last run one
 *   more run (the idle scenario) reaps, then everything must be gone.
 */
import { execa } from 'execa';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { mulberry32 } from '../../harness/api/index.ts';
import type { BenchFigure, BenchSuite } from '../../harness/bench.ts';
import { processStartTime } from './process/processGroups.ts';
import { boundSocketsUnder, filesUnder, listeningPorts, processesMentioning, socketFiles } from './testing/leaks.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const SMOKE = ['run', '--backend', 'model,qemu', '--suite', 'smoke', '--accel', 'tcg'];
const IDLE = [...SMOKE, '--runs', '0', '--scenario', 'test/cleanup/idle.scenario.yaml'];
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGKILL'] as const;
type Kill = (typeof SIGNALS)[number];
/** How long the processes of an ended run may take to go (the bound). */
const GONE_MS = 2000;
const RUN_TIMEOUT_MS = 600_000;
/** Under TMPDIR, what is not the run's: the reports we asked for, tsx's transform cache. */
const NOT_LEFT_BY_THE_RUN = [/^reports(\/|$)/, /^tsx-\d+(\/|$)/];

/** Every live descendant of `pid` with its start time (from /proc/PID/stat: ppid is field 4). */
function descendants(pid: number): Map<number, string> {
  const parent = new Map<number, number>();
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      parent.set(Number(e), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone meanwhile
    }
  }
  const out = new Map<number, string>();
  let frontier = [pid];
  while (frontier.length) {
    const next: number[] = [];
    for (const [child, ppid] of parent) {
      if (!frontier.includes(ppid) || out.has(child)) continue;
      const start = processStartTime(child);
      if (start) out.set(child, start);
      next.push(child);
    }
    frontier = next;
  }
  return out;
}


export interface RunRecord {
  run: number;
  kill: { signal: Kill; atMs: number } | null;
  exitCode: number | null;
  signal: string | null;
  seconds: number;
  leakedProcesses: string[];
  leakedPorts: number[];
  leakedSockets: string[];
  leakedFiles: string[];
}

export interface SoakResult {
  runs: RunRecord[];
  final: Omit<RunRecord, 'run' | 'kill'>;
  wallSeconds: number;
}

interface Leftovers {
  processes: string[];
  ports: number[];
  files: string[];
  sockets: string[];
}

/** What is left under `tmp` now, and which of `seen` (pid → start time) still run. */
async function leftovers(tmp: string, seen: Map<number, string>): Promise<Leftovers> {
  const deadline = Date.now() + GONE_MS;
  let procs: Array<{ pid: number; cmdline: string }> = [];
  for (;;) {
    const mentioning = await processesMentioning(tmp);
    const survivors = [...seen].filter(([pid, start]) => processStartTime(pid) === start && !mentioning.some((m) => m.pid === pid));
    procs = [...mentioning, ...survivors.map(([pid]) => ({ pid, cmdline: readFileSafe(`/proc/${pid}/cmdline`).replaceAll('\0', ' ') }))];
    if (procs.length === 0 || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const files = await filesUnder(tmp, NOT_LEFT_BY_THE_RUN);
  const sockets = [...new Set([...(await socketFiles(tmp, files)).map((f) => join(tmp, f)), ...(await boundSocketsUnder(tmp))])];
  return { processes: procs.map((p) => `${p.pid} ${p.cmdline.slice(0, 160)}`), ports: await listeningPorts(procs.map((p) => p.pid)), files, sockets };
}

function readFileSafe(f: string): string {
  try {
    return readFileSync(f, 'utf8');
  } catch {
    return '';
  }
}

/** Runs the harness once with TMPDIR=tmp; kills it as told; returns how it ended and every descendant seen. */
async function runOnce(args: readonly string[], tmp: string, kill: RunRecord['kill']): Promise<{ exitCode: number | null; signal: string | null; seconds: number; seen: Map<number, string> }> {
  const t0 = performance.now();
  const child = execa('node', ['bin/vmconform.js', ...args], { cwd: ROOT, env: { TMPDIR: tmp, XDG_RUNTIME_DIR: '' }, reject: false, stdin: 'ignore', stdout: 'ignore', stderr: 'ignore', timeout: RUN_TIMEOUT_MS });
  const seen = new Map<number, string>();
  const sample = (): void => {
    if (child.pid !== undefined) for (const [pid, start] of descendants(child.pid)) seen.set(pid, start);
  };
  const sampler = setInterval(sample, 250);
  const killer = kill ? setTimeout(() => (sample(), child.kill(kill.signal)), kill.atMs) : null;
  const r = await child;
  clearInterval(sampler);
  if (killer) clearTimeout(killer);
  return { exitCode: r.exitCode ?? null, signal: r.signal ?? null, seconds: (performance.now() - t0) / 1000, seen };
}

/** Runs the soak; `log` gets one line per run. */
export async function soak(o: { runs: number; seed: number; log?: (line: string) => void }): Promise<SoakResult> {
  const rnd = mulberry32(o.seed); // seeded, so that a soak can be repeated
  const tmp = await mkdtemp('/tmp/vsoak-');
  const t0 = performance.now();
  const runs: RunRecord[] = [];
  /** What SIGKILLed runs left, until a run that ended on its own had the chance to reap it. */
  let pending = new Set<string>();
  let typicalMs = 0;
  const count = (l: Leftovers, ignore: Set<string>): Pick<RunRecord, 'leakedFiles' | 'leakedSockets'> => ({
    leakedFiles: l.files.filter((f) => !ignore.has(f)),
    leakedSockets: l.sockets.filter((s) => ![...ignore].some((f) => s === join(tmp, f))),
  });
  try {
    for (let i = 0; i < o.runs; i++) {
      const killed = i > 0 && rnd() < 1 / 3;
      const kill: RunRecord['kill'] = killed ? { signal: SIGNALS[Math.floor(rnd() * SIGNALS.length)]!, atMs: Math.round(rnd() * typicalMs) } : null;
      const r = await runOnce([...SMOKE, '--seed', String(o.seed + i), '--report-dir', join(tmp, 'reports', String(i))], tmp, kill);
      if (i === 0) typicalMs = r.seconds * 1000;
      const left = await leftovers(tmp, r.seen);
      const endedOnItsOwn = r.signal === null && (r.exitCode === 0 || r.exitCode === 1);
      let files: Pick<RunRecord, 'leakedFiles' | 'leakedSockets'>;
      if (r.signal === 'SIGKILL') {
        // It could not clean up: its files wait for the next run's reaper; older pending ones too.
        for (const f of left.files) pending.add(f);
        files = { leakedFiles: [], leakedSockets: [] };
      } else if (endedOnItsOwn) {
        files = count(left, new Set()); // it reaped at start and cleaned up at its end: nothing may remain
        pending = new Set();
      } else {
        files = count(left, pending); // SIGINT / SIGTERM: its own files must be gone
      }
      const rec: RunRecord = { run: i, kill, exitCode: r.exitCode, signal: r.signal, seconds: Math.round(r.seconds * 10) / 10, leakedProcesses: left.processes, leakedPorts: left.ports, ...files };
      runs.push(rec);
      o.log?.(JSON.stringify(rec));
    }
    // One more run reaps what the last SIGKILLed runs left.
    const r = await runOnce([...IDLE, '--report-dir', join(tmp, 'reports', 'final')], tmp, null);
    const left = await leftovers(tmp, r.seen);
    const final = { exitCode: r.exitCode, signal: r.signal, seconds: Math.round(r.seconds * 10) / 10, leakedProcesses: left.processes, leakedPorts: left.ports, ...count(left, new Set()) };
    o.log?.(JSON.stringify({ final }));
    return { runs, final, wallSeconds: (performance.now() - t0) / 1000 };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/** The soak's figures (targets: zero leaks of each kind). */
export function soakFigures(r: SoakResult, seed: number): BenchFigure[] {
  const all = [...r.runs, { ...r.final, run: -1, kill: null }];
  const sum = (k: 'leakedProcesses' | 'leakedPorts' | 'leakedSockets' | 'leakedFiles'): number => all.reduce((n, x) => n + x[k].length, 0);
  const kills: Record<string, number> = {};
  const exits: Record<string, number> = {};
  for (const x of r.runs) {
    if (x.kill) kills[x.kill.signal] = (kills[x.kill.signal] ?? 0) + 1;
    const how = x.signal ?? `exit ${x.exitCode}`;
    exits[how] = (exits[how] ?? 0) + 1;
  }
  const leaks = all.filter((x) => x.leakedProcesses.length + x.leakedPorts.length + x.leakedSockets.length + x.leakedFiles.length > 0).slice(0, 5);
  const meta = { runs: r.runs.length, seed, kills, exits, accel: 'tcg', firstLeaks: leaks };
  const zero = { op: '<=' as const, value: 0 };
  return [
    { name: 'soak.leakedProcesses', value: sum('leakedProcesses'), unit: 'processes', target: zero, meta },
    { name: 'soak.leakedSockets', value: sum('leakedSockets'), unit: 'sockets', target: zero },
    { name: 'soak.leakedFiles', value: sum('leakedFiles'), unit: 'files', target: zero },
    { name: 'soak.leakedPorts', value: sum('leakedPorts'), unit: 'ports', target: zero },
    { name: 'soak.wallSeconds', value: Math.round(r.wallSeconds), unit: 's', meta: { meanRunSeconds: Math.round((r.runs.reduce((n, x) => n + x.seconds, 0) / Math.max(1, r.runs.length)) * 10) / 10 } },
  ];
}

export const bench: BenchSuite = async ({ quick }) => {
  const runs = Number(process.env['VMCONFORM_SOAK_RUNS'] ?? (quick ? 5 : 100));
  const seed = Number(process.env['VMCONFORM_SOAK_SEED'] ?? Date.now() % 1_000_000);
  return soakFigures(await soak({ runs, seed, log: (l) => console.error(`soak: ${l}`) }), seed);
};

if (process.argv[1] && new URL(import.meta.url).pathname === process.argv[1]) {
  const { values } = parseArgs({ options: { 'soak-runs': { type: 'string', default: '100' }, seed: { type: 'string' } }, strict: true });
  const runs = Number(values['soak-runs']);
  const seed = values.seed !== undefined ? Number(values.seed) : Date.now() % 1_000_000;
  if (!Number.isInteger(runs) || runs < 1 || !Number.isInteger(seed)) {
    console.error('usage: node --import tsx backends/qemu/soak.ts [--soak-runs N] [--seed S]');
    process.exit(2);
  }
  const figures = soakFigures(await soak({ runs, seed, log: (l) => console.error(`soak: ${l}`) }), seed);
  console.log(JSON.stringify({ date: new Date().toISOString(), figures }, null, 2));
}
