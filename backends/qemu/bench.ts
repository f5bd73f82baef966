/**
 * The qemu backend's benchmark figures (harness/bench.ts). Public: `vmconform
 * bench --only qemu`. Each figure is the median of 5 runs (1 with --quick) of
 * the real node agent on a kernel-boot guest with 256 MiB, with the
 * accelerator chosen like a conformance run (`auto`: KVM only if its canary
 * boots) in `meta`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchFigure, BenchSuite } from '../../harness/bench.ts';
import type { AgentEvent, LaunchSpec } from '../../harness/cluster/index.ts';
import { DEFAULT_KERNEL_ARGS, guestArtefacts } from '../../guest/artefacts.ts';
import { probeAccel } from './accel/probeAccel.ts';
import { qemuBinary } from './index.ts';
import { QemuAgent } from './QemuAgent.ts';

const spec = (i: number): LaunchSpec => ({
  uid: `bench-${i}`, name: `bench${i}`, node: 'node01', vcpus: 1, cpu: { sockets: 1, cores: 1, threads: 1 }, memoryMiB: 256, hostname: `bench${i}`,
  boot: { kind: 'kernel', image: 'vmconform/guest-kernel:latest', kernelArgs: DEFAULT_KERNEL_ARGS },
  disks: [], nics: [{ name: 'default', mac: '52:54:00:00:b0:01', macSource: 'generated', kind: 'pod', network: null, ipv4Cidr: null, vf: null, model: 'virtio' }],
  startPaused: false, terminationGracePeriodSeconds: 30, acpi: true,
});

/** Performs an effect and returns the ms until an event matching `until` arrives. */
async function timed(agent: QemuAgent, perform: () => void, until: (e: AgentEvent) => boolean, timeoutMs = 120_000): Promise<number> {
  const t0 = performance.now();
  perform();
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if ((await agent.next(deadline)).some(until)) return performance.now() - t0;
    if (Date.now() > deadline) throw new Error(`bench: no matching event within ${timeoutMs} ms (${agent.inFlight()})`);
  }
}

async function drain(agent: QemuAgent): Promise<void> {
  while (!agent.idle()) await agent.next(Date.now() + 60_000);
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

export const bench: BenchSuite = async ({ quick }) => {
  const runs = quick ? 1 : 5;
  const artefacts = guestArtefacts();
  const stateDir = await mkdtemp(join(tmpdir(), 'vmconform-bench-'));
  const binary = qemuBinary();
  const samples = { start: [] as number[], reset: [] as number[], migration: [] as number[], stop: [] as number[] };
  let agent: QemuAgent | null = null;
  try {
    const accel = await probeAccel('auto', { binary, artefacts, stateDir: join(stateDir, 'probe') });
    agent = await QemuAgent.create({ stateDir, binary, accel: accel.accel, accelProbe: accel.probe, artefacts });
    const a = agent;
    for (let i = 0; i < runs; i++) {
      const s = spec(i);
      const uid = s.uid;
      samples.start.push(await timed(a, () => a.perform({ type: 'launch', spec: s }), (e) => e.type === 'agentConnected' && e.connected));
      await drain(a);
      samples.reset.push(await timed(a, () => a.perform({ type: 'reset', uid }), (e) => e.type === 'agentConnected' && e.connected));
      await drain(a);
      samples.migration.push(await timed(a, () => a.perform({ type: 'migrate', uid, migration: `m${i}`, targetNode: 'node02', nics: s.nics }), (e) => e.type === 'migrationCompleted' || e.type === 'migrationFailed'));
      await drain(a);
      samples.stop.push(await timed(a, () => a.perform({ type: 'shutdown', uid, graceSeconds: 30 }), (e) => e.type === 'exited'));
      a.perform({ type: 'cleanup', uid });
      await drain(a);
    }
    const meta = { accel: accel.accel, accelProbe: accel.probe, samples: runs, guestMemoryMiB: 256 };
    const fig = (name: string, xs: number[], target?: number): BenchFigure => ({
      name, value: Math.round(median(xs)), unit: 'ms', ...(target ? { target: { op: '<=' as const, value: target } } : {}), meta: { ...meta, all: xs.map(Math.round) },
    });
    return [
      fig('qemu.startToAgentConnectedMs', samples.start, 1000),
      fig('qemu.resetToAgentConnectedMs', samples.reset),
      fig('qemu.migration256MiBMs', samples.migration, 1000),
      fig('qemu.stopMs', samples.stop),
    ];
  } finally {
    await agent?.dispose();
    await rm(stateDir, { recursive: true, force: true });
  }
};

/** The clean-up soak (soak.ts): its own area, `vmconform bench --only soak`. */
export { bench as soak } from './soak.ts';
