/**
 * The qemu backend: the cluster core (harness/cluster) driven by the real
 * node agent (QemuAgent: QEMU processes, QMP events, the guest agent).
 * Public.
 *
 * Everything lives under one state dir, removed by dispose() unless `keep`.
 * Default: a fresh locked run dir under the per-user root (StateDir.ts);
 * creating one reaps every sibling whose harness is gone, and so does the
 * exit hook. An explicit `stateDir` is reaped of an earlier run's QEMUs at
 * start. SIGINT / SIGTERM dispose every live qemu backend before the
 * process ends; SIGKILL and the OOM killer take QEMU along through its
 * parent-death signal (process/spawnQemu.ts). No QEMU outlives the harness.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { InfrastructureError, type Backend } from '../contract.ts';
import { ClusterBackend } from '../cluster/index.ts';
import { ClusterCore, type CoreOptions, type StoreJson } from '../../harness/cluster/index.ts';
import { guestArtefacts } from '../../guest/artefacts.ts';
import { probeAccel, type AccelChoice, type AccelResult } from './accel/probeAccel.ts';
import { qemuInfo } from './accel/qemuInfo.ts';
import { killGroup, liveGroups } from './process/processGroups.ts';
import { checkParentDeathSignal } from './process/spawnQemu.ts';
import { QemuAgent } from './QemuAgent.ts';
import { QemuLauncherAccess } from './launcherAccess.ts';
import { describeReaped, openStateDir, reapOrphans, reapStaleRuns, releaseStateDir, removeStateDir, removeStateDirSync, stateRoot, type StateDir } from './StateDir.ts';

export interface QemuBackendOptions {
  /** An explicit state dir (not locked, not swept); default: a fresh run dir under `stateRoot`. */
  stateDir?: string;
  /** Root of the default run dirs; default $XDG_RUNTIME_DIR/vmconform, else <tmp>/vmconform-<uid>. */
  stateRoot?: string;
  /** Keep the state dir after dispose() (for debugging). */
  keep?: boolean;
  accel?: AccelChoice;
  /**
   * The accelerator another thread of this run has already probed (the
   * parent of `--jobs` workers): taken as is, no canary boot here. Its
   * account says how it was chosen, as a probe of this thread would.
   */
  accelProbed?: AccelResult;
  /** QEMU binary; default $VMCONFORM_QEMU, else qemu-system-x86_64 on PATH. */
  qemuBinary?: string;
  /** Rule overrides, cluster defaults and seed of the core. */
  core?: CoreOptions;
  /** A saved core (ClusterCore.save()) to continue from instead of a fresh one (the local cluster's restart). */
  restore?: StoreJson;
  /** Budget for a guest agent to answer after a (re)boot. */
  agentTimeoutMs?: number;
  /**
   * false: install no SIGINT/SIGTERM handler; the caller owns signals and
   * disposes its backends (the harness's orderly stop). The exit hook that
   * kills what is left stays. Default true.
   */
  handleSignals?: boolean;
}

/** The QEMU binary to use: option, then $VMCONFORM_QEMU, then PATH. Internal. */
export function qemuBinary(opt?: string): string {
  return opt ?? process.env['VMCONFORM_QEMU'] ?? 'qemu-system-x86_64';
}

// ---------------------------------------------------------------------------
// Process-wide safety net: no QEMU outlives the harness.

/** Every backend from its state dir's creation on; `agent` once it exists. */
const live = new Set<{ agent: QemuAgent | null; state: StateDir; keep: boolean }>();
/** Roots of the default run dirs this thread used: swept again at exit. */
const roots = new Set<string>();
let handlersInstalled = false;

/** Removes a backend's state dir, or only releases its lock when it is kept. */
function releaseState(state: StateDir, keep: boolean): Promise<void> {
  return keep ? releaseStateDir(state) : removeStateDir(state);
}

/** Reaps the stale siblings under `root`, saying what on stderr. */
function sweep(root: string): void {
  for (const r of reapStaleRuns(root)) console.error(describeReaped(r));
}

function onSignal(signal: NodeJS.Signals): void {
  void Promise.allSettled([...live].map(async (b) => {
    await b.agent?.dispose();
    await releaseState(b.state, b.keep);
  })).then(() => {
    onExit(); // anything still starting (a canary, a version probe)
    uninstall();
    process.kill(process.pid, signal); // default action now: the process ends with the signal
  });
}

/**
 * Last resort at exit (synchronous): kill every QEMU process group this
 * thread started, remove its state dirs, then sweep the roots (a worker
 * thread that was terminated left its run dir behind, unlocked).
 */
function onExit(): void {
  for (const pid of liveGroups) killGroup(pid);
  for (const b of live) if (!b.keep) removeStateDirSync(b.state);
  for (const root of roots) {
    try {
      sweep(root);
    } catch (err) {
      console.error(`qemu backend: sweeping ${root} at exit: ${(err as Error).message}`);
    }
  }
}

let signalsInstalled = false;

function install(signals: boolean): void {
  if (!handlersInstalled) {
    handlersInstalled = true;
    process.on('exit', onExit);
  }
  if (signals && !signalsInstalled) {
    signalsInstalled = true;
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  }
}

/**
 * Gives the signals back once no backend is live. The exit hook stays: a
 * step abandoned by an abort may still be starting a QEMU after its backend
 * was disposed, and that QEMU must not outlive the process (or the worker
 * thread, which ends with process.exit).
 */
function uninstall(): void {
  signalsInstalled = false;
  process.removeListener('SIGINT', onSignal);
  process.removeListener('SIGTERM', onSignal);
}

/**
 * The binary's facts and the accelerator probe are asked once per process
 * (per binary and --accel choice): a run creates many backends, and a KVM
 * canary boot costs seconds. A failure is not remembered.
 */
const memo = new Map<string, Promise<unknown>>();
function once<T>(key: string, make: () => Promise<T>): Promise<T> {
  let p = memo.get(key) as Promise<T> | undefined;
  if (!p) {
    p = make();
    memo.set(key, p);
    p.catch(() => memo.delete(key));
  }
  return p;
}

/**
 * Creates a qemu backend. Throws InfrastructureError when the guest
 * artefacts are missing, the QEMU binary does not run, or `--accel kvm` is
 * forced on a host where KVM cannot boot the canary guest.
 */
export async function createQemuBackend(opts: QemuBackendOptions = {}): Promise<Backend & ClusterBackend> {
  const binary = qemuBinary(opts.qemuBinary);
  let artefacts;
  try {
    artefacts = guestArtefacts();
  } catch (err) {
    throw new InfrastructureError(`qemu backend: ${(err as Error).message}`, { cause: err });
  }
  const keep = opts.keep ?? false;
  await once('setpriv', checkParentDeathSignal).catch((err: unknown) => {
    throw new InfrastructureError(`qemu backend: ${(err as Error).message}`, { cause: err });
  });
  const root = opts.stateDir ? null : (opts.stateRoot ?? stateRoot());
  const state = await openStateDir(opts.stateDir ? { stateDir: opts.stateDir } : { root: root!, keep }).catch((err: unknown) => {
    throw new InfrastructureError(`qemu backend: state dir: ${(err as Error).message}`, { cause: err });
  });
  const stateDir = state.dir;
  // Registered at once: a signal during the probes below must still clean up.
  const entry: { agent: QemuAgent | null; state: StateDir; keep: boolean } = { agent: null, state, keep };
  live.add(entry);
  install(opts.handleSignals !== false);
  const forget = (): void => {
    live.delete(entry);
    if (live.size === 0) uninstall();
  };
  const fail = async (what: string, err: unknown): Promise<never> => {
    forget();
    await releaseState(state, keep);
    throw new InfrastructureError(`qemu backend: ${what}: ${(err as Error).message}`, { cause: err });
  };
  if (root) {
    roots.add(root);
    try {
      sweep(root);
    } catch (err) {
      await fail(`reaping stale runs in ${root}`, err);
    }
  } else {
    const reaped = await reapOrphans(stateDir).catch((err: unknown) => fail(`reaping ${stateDir}`, err));
    if (reaped.length) console.error(`qemu backend: killed ${reaped.length} QEMU process(es) left in ${stateDir} by an earlier run: ${reaped.join(', ')}`);
  }

  const info = await once(`info ${binary}`, () => qemuInfo(binary, stateDir)).catch((err: unknown) => fail('QEMU', err));
  const probeDir = join(stateDir, 'probe');
  const choice = opts.accel ?? 'auto';
  const accel = opts.accelProbed ?? (await once(`accel ${binary} ${choice}`, () => probeAccel(choice, { binary, artefacts, stateDir: probeDir })).catch((err: unknown) => fail('accelerator', err)));
  await rm(probeDir, { recursive: true, force: true });
  const agentOpts = { stateDir, binary, accel: accel.accel, accelProbe: accel.probe, artefacts, qemuVersion: info.version, machine: info.machine };
  const agent = await QemuAgent.create(opts.agentTimeoutMs === undefined ? agentOpts : { ...agentOpts, agentTimeoutMs: opts.agentTimeoutMs }).catch((err: unknown) => fail('node agent', err));
  entry.agent = agent;

  const core = opts.restore ? ClusterCore.restore(opts.restore, opts.core) : new ClusterCore(opts.core);
  const backend = new ClusterBackend('qemu', core, agent, { launcher: new QemuLauncherAccess(core, agent) });
  const dispose = backend.dispose.bind(backend);
  backend.dispose = async () => {
    await dispose();
    forget();
    await releaseState(state, keep);
  };
  return backend;
}

export { QemuAgent } from './QemuAgent.ts';
export type { AccelChoice, AccelResult } from './accel/probeAccel.ts';
