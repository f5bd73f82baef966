/**
 * The real node agent (virt-handler + virt-launcher): performs the cluster
 * core's effects on QEMU processes and reports what really happened. Public
 * (internal to the qemu backend: createQemuBackend wires it to the core).
 *
 * Effects on one VMI run one after another (a per-VMI chain), effects on
 * different VMIs in parallel. Events come from QMP events, guest-agent
 * answers and process exits (VmiLauncher), never from what was intended.
 */
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { BackendFingerprint } from '../contract.ts';
import type { AgentEvent, Effect, GuestFacts, LaunchSpec, NodeAgent } from '../../harness/cluster/index.ts';
import type { GuestArtefacts } from '../../guest/artefacts.ts';
import { AGENT_TIMEOUT_MS, MIGRATION_STEP_MS } from './budgets.ts';
import { guestOps } from './guestOps.ts';
import { InflightSet } from './InflightSet.ts';
import { launchVmi, type LaunchContext, type LaunchOptions, type LaunchResult } from './launcher/launchVmi.ts';
import type { LiveLaunchers, VmiLauncher } from './launcher/VmiLauncher.ts';
import { migrate, type MigrationHandle, type MigrationHost } from './migration/migrate.ts';
import { HubSet } from './network/HubSet.ts';
import { observeGuests } from './observeGuests.ts';
import { VolumeStore } from './storage/VolumeStore.ts';

export interface QemuAgentOptions {
  stateDir: string;
  binary: string;
  accel: 'kvm' | 'tcg';
  accelProbe: string;
  artefacts: GuestArtefacts;
  qemuVersion?: string;
  machine?: string;
  /** Budget for a guest agent to answer after a (re)boot; default 60 s (TCG on a loaded host). */
  agentTimeoutMs?: number;
}

type Handler<T extends Effect['type']> = (agent: QemuAgent, e: Extract<Effect, { type: T }>) => Promise<void>;
type HandlerTable = { [T in Effect['type']]: Handler<T> };

/** Effects on the same key run in order: per VMI, per PVC, per node. Faults (null) act at once, mid-operation. */
function chainKey(e: Effect): string | null {
  if (e.type === 'killLauncher' || e.type === 'killMigrationTarget' || e.type === 'abortMigration') return null;
  if (e.type === 'launch') return e.spec.uid;
  if ('uid' in e) return e.uid;
  if ('pvc' in e) return `pvc:${e.pvc}`;
  return `node:${e.node}`;
}

export class QemuAgent implements NodeAgent, LiveLaunchers {
  readonly box = new InflightSet();
  readonly launchers = new Map<string, VmiLauncher>();
  readonly migrations = new Map<string, MigrationHandle>();
  readonly volumes: VolumeStore;
  readonly hubs: HubSet;
  readonly agentTimeoutMs: number;
  #chains = new Map<string, Promise<void>>();
  /** Effects chained per key and not finished yet (the running one included). */
  #queued = new Map<string, number>();
  #instances = 0;
  #disposed: Promise<void> | null = null;

  /** What a launch needs of this agent (launcher/launchVmi.ts). */
  readonly #launch: LaunchContext;
  /** What a migration needs of this agent (migration/migrate.ts). */
  readonly migrationHost: MigrationHost;

  constructor(readonly opts: QemuAgentOptions) {
    this.volumes = new VolumeStore({ stateDir: opts.stateDir, artefacts: opts.artefacts });
    this.hubs = new HubSet(join(opts.stateDir, 'hubs'));
    this.agentTimeoutMs = opts.agentTimeoutMs ?? AGENT_TIMEOUT_MS;
    this.#launch = {
      stateDir: opts.stateDir, binary: opts.binary, accel: opts.accel, artefacts: opts.artefacts, volumes: this.volumes, hubs: this.hubs,
      hooks: { emit: this.emit, track: this.track, agentTimeoutMs: this.agentTimeoutMs },
      disposed: () => this.#disposed !== null,
    };
    this.migrationHost = {
      live: (uid) => this.live(uid),
      startTarget: (spec) => this.startLauncher(spec, { incoming: true }),
      hubSocket: (network) => this.hubs.socketFor(network),
      handOver: (uid, target) => void this.launchers.set(uid, target),
      migrations: this.migrations,
      park: () => this.box.park(),
      queuedBehind: (uid) => Math.max(0, (this.#queued.get(uid) ?? 0) - 1),
      emit: this.emit,
      track: this.track,
    };
  }

  /** Creates the agent's directories (0700). */
  static async create(opts: QemuAgentOptions): Promise<QemuAgent> {
    await mkdir(join(opts.stateDir, 'hubs'), { recursive: true, mode: 0o700 });
    await mkdir(join(opts.stateDir, 'nodes'), { recursive: true, mode: 0o700 });
    return new QemuAgent(opts);
  }

  emit = (e: AgentEvent): void => this.box.emit(e);
  track = <T>(label: string, p: Promise<T>): Promise<T> => this.box.track(label, p);

  perform(effect: Effect): void {
    if (this.#disposed) return;
    const key = chainKey(effect);
    // Any other effect on a VMI waits for its migration (libvirt's migration job): a held one is let go now.
    // Marked at once, not when the handler runs: the settle that follows must not let the migration go.
    if (effect.type === 'abortMigration' || effect.type === 'killMigrationTarget') {
      const m = this.migrations.get(effect.uid);
      if (m && effect.type === 'killMigrationTarget') m.killTarget = true;
      else if (m && effect.type === 'abortMigration' && m.migration === effect.migration) m.abort = true;
    }
    if (key !== null && 'uid' in effect && effect.type !== 'cleanup') {
      const m = this.migrations.get(effect.uid);
      if (m?.release) m.release();
      else if (m) m.releaseRequested = true;
    }
    const handler = HANDLERS[effect.type] as Handler<typeof effect.type>;
    const prev = (key && this.#chains.get(key)) || Promise.resolve();
    const run = prev.then(() => handler(this, effect as never)).catch((err: unknown) => this.#bug(effect, err));
    if (key) {
      this.#chains.set(key, run);
      this.#queued.set(key, (this.#queued.get(key) ?? 0) + 1);
      void run.finally(() => {
        const n = (this.#queued.get(key) ?? 1) - 1;
        if (n > 0) this.#queued.set(key, n);
        else this.#queued.delete(key);
      });
    }
    void this.track(`${effect.type} ${key ?? ('uid' in effect ? effect.uid : '')}`, run);
  }

  /** See NodeAgent.releaseHeld: held migrations not being aborted or killed get their cap lifted. */
  releaseHeld(): void {
    for (const m of this.migrations.values()) if (!m.abort && !m.killTarget) m.release?.();
  }

  next(deadlineMs: number): Promise<AgentEvent[]> {
    return this.box.next(deadlineMs);
  }

  idle(): boolean {
    return this.box.idle();
  }

  inFlight(): string {
    return this.box.describe();
  }

  observeGuests(vmis: LaunchSpec[]): Promise<Record<string, GuestFacts>> {
    return observeGuests(this, vmis);
  }

  fingerprint(): BackendFingerprint {
    const fp: BackendFingerprint = { backend: 'qemu', accel: this.opts.accel, accelProbe: this.opts.accelProbe, guestImageDigest: this.opts.artefacts.manifest.digest };
    if (this.opts.qemuVersion) fp.qemuVersion = this.opts.qemuVersion;
    if (this.opts.machine) fp.machine = this.opts.machine;
    return fp;
  }

  /** Kills every launcher, closes the segment switches and removes every file it made (run dirs, PVCs, sockets). Idempotent. */
  dispose(): Promise<void> {
    this.#disposed ??= (async () => {
      for (const m of this.migrations.values()) m.target?.kill();
      for (const l of this.launchers.values()) l.kill();
      await Promise.all([...this.launchers.values(), ...[...this.migrations.values()].flatMap((m) => (m.target ? [m.target] : []))].map((l) => l.done));
      await this.hubs.close();
      for (const d of ['nodes', 'shared', 'hubs']) await rm(join(this.opts.stateDir, d), { recursive: true, force: true });
    })();
    return this.#disposed;
  }

  /** Starts a QEMU for `spec` in a fresh run dir (launcher/launchVmi.ts). Errors are values naming the VMI. */
  startLauncher(spec: LaunchSpec, opts: LaunchOptions = {}): Promise<LaunchResult> {
    return launchVmi(this.#launch, spec, ++this.#instances, opts);
  }

  /** The live launcher of a VMI, or undefined. */
  live(uid: string): VmiLauncher | undefined {
    const l = this.launchers.get(uid);
    return l && !l.ended ? l : undefined;
  }

  #bug(effect: Effect, err: unknown): void {
    // Handlers report runtime failures as events; reaching here is a bug in the agent. Say so loudly.
    console.error(`qemu agent: ${effect.type} failed unexpectedly: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  }
}

const HANDLERS: HandlerTable = {
  async launch(agent, { spec }) {
    const r = await agent.startLauncher(spec);
    if ('error' in r) {
      // The VMI ends Failed and the observation cannot say why: say it on stderr, for whoever reads the run.
      console.error(`qemu agent: ${r.error}`);
      return agent.emit({ type: 'launchFailed', uid: spec.uid, message: r.error });
    }
    agent.launchers.set(spec.uid, r.launcher);
    agent.emit({ type: 'running', uid: spec.uid });
    if (spec.startPaused) agent.emit({ type: 'paused', uid: spec.uid, paused: true });
    else r.launcher.pollAgent();
  },
  async shutdown(agent, e) {
    const l = agent.launchers.get(e.uid);
    if (!l) return agent.emit({ type: 'exited', uid: e.uid, reason: 'destroyed' }); // never launched
    l.stop(e.graceSeconds);
  },
  pause: (agent, e) => guestOps.pause(agent, e.uid),
  unpause: (agent, e) => guestOps.unpause(agent, e.uid),
  reset: (agent, e) => guestOps.reset(agent, e.uid),
  softReboot: (agent, e) => guestOps.softReboot(agent, e.uid),
  acpiShutdown: (agent, e) => guestOps.acpiShutdown(agent, e.uid),
  guestPoweroff: (agent, e) => guestOps.guestPoweroff(agent, e.uid),
  guestReboot: (agent, e) => guestOps.guestReboot(agent, e.uid),
  guestPanic: (agent, e) => guestOps.guestPanic(agent, e.uid),
  writeData: (agent, e) => guestOps.writeData(agent, e.uid, e.disk, e.token),
  migrate: (agent, e) => migrate(agent.migrationHost, e),
  async cleanup(agent, e) {
    const l = agent.launchers.get(e.uid);
    if (!l) return;
    if (!l.ended) {
      l.stop(0);
      await l.done;
    }
    agent.launchers.delete(e.uid);
    await rm(l.proc.paths.dir, { recursive: true, force: true });
  },
  async provisionVolume(agent, e) {
    const r = await agent.volumes.provision(e);
    agent.emit(r.ok ? { type: 'volumeReady', pvc: e.pvc } : { type: 'volumeFailed', pvc: e.pvc, message: r.message });
  },
  async deleteVolume(agent, e) {
    await agent.volumes.remove(e.pvc);
  },
  async killLauncher(agent, e) {
    const l = agent.live(e.uid);
    if (!l) return;
    l.kill();
    await l.done;
  },
  async nodeLoss(agent, e) {
    const lost = [...agent.launchers.values()].filter((l) => l.spec.node === e.node && !l.ended);
    for (const m of agent.migrations.values()) if (m.targetNode === e.node) m.target?.kill();
    for (const l of lost) l.kill();
    await Promise.all(lost.map((l) => l.done));
  },
  async abortMigration(agent, e) {
    // virt-handler on abortRequested: libvirt AbortJob on the source, i.e. QMP migrate_cancel; the target QEMU is torn down (migrate.ts).
    const m = agent.migrations.get(e.uid);
    if (!m || m.migration !== e.migration) return; // already over
    m.abort = true;
    await agent.live(e.uid)?.proc.qmp.execute('migrate_cancel', undefined, MIGRATION_STEP_MS).catch(() => undefined);
    await m.finished;
  },
  async killMigrationTarget(agent, e) {
    const m = agent.migrations.get(e.uid);
    if (!m) return;
    m.killTarget = true; // also covers a target that is still starting
    m.target?.kill();
    await m.finished;
  },
};
