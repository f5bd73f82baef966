/**
 * Drives a cluster backend for the API server: every API write calls the
 * core at once (synchronously: the core is a state machine, no two writes
 * interleave), then `flush()` hands the core's effects to the node agent and
 * scans the store into the change feed; a pump feeds the agent's events back
 * as they come (the simulated agent's at once, the qemu agent's when QEMU
 * answers) and brings the core's clock forward every tick, so timers (grace
 * periods, backoffs) fire in wall-clock time. This replaces `settle`: a served
 * cluster never stops to settle, it runs. Internal to harness/server.
 */
import type { ClusterBackend } from '../../backends/cluster/index.ts';
import { ChangeFeed, storedKinds, type Deriver } from './feed.ts';
import { eventObject, vmiEvents } from './events.ts';
import { RESOURCES } from './resources.ts';
import { VIEWS } from './views.ts';

export interface DriverOptions {
  /** Brings the node side's clock to now (the model's virtual clock at wall pace); absent: the backend's clock as it is. */
  advanceClock?: () => void;
  /** Pump period (ms) when nothing is in flight. */
  tickMs?: number;
  /** Called after every change the feed saw (persistence). */
  onChange?: () => void;
  /** The wire resourceVersion to continue from (a restored cluster). */
  startRv?: number;
}

export class ClusterDriver {
  readonly feed: ChangeFeed;
  private stopped = false;
  private wake: (() => void) | null = null;
  private loop: Promise<void> | null = null;
  private readonly tickMs: number;

  constructor(
    readonly backend: ClusterBackend,
    private readonly opts: DriverOptions = {},
  ) {
    this.tickMs = opts.tickMs ?? 100;
    const events: Deriver = {
      kind: 'Event',
      from: 'VirtualMachineInstance',
      keep: 1000,
      derive: (prev, next, get) => vmiEvents(prev, next, (name) => get('VirtualMachine', name)).map((e) => eventObject(e, this.now())),
    };
    this.feed = new ChangeFeed({ objects: (kind) => backend.core.objects(kind) }, storedKinds(RESOURCES), VIEWS, opts.startRv ?? 0, [events]);
  }

  /** The cluster's clock (ms): the model's virtual one, else the wall clock. */
  now(): number {
    return this.backend.clock();
  }

  private readonly perform = (e: Parameters<ClusterBackend['agent']['perform']>[0]) => this.backend.agent.perform(e);

  /** Effects to the agent, store to the feed; wakes the pump. Call after every call into the core. */
  flush(): void {
    const core = this.backend.core;
    if (core.hasEffects()) core.drainEffects(this.perform);
    if (this.feed.scan() > 0) this.opts.onChange?.();
    this.wake?.();
  }

  start(): void {
    this.loop ??= this.pump();
  }

  private async pump(): Promise<void> {
    const { core, agent } = this.backend;
    while (!this.stopped) {
      try {
        this.opts.advanceClock?.();
        core.setTime(this.backend.clock());
        this.flush();
        if (!agent.idle()) {
          const events = await agent.next(Date.now() + this.tickMs);
          if (this.stopped) return;
          for (const ev of events) core.onEvent(ev);
          this.flush();
          continue;
        }
      } catch (err) {
        // a bug in the core or the agent must not stop the cluster: say it, keep the pump going
        console.error(`vmconform server: pump: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, this.tickMs);
        this.wake = () => {
          clearTimeout(t);
          this.wake = null;
          resolve();
        };
      });
      this.wake = null;
    }
  }

  /** Stops the pump (the backend stays: the owner disposes it). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loop;
  }
}
