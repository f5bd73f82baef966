/**
 * Property tests of the model over random command sequences: the cluster
 * invariants hold at every quiescent point, and the model is deterministic.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Fault, GuestAction, KubeObject, ObjectRef, Observation, VmAction } from '../contract.ts';
import type { RunStrategy } from '../../harness/api/types.ts';
import { SimCluster } from './SimCluster.ts';
import { bridgeNad, node, pvc, sriovNad, storageClass, vm, vmi, type VmiSpecOptions } from './testObjects.ts';
import { createModelBackend } from './index.ts';

const VMS = ['a', 'b', 'c', 'd'] as const;
const NODES = ['n1', 'n2', 'n3'] as const;
const STRATEGIES: RunStrategy[] = ['Always', 'RerunOnFailure', 'Manual', 'Halted', 'Once'];
const FLAVOURS = ['plain', 'rwo', 'rwx', 'multus', 'sriov', 'bigmem'] as const;

type Cmd =
  | { k: 'apply'; vm: string; strategy: RunStrategy; flavour: (typeof FLAVOURS)[number] }
  | { k: 'delete'; vm: string }
  | { k: 'vm'; a: VmAction }
  | { k: 'guest'; a: GuestAction }
  | { k: 'fault'; f: Fault }
  | { k: 'drain' | 'uncordon' | 'revive'; node: string }
  | { k: 'standalone'; vmi: string; flavour: (typeof FLAVOURS)[number] }
  | { k: 'deleteVmi'; vmi: string }
  | { k: 'deletePvc' | 'applyPvc'; pvc: 'rwo-vol' | 'rwx-vol' };

const name = fc.constantFrom(...VMS);
const nodeName = fc.constantFrom(...NODES);
const cmd: fc.Arbitrary<Cmd> = fc.oneof(
  fc.record({ k: fc.constant('apply' as const), vm: name, strategy: fc.constantFrom(...STRATEGIES), flavour: fc.constantFrom(...FLAVOURS) }),
  fc.record({ k: fc.constant('delete' as const), vm: name }),
  fc.record({
    k: fc.constant('vm' as const),
    a: fc.oneof(
      fc.record({ verb: fc.constantFrom('start', 'migrate', 'pause', 'unpause', 'softReboot' as const), name }),
      fc.record({ verb: fc.constantFrom('stop', 'restart' as const), name, gracePeriod: fc.option(fc.constantFrom(0, 1, 30), { nil: undefined }) }),
    ) as fc.Arbitrary<VmAction>,
  }),
  fc.record({
    k: fc.constant('guest' as const),
    a: fc.oneof(
      fc.record({ action: fc.constantFrom('reset', 'acpiShutdown', 'poweroff', 'reboot', 'panic' as const), vmi: name }),
      fc.record({ action: fc.constant('writeData' as const), vmi: name, disk: fc.constantFrom('root', 'data'), token: fc.constantFrom('t1', 't2') }),
    ) as fc.Arbitrary<GuestAction>,
  }),
  fc.record({
    k: fc.constant('fault' as const),
    f: fc.oneof(fc.record({ fault: fc.constant('killLauncher' as const), vmi: name }), fc.record({ fault: fc.constant('nodeLoss' as const), node: nodeName })) as fc.Arbitrary<Fault>,
  }),
  fc.record({ k: fc.constantFrom('drain', 'uncordon', 'revive' as const), node: nodeName }),
  fc.record({ k: fc.constant('standalone' as const), vmi: fc.constantFrom('s1', 's2'), flavour: fc.constantFrom(...FLAVOURS) }),
  fc.record({ k: fc.constant('deleteVmi' as const), vmi: fc.constantFrom('s1', 'a', 'b') }),
  fc.record({ k: fc.constantFrom('deletePvc', 'applyPvc' as const), pvc: fc.constantFrom('rwo-vol' as const, 'rwx-vol' as const) }),
);

function flavour(f: { flavour: (typeof FLAVOURS)[number] }): VmiSpecOptions {
  switch (f.flavour) {
    case 'plain':
      return {};
    case 'bigmem':
      return { memory: '3Gi' };
    case 'rwo':
      return { volumes: [{ volume: { name: 'data', persistentVolumeClaim: { claimName: 'rwo-vol' } } }] };
    case 'rwx':
      return { volumes: [{ volume: { name: 'data', persistentVolumeClaim: { claimName: 'rwx-vol' } } }] };
    case 'multus':
      return {
        interfaces: [{ name: 'default', masquerade: {} }, { name: 'data', bridge: {} }],
        networks: [{ name: 'default', pod: {} }, { name: 'data', multus: { networkName: 'data-net' } }],
      };
    case 'sriov':
      return {
        interfaces: [{ name: 'default', masquerade: {} }, { name: 'fast', sriov: {} }],
        networks: [{ name: 'default', pod: {} }, { name: 'fast', multus: { networkName: 'sriov-net' } }],
      };
  }
}

const nodeObj = (n: string) => node(n, { cpu: '4', memory: '4Gi', 'example.com/vf': n === 'n3' ? '0' : '1' });

function baseObjects(): KubeObject[] {
  return [
    ...NODES.map(nodeObj),
    storageClass('local', true, true),
    storageClass('shared', false),
    pvc('rwo-vol', 'local'),
    pvc('rwx-vol', 'shared', 'ReadWriteMany'),
    bridgeNad('data-net', '10.10.0.0/29'),
    sriovNad('sriov-net', 'example.com/vf'),
  ];
}

function setup(seed: number): SimCluster {
  const c = new SimCluster({ core: { seed } });
  for (const o of baseObjects()) c.apply(o);
  c.settle();
  return c;
}

/** What both the synchronous driver and a Backend offer. */
interface Driver {
  apply(o: KubeObject): unknown;
  delete(r: ObjectRef): unknown;
  vm(a: VmAction): unknown;
  guest(a: GuestAction): unknown;
  fault(f: Fault): unknown;
}

function run(c: Driver, x: Cmd): unknown {
  switch (x.k) {
    case 'apply':
      return c.apply(vm(x.vm, x.strategy, flavour(x)));
    case 'delete':
      return c.delete({ kind: 'VirtualMachine', name: x.vm });
    case 'vm':
      return c.vm(x.a);
    case 'guest':
      return c.guest(x.a);
    case 'fault':
      return c.fault(x.f);
    case 'drain':
      return c.fault({ fault: 'drainNode', node: x.node });
    case 'uncordon':
      return c.fault({ fault: 'uncordonNode', node: x.node });
    case 'revive':
      return c.apply(nodeObj(x.node));
    case 'standalone':
      return c.apply(vmi(x.vmi, flavour(x)));
    case 'deleteVmi':
      return c.delete({ kind: 'VirtualMachineInstance', name: x.vmi });
    case 'deletePvc':
      return c.delete({ kind: 'PersistentVolumeClaim', name: x.pvc });
    case 'applyPvc':
      return c.apply(x.pvc === 'rwo-vol' ? pvc('rwo-vol', 'local') : pvc('rwx-vol', 'shared', 'ReadWriteMany'));
  }
}

/** The invariants of docs/spec.md at a quiescent point, on the observation and the store's API objects (and saved records for the scheduler's accounting). */
function checkInvariants(c: SimCluster, o: Observation): void {
  // at most one active VMI per VM: the VM's VMI is the one of its name, and uids are unique
  const uids = new Set<string>();
  for (const [n, v] of Object.entries(o.vmis)) {
    expect(uids.has(v.uid), `duplicate uid ${v.uid}`).toBe(false);
    uids.add(v.uid);
    if (v.owner === 'vm' && o.vms[n]) expect(o.vms[n]!.vmi, `VMI ${n} is not its VM's`).toBe(v.uid);
  }
  for (const [n, m] of Object.entries(o.vms)) {
    if (m.vmi !== null) expect(o.vmis[n]?.uid).toBe(m.vmi);
    // Halted ⇒ no VMI at quiescence
    if (m.runStrategy === 'Halted') expect(m.created, `Halted VM ${n} keeps a VMI`).toBe(false);
    const v = m.vmi ? o.vmis[n]! : null;
    if (v?.phase === 'Running') expect(m.printableStatus).toBe(v.conditions.Paused ? 'Paused' : 'Running');
    if (v && (v.phase === 'Succeeded' || v.phase === 'Failed')) expect(['Stopped', 'CrashLoopBackOff']).toContain(m.printableStatus);
  }
  const saved = c.core.save();
  type VmiRec = { cpu: number; pod: { cpuMilli: number; memBytes: number }; claims: string[]; nics: { vf: unknown }[] };
  const vmiRecs = saved.objects.VirtualMachineInstance ?? {};
  const activeOn = (node: string) =>
    Object.values(vmiRecs).filter((e) => {
      const st = e.obj.status as { phase: string; nodeName?: string };
      return st.nodeName === node && st.phase !== 'Succeeded' && st.phase !== 'Failed';
    });
  const active = Object.values(o.vmis).filter((v) => v.phase !== 'Succeeded' && v.phase !== 'Failed');
  // a Running VMI has a Ready node
  for (const v of active) if (v.phase === 'Running') expect(o.nodes[v.node!]!.ready, `Running VMI on NotReady ${v.node}`).toBe(true);
  // VFs in use ≤ capacity, and equal to the VF NICs of the active VMIs on the node
  for (const [n, no] of Object.entries(o.nodes)) {
    const cap = n === 'n3' ? 0 : 1;
    const used = no.vfsInUse['example.com/vf'] ?? 0;
    expect(used).toBeLessThanOrEqual(cap);
    const expected = activeOn(n).reduce((sum, e) => sum + (e.rec as VmiRec).nics.filter((x) => x.vf).length, 0);
    expect(used, `VF accounting on ${n}`).toBe(expected);
  }
  // a RWO volume is attached on at most one node
  const rwoNodes = new Set(
    Object.values(vmiRecs)
      .filter((e) => {
        const st = e.obj.status as { phase: string; nodeName?: string };
        return st.nodeName !== undefined && st.phase !== 'Succeeded' && st.phase !== 'Failed' && (e.rec as VmiRec).claims.includes('rwo-vol');
      })
      .map((e) => (e.obj.status as { nodeName: string }).nodeName),
  );
  expect(rwoNodes.size).toBeLessThanOrEqual(1);
  // IPs on the NAD are unique among active VMIs
  const ips = active.flatMap((v) => v.interfaces.filter((i) => i.name === 'data' && i.ipv4).map((i) => i.ipv4));
  expect(new Set(ips).size).toBe(ips.length);
  // node capacity accounting: used = sum of active VMIs' requests
  for (const [name, e] of Object.entries(saved.objects.Node ?? {})) {
    const rec = e.rec as { usedCpuMilli: number; usedMemBytes: number; active: number };
    const mine = activeOn(name);
    expect(rec.usedCpuMilli).toBe(mine.reduce((sum, x) => sum + (x.rec as VmiRec).pod.cpuMilli, 0));
    expect(rec.usedMemBytes).toBe(mine.reduce((sum, x) => sum + (x.rec as VmiRec).pod.memBytes, 0));
    expect(rec.active).toBe(mine.length);
  }
  // Nothing in flight at quiescence but evacuation retries waiting for their backoff (a timer, docs/harness-choices.md §5).
  const clock = (saved.books as { clock: number }).clock;
  const backingOff = Object.values(saved.objects.VirtualMachineInstanceMigration ?? {}).filter(
    (e) => (e.obj.status as { phase: string }).phase === 'Pending' && ((e.rec as { notBefore?: number }).notBefore ?? 0) > clock,
  );
  expect(c.core.migrationsInFlight()).toBe(backingOff.length);
}

describe('model properties over random command sequences', () => {
  it('invariants hold at every quiescent point (one VMI per VM, Ready nodes, VF capacity, RWO on one node, Halted ⇒ no VMI, R-PS first match)', () => {
    fc.assert(
      fc.property(fc.array(cmd, { minLength: 1, maxLength: 40 }), (cmds) => {
        const c = setup(0);
        for (const x of cmds) {
          run(c, x);
          c.settle();
          checkInvariants(c, c.observe());
        }
      }),
      { numRuns: 300 },
    );
  });

  it('the async ClusterBackend and the synchronous driver produce the same trace', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(cmd, { minLength: 1, maxLength: 25 }), async (cmds) => {
        const c = setup(0);
        const b = createModelBackend();
        for (const o of baseObjects()) await b.apply(o);
        await b.settle(1000);
        for (const x of cmds) {
          const r1 = run(c, x);
          c.settle();
          const r2 = await run(b, x);
          await b.settle(1000);
          expect(r2).toEqual(r1);
          expect(await b.observe()).toEqual(c.observe());
        }
      }),
      { numRuns: 60 },
    );
  });

  it('same seed ⇒ same trace (answers and observations)', () => {
    fc.assert(
      fc.property(fc.array(cmd, { minLength: 1, maxLength: 30 }), fc.integer({ min: 0, max: 1000 }), (cmds, seed) => {
        const trace = () => {
          const c = setup(seed);
          return cmds.map((x) => {
            const r = run(c, x);
            c.settle();
            return JSON.stringify([r, c.observe()]);
          });
        };
        expect(trace()).toEqual(trace());
      }),
      { numRuns: 100 },
    );
  });
});
