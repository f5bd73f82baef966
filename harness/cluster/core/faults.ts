/**
 * Faults: killed launchers, node loss, drains and killed migration targets.
 * Internal to the cluster core.
 */
import { OK, type Fault, type Result } from '../../contract/index.ts';
import { ERR } from '../messages.ts';
import { FINAL, emit, type CoreState } from './CoreState.ts';
import { drain, uncordon } from './nodes.ts';
import { exited } from './vmiLifecycle.ts';

/** A fault from the catalogue (backends/contract.ts Fault). Internal. */
export function faultAction(s: CoreState, f: Fault): Result {
  switch (f.fault) {
    case 'killLauncher': {
      const v = s.vmis.get(f.vmi);
      if (!v) return ERR.vmiNotFound(f.vmi);
      if (!v.launched || FINAL(v.phase)) return ERR.vmiNotRunning();
      emit(s, { type: 'killLauncher', uid: v.uid });
      return OK;
    }
    case 'nodeLoss': {
      const node = s.nodes.get(f.node);
      if (!node) return ERR.nodeNotFound(f.node);
      node.ready = false;
      emit(s, { type: 'nodeLoss', node: f.node });
      for (const v of [...(s.nodeVmis.get(f.node) ?? [])]) if (!v.launched) exited(s, v, 'Failed');
      for (const m of s.migrations.values()) if (m.phase === 'Running' && m.target === f.node) emit(s, { type: 'killMigrationTarget', uid: m.vmi!.uid });
      return OK;
    }
    case 'drainNode':
      return drain(s, f.node);
    case 'uncordonNode':
      return uncordon(s, f.node);
    case 'killMigrationTarget': {
      const v = s.vmis.get(f.vmi);
      if (!v) return ERR.vmiNotFound(f.vmi);
      if (v.activeMigration?.phase !== 'Running') return ERR.noMigrationInFlight(f.vmi);
      emit(s, { type: 'killMigrationTarget', uid: v.uid });
      return OK;
    }
  }
}
