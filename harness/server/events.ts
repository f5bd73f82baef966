/**
 * Events, as KubeVirt's controllers record them, derived from the
 * transitions the change feed sees (the cluster core records none): the VM
 * controller's SuccessfulCreate / SuccessfulDelete
 * (pkg/virt-controller/watch/vm/vm.go), virt-handler's Created, Started,
 * Stopped, Migrated (pkg/virt-handler/vm.go, controller.go,
 * migration-target.go) and Paused / Unpaused (pkg/virt-handler/rest/
 * lifecycle.go), with their reasons, types and messages. A transition the
 * feed coalesced (two changes between scans) yields the events of the
 * states it saw. Internal to harness/server.
 */
import type { ApiObject, VmiStatus } from '../cluster/index.ts';

export interface EventSpec {
  involved: ApiObject;
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
  component: 'virt-controller' | 'virt-handler';
}

const phaseOf = (o: ApiObject | undefined) => (o?.status as VmiStatus | undefined)?.phase;
const nodeOf = (o: ApiObject | undefined) => (o?.status as VmiStatus | undefined)?.nodeName ?? null;
const paused = (o: ApiObject | undefined) => !!(o?.status as VmiStatus | undefined)?.conditions?.some((c) => c.type === 'Paused' && c.status === 'True');
const ownerVm = (vmi: ApiObject) => vmi.metadata.ownerReferences?.find((r) => r.kind === 'VirtualMachine');

/** The events of one VMI change; `vm` finds the VM owning it. */
export function vmiEvents(prev: ApiObject | undefined, next: ApiObject | undefined, vm: (name: string) => ApiObject | undefined): EventSpec[] {
  const out: EventSpec[] = [];
  const vmi = (next ?? prev)!;
  const owner = ownerVm(vmi);
  const ownerObj = owner ? vm(owner.name) : undefined;
  if (!prev && next && ownerObj) out.push({ involved: ownerObj, type: 'Normal', reason: 'SuccessfulCreate', message: `Started the virtual machine by creating the new virtual machine instance ${vmi.metadata.name}`, component: 'virt-controller' });
  if (!next) {
    if (ownerObj) out.push({ involved: ownerObj, type: 'Normal', reason: 'SuccessfulDelete', message: `Stopped the virtual machine by deleting the virtual machine instance ${vmi.metadata.uid}`, component: 'virt-controller' });
    return out;
  }
  const was = phaseOf(prev);
  const is = phaseOf(next);
  if (is === 'Running' && was !== 'Running') {
    out.push({ involved: next, type: 'Normal', reason: 'Created', message: 'VirtualMachineInstance defined.', component: 'virt-handler' });
    out.push({ involved: next, type: 'Normal', reason: 'Started', message: 'VirtualMachineInstance started.', component: 'virt-handler' });
  }
  if (is === 'Running' && was === 'Running' && nodeOf(prev) !== nodeOf(next) && nodeOf(next)) out.push({ involved: next, type: 'Normal', reason: 'Migrated', message: `The VirtualMachineInstance migrated to node ${nodeOf(next)}.`, component: 'virt-handler' });
  if (paused(next) && !paused(prev)) out.push({ involved: next, type: 'Normal', reason: 'Paused', message: 'VirtualMachineInstance paused', component: 'virt-handler' });
  if (!paused(next) && paused(prev)) out.push({ involved: next, type: 'Normal', reason: 'Unpaused', message: 'VirtualMachineInstance unpaused', component: 'virt-handler' });
  if (is === 'Succeeded' && was !== 'Succeeded') out.push({ involved: next, type: 'Normal', reason: 'Stopped', message: 'The VirtualMachineInstance was shut down.', component: 'virt-handler' });
  if (is === 'Failed' && was !== 'Failed') out.push({ involved: next, type: 'Warning', reason: 'Stopped', message: 'The VirtualMachineInstance crashed.', component: 'virt-handler' });
  return out;
}

let seq = 0;

/** The core/v1 Event object of a spec at `now` (ms). */
export function eventObject(e: EventSpec, now: number): ApiObject {
  const t = new Date(now).toISOString().replace(/\.\d+Z$/, 'Z');
  const i = e.involved;
  // the apiserver's event names: <object>.<hex timestamp>
  const name = `${i.metadata.name}.${(now * 1000 + (seq++ % 1000)).toString(16)}`;
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name, namespace: i.metadata.namespace ?? 'default', uid: `event-${name}`, resourceVersion: '', creationTimestamp: t },
    involvedObject: { apiVersion: i.apiVersion, kind: i.kind, name: i.metadata.name, namespace: i.metadata.namespace ?? 'default', uid: i.metadata.uid, resourceVersion: i.metadata.resourceVersion },
    reason: e.reason,
    message: e.message,
    type: e.type,
    source: { component: e.component },
    firstTimestamp: t,
    lastTimestamp: t,
    count: 1,
    reportingComponent: '',
    reportingInstance: '',
  } as unknown as ApiObject;
}
