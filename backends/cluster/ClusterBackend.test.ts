/**
 * ClusterBackend around a scripted agent (a stand-in for the agent only, to
 * test the settle loop): late events are awaited, an agent that never goes
 * idle ends in SettleTimeout.
 */
import { describe, expect, it } from 'vitest';
import { SettleTimeout } from '../contract.ts';
import { ClusterCore, type AgentEvent, type Effect, type NodeAgent } from '../../harness/cluster/index.ts';
import { ClusterBackend } from './ClusterBackend.ts';
import { node, vm } from '../model/testObjects.ts';

/** Answers a launch with `running` only after `delayMs`; never answers when delayMs is null. */
class SlowAgent implements NodeAgent {
  performed: Effect[] = [];
  private pending: { at: number; ev: AgentEvent }[] = [];
  constructor(private readonly delayMs: number | null) {}
  perform(e: Effect): void {
    this.performed.push(e);
    if (e.type === 'launch' && this.delayMs !== null) this.pending.push({ at: Date.now() + this.delayMs, ev: { type: 'running', uid: e.spec.uid } });
    if (e.type === 'launch' && this.delayMs === null) this.pending.push({ at: Infinity, ev: { type: 'running', uid: e.spec.uid } });
  }
  async next(deadlineMs: number): Promise<AgentEvent[]> {
    const first = Math.min(deadlineMs, ...this.pending.map((p) => p.at));
    await new Promise((r) => setTimeout(r, Math.max(0, Math.min(first - Date.now(), 50))));
    const due = this.pending.filter((p) => p.at <= Date.now());
    this.pending = this.pending.filter((p) => p.at > Date.now());
    return due.map((p) => p.ev);
  }
  idle(): boolean {
    return this.pending.length === 0;
  }
  inFlight(): string {
    return `${this.pending.length} launches`;
  }
  async observeGuests(): Promise<Record<string, never>> {
    return {};
  }
  fingerprint() {
    return { backend: 'slow' };
  }
  async dispose(): Promise<void> {}
}

/** A wall-clock agent whose first launch fails (a crash-loop start failure), later ones boot after 10 ms. */
class FailOnceAgent extends SlowAgent {
  private failed = false;
  private readonly failures: AgentEvent[] = [];
  constructor() {
    super(10);
  }
  override perform(e: Effect): void {
    if (e.type === 'launch' && !this.failed) {
      this.failed = true;
      this.performed.push(e);
      this.failures.push({ type: 'launchFailed', uid: e.spec.uid, message: 'boom' });
      return;
    }
    super.perform(e);
  }
  override async next(deadlineMs: number): Promise<AgentEvent[]> {
    return this.failures.length > 0 ? this.failures.splice(0) : super.next(deadlineMs);
  }
  override idle(): boolean {
    return this.failures.length === 0 && super.idle();
  }
}

describe('ClusterBackend', () => {
  // docs/harness-choices.md §2: on the wall clock, settle moves the core's clock to a due timer (the 10–15 s crash-loop
  // backoff of KubeVirt vm.go syncRunStrategy) instead of sleeping through it; the end state is the model's
  it('settles through a crash-loop backoff on the wall clock without waiting for it', async () => {
    const agent = new FailOnceAgent();
    const b = new ClusterBackend('wall', new ClusterCore(), agent);
    await b.apply(node('n1'));
    await b.apply(vm('v', 'Always'));
    const t0 = Date.now();
    await b.settle(5000);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(agent.performed.filter((e) => e.type === 'launch')).toHaveLength(2);
    expect((await b.observe()).vms.v!.printableStatus).toBe('Running');
    expect(b.clock() - Date.now()).toBeGreaterThanOrEqual(9_000); // the core's clock ran ahead by the backoff
  });

  it('dispatches effects at once and settles on late events', async () => {
    const agent = new SlowAgent(30);
    const b = new ClusterBackend('slow', new ClusterCore(), agent);
    await b.apply(node('n1'));
    await b.apply(vm('v', 'Always'));
    expect(agent.performed.map((e) => e.type)).toEqual(['launch']);
    expect((await b.observe()).vms.v!.printableStatus).toBe('Starting');
    await b.settle(2000);
    expect((await b.observe()).vms.v!.printableStatus).toBe('Running');
  });

  it('throws SettleTimeout naming what is in flight', async () => {
    const b = new ClusterBackend('stuck', new ClusterCore(), new SlowAgent(null));
    await b.apply(node('n1'));
    await b.apply(vm('v', 'Always'));
    await expect(b.settle(100)).rejects.toThrow(SettleTimeout);
    await expect(b.settle(100)).rejects.toThrow(/1 launches/);
  });

  it('answers in-guest actions on a non-running VMI with 409 without asking the agent', async () => {
    const agent = new SlowAgent(0);
    const b = new ClusterBackend('slow', new ClusterCore(), agent);
    await b.apply(node('n1'));
    await b.apply(vm('v', 'Always'));
    expect(await b.guest({ action: 'poweroff', vmi: 'v' })).toEqual({ ok: false, code: 409, message: 'VMI is not running' });
    expect(agent.performed.map((e) => e.type)).toEqual(['launch']);
  });

  it('lists API objects with status, copies the caller may keep', async () => {
    const b = new ClusterBackend('slow', new ClusterCore(), new SlowAgent(0));
    await b.apply(node('n1'));
    await b.apply(vm('v', 'Always'));
    await b.settle(2000);
    const [v] = await b.list('VirtualMachine', 'default');
    expect(v).toMatchObject({ kind: 'VirtualMachine', metadata: { name: 'v', namespace: 'default', uid: expect.any(String) }, status: { printableStatus: 'Running', ready: true } });
    (v!.status as { ready: boolean }).ready = false;
    expect((await b.list('VirtualMachine'))[0]!.status).toMatchObject({ ready: true });
    expect((await b.list('Node')).map((n) => n.metadata.name)).toEqual(['n1']);
  });
});
