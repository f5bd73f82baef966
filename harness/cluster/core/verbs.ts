/**
 * VM verbs (R-V1..R-V8, R-SA1): start, stop, restart, migrate and the VMI
 * subresources pause, unpause and soft-reboot. Internal to the cluster core.
 */
import { OK, type Result, type VmAction } from '../../contract/index.ts';
import { ERR } from '../messages.ts';
import { FINAL, START, emit, type CoreState, type VmState, type VmiState } from './CoreState.ts';
import { createMigration } from './migrations.ts';
import { markDirty } from './vmController.ts';
import { requestShutdown } from './vmiLifecycle.ts';

/**
 * VMI subresource verbs (R-V5..R-V7; also on standalone VMIs, R-SA1): the
 * answer when the VMI (or the VM's VMI) is not Running, then the verb's own
 * precondition. A VM without a VMI answers `notRunning`; an unknown name 404.
 */
const VMI_SUBRESOURCES: Record<'pause' | 'unpause' | 'softReboot', { notRunning: () => Result; deny: (v: VmiState) => Result | null }> = {
  pause: { notRunning: ERR.vmNotRunning, deny: (v) => (v.paused ? ERR.alreadyPaused() : null) },
  unpause: { notRunning: ERR.vmiNotRunning, deny: (v) => (v.paused ? null : ERR.notPaused()) },
  softReboot: {
    notRunning: ERR.vmNotRunning,
    deny: (v) => (v.paused ? ERR.vmiPaused() : !v.agent && v.spec.domain.features?.acpi?.enabled === false ? ERR.noAgentNoAcpi() : null),
  },
};

/** A VM verb, validated as KubeVirt's subresource API does. Internal. */
export function verb(s: CoreState, a: VmAction): Result {
  switch (a.verb) {
    case 'start':
      return start(s, a.name, a.paused ?? false);
    case 'stop':
      return stop(s, a.name, a.gracePeriod ?? null);
    case 'restart':
      return restart(s, a.name, a.gracePeriod ?? null);
    case 'migrate': {
      if (!s.vms.has(a.name) && !standalone(s, a.name)) return ERR.vmNotFound(a.name);
      const vmi = s.vmis.get(a.name);
      if (!vmi) return ERR.vmiNotFound(a.name);
      if (vmi.phase !== 'Running') return ERR.vmNotRunning();
      return createMigration(s, a.name, null);
    }
    case 'pause':
    case 'unpause':
    case 'softReboot': {
      const rule = VMI_SUBRESOURCES[a.verb];
      const v = s.vmis.get(a.name);
      if (!v) return s.vms.has(a.name) ? rule.notRunning() : ERR.vmiNotFound(a.name);
      const denied = v.phase !== 'Running' ? rule.notRunning() : rule.deny(v);
      if (denied) return denied;
      emit(s, { type: a.verb, uid: v.uid });
      return OK;
    }
  }
}

/** The VMI of that name when no VM owns it. */
function standalone(s: CoreState, name: string): VmiState | null {
  const v = s.vmis.get(name);
  return v && !v.owner ? v : null;
}

/** A start, stop or restart request clears the crash-loop count (R-RS6). */
function clearFailures(vm: VmState): void {
  vm.startFailures = 0;
  vm.backoff = false;
}

/** virtctl start (R-V1). */
function start(s: CoreState, name: string, paused: boolean): Result {
  const vm = s.vms.get(name);
  if (!vm) return ERR.vmNotFound(name);
  const v = vm.vmi;
  if (v && !FINAL(v.phase)) return ERR.alreadyRunning();
  switch (vm.strategy) {
    case 'Halted':
      if (paused) {
        if (vm.requests.length > 0) return ERR.underway();
        vm.startPaused = true;
      }
      vm.strategy = 'Always';
      break;
    case 'Manual':
      if (vm.requests.length > 0) return ERR.underway();
      vm.requests = v ? [{ action: 'Stop', uid: v.uid }, { action: 'Start', paused }] : [{ action: 'Start', paused }];
      break;
    case 'RerunOnFailure':
      if (v?.phase === 'Failed') return ERR.rerunFromFailed();
      if (vm.requests.length > 0) return ERR.underway();
      vm.requests = v ? [{ action: 'Stop', uid: v.uid }, { action: 'Start', paused }] : [{ action: 'Start', paused }];
      break;
    default:
      return ERR.noManualStart(vm.strategy);
  }
  clearFailures(vm);
  markDirty(s, vm);
  return OK;
}

/** virtctl stop, with an optional grace period (R-V2). */
function stop(s: CoreState, name: string, grace: number | null): Result {
  const vm = s.vms.get(name);
  if (!vm) return ERR.vmNotFound(name);
  const v = vm.vmi;
  const live = v !== null && !FINAL(v.phase);
  switch (vm.strategy) {
    case 'Always':
    case 'Once':
      if (live && grace !== null) patchGrace(s, v, grace);
      vm.strategy = 'Halted';
      break;
    case 'Manual':
    case 'RerunOnFailure':
      if (!live) return ERR.vmNotRunning();
      if (grace !== null) patchGrace(s, v, grace);
      vm.requests = [{ action: 'Stop', uid: v.uid }];
      break;
    case 'Halted':
      if (!live) return ERR.vmNotRunning();
      if (grace === null || grace >= v.grace) return ERR.haltedShorterGrace();
      patchGrace(s, v, grace);
      break;
  }
  clearFailures(vm);
  markDirty(s, vm);
  return OK;
}

/** Patches the VMI grace period; a shutdown already under way restarts with it. */
function patchGrace(s: CoreState, v: VmiState, grace: number): void {
  v.grace = grace;
  if (v.shuttingDown) requestShutdown(s, v);
}

/** virtctl restart: stop then start the VM's VMI (R-V3). */
function restart(s: CoreState, name: string, grace: number | null): Result {
  if (grace !== null && grace > 0) return ERR.restartGracePositive();
  if (grace !== null && grace < 0) return ERR.restartGraceNegative();
  const vm = s.vms.get(name);
  if (!vm) return ERR.vmNotFound(name);
  if (vm.strategy === 'Halted' || vm.strategy === 'Once') return ERR.noManualRestart(vm.strategy);
  const v = vm.vmi;
  if (!v) return ERR.restartNoVmi();
  if (vm.requests.length > 0) return ERR.underway();
  if (grace !== null && !FINAL(v.phase)) patchGrace(s, v, grace);
  vm.requests = [{ action: 'Stop', uid: v.uid }, START];
  clearFailures(vm);
  markDirty(s, vm);
  return OK;
}
