/**
 * VM verbs (R-V1..R-V8, R-SA1; KubeVirt pkg/virt-api/rest/subresource.go):
 * start, stop, restart and migrate write the VM (spec.runStrategy,
 * status.stateChangeRequests) or create a migration; the VMI subresources
 * pause, unpause and soft-reboot go to the node side. Internal to the
 * cluster core.
 */
import { OK, type Result, type VmAction } from '../../contract/index.ts';
import type { Effect } from '../agent.ts';
import { ERR } from '../messages.ts';
import type { Rules } from '../rules.ts';
import { FINAL, type StateChangeRequest } from '../store/objects.ts';
import { createMigration } from '../common/migrations.ts';
import type { VmiEntry } from '../common/placement.ts';
import { controllerOf } from '../common/vmis.ts';
import { runStrategy, vmiOf, type VmEntry } from '../common/vms.ts';
import type { CommandEnv } from './objects.ts';

/** The commands' view of the core: the store, the clock and the node side's inbox. */
export interface VerbEnv extends CommandEnv {
  readonly rules: Rules;
  emit(e: Effect): void;
}

const START: StateChangeRequest = Object.freeze({ action: 'Start' });

/**
 * VMI subresource verbs (R-V5..R-V7; also on standalone VMIs, R-SA1): the
 * answer when the VMI (or the VM's VMI) is not Running, then the verb's own
 * precondition. A VM without a VMI answers `notRunning`; an unknown name 404.
 */
const VMI_SUBRESOURCES: Record<'pause' | 'unpause' | 'softReboot', { notRunning: () => Result; deny: (v: VmiEntry) => Result | null }> = {
  pause: { notRunning: ERR.vmNotRunning, deny: (v) => (v.rec.paused ? ERR.alreadyPaused() : null) },
  unpause: { notRunning: ERR.vmiNotRunning, deny: (v) => (v.rec.paused ? null : ERR.notPaused()) },
  softReboot: {
    notRunning: ERR.vmNotRunning,
    deny: (v) =>
      v.rec.paused ? ERR.vmiPaused() : !v.rec.agent && (v.obj.spec as { domain: { features?: { acpi?: { enabled?: boolean } } } }).domain.features?.acpi?.enabled === false ? ERR.noAgentNoAcpi() : null,
  },
};

/** A VM verb, validated as KubeVirt's subresource API does. */
export function verb(env: VerbEnv, a: VmAction): Result {
  const s = env.store;
  switch (a.verb) {
    case 'start':
      return start(env, a.name, a.paused ?? false);
    case 'stop':
      return stop(env, a.name, a.gracePeriod ?? null);
    case 'restart':
      return restart(env, a.name, a.gracePeriod ?? null);
    case 'migrate': {
      const vmi = s.get('VirtualMachineInstance', a.name) as VmiEntry | undefined;
      const standalone = vmi !== undefined && controllerOf(vmi.obj.metadata)?.kind !== 'VirtualMachine';
      if (!s.get('VirtualMachine', a.name) && !standalone) return ERR.vmNotFound(a.name);
      if (!vmi) return ERR.vmiNotFound(a.name);
      if (vmi.obj.status.phase !== 'Running') return ERR.vmNotRunning();
      return createMigration(s, a.name, null);
    }
    case 'pause':
    case 'unpause':
    case 'softReboot': {
      const rule = VMI_SUBRESOURCES[a.verb];
      const v = s.get('VirtualMachineInstance', a.name) as VmiEntry | undefined;
      if (!v) return s.get('VirtualMachine', a.name) ? rule.notRunning() : ERR.vmiNotFound(a.name);
      const denied = v.obj.status.phase !== 'Running' ? rule.notRunning() : rule.deny(v);
      if (denied) return denied;
      env.emit({ type: a.verb, uid: v.obj.metadata.uid });
      return OK;
    }
  }
}

/** Sets the VM's run strategy as virt-api's patch does (spec.runStrategy; `running` goes). */
function setStrategy(vm: VmEntry, strategy: 'Always' | 'Halted'): void {
  if (vm.obj.spec.running !== undefined) vm.obj.spec.running = undefined;
  vm.obj.spec.runStrategy = strategy;
}

/** A start, stop or restart request clears the crash-loop count (R-RS6), and the VM controller looks again. */
function requested(env: VerbEnv, vm: VmEntry): Result {
  vm.obj.status.startFailure = undefined;
  env.store.touch(vm);
  return OK;
}

const startRequest = (paused: boolean): StateChangeRequest => (paused ? { action: 'Start', data: { startPaused: 'true' } } : { action: 'Start' });

/** virtctl start (R-V1). */
function start(env: VerbEnv, name: string, paused: boolean): Result {
  const vm = env.store.get('VirtualMachine', name) as VmEntry | undefined;
  if (!vm) return ERR.vmNotFound(name);
  const v = vmiOf(env.store, vm);
  if (v && !FINAL(v.obj.status.phase)) return ERR.alreadyRunning();
  const st = vm.obj.status;
  const strategy = runStrategy(vm.obj.spec);
  switch (strategy) {
    case 'Halted':
      if (paused) {
        if (st.stateChangeRequests) return ERR.underway();
        vm.rec.startPaused = true;
      }
      setStrategy(vm, 'Always');
      break;
    case 'Manual':
    case 'RerunOnFailure':
      if (strategy === 'RerunOnFailure' && v?.obj.status.phase === 'Failed') return ERR.rerunFromFailed();
      if (st.stateChangeRequests) return ERR.underway();
      st.stateChangeRequests = v ? [{ action: 'Stop', uid: v.obj.metadata.uid }, startRequest(paused)] : [startRequest(paused)];
      break;
    default:
      return ERR.noManualStart(strategy);
  }
  return requested(env, vm);
}

/** virtctl stop, with an optional grace period (R-V2). */
function stop(env: VerbEnv, name: string, grace: number | null): Result {
  const vm = env.store.get('VirtualMachine', name) as VmEntry | undefined;
  if (!vm) return ERR.vmNotFound(name);
  const v = vmiOf(env.store, vm);
  const live = v !== null && !FINAL(v.obj.status.phase);
  // lifecycle.go StopVMRequestHandler patches a live VMI's grace period before it decides (even when it then refuses)
  const wasSet = live && v.rec.graceSet;
  const old = live ? v.rec.grace : 0;
  if (live && grace !== null) patchGrace(env, v, grace);
  switch (runStrategy(vm.obj.spec)) {
    case 'Always':
    case 'Once':
      setStrategy(vm, 'Halted');
      break;
    case 'Manual':
    case 'RerunOnFailure':
      if (!live) return ERR.vmNotRunning();
      vm.obj.status.stateChangeRequests = [{ action: 'Stop', uid: v.obj.metadata.uid }];
      break;
    case 'Halted':
      if (!live) return ERR.vmNotRunning();
      // compared with the VMI's own value only when it had one
      if (grace === null || (wasSet && grace >= old)) return ERR.haltedShorterGrace();
      vm.obj.status.stateChangeRequests = [{ action: 'Stop', uid: v.obj.metadata.uid }];
      break;
  }
  return requested(env, vm);
}

/** Patches the VMI grace period; a shutdown already under way restarts with it. */
function patchGrace(env: VerbEnv, v: VmiEntry, grace: number): void {
  v.rec.grace = grace;
  v.rec.graceSet = true;
  if (v.rec.shuttingDown) env.emit({ type: 'shutdown', uid: v.obj.metadata.uid, graceSeconds: grace });
}

/** virtctl restart: stop then start the VM's VMI (R-V3). */
function restart(env: VerbEnv, name: string, grace: number | null): Result {
  if (grace !== null && grace > 0) return ERR.restartGracePositive();
  if (grace !== null && grace < 0) return ERR.restartGraceNegative();
  const vm = env.store.get('VirtualMachine', name) as VmEntry | undefined;
  if (!vm) return ERR.vmNotFound(name);
  const strategy = runStrategy(vm.obj.spec);
  if (strategy === 'Halted' || strategy === 'Once') return ERR.noManualRestart(strategy);
  const v = vmiOf(env.store, vm);
  if (!v) return ERR.restartNoVmi();
  if (vm.obj.status.stateChangeRequests) return ERR.underway();
  if (grace !== null && !FINAL(v.obj.status.phase)) patchGrace(env, v, grace);
  vm.obj.status.stateChangeRequests = [{ action: 'Stop', uid: v.obj.metadata.uid }, START];
  return requested(env, vm);
}
