/**
 * Read-only objects the server derives from the store: the virt-launcher
 * Pod of each VMI (KubeVirt names it `virt-launcher-<vmi>-<5 chars>`,
 * pkg/virt-controller/services/template.go: GenerateName
 * `virt-launcher-<vmi>-`; labels kubevirt.io=virt-launcher,
 * vm.kubevirt.io/name, kubevirt.io/created-by = the VMI's uid) and the
 * namespace. Internal to harness/server.
 */
import type { ApiObject, VmiStatus } from '../cluster/index.ts';
import { NAMESPACE } from '../cluster/index.ts';
import type { View } from './feed.ts';

/** The alphabet of apiserver-generated name suffixes (k8s.io/apimachinery pkg/util/rand String). */
const ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** A stable 5-character suffix from a uid (FNV-1a), so a VMI's pod keeps its name. */
export function suffixOf(uid: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < uid.length; i++) h = Math.imul(h ^ uid.charCodeAt(i), 0x01000193) >>> 0;
  let s = '';
  for (let i = 0; i < 5; i++) {
    s += ALPHABET[h % ALPHABET.length];
    h = Math.floor(h / ALPHABET.length) ^ Math.imul(h, 31);
    h >>>= 0;
  }
  return s;
}

/** The pod phase of a VMI phase: the launcher pod exists from scheduling on. */
const POD_PHASE: Readonly<Record<string, string>> = { Scheduling: 'Pending', Scheduled: 'Running', Running: 'Running', Succeeded: 'Succeeded', Failed: 'Failed' };

export function launcherPod(vmi: ApiObject): ApiObject | null {
  const st = vmi.status as VmiStatus;
  const phase = POD_PHASE[st.phase];
  if (phase === undefined) return null;
  const ip = st.interfaces?.[0]?.ipAddress;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `virt-launcher-${vmi.metadata.name}-${suffixOf(vmi.metadata.uid)}`,
      namespace: vmi.metadata.namespace ?? NAMESPACE,
      uid: `pod-${vmi.metadata.uid}`,
      resourceVersion: '',
      generation: 1,
      creationTimestamp: vmi.metadata.creationTimestamp,
      labels: { 'kubevirt.io': 'virt-launcher', 'kubevirt.io/created-by': vmi.metadata.uid, 'vm.kubevirt.io/name': vmi.metadata.name, ...(st.nodeName ? { 'kubevirt.io/nodeName': st.nodeName } : {}) },
      ownerReferences: [{ apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance', name: vmi.metadata.name, uid: vmi.metadata.uid, controller: true, blockOwnerDeletion: true }],
    },
    spec: { nodeName: st.nodeName ?? undefined, containers: [{ name: 'compute', image: 'vmconform/virt-launcher' }] },
    status: { phase, ...(ip && phase === 'Running' ? { podIP: ip } : {}), ...(st.nodeName ? { hostIP: st.nodeName } : {}) },
  } as unknown as ApiObject;
}

export const VIEWS: readonly View[] = [{ kind: 'Pod', from: 'VirtualMachineInstance', build: launcherPod }];

/** The one namespace (harness/cluster NAMESPACE), Active. */
export function namespaceObject(created: string): ApiObject {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: NAMESPACE, uid: 'namespace-default', resourceVersion: '1', creationTimestamp: created, labels: { 'kubernetes.io/metadata.name': NAMESPACE } },
    spec: { finalizers: ['kubernetes'] },
    status: { phase: 'Active' },
  } as unknown as ApiObject;
}
