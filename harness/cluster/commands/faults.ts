/**
 * Faults (backends/contract.ts Fault): killed launchers, node loss, drains
 * and killed migration targets. Each is injected on the node side (an
 * effect) or is what an operator does (cordon, drain); the core learns the
 * consequences from the agent's events. Internal to the cluster core.
 */
import { OK, type Fault, type Result } from '../../contract/index.ts';
import { ERR } from '../messages.ts';
import { FINAL, type ApiObject } from '../store/objects.ts';
import type { NodeRecord } from '../store/records.ts';
import type { Entry } from '../store/Store.ts';
import type { VmimEntry } from '../common/migrations.ts';
import type { VmiEntry } from '../common/placement.ts';
import { endVmi } from '../common/vmis.ts';
import type { VerbEnv } from './verbs.ts';

type NodeEntry = Entry<ApiObject & { spec?: { unschedulable?: boolean }; status: { conditions?: { type: string; status: string }[] } }, NodeRecord>;

/** A fault from the catalogue. */
export function faultAction(env: VerbEnv, f: Fault): Result {
  const s = env.store;
  switch (f.fault) {
    case 'killLauncher': {
      const v = s.get('VirtualMachineInstance', f.vmi) as VmiEntry | undefined;
      if (!v) return ERR.vmiNotFound(f.vmi);
      if (!v.rec.launched || FINAL(v.obj.status.phase)) return ERR.vmiNotRunning();
      env.emit({ type: 'killLauncher', uid: v.obj.metadata.uid });
      return OK;
    }
    case 'nodeLoss': {
      const node = s.get('Node', f.node) as NodeEntry | undefined;
      if (!node) return ERR.nodeNotFound(f.node);
      // the node lifecycle controller marks the lost node NotReady
      node.obj.status.conditions = [...(node.obj.status.conditions ?? []).filter((c) => c.type !== 'Ready'), { type: 'Ready', status: 'False' }];
      node.rec.ready = false;
      s.touch(node);
      env.emit({ type: 'nodeLoss', node: f.node });
      for (const name of [...node.rec.vmis]) {
        const v = s.get('VirtualMachineInstance', name) as VmiEntry | undefined;
        if (v && !v.rec.launched) endVmi(s, v, 'Failed');
      }
      for (const m of s.all<VmimEntry['obj'], VmimEntry['rec']>('VirtualMachineInstanceMigration').values()) {
        if (m.obj.status.phase === 'Running' && m.rec.target === f.node) env.emit({ type: 'killMigrationTarget', uid: m.rec.vmiUid });
      }
      return OK;
    }
    case 'drainNode':
      return drain(env, f.node);
    case 'uncordonNode':
      return uncordon(env, f.node);
    case 'killMigrationTarget': {
      const v = s.get('VirtualMachineInstance', f.vmi) as VmiEntry | undefined;
      if (!v) return ERR.vmiNotFound(f.vmi);
      const m = v.rec.activeMigration === null ? undefined : s.obj('VirtualMachineInstanceMigration', v.rec.activeMigration);
      if ((m?.status as { phase?: string } | undefined)?.phase !== 'Running') return ERR.noMigrationInFlight(f.vmi);
      env.emit({ type: 'killMigrationTarget', uid: v.obj.metadata.uid });
      return OK;
    }
  }
}

/** Cordons a node (spec.unschedulable) and asks for its evacuation (R-M6). */
export function drain(env: VerbEnv, name: string): Result {
  const node = env.store.get('Node', name) as NodeEntry | undefined;
  if (!node) return ERR.nodeNotFound(name);
  node.obj.spec = { ...node.obj.spec, unschedulable: true };
  node.rec.drains++;
  env.store.touch(node);
  return OK;
}

/** Makes a drained node schedulable again. */
export function uncordon(env: VerbEnv, name: string): Result {
  const node = env.store.get('Node', name) as NodeEntry | undefined;
  if (!node) return ERR.nodeNotFound(name);
  node.obj.spec = { ...node.obj.spec, unschedulable: false };
  node.rec.uncordons++;
  env.store.touch(node);
  return OK;
}
