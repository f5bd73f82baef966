/**
 * The node side's events written into the store, as virt-handler writes a
 * VMI's status (phase, Paused / AgentConnected, migrationState) and the
 * provisioner a claim's (pkg/virt-handler/vm.go updateVMIStatus). The
 * controllers react to the writes. Events for unknown uids (already
 * removed) or final VMIs are ignored. Internal to the cluster core.
 */
import type { AgentEvent } from '../agent.ts';
import { exitPhaseOf, type Rules } from '../rules.ts';
import { FINAL } from '../store/objects.ts';
import type { Store } from '../store/Store.ts';
import type { VmimEntry } from '../common/migrations.ts';
import type { VmiEntry } from '../common/placement.ts';
import type { PvcEntry } from '../common/storage.ts';
import { endVmi, writeConditions } from '../common/vmis.ts';

/** Writes one agent event; `vmiByUid` finds the VMI an event names. */
export function onAgentEvent(s: Store, rules: Rules, vmiByUid: (uid: string) => VmiEntry | undefined, ev: AgentEvent): void {
  if (ev.type === 'volumeReady' || ev.type === 'volumeFailed') {
    const p = s.get('PersistentVolumeClaim', ev.pvc) as PvcEntry | undefined;
    if (!p) return;
    if (ev.type === 'volumeFailed') p.rec.failed = true;
    else {
      p.obj.status = { phase: 'Bound', capacity: { storage: (p.obj.spec as { resources: { requests: { storage: string } } }).resources.requests.storage } };
      p.rec.provisioning = false;
    }
    s.touch(p);
    return;
  }
  const v = vmiByUid(ev.uid);
  if (!v || FINAL(v.obj.status.phase)) return;
  const r = v.rec;
  switch (ev.type) {
    case 'running':
      if (v.obj.status.phase !== 'Scheduled') return;
      v.obj.status.phase = 'Running';
      r.everRunning = true;
      break;
    case 'launchFailed':
      return endVmi(s, v, 'Failed');
    case 'exited':
      return endVmi(s, v, exitPhaseOf(rules, ev.reason, r.launch?.acpi ?? true));
    case 'agentConnected':
      r.agent = ev.connected;
      break;
    case 'paused':
      r.paused = ev.paused;
      r.pauseReason = ev.reason ?? null;
      break;
    case 'migrationCompleted':
    case 'migrationFailed': {
      const m = r.activeMigration === ev.migration ? (s.get('VirtualMachineInstanceMigration', ev.migration) as VmimEntry | undefined) : undefined;
      const state = v.obj.status.migrationState;
      if (!m || !state || state.migrationUid !== m.obj.metadata.uid || state.completed) return;
      v.obj.status.migrationState = { ...state, completed: true, failed: ev.type === 'migrationFailed' };
      // migration-source.go setMigrationProgressStatus: a failed migration carries the launcher's abort status.
      if (ev.type === 'migrationFailed' && ev.aborted) v.obj.status.migrationState.abortStatus = 'Succeeded';
      s.touch(v);
      return;
    }
  }
  writeConditions(v);
  s.touch(v);
}
