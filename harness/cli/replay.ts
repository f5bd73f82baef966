/**
 * `vmconform replay DIR|results.json [--backend LIST] [--token T]`: re-runs a
 * recorded counterexample and prints the diff. Public.
 * From a report, the recorded steps run as recorded (exact, whatever the
 * generator became since); from a token alone, fast-check regenerates the
 * scenario from seed + path, and the token's choices, generator version and
 * suite hash are checked first so that a stale token is an error, not a
 * different scenario. Exit 1 when it still differs, 0 when it no longer does.
 */
import { parseArgs } from 'node:util';
import { InfrastructureError } from '../contract/index.ts';
import {
  type BackendFactory,
  type BackendName,
  type BackendSettings,
  baseName,
  createFactories,
  decodeToken,
  GENERATED_PROPERTY,
  GENERATOR_VERSION,
  loadHandwritten,
  loadSuite,
  parseAccel,
  parseBackendList,
  replaySteps,
  type ReplayToken,
  runGeneratedProperty,
  runSequence,
  type Scenario,
  SCENARIO_PREFIX,
  type SequenceOutcome,
  type Suite,
  suiteHash,
} from '../engine/index.ts';
import { readResults, type Failure } from '../report/index.ts';
import { EXIT, UsageError, usageErrors } from './exit.ts';
import { failureText } from './run.ts';

export const REPLAY_USAGE = `usage: vmconform replay DIR|results.json [--backend LIST] [--token T]
       vmconform replay --token T [--backend LIST]

  DIR|results.json   a report of \`vmconform run\`: replays its recorded counterexamples
  --token T          the replay token printed with a failure (with a report: only that failure)
  --backend LIST     backends to replay on (default: the recorded ones)
  --accel auto|kvm|tcg, --qemu-binary PATH   as for \`vmconform run\``;

const OPTIONS = {
  backend: { type: 'string' },
  token: { type: 'string' },
  accel: { type: 'string' },
  'qemu-binary': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const DEFAULT_SETTLE_MS = 120_000;

async function suiteOrNull(name: string | undefined): Promise<Suite | null> {
  if (name === undefined) return null;
  try {
    return await loadSuite(name);
  } catch {
    return null;
  }
}

function backendsFrom(flag: string | undefined, recorded: readonly string[]): BackendName[] {
  return parseBackendList(flag ?? recorded.map(baseName).join(','));
}

function verdict(label: string, out: SequenceOutcome, original: Failure, reference: string): string {
  if (out.ok) return `${label}: no longer differs (${out.stepsRun} steps replayed)`;
  const replayed: Failure = { ...original, steps: out.steps, diff: out.diff, ...(out.error !== undefined ? { error: out.error } : {}) };
  return `${label}: still differs\n${failureText(replayed, reference)}`;
}

async function replayReport(target: string, token: string | undefined, backendFlag: string | undefined, settings: BackendSettings): Promise<number> {
  const read = await readResults(target);
  if (!read.ok) throw new UsageError(read.message);
  let failures = read.results.failures.filter((f) => f.steps.length > 0);
  if (token !== undefined) {
    failures = failures.filter((f) => f.token === token);
    if (failures.length === 0) throw new UsageError(`--token: no failure of ${read.file} has this token`);
  }
  if (failures.length === 0) {
    console.log(`${read.file}: no counterexample recorded; nothing to replay`);
    return EXIT.ok;
  }
  const names = backendsFrom(backendFlag, read.results.backends);
  const factories = await createFactories(names, settings);
  const settle = (await suiteOrNull(read.results.suite))?.settleBudgetMs ?? DEFAULT_SETTLE_MS;
  let differs = false;
  for (const [i, f] of failures.entries()) {
    const out = await replaySteps(f.steps, factories, settle).catch((err: unknown) => {
      throw err instanceof UsageError ? new UsageError(`${read.file}: failures[${i}].${err.message}`) : err;
    });
    differs ||= !out.ok;
    console.log(verdict(`counterexample ${i + 1} of ${failures.length} (${f.property})`, out, f, factories[0]?.name ?? 'reference'));
  }
  return differs ? EXIT.counterexample : EXIT.ok;
}

async function tokenSuite(t: ReplayToken): Promise<Suite> {
  if (t.generator !== GENERATOR_VERSION) {
    throw new UsageError(`--token: made by generator version ${t.generator}, this vmconform has version ${GENERATOR_VERSION}; replay from the report directory instead`);
  }
  const suite = { ...(await loadSuite(t.suite)), maxSteps: t.maxSteps };
  if (suiteHash(suite) !== t.suiteHash) throw new UsageError(`--token: suite '${t.suite}' changed since the token was made; replay from the report directory instead`);
  return suite;
}

async function replayToken(text: string, backendFlag: string | undefined, settings: BackendSettings): Promise<number> {
  const d = decodeToken(text);
  if (!d.ok) throw new UsageError(`--token: ${d.message}`);
  const t = d.token;
  const suite = await tokenSuite(t);
  const factories: BackendFactory[] = await createFactories(backendsFrom(backendFlag, t.fingerprints.map((f) => f.backend)), settings);
  const reference = factories[0]?.name ?? 'reference';
  const original: Failure = { property: t.property, seed: t.seed, path: t.path, token: text, steps: [], diff: [], shrunkFrom: 0 };
  if (t.property.startsWith(SCENARIO_PREFIX)) {
    const [s] = await loadHandwritten([t.property.slice(SCENARIO_PREFIX.length)]);
    const out = await runSequence({ setup: s!.setup, commands: s!.steps }, factories, { settleBudgetMs: suite.settleBudgetMs });
    console.log(verdict(t.property, out, original, reference));
    return out.ok ? EXIT.ok : EXIT.counterexample;
  }
  if (t.property !== GENERATED_PROPERTY) throw new UsageError(`--token: unknown property '${t.property}'`);
  let scenario: Scenario | undefined;
  const gen = await runGeneratedProperty({ suite, factories, seed: t.seed, path: t.path, runs: 1, endOnFailure: true, settleBudgetMs: suite.settleBudgetMs, onScenario: (s) => (scenario ??= s) });
  if (scenario === undefined || JSON.stringify(scenario.choices) !== JSON.stringify(t.choices)) {
    throw new UsageError('--token: seed and path no longer generate the recorded commands (generator drift); replay from the report directory instead');
  }
  if (!gen.failure) {
    console.log(`${t.property}: no longer differs`);
    return EXIT.ok;
  }
  console.log(`${t.property}: still differs\n${failureText(gen.failure, reference)}`);
  return EXIT.counterexample;
}

export async function run(argv: string[]): Promise<number> {
  const { values: v, positionals } = usageErrors(() => parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: true }));
  if (v.help) {
    console.log(REPLAY_USAGE);
    return EXIT.ok;
  }
  if (positionals.length > 1) throw new UsageError(`expected one report (DIR or results.json), got ${positionals.length}: ${positionals.join(' ')}`);
  const settings: BackendSettings = { accel: parseAccel(v.accel), ...(v['qemu-binary'] ? { qemuBinary: v['qemu-binary'] } : {}) };
  try {
    if (positionals[0] !== undefined) return await replayReport(positionals[0], v.token, v.backend, settings);
    if (v.token !== undefined) return await replayToken(v.token, v.backend, settings);
  } catch (err) {
    if (err instanceof InfrastructureError) {
      console.error(`vmconform replay: infrastructure error: ${err.message}`);
      return EXIT.infrastructure;
    }
    throw err;
  }
  throw new UsageError(`nothing to replay\n\n${REPLAY_USAGE}`);
}
