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
}
