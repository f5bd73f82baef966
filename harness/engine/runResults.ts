/**
 * The `results.json` contract: what a run yields, written by harness/report
 * (docs/architecture.md §4). Public and stable: CI pipelines gate on it. Add
 * fields, never rename or remove.
 */
import type { BackendFingerprint } from '../../backends/contract.ts';
import type { Command, Result } from '../contract/index.ts';
import type { DiffEntry } from '../observe/types.ts';

export type { DiffEntry } from '../observe/types.ts';

export interface StepRecord {
  /** The command as data (harness/contract/command.ts), plus a one-line human form. */
  command: Command & { text: string };
  results: Record<string, Result>;
  /** Canonical observations per backend after the step (present in counterexamples). */
  observations?: Record<string, unknown>;
  /** Differences found at this step (empty when the backends agreed). */
  diff?: DiffEntry[];
}

export interface Failure {
  property: string;
  seed: number;
  /** fast-check replay path. */
  path: string;
  /** One token that encodes seed, path, command replay path, generator version and backend fingerprints. */
  token: string;
  steps: StepRecord[];
  diff: DiffEntry[];
  /** Number of steps of the counterexample as first found, before shrinking. */
  shrunkFrom: number;
  /** True when the shrink budget ran out before shrinking finished. */
  partiallyShrunk?: boolean;
  /**
   * Shrinking of a generated counterexample: the candidates fast-check tried
   * and how many of them were replayed on every backend (the others were
   * answered on the in-memory reference alone: harness/engine/shrinkOracle.ts);
   * `shortestAt`: replays done when it first had its final number of steps.
   */
  shrink?: { candidates: number; replays: number; shortestAt: number };
  /** After --confirm re-runs: whether the counterexample reproduced every time. */
  classification?: 'deterministic' | 'flaky';
  /** Set when the diff matched an entry of the baseline of known deviations. */
  known?: { reason: string; link?: string };
  /** An unexpected error instead of (or besides) a diff. */
  error?: string;
}

export interface PropertyResult {
  name: string;
  passed: boolean;
  sequences: number;
  steps: number;
  durationMs: number;
}

/** One command kind's answers from the reference backend. */
export interface CommandCoverage {
  /** Steps of this kind that were drawn and sent. */
  drawn: number;
  /** The reference answered ok. */
  accepted: number;
  /** The reference refused, by `<code> <reason>` (answerKey in harness/contract/result.ts), e.g. `409 Conflict`. */
  refused: Record<string, number>;
}

/** A value of the VM spec space that a suite does not draw, and why (docs/guide.md, "Coverage"). */
export interface SpecExclusion {
  dimension: string;
  value: string;
  /**
   * `unrealisable`: the real backend or its guest cannot realise it;
   * `uncompared`: realised, but the observation has no field for it yet;
   * `unsimulated`: the model does not simulate it.
   */
  why: 'unrealisable' | 'uncompared' | 'unsimulated';
  reason: string;
}

/**
 * What the generated sequences exercised (README, "results.json"): counted
 * over the generated sequences the run counts in `sequences` (up to and
 * including the first failing one; shrink and confirmation re-runs and
 * hand-written scenarios are not counted).
 */
export interface Coverage {
  /** Generated sequences counted. */
  sequences: number;
  /** Per command kind (catalogue step kinds: apply, start, migrate, reset, nodeLoss ...). */
  commands: Record<string, CommandCoverage>;
  /**
   * Migrations of the reference's observations, each counted once: reached
   * Succeeded or Failed, or `aborted`: gone from the observation while not
   * final (observations are taken when the backends have settled, so an
   * abort shows only as a migration that disappears mid-flight).
   */
  migrations: {
    succeeded: number;
    failed: number;
    aborted: number;
    /** Migrations that really ran: seen in flight (held, docs/harness-choices.md §2) or Succeeded. Absent in older results. */
    ran?: number;
    /** Of the failed ones, those seen in flight first: their target (or source) died mid-way. Absent in older results. */
    failedInFlight?: number;
    /** Of those, the ones whose VMI kept running on its source: the target died (killed, its node lost, its QEMU gone). Absent in older results. */
    targetDied?: number;
    /** Sequences with at least one migration that ran. Absent in older results. */
    sequences?: number;
    /** `sequences` as a percentage of the counted sequences, one decimal (set on the run's total). Absent in older results. */
    sequencesPercent?: number;
  };
  /** Rule id → times it fired, summed over the sequences; absent when the reference backend does not report rule hits. */
  rules?: Record<string, number>;
  /** Spec dimension → value → VMs with that value that the reference accepted. */
  spec: Record<string, Record<string, number>>;
  /** Values of the spec space the suite leaves out, with the reason (`value: '*'`: a field generation never draws). */
  notDrawn?: SpecExclusion[];
  /** `--require-coverage` as given: requirement key → minimum. */
  required?: Record<string, number>;
  /** Requirements not met, one sentence each; a shortfall fails the run. */
  shortfalls?: string[];
}

export interface RunResults {
  runId: string;
  startedAt: string;
  durationMs: number;
  /** Accelerator of the qemu backend, null when no real backend ran. */
  accel: 'kvm' | 'tcg' | null;
  accelProbe?: string;
  backends: string[];
  fingerprints?: BackendFingerprint[];
  suite?: string;
  seed: number;
  /** Sequences asked for. */
  runs: number;
  passed: boolean;
  /** Sequences actually executed (fewer than `runs` when the budget ran out or the run was interrupted). */
  sequences: number;
  steps: number;
  /** The time budget of the run (`--budget-seconds` or the suite's), when there was one. */
  budgetSeconds?: number;
  /**
   * True when generation stopped because the time budget (`budgetSeconds`)
   * ran out before `runs` sequences were generated. Not a failure: the exit
   * code is that of the sequences that ran. Absent otherwise.
   */
  budgetExhausted?: boolean;
  /** True only when a signal (SIGINT/SIGTERM) stopped the run; exit code 130. Absent otherwise. */
  interrupted?: boolean;
  properties?: PropertyResult[];
  failures: Failure[];
  /** What the generated sequences exercised; absent when none ran. */
  coverage?: Coverage;
}
