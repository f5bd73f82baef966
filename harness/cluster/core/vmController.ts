/**
 * The VirtualMachine controller (R-RS*, R-V9, R-PS): apply of a VM, the
 * dirty queue, run-strategy reactions, state-change requests, crash-loop
 * bookkeeping, and the facts printableStatus is computed from. Internal to
 * the cluster core.
 */
import type { InstancetypeSpec, PreferenceSpec, RunStrategy, VirtualMachine, VirtualMachineInstanceSpec } from '../../api/types.ts';
import { applyInstancetype } from '../../api/index.ts';
import { OK, type Result } from '../../contract/index.ts';
import { BACKOFF_STRATEGIES, type Situation, type VmStatusFacts } from '../rules.ts';
import { ERR } from '../messages.ts';
import { FINAL, START, type CoreState, type VmState, type VmiState } from './CoreState.ts';
import { applyDv, deleteDv } from './storage.ts';
import { createVmi, deleteVmi } from './vmiLifecycle.ts';
import { template } from './vmiTemplate.ts';

/** Applies a VirtualMachine (admission: not being deleted, instancetype / preference exist). Internal. */
export function applyVm(s: CoreState, obj: VirtualMachine): Result {
  const name = obj.metadata.name;
  const existing = s.vms.get(name);
  if (existing?.deleting) return ERR.conflict(`Operation cannot be fulfilled on virtualmachines.kubevirt.io "${name}": the object is being deleted`);
  const resolved = resolveVmSpec(s, obj);
  if (!resolved.ok) return resolved.result;
  const strategy: RunStrategy = obj.spec.runStrategy ?? (obj.spec.running ? 'Always' : 'Halted');
  const dvNames = (obj.spec.dataVolumeTemplates ?? []).map((t) => t.metadata.name);
  let vm = existing;
  if (!vm) {
    vm = {
      name,
      obj,
      strategy,
      lastStrategy: null,
      requests: [],
      startFailures: 0,
      backoff: false,
      recreate: false,
      startPaused: false,
      deleting: false,
      dirty: false,
      vmi: null,
      spec: resolved.spec,
      tmpl: null,
      dvNames,
    };
    s.vms.set(name, vm);
  } else {
    vm.obj = obj;
    vm.strategy = strategy;
    vm.spec = resolved.spec;
    vm.tmpl = null;
    vm.dvNames = dvNames;
  }
  for (const t of obj.spec.dataVolumeTemplates ?? []) applyDv(s, t.metadata.name, t.spec, name);
  markDirty(s, vm);
  return OK;
}

/**
 * Admission that needs cluster state: a referenced instancetype or
 * preference (cluster-wide by default, R-I1) must exist.
 */
function resolveVmSpec(s: CoreState, obj: VirtualMachine): { ok: true; spec: VirtualMachineInstanceSpec } | { ok: false; result: Result } {
  const itRef = obj.spec.instancetype;
  const itKind = itRef?.kind ?? 'VirtualMachineClusterInstancetype';
  const it = itRef && (s.store.get(itKind)?.get(itRef.name) as { spec: InstancetypeSpec } | undefined);
  if (itRef && !it) return { ok: false, result: ERR.instancetypeNotFound(itKind, itRef.name) };
  const pRef = obj.spec.preference;
  const pKind = pRef?.kind ?? 'VirtualMachineClusterPreference';
  const pref = pRef && (s.store.get(pKind)?.get(pRef.name) as { spec: PreferenceSpec } | undefined);
  if (pRef && !pref) return { ok: false, result: ERR.preferenceNotFound(pKind, pRef.name) };
  return { ok: true, spec: applyInstancetype(obj.spec, it?.spec, pref?.spec) };
}

/** Marks a VM deleted (its VMI, DataVolumes and finalizers are the controller's work). Internal. */
export function requestVmDeletion(s: CoreState, vm: VmState): void {
  vm.deleting = true;
  markDirty(s, vm);
}

/** Queues a VM for the controller (once). Internal. */
export function markDirty(s: CoreState, vm: VmState): void {
  if (vm.dirty) return;
  vm.dirty = true;
  s.dirtyVms[s.dirtyLen++] = vm;
}

/** Runs the VM controller until its queue is empty (re-entrant calls return at once). Internal. */
export function reconcileAll(s: CoreState): void {
  if (s.reconciling || s.dirtyLen === 0) return;
  s.reconciling = true;
  try {
    // the queue grows while it is worked off; it is reused, never shrunk
    for (let i = 0; i < s.dirtyLen; i++) {
      const vm = s.dirtyVms[i]!;
      s.dirtyVms[i] = null;
      vm.dirty = false;
      reconcileVm(s, vm);
    }
    s.dirtyLen = 0;
  } finally {
    s.reconciling = false;
  }
}

/** The VM's VMI as the run-strategy table sees it. */
function situation(vm: VmState): Situation {
  const v = vm.vmi;
  if (!v) return 'noVmi';
  if (v.phase === 'Succeeded') return 'succeeded';
  if (v.phase === 'Failed') return 'failed';
  return 'active';
}

/** One VM: deletion, stop requests, then its strategy's reaction, until nothing more to do. */
function reconcileVm(s: CoreState, vm: VmState): void {
  for (let guard = 0; guard < 8; guard++) {
    if (vm.deleting) {
      if (vm.vmi) {
        if (!vm.vmi.deleting) deleteVmi(s, vm.vmi, null);
        if (vm.vmi) return;
      }
      s.vms.delete(vm.name);
      for (const dv of vm.dvNames) {
        const d = s.dvs.get(dv);
        if (d && d.ownerVm === vm.name) deleteDv(s, d);
      }
      return;
    }
    trimRequests(vm);
    const vmi = vm.vmi;
    const head = vm.requests[0];
    if (vmi && head?.action === 'Stop' && head.uid === vmi.uid) {
      if (!vmi.deleting) deleteVmi(s, vmi, null);
      if (vm.vmi) break; // waits for the launcher to exit
      continue;
    }
    const reaction = s.rules.runStrategy[vm.strategy][situation(vm)];
    let acted = false;
    switch (reaction) {
      case 'keep':
        if (!vmi) vm.recreate = false; // a pending recreate does not survive a switch to a keeping strategy
        break;
      case 'create':
        if (!vm.backoff) acted = startVmi(s, vm);
        break;
      case 'createOnRequest':
        if (head?.action === 'Start' || vm.recreate) acted = startVmi(s, vm);
        break;
      case 'createOnRequestOrSwitch':
        if (head?.action === 'Start' || vm.recreate || vm.lastStrategy !== vm.strategy) acted = startVmi(s, vm);
        break;
      case 'delete':
      case 'deleteRecreate':
      case 'deleteRequestStart':
        if (vmi && !vmi.deleting) {
          const ranOk = vmi.everRunning || !BACKOFF_STRATEGIES.includes(vm.strategy);
          if (reaction === 'deleteRecreate' && ranOk) vm.recreate = true;
          if (reaction === 'deleteRequestStart' && ranOk) vm.requests.push(START);
          deleteVmi(s, vmi, null);
          acted = vm.vmi === null;
        }
        break;
    }
    if (!acted) break;
  }
  if (vm.lastStrategy !== null || vm.vmi !== null) vm.lastStrategy = vm.strategy;
}

/** R-V9: drop requests that no longer apply (REFERENCE §1.4). */
function trimRequests(vm: VmState): void {
  for (;;) {
    const h = vm.requests[0];
    if (!h) return;
    const v = vm.vmi;
    if (h.action === 'Stop' && (!v || v.uid !== h.uid)) vm.requests.shift();
    else if (h.action === 'Start' && v && !FINAL(v.phase) && !v.deleting) vm.requests.shift();
    else return;
  }
}

/** Creates the VM's VMI from its (cached) template; false when it has one. */
function startVmi(s: CoreState, vm: VmState): boolean {
  if (vm.vmi) return false;
  if (vm.backoff && !(vm.requests[0]?.action === 'Start')) return false;
  const head = vm.requests[0];
  const paused = vm.startPaused || (head?.action === 'Start' && head.paused);
  vm.startPaused = false;
  vm.recreate = false;
  if (!vm.tmpl || vm.tmpl.version !== s.version) vm.tmpl = template(s, vm.spec);
  vm.vmi = createVmi(s, vm.name, vm, vm.tmpl, paused);
  trimRequests(vm);
  return true;
}

/** A VMI that ended: crash-loop bookkeeping (R-RS6) and the owner's reaction. */
export function onVmiFinal(s: CoreState, vmi: VmiState): void {
  const vm = vmi.owner;
  if (!vm) return;
  if (!vmi.everRunning && !vmi.deleting && BACKOFF_STRATEGIES.includes(vm.strategy)) {
    vm.startFailures++;
    vm.backoff = true;
  }
  markDirty(s, vm);
}

/** The facts of a VM's printableStatus (R-PS). Internal. */
export function statusFacts(s: CoreState, vm: VmState): VmStatusFacts {
  const v = vm.vmi;
  let dvError = false;
  let dvProvisioning = false;
  let pvcUnbound = false;
  const dvNames = new Set(vm.dvNames);
  for (const vol of vm.spec.volumes ?? []) {
    if (vol.dataVolume) dvNames.add(vol.dataVolume.name);
    const claim = vol.persistentVolumeClaim?.claimName ?? vol.dataVolume?.name;
    if (claim !== undefined) {
      const p = s.pvcs.get(claim);
      if (p && p.phase !== 'Bound') pvcUnbound = true;
    }
  }
  for (const n of dvNames) {
    const d = s.dvs.get(n);
    if (!d) continue;
    if (d.phase === 'Failed') dvError = true;
    else if (d.phase !== 'Succeeded') dvProvisioning = true;
  }
  const head = vm.requests[0];
  const live = v !== null && !FINAL(v.phase);
  const setToStart = live || vm.strategy === 'Always' || vm.strategy === 'Once' || head?.action === 'Start';
  const reaction = s.rules.runStrategy[vm.strategy][situation(vm)];
  const expectCreate =
    v === null &&
    !vm.backoff &&
    (reaction === 'create' ||
      ((reaction === 'createOnRequest' || reaction === 'createOnRequestOrSwitch') && (head?.action === 'Start' || vm.recreate)));
  return {
    deleting: vm.deleting,
    vmiPhase: v?.phase ?? null,
    vmiFinal: v !== null && FINAL(v.phase),
    vmiDeleting: v?.deleting ?? false,
    expectDelete: v !== null && ((head?.action === 'Stop' && head.uid === v.uid) || (live && reaction === 'delete') || v.shuttingDown),
    migrating: v?.activeMigration?.phase === 'Running',
    paused: v?.paused ?? false,
    syncReason: v?.sync?.reason ?? null,
    unschedulable: v?.unschedulable != null,
    dvError,
    dvProvisioning,
    setToStart,
    pvcUnbound,
    expectCreate,
    startFailures: vm.startFailures,
    strategy: vm.strategy,
  };
}
