/**
 * The VMI spec a VM controller creates: instance type and preference
 * applied (R-I1), then the cluster defaults (docs/spec.md §12): auto-attached pod
 * network with the default binding, eviction strategy. The default grace
 * period is not written into the spec (KubeVirt leaves it unset, and a stop
 * on a Halted VM compares with it only when set: R-V2); the cluster core
 * applies it when the VMI stops. Public.
 */
import { setDefaultVolumeDisk } from './defaults.ts';
import { matcherKind } from './virtualmachine.ts';
import { applyInstancetype } from './applyInstancetype.ts';
import { DEFAULT_CLUSTER_CONFIG } from './clusterconfig.ts';
import type {
  ClusterConfig,
  InstancetypeMatcher,
  InstancetypeSpec,
  PreferenceMatcher,
  PreferenceSpec,
  VirtualMachine,
  VirtualMachineInstanceSpec,
} from './types.ts';

/** How the caller finds referenced objects (the cluster store). Public. */
export interface SpecLookups {
  instancetype(m: Required<InstancetypeMatcher>): InstancetypeSpec | undefined;
  preference(m: Required<PreferenceMatcher>): PreferenceSpec | undefined;
  cluster?: ClusterConfig['spec'];
}

export type VmiSpecResult =
  | { ok: true; spec: VirtualMachineInstanceSpec }
  | { ok: false; reason: 'InstancetypeNotFound' | 'PreferenceNotFound'; message: string };

/**
 * Applies the cluster defaults to a VMI spec (also for standalone VMIs). Pure;
 * returns `spec` itself when nothing is defaulted. Public.
 */
export function applyClusterDefaults(spec: VirtualMachineInstanceSpec, cluster?: ClusterConfig['spec']): VirtualMachineInstanceSpec {
  const c = { ...DEFAULT_CLUSTER_CONFIG, ...cluster };
  const dev = spec.domain.devices;
  const autoattach =
    dev.autoattachPodInterface !== false && (dev.interfaces?.length ?? 0) === 0 && (spec.networks?.length ?? 0) === 0;
  const needEviction = spec.evictionStrategy === undefined;
  if (!autoattach && !needEviction) return spec;
  const out: VirtualMachineInstanceSpec = { ...spec };
  if (needEviction) out.evictionStrategy = c.evictionStrategy;
  if (autoattach) {
    const binding = c.defaultNetworkInterface === 'bridge' ? { bridge: {} } : { masquerade: {} };
    out.domain = { ...spec.domain, devices: { ...dev, interfaces: [{ name: 'default', ...binding }] } };
    out.networks = [{ name: 'default', pod: {} }];
  }
  return out;
}

/** The VMI spec for a VM, or why it cannot be built. Public. */
type InstancetypeKind = NonNullable<NonNullable<VirtualMachine['spec']['instancetype']>['kind']>;
type PreferenceKind = NonNullable<NonNullable<VirtualMachine['spec']['preference']>['kind']>;

export function vmiSpecFromVm(vm: VirtualMachine, lookups: SpecLookups): VmiSpecResult {
  let it: InstancetypeSpec | undefined;
  let pref: PreferenceSpec | undefined;
  const im = vm.spec.instancetype;
  if (im !== undefined) {
    const kind = (matcherKind(im.kind, 'VirtualMachineInstancetype', 'VirtualMachineClusterInstancetype') ?? im.kind) as InstancetypeKind;
    it = lookups.instancetype({ name: im.name, kind });
    if (it === undefined) return { ok: false, reason: 'InstancetypeNotFound', message: `${kind} ${im.name} not found` };
  }
  const pm = vm.spec.preference;
  if (pm !== undefined) {
    const kind = (matcherKind(pm.kind, 'VirtualMachinePreference', 'VirtualMachineClusterPreference') ?? pm.kind) as PreferenceKind;
    pref = lookups.preference({ name: pm.name, kind });
    if (pref === undefined) return { ok: false, reason: 'PreferenceNotFound', message: `${kind} ${pm.name} not found` };
  }
  // The VMI the controller creates passes the VMI mutating webhook: a disk for every volume (defaults.ts).
  return { ok: true, spec: setDefaultVolumeDisk(applyClusterDefaults(applyInstancetype(vm.spec, it, pref), lookups.cluster)) };
}
