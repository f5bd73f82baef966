/**
 * A Backend (backends/contract.ts) over the cluster core and a node agent.
 * Public: the model backend is `new ClusterBackend('model', core, simAgent)`,
 * the qemu backend the same with its real agent. Generic: it never knows
 * which agent it drives.
 *
 * Every command goes to the core (which validates it and answers with
 * KubeVirt's code), the core's effects go to `agent.perform`, and `settle`
 * feeds the agent's events back until the agent is idle and the core has
 * nothing more to ask.
 */
import { OK, SettleTimeout, type Backend, type BackendFingerprint, type Fault, type GuestAction, type KubeObject, type ObjectRef, type Observation, type Result, type VmAction } from '../../backends/contract.ts';
import type { NodeAgent } from './agent.ts';
import type { ClusterCore } from './ClusterCore.ts';
import { buildObservation } from './buildObservation.ts';

export interface ClusterBackendOptions {
  /** Clock for settle budgets (epoch ms); the default is Date.now. */
  now?: () => number;
}

export class ClusterBackend implements Backend {
  private readonly now: () => number;
  private disposed = false;

  constructor(
    readonly name: string,
    readonly core: ClusterCore,
    readonly agent: NodeAgent,
    opts: ClusterBackendOptions = {},
  ) {
    this.now = opts.now ?? Date.now;
  }

  private dispatch(r: Result): Result {
    for (const e of this.core.takeEffects()) this.agent.perform(e);
    return r;
  }

  async apply(obj: KubeObject): Promise<Result> {
    return this.dispatch(this.core.apply(obj));
  }

  async delete(ref: ObjectRef): Promise<Result> {
    return this.dispatch(this.core.delete(ref));
  }

  async vm(action: VmAction): Promise<Result> {
    return this.dispatch(this.core.vm(action));
  }

  async guest(action: GuestAction): Promise<Result> {
    return this.dispatch(this.core.guest(action));
  }

  async fault(f: Fault): Promise<Result> {
    return this.dispatch(this.core.fault(f));
  }

  async settle(budgetMs: number): Promise<void> {
    const deadline = this.now() + budgetMs;
    for (;;) {
      this.dispatch(OK);
      if (this.agent.idle() && !this.core.hasEffects()) return;
      if (this.now() > deadline) throw new SettleTimeout(this.name, budgetMs, this.agent.inFlight());
      const events = await this.agent.next(deadline);
      for (const ev of events) this.core.onEvent(ev);
    }
  }

  async observe(): Promise<Observation> {
    const guests = await this.agent.observeGuests(this.core.runningLaunchSpecs());
    const fp = this.agent.fingerprint();
    const header: Observation['header'] = { backend: this.name };
    if (fp.accel) header.accel = fp.accel;
    if (fp.accelProbe) header.accelProbe = fp.accelProbe;
    if (fp.qemuVersion) header.qemuVersion = fp.qemuVersion;
    if (fp.machine) header.machine = fp.machine;
    if (fp.guestImageDigest) header.guestImageDigest = fp.guestImageDigest;
    return buildObservation(this.core, guests, header);
  }

  fingerprint(): BackendFingerprint {
    return this.agent.fingerprint();
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.agent.dispose();
  }
}
