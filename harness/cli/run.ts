/**
 * `vmconform run`: hand-written and generated scenarios against backends.
 * Public: flags and exit codes are documented in `--help`.
 * Exit 0 all properties held (or every failure is a known deviation),
 * 1 counterexample, 2 bad usage or input, 3 infrastructure error.
 */
import { randomInt } from 'node:crypto';
import { statSync } from 'node:fs';
import { availableParallelism, freemem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { InfrastructureError } from '../contract/index.ts';
import {
  type BackendSettings,
  createFactories,
  probedOnce,
  createProgress,
  exitWorkers,
  loadBaseline,
  loadHandwritten,
  loadScenarioFiles,
  loadSuite,
  migrationLine,
  notDrawnLines,
  parseAccel,
  parseBackendList,
  parseRequirements,
  runSuite,
} from '../engine/index.ts';
import { renderDiff } from '../observe/render.ts';
import { toResultsJson, writeReport, type Failure, type RunResults } from '../report/index.ts';
import { NOT_SIMULATED, unsimulatedFields, type KubeObject } from '../api/index.ts';
import { EXIT, UsageError, usageErrors } from './exit.ts';

export const RUN_USAGE = `usage: vmconform run [options]

  --backend LIST              backends, the first is the reference (default model,qemu)
  --suite NAME                suite from scenarios/suites (default: default)
  --runs N                    generated sequences (default: the suite's)
  --max-steps K               steps per sequence at most (default: the suite's)
  --seed S                    fast-check seed (default: random, printed)
  --path P                    fast-check replay path (with --seed: replay one counterexample;
                              hand-written scenarios are skipped)
  --budget-seconds T          stop generating after T seconds (default: the suite's,
                              none when --runs is given)
  --shrink-budget-seconds T   stop shrinking after T seconds (partially shrunk)
  --accel auto|kvm|tcg        accelerator of the qemu backend (default auto)
  --qemu-binary PATH          qemu-system-x86_64 to use
  --report-dir DIR            where reports go (default reports/<run-id>)
  --json                      print results.json to stdout
  --jobs N|auto               generated sequences in N worker threads, same results as 1;
                              auto: as many as CPUs and free memory allow
  --confirm N                 re-run each counterexample N times: deterministic or flaky
  --baseline FILE             known deviations (YAML): matching failures do not fail the run
  --scenario FILE             run this hand-written scenario file instead of the suite's (repeatable)
  --no-scenarios              run no hand-written scenario: generated sequences only
  --require-coverage K=N,...  fail (exit 1) when the generated sequences counted fewer: K is a step
                              kind (migrate), kind.accepted|refused, migration.succeeded|failed|aborted|
                              ran|failedInFlight|targetDied|sequences, migration.share (percent of sequences),
                              dim.<dimension>.<value> (dim.memory.1Gi) or rule.<id>; repeatable
  --keep                      keep qemu state directories
  --state-dir DIR             root of the qemu run directories (created 0700; stale runs under it are
                              reaped); default $XDG_RUNTIME_DIR/vmconform, else $TMPDIR/vmconform-<uid>`;

const OPTIONS = {
  backend: { type: 'string' },
  suite: { type: 'string' },
  runs: { type: 'string' },
  'max-steps': { type: 'string' },
  seed: { type: 'string' },
  path: { type: 'string' },
  'budget-seconds': { type: 'string' },
  'shrink-budget-seconds': { type: 'string' },
  accel: { type: 'string' },
  'qemu-binary': { type: 'string' },
  'report-dir': { type: 'string' },
  json: { type: 'boolean' },
  jobs: { type: 'string' },
  confirm: { type: 'string' },
  baseline: { type: 'string' },
  scenario: { type: 'string', multiple: true },
  'no-scenarios': { type: 'boolean' },
  keep: { type: 'boolean' },
  'state-dir': { type: 'string' },
  'require-coverage': { type: 'string', multiple: true },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Parses a flag value as a number in range; UsageError naming the flag. Internal. */
export function numberFlag(flag: string, text: string | undefined, o: { min: number; integer: boolean; max?: number }): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  const okInt = !o.integer || Number.isInteger(n);
  if (text.trim() === '' || !Number.isFinite(n) || !okInt || n < o.min || (o.max !== undefined && n > o.max)) {
    const what = o.integer ? 'an integer' : 'a number';
    const range = o.max !== undefined ? ` between ${o.min} and ${o.max}` : ` >= ${o.min}`;
    throw new UsageError(`--${flag}: expected ${what}${range}, got '${text}'`);
  }
  return n;
}

/**
 * `--state-dir DIR`: an absolute path that is a directory or does not exist
 * yet (the qemu backend creates it 0700 and refuses one not owned by us).
 * Internal.
 */
export function stateDirFlag(text: string): string {
  if (text.trim() === '') throw new UsageError(`--state-dir: expected a directory, got ''`);
  const dir = resolve(text);
  let st;
  try {
    st = statSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return dir;
    throw new UsageError(`--state-dir: cannot use '${text}' (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (!st.isDirectory()) throw new UsageError(`--state-dir: '${text}' is not a directory`);
  return dir;
}

/** Exit code of a run stopped by SIGINT/SIGTERM (128 + SIGINT, as a shell reports it). */
export const EXIT_INTERRUPTED = 130;
const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/** Memory one generated sequence may need: its VMs (plus a migration target) at 256Mi + QEMU overhead. */
const MIB_PER_VM = 400;

/**
 * `--jobs auto`: as many sequences at once as the CPUs and free memory allow
 * (a TCG guest keeps a CPU busy while it boots). Internal.
 */
export function autoJobs(suite: { maxVms: number }, cpus = availableParallelism(), freeMiB = freemem() / 2 ** 20): number {
  const byMemory = Math.floor(freeMiB / ((suite.maxVms + 1) * MIB_PER_VM));
  return Math.max(1, Math.min(cpus, byMemory, 8));
}

function runId(seed: number, at: Date): string {
  const stamp = at.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${stamp}-s${seed}`;
}

/** What the run ran on, for the log: accelerator and why, QEMU, guest image, seed, budgets. Internal. */
export function runFacts(r: RunResults, budgetS: number | undefined, shrinkS: number | undefined): string {
  const q = r.fingerprints?.find((f) => f.accel !== undefined || f.qemuVersion !== undefined);
  const accel = r.accel ? `${r.accel.toUpperCase()}${r.accelProbe ? ` (${r.accelProbe})` : ''}` : 'none (no real backend)';
  const qemu = q ? `, QEMU ${q.qemuVersion ?? '?'} ${q.machine ?? ''}, guest image ${q.guestImageDigest ?? '?'}` : '';
  const budget = `budget ${budgetS === undefined ? 'none' : `${budgetS} s`}, shrink budget ${shrinkS === undefined ? 'none' : `${shrinkS} s`}`;
  return `\naccelerator: ${accel}${qemu}\nseed ${r.seed}, ${r.runs} generated sequences asked, ${budget}`;
}

/** Human rendering of one failure: steps, diff, token, replay commands. Internal (replay prints it too). */
export function failureText(f: Failure, reference: string, reportDir?: string): string {
  const lines = [`counterexample in ${f.property}${f.known ? ` (known deviation: ${f.known.reason})` : ''}${f.classification ? ` [${f.classification}]` : ''}:`];
  const steps = f.steps.filter((s) => !(s.command.args as { setup?: boolean }).setup);
  steps.forEach((s, i) => {
    const answers = Object.entries(s.results)
      .map(([b, r]) => `${b}: ${r.ok ? 'ok' : `${r.code} ${r.message}`}`)
      .join('; ');
    lines.push(`  ${i + 1}. ${s.command.text}   → ${answers}`);
  });
  if (f.error !== undefined) lines.push(`  error: ${f.error}`);
  if (f.diff.length > 0) lines.push(`  differences after step ${steps.length} (${reference} is the reference):`, renderDiff(f.diff, reference).replace(/^ {2}/gm, '    '));
  const tried = f.shrink ? `; ${f.shrink.candidates} candidates, ${f.shrink.replays} replayed on every backend` : '';
  lines.push(`  shrunk from ${f.shrunkFrom} to ${steps.length} steps${f.partiallyShrunk ? ' (partially: shrink budget ran out)' : ''}${tried}`);
  lines.push(`  seed ${f.seed}${f.path ? `, path ${f.path}` : ''}`);
  if (f.token) lines.push(`  replay token: ${f.token}`);
  if (reportDir) lines.push(`  replay: vmconform replay ${reportDir}`);
  return lines.join('\n');
}

/** Why fewer sequences ran than asked, for the summary line (a signal wins over the budget). Internal. */
export function stopReason(r: Pick<RunResults, 'interrupted' | 'budgetExhausted'>): string | undefined {
  if (r.interrupted) return 'interrupted';
  if (r.budgetExhausted) return 'time budget reached';
  return undefined;
}

export async function run(argv: string[]): Promise<number> {
  const { values: v } = usageErrors(() => parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: false }));
  if (v.help) {
    console.log(RUN_USAGE);
    return EXIT.ok;
  }
  const names = parseBackendList(v.backend ?? 'model,qemu');
  const accel = parseAccel(v.accel);
  const suite = await loadSuite(v.suite ?? 'default');
  const seed = numberFlag('seed', v.seed, { min: -2147483648, max: 2147483647, integer: true }) ?? randomInt(0, 2 ** 31 - 1);
  if (v.path !== undefined && (v.seed === undefined || !/^\d+(:\d+)*$/.test(v.path))) {
    throw new UsageError(v.seed === undefined ? '--path needs --seed' : `--path: expected a fast-check path like 12:0:3, got '${v.path}'`);
  }
  const runs = numberFlag('runs', v.runs, { min: 0, integer: true }) ?? suite.runs;
  const maxSteps = numberFlag('max-steps', v['max-steps'], { min: 1, max: 200, integer: true }) ?? suite.maxSteps;
  // --runs N without --budget-seconds asks for N sequences: no time budget then.
  const budgetS = numberFlag('budget-seconds', v['budget-seconds'], { min: 0, integer: false }) ?? (v.runs !== undefined ? undefined : suite.budgetSeconds);
  const shrinkS = numberFlag('shrink-budget-seconds', v['shrink-budget-seconds'], { min: 0, integer: false }) ?? suite.shrinkBudgetSeconds;
  const jobs = v.jobs === 'auto' ? autoJobs(suite) : (numberFlag('jobs', v.jobs, { min: 1, max: 64, integer: true }) ?? 1);
  const confirm = numberFlag('confirm', v.confirm, { min: 0, max: 1000, integer: true });
  const requireCoverage = parseRequirements(v['require-coverage'] ?? []);
  const stateRoot = v['state-dir'] === undefined ? undefined : stateDirFlag(v['state-dir']);
  const baseline = v.baseline !== undefined ? await loadBaseline(v.baseline) : undefined;
  if (v['no-scenarios'] && v.scenario !== undefined) throw new UsageError('--no-scenarios and --scenario: choose one (no hand-written scenario, or these files)');
  const handwritten = v['no-scenarios'] ? [] : v.scenario !== undefined ? await loadScenarioFiles(v.scenario) : await loadHandwritten(suite.scenarios);
  // Fields KubeVirt accepts but the model does not simulate (docs/api.md).
  for (const s of handwritten) {
    for (const c of [...s.setup, ...s.steps]) {
      const o = c.kind === 'apply' ? (c.args as { object: KubeObject }).object : undefined;
      for (const p of o ? unsimulatedFields(o) : []) process.stderr.write(`Warning: ${s.file}: ${o!.kind}/${o!.metadata.name}: ${p}: ${NOT_SIMULATED}\n`);
    }
  }

  const started = new Date();
  const id = runId(seed, started);
  const reportDir = v['report-dir'] ?? join('reports', id);
  const out = v.json ? process.stderr : process.stdout;
  const say = (s: string) => out.write(`${s}\n`);
  const progress = createProgress(process.stderr);
  say(`vmconform run ${id}: suite ${suite.name}, backends ${names.join(',')}, seed ${seed}, ${runs} runs of at most ${maxSteps} steps`);

  if (jobs > 1) say(`${jobs} jobs: generated sequences run ${jobs} at a time (${availableParallelism()} CPUs, ${Math.round(freemem() / 2 ** 20)} MiB free)`);

  // The harness owns SIGINT/SIGTERM while it runs. Once: stop the step in
  // flight, dispose the backends (their QEMUs die), write a partial report
  // marked interrupted. Twice: exit at once (the qemu backend's exit hooks,
  // this thread's and the --jobs workers', kill what is left).
  const abort = new AbortController();
  const onSignal = (sig: NodeJS.Signals) => {
    if (abort.signal.aborted) {
      process.stderr.write(`${sig} again: exiting now\n`);
      // Worker threads exit first, through their exit hooks (their QEMUs die with them).
      void exitWorkers().finally(() => process.exit(EXIT_INTERRUPTED));
      return;
    }
    progress.done();
    process.stderr.write(`${sig}: stopping now and writing a partial report (${sig} again to exit at once)\n`);
    abort.abort();
  };
  for (const sig of SIGNALS) process.on(sig, onSignal);
  let results;
  try {
    const asked: BackendSettings = {
      accel,
      ...(v['qemu-binary'] ? { qemuBinary: v['qemu-binary'] } : {}),
      keep: v.keep ?? false,
      ...(stateRoot ? { stateRoot } : {}),
    };
    // With workers, the accelerator is probed once here and handed to them.
    const settings = jobs > 1 ? await probedOnce(names, asked) : asked;
    const factories = await createFactories(names, settings);
    results = await runSuite({
      runId: id,
      suite,
      factories,
      seed,
      runs,
      maxSteps,
      handwritten,
      accel: null,
      ...(v.path !== undefined ? { path: v.path } : {}),
      ...(budgetS !== undefined ? { budgetMs: budgetS * 1000 } : {}),
      ...(shrinkS !== undefined ? { shrinkBudgetMs: shrinkS * 1000 } : {}),
      ...(confirm !== undefined ? { confirm } : {}),
      requireCoverage,
      ...(baseline ? { baseline } : {}),
      onProgress: (p) => progress.update(p),
      ...(jobs > 1 ? { parallel: { jobs, backends: names, settings } } : {}),
      signal: abort.signal,
    });
  } catch (err) {
    progress.done();
    if (err instanceof InfrastructureError) {
      console.error(`vmconform run: infrastructure error: ${err.message}`);
      return EXIT.infrastructure;
    }
    throw err;
  } finally {
    for (const sig of SIGNALS) process.removeListener(sig, onSignal);
  }
  progress.done();
  const qemuFp = results.fingerprints?.find((f) => f.accel !== undefined);
  if (qemuFp?.accel) {
    results.accel = qemuFp.accel;
    if (qemuFp.accelProbe !== undefined) results.accelProbe = qemuFp.accelProbe;
  }
  await writeReport(reportDir, results);
  say(runFacts(results, budgetS, shrinkS));
  for (const f of results.failures) say(`\n${failureText(f, names[0] as string, reportDir)}`);
  if (results.coverage && results.coverage.sequences > 0) say(migrationLine(results.coverage));
  for (const s of results.coverage?.shortfalls ?? []) say(`coverage shortfall: ${s}`);
  for (const line of notDrawnLines(results.coverage?.notDrawn ?? [])) say(line);
  const status = results.passed ? (results.failures.length > 0 ? 'passed (known deviations only)' : 'passed') : 'FAILED';
  say(
    `\n${status}: ${results.sequences} sequences, ${results.steps} steps in ${(results.durationMs / 1000).toFixed(1)} s` +
      `${stopReason(results) ? ` (${stopReason(results)}: ${results.sequences} of ${runs + handwritten.length} sequences ran)` : ''}`,
  );
  say(`report: ${reportDir}`);
  if (v.json) process.stdout.write(toResultsJson(results));
  if (abort.signal.aborted) {
    // An abandoned step may still hold a timer (a settle deadline): do not wait for it.
    setTimeout(() => process.exit(), 500).unref();
    return EXIT_INTERRUPTED;
  }
  return results.passed ? EXIT.ok : EXIT.counterexample;
}
