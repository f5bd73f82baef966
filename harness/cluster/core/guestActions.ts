/**
 * Guest actions: reset, ACPI shutdown and the in-guest poweroff, reboot,
 * panic and data writes. Internal to the cluster core.
 */
import { OK, type GuestAction, type Result } from '../../contract/index.ts';
import { ERR } from '../messages.ts';
import { START, emit, type CoreState } from './CoreState.ts';
import { markDirty } from './vmController.ts';

/** A guest action; in-guest ones need a running, unpaused guest. Internal. */
export function guestAction(s: CoreState, a: GuestAction): Result {
  const v = s.vmis.get(a.vmi);
  if (!v) return ERR.vmiNotFound(a.vmi);
  if (a.action === 'reset') {
    if (v.phase !== 'Running') return ERR.resetNotRunning(v.phase);
    if (s.rules.behaviour.reset === 'newVmi' && v.owner) {
      v.owner.requests = [{ action: 'Stop', uid: v.uid }, START];
      markDirty(s, v.owner);
    } else emit(s, { type: 'reset', uid: v.uid });
    return OK;
  }
  if (v.phase !== 'Running') return ERR.vmiNotRunning();
  if (a.action === 'acpiShutdown') {
    emit(s, { type: 'acpiShutdown', uid: v.uid });
    return OK;
  }
  if (v.paused) return ERR.vmiPaused();
  switch (a.action) {
    case 'poweroff':
      emit(s, { type: 'guestPoweroff', uid: v.uid });
      return OK;
    case 'reboot':
      emit(s, { type: 'guestReboot', uid: v.uid });
      return OK;
    case 'panic':
      emit(s, { type: 'guestPanic', uid: v.uid });
      return OK;
    case 'writeData':
      if (!v.launch?.disks.some((d) => d.name === a.disk)) return ERR.noSuchDisk(a.vmi, a.disk);
      emit(s, { type: 'writeData', uid: v.uid, disk: a.disk, token: a.token });
      return OK;
  }
}
