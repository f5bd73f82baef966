/**
 * Guest actions: reset, ACPI shutdown and the in-guest poweroff, reboot,
 * panic and data writes, handed to the node side. Internal to the cluster
 * core.
 */
import { OK, type GuestAction, type Result } from '../../contract/index.ts';
import { ERR } from '../messages.ts';
import type { VmiEntry } from '../common/placement.ts';
import { controllerOf } from '../common/vmis.ts';
import type { VmEntry } from '../common/vms.ts';
import type { VerbEnv } from './verbs.ts';

/** The effect of each in-guest action. */
const IN_GUEST = { poweroff: 'guestPoweroff', reboot: 'guestReboot', panic: 'guestPanic' } as const;

/** A guest action; in-guest ones need a running, unpaused guest. */
export function guestAction(env: VerbEnv, a: GuestAction): Result {
  const s = env.store;
  const v = s.get('VirtualMachineInstance', a.vmi) as VmiEntry | undefined;
  if (!v) return ERR.vmiNotFound(a.vmi);
  const uid = v.obj.metadata.uid;
  const phase = v.obj.status.phase;
  if (a.action === 'reset') {
    if (phase !== 'Running') return ERR.resetNotRunning(phase);
    const owner = controllerOf(v.obj.metadata);
    const vm = owner?.kind === 'VirtualMachine' ? (s.get('VirtualMachine', owner.name) as VmEntry | undefined) : undefined;
    if (vm && env.rules.behaviour.reset === 'newVmi') {
      vm.obj.status.stateChangeRequests = [{ action: 'Stop', uid }, { action: 'Start' }];
      s.touch(vm);
    } else env.emit({ type: 'reset', uid });
    return OK;
  }
  if (phase !== 'Running') return ERR.vmiNotRunning();
  if (a.action === 'acpiShutdown') {
    env.emit({ type: 'acpiShutdown', uid });
    return OK;
  }
  if (v.rec.paused) return ERR.vmiPaused();
  if (a.action === 'writeData') {
    if (!v.rec.launch?.disks.some((d) => d.name === a.disk)) return ERR.noSuchDisk(a.vmi, a.disk);
    env.emit({ type: 'writeData', uid, disk: a.disk, token: a.token });
    return OK;
  }
  env.emit({ type: IN_GUEST[a.action], uid });
  return OK;
}
