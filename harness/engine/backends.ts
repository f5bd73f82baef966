/**
 * Backend names on the command line → factories (`--backend model,qemu`).
 * Public. Backends are loaded on demand so that a model-only run never loads
 * QEMU code; a backend that cannot be loaded is an infrastructure error
 * (exit 3). The first backend is the reference. Repeated names get a
 * suffix so that every backend has its own label: `model`, `model#2`.
 */
import { InfrastructureError, type Backend } from '../../backends/contract.ts';
import { UsageError } from '../contract/index.ts';
import type { BackendFactory } from './runner.ts';
import type { SavedState } from './setupCache.ts';
import type { ModelBackendState } from '../../backends/model/index.ts';

export const BACKEND_NAMES = ['model', 'qemu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

export interface BackendSettings {
  accel: 'auto' | 'kvm' | 'tcg';
  qemuBinary?: string;
  /** Keep qemu state directories (debugging). */
  keep?: boolean;
  /** Root of the qemu run dirs (`--state-dir`); default the backend's per-user private root. */
  stateRoot?: string;
  /**
   * The qemu accelerator as this process's thread probed it (`probedOnce`):
   * `--jobs` workers take it instead of each booting the KVM canary again.
   */
  accelProbed?: { accel: 'kvm' | 'tcg'; probe: string };
}

/** Parses `--backend a,b`; unknown names are a usage error listing the valid ones. Public. */
export function parseBackendList(text: string): BackendName[] {
  const names = text.split(',').map((s) => s.trim());
  if (names.length === 0 || names.some((n) => n === '')) throw new UsageError(`--backend: expected a comma-separated list of ${BACKEND_NAMES.join(', ')}, got '${text}'`);
  for (const n of names) {
    if (!(BACKEND_NAMES as readonly string[]).includes(n)) throw new UsageError(`--backend: unknown backend '${n}' (valid: ${BACKEND_NAMES.join(', ')})`);
  }
  return names as BackendName[];
}

const ACCELS = ['auto', 'kvm', 'tcg'] as const;

/** Parses `--accel` (default auto); anything else is a usage error. Public. */
export function parseAccel(text: string | undefined): BackendSettings['accel'] {
  const a = text ?? 'auto';
  if (!(ACCELS as readonly string[]).includes(a)) throw new UsageError(`--accel: expected auto, kvm or tcg, got '${a}'`);
  return a as BackendSettings['accel'];
}

/** `model#2` → `model`. Public. */
export function baseName(label: string): string {
  return label.split('#')[0] as string;
}

/** Unique labels for a list of names. Public. */
export function labels(names: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return names.map((n) => {
    const k = (seen.get(n) ?? 0) + 1;
    seen.set(n, k);
    return k === 1 ? n : `${n}#${k}`;
  });
}

async function load<T>(what: string, f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (err) {
    throw new InfrastructureError(`cannot load the ${what} backend: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}

/** How a backend is made, and (in-memory backends) saved and restored (setupCache.ts). */
type Maker = (label: string, index: number, s: BackendSettings) => Promise<{ create: () => Promise<Backend>; saved?: SavedState }>;

/** Backends that run in this process (shrinking resolves candidates on them: shrinkOracle.ts). */
const IN_MEMORY: ReadonlySet<BackendName> = new Set(['model']);

const MAKERS: Record<BackendName, Maker> = {
  model: async (_label, index) => {
    const { createModelBackend, ModelBackend } = await load('model', () => import('../../backends/model/index.ts'));
    // Each model instance gets its own seed: raw ids differ, canonical observations must not.
    const opts = { seed: index };
    const save = (b: Backend) => {
      if (!(b instanceof ModelBackend)) throw new Error('bug: a model factory saves model backends only');
      return b.save();
    };
    return { create: async () => createModelBackend(opts), saved: { save, restore: async (state) => createModelBackend(opts, state as ModelBackendState) } };
  },
  qemu: async (_label, _index, s) => {
    const { createQemuBackend } = await load('qemu', () => import('../../backends/qemu/index.ts'));
    // The backend makes (and, unless --keep, removes) its own private state dir.
    // The harness owns SIGINT/SIGTERM (an orderly stop writes a partial report):
    // the backend keeps only its exit hook, which kills what is left at exit.
    const opts = {
      accel: s.accel,
      keep: s.keep ?? false,
      handleSignals: false,
      ...(s.qemuBinary ? { qemuBinary: s.qemuBinary } : {}),
      ...(s.stateRoot ? { stateRoot: s.stateRoot } : {}),
      ...(s.accelProbed ? { accelProbed: s.accelProbed } : {}),
    };
    return { create: async () => createQemuBackend(opts) };
  },
};

/** Factories for the named backends, in order (the first is the reference). Public. */
export async function createFactories(names: readonly BackendName[], s: BackendSettings): Promise<BackendFactory[]> {
  const ls = labels(names);
  return Promise.all(
    names.map(async (n, i) => {
      const { create, saved } = await MAKERS[n](ls[i] as string, i, s);
      return { name: ls[i] as string, create, ...(IN_MEMORY.has(n) ? { inMemory: true } : {}), ...(saved ? { saved } : {}) };
    }),
  );
}

/**
 * The settings with the qemu accelerator probed once, here: a qemu backend
 * is created (its KVM canary boots, unless --accel tcg) and disposed, and
 * its fingerprint's choice goes to `accelProbed`. The `--jobs` workers then
 * skip their own canaries, which under a KVM that cannot boot the guest
 * cost each of them the canary's whole bound (docs/qemu-notes.md §1); this
 * thread's later backends reuse the probe too (the qemu backend asks once
 * per process). Settings without qemu come back unchanged. Public (the CLI).
 */
export async function probedOnce(names: readonly BackendName[], s: BackendSettings): Promise<BackendSettings> {
  if (!names.includes('qemu') || s.accelProbed) return s;
  const [qemu] = await createFactories(['qemu'], s);
  const backend = await qemu!.create();
  try {
    const fp = backend.fingerprint();
    return fp.accel === undefined ? s : { ...s, accelProbed: { accel: fp.accel, probe: fp.accelProbe ?? '' } };
  } finally {
    await backend.dispose();
  }
}
