/**
 * VMI objects: creation (MACs given here), the status KubeVirt writes from
 * the controllers' and virt-handler's facts (conditions, interfaces), the
 * end of a VMI and a deletion request. Shared by the controllers that create
 * or delete VMIs, the node-event handler and the commands. Internal to the
 * cluster core.
 */
import type { Condition, OwnerReference, VmiInterfaceStatus, VmiPhase } from '../store/objects.ts';
import type { Nic } from '../store/records.ts';
import type { Store } from '../store/Store.ts';
import { generatedMac } from '../ipam.ts';
import { clusterDefaults } from './cluster.ts';
import type { VmiEntry } from './placement.ts';
import type { SpecNic, VmiTemplate } from './template.ts';

const MIGRATABLE = Object.freeze({ status: 'True' as const });

/** A new VMI's NIC: its spec MAC, else the next generated one. */
function vmiNic(s: Store, n: SpecNic, specMac: string | null): Nic {
  return {
    name: n.name,
    kind: n.kind,
    podBinding: n.podBinding,
    network: n.network,
    mac: specMac ?? generatedMac(s.counters.macs++),
    macSource: specMac ? 'spec' : 'generated',
    ipv4Cidr: n.kind === 'pod' ? '10.0.2.2/24' : null,
    vf: null,
    model: n.model,
  };
}

/** Creates a VMI object (Pending) from a template; the VMI controller takes it from there. */
export function createVmi(s: Store, name: string, owner: OwnerReference | null, tmpl: VmiTemplate, startPaused: boolean, labels?: Record<string, string>): VmiEntry {
  const tn = tmpl.nics;
  // one NIC, the usual case, without map's closure
  const nics = tn.length === 1 ? [vmiNic(s, tn[0]!, tmpl.specMacs[0]!)] : tn.map((n, i) => vmiNic(s, n, tmpl.specMacs[i]!));
  const spec = tmpl.spec;
  // vm.go SetupVMIFromVM (and the replica set's template): the VMI carries its template's labels
  const metadata = { name, ...(owner ? { ownerReferences: [owner] } : {}), ...(labels ? { labels: { ...labels } } : {}) };
  const obj = {
    apiVersion: 'kubevirt.io/v1',
    kind: 'VirtualMachineInstance',
    metadata: metadata as VmiEntry['obj']['metadata'],
    spec,
    status: { phase: 'Pending' as VmiPhase, nodeName: undefined, conditions: [] as Condition[], interfaces: interfaces(nics), migrationState: undefined },
  };
  const e = s.create(obj, {
    seq: ++s.counters.vmiSeq,
    cpu: tmpl.cpu,
    memMiB: tmpl.memMiB,
    pod: tmpl.pod,
    claims: tmpl.claims,
    nics,
    simple: tmpl.simple,
    imageBlocker: tmpl.imageBlocker,
    everRunning: false,
    launched: false,
    paused: false,
    pauseReason: null,
    agent: false,
    startPaused,
    shuttingDown: false,
    deletionSeen: false,
    grace: spec.terminationGracePeriodSeconds ?? clusterDefaults(s).terminationGracePeriodSeconds,
    graceSet: spec.terminationGracePeriodSeconds !== undefined,
    sync: null,
    unschedulable: null,
    migratable: MIGRATABLE,
    activeMigration: null,
    launch: null,
    waitingVolumes: false,
    released: false,
    ownerFinalizer: owner?.kind === 'VirtualMachine',
  }) as VmiEntry;
  writeConditions(e);
  return e;
}

/** status.interfaces from the placed NICs. */
function interfaces(nics: readonly Nic[]): VmiInterfaceStatus[] {
  const out: VmiInterfaceStatus[] = new Array(nics.length);
  for (let i = 0; i < nics.length; i++) {
    const n = nics[i]!;
    out[i] = n.ipv4Cidr === null ? { name: n.name, mac: n.mac } : { name: n.name, mac: n.mac, ipAddress: n.ipv4Cidr.slice(0, n.ipv4Cidr.indexOf('/')) };
  }
  return out;
}

/** Rewrites status.interfaces after the NICs changed (placement, release, migration). */
export function writeInterfaces(e: VmiEntry): void {
  e.obj.status.interfaces = interfaces(e.rec.nics);
}

const READY_TRUE: Condition = Object.freeze({ type: 'Ready', status: 'True' });
/** Paused: the launcher pod's readiness gate is False (the harness leaves the pod's reason out). */
const READY_FALSE: Condition = Object.freeze({ type: 'Ready', status: 'False' });
/** vmi lifecycle.go syncReadyConditionFromPod: Ready=False with the reason of the launcher pod's state. */
const READY_NO_POD: Condition = Object.freeze({ type: 'Ready', status: 'False', reason: 'PodNotExists', message: 'virt-launcher pod has not yet been scheduled' });
const READY_POD_DOWN: Condition = Object.freeze({ type: 'Ready', status: 'False', reason: 'PodTerminating', message: 'virt-launcher pod is terminating' });
const READY_GUEST_NOT_RUNNING: Condition = Object.freeze({ type: 'Ready', status: 'False', reason: 'GuestNotRunning', message: 'Guest VM is not reported as running' });
const AGENT: Condition = Object.freeze({ type: 'AgentConnected', status: 'True' });
const LIVE_MIGRATABLE: Condition = Object.freeze({ type: 'LiveMigratable', status: 'True' });
const PAUSED_BY_USER: Condition = Object.freeze({ type: 'Paused', status: 'True', reason: 'PausedByUser' });
const PAUSED_IO_ERROR: Condition = Object.freeze({ type: 'Paused', status: 'True', reason: 'PausedIOError' });

/** The Ready condition (R-P2; vmi lifecycle.go syncReadyConditionFromPod): no launcher pod yet, a pod that is down, a guest not running, or the pod's readiness. */
function ready(e: VmiEntry): Condition {
  const phase = e.obj.status.phase;
  if (isDeleting(e) && e.rec.launched) return READY_POD_DOWN; // the VMI controller deletes the launcher pod at once
  if (phase === 'Running') return e.rec.paused ? READY_FALSE : READY_TRUE;
  if (phase === 'Succeeded' || phase === 'Failed') return READY_POD_DOWN; // the launcher pod completed (it stays while the VMI does)
  return phase === 'Pending' ? READY_NO_POD : READY_GUEST_NOT_RUNNING;
}

/** status.conditions from the VMI's facts (R-P2): Ready, Paused, AgentConnected, LiveMigratable, PodScheduled, Synchronized. */
export function writeConditions(e: VmiEntry): void {
  const r = e.rec;
  const running = e.obj.status.phase === 'Running';
  const c: Condition[] = [ready(e)];
  if (running && r.paused) c.push(r.pauseReason === 'ioError' ? PAUSED_IO_ERROR : PAUSED_BY_USER);
  if (running && r.agent) c.push(AGENT);
  if (running) {
    const m = r.migratable;
    c.push(m.status === 'True' ? LIVE_MIGRATABLE : { type: 'LiveMigratable', status: 'False', reason: m.reason!, message: m.message ?? '' });
  }
  if (r.unschedulable !== null && e.obj.status.phase === 'Scheduling') c.push({ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: r.unschedulable });
  // vmi lifecycle.go updateStatus (Pending, no pod): a missing PVC also makes PodScheduled False/Unschedulable
  else if (r.sync?.reason === 'FailedPvcNotFound' && e.obj.status.phase === 'Pending') c.push({ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: r.sync.message });
  if (r.sync) c.push({ type: 'Synchronized', status: 'False', reason: r.sync.reason, message: r.sync.message });
  e.obj.status.conditions = c;
}

/** A VMI becomes final (its launcher ended, or it never launched): the VMI controller releases what it held. */
export function endVmi(s: Store, e: VmiEntry, phase: 'Succeeded' | 'Failed'): void {
  const st = e.obj.status;
  if (st.phase === 'Succeeded' || st.phase === 'Failed') return;
  st.phase = phase;
  e.rec.paused = false;
  e.rec.agent = false;
  e.rec.waitingVolumes = false;
  writeConditions(e);
  s.touch(e);
}

/** Asks for a VMI's deletion (deletionTimestamp); `grace` overrides its grace period. The VMI controller acts on it. */
export function deleteVmi(s: Store, e: VmiEntry, now: string, grace: number | null = null): void {
  if (grace !== null) e.rec.grace = grace;
  e.obj.metadata.deletionTimestamp ??= now;
  writeConditions(e);
  s.touch(e);
}

/** Whether a VMI was asked to be deleted. */
export const isDeleting = (e: { obj: { metadata: { deletionTimestamp?: string } } }): boolean => e.obj.metadata.deletionTimestamp !== undefined;

/** The controlling owner of an object, if any. */
export function controllerOf(meta: { ownerReferences?: OwnerReference[] }): OwnerReference | undefined {
  const refs = meta.ownerReferences;
  return refs && refs.length > 0 ? refs[0] : undefined;
}

/** An ownerReference to a VM, replica set or pool entry. */
export function ownerRef(o: { apiVersion: string; kind: string; metadata: { name: string; uid: string } }): OwnerReference {
  return { apiVersion: o.apiVersion, kind: o.kind, name: o.metadata.name, uid: o.metadata.uid, controller: true };
}

/** The virtual clock as an RFC 3339 timestamp (deletionTimestamp and the like). */
export function timestamp(ms: number): string {
  return new Date(ms).toISOString();
}
