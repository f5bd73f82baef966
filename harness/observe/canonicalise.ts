/**
 * Canonicalisation of observations. Public.
 *
 * Backends report raw identifiers that differ from run to run and from
 * backend to backend: VMI uids, guest boot ids, generated MACs. A
 * `Canonicaliser` replaces them by labels in first-seen order over a
 * deterministic traversal (objects by sorted name, arrays in spec order):
 * uids → `vmi#N`, boot ids → `boot#N` counted per VMI label, generated MACs →
 * `mac#N`. One canonicaliser lives for one sequence per backend, so labels
 * persist across steps: "restart makes a new VMI" shows as `vmi#1` → `vmi#2`,
 * "reset boots again" as `boot#1` → `boot#2` on the same `vmi#1`.
 * The header is dropped: it says who observed, it is not compared.
 */
import type { Observation, VmiObservation, VmObservation } from './types.ts';

/** The compared part of an observation, identifiers replaced by labels. Public. */
export type CanonicalObservation = Omit<Observation, 'header'>;

/** Labels in first-seen order: one instance per label family. Internal. */
class LabelMap {
  private readonly labels = new Map<string, string>();
  constructor(private readonly prefix: string) {}
  label(raw: string): string {
    let l = this.labels.get(raw);
    if (l === undefined) {
      l = `${this.prefix}#${this.labels.size + 1}`;
      this.labels.set(raw, l);
    }
    return l;
  }
}

/** `rec` mapped by `f`, its keys in sorted order (no intermediate entry pairs: this runs for every record of every observation). */
function sortedRecord<T, U>(rec: Record<string, T>, f: (v: T, k: string) => U): Record<string, U> {
  const out: Record<string, U> = {};
  const keys = Object.keys(rec);
  if (keys.length > 1) keys.sort();
  for (const k of keys) out[k] = f(rec[k] as T, k);
  return out;
}

/** Turns raw observations of one backend into canonical ones, step after step. Public. */
export class Canonicaliser {
  private readonly vmis = new LabelMap('vmi');
  private readonly macs = new LabelMap('mac');
  /** Boot ids are counted per VMI label (`boot#1` is the first boot of that VMI). */
  private readonly boots = new Map<string, LabelMap>();

  canonicalise(obs: Observation): CanonicalObservation {
    // VMs first (sorted), then VMIs (sorted): the same order on every backend.
    const vms = sortedRecord(obs.vms, (vm): VmObservation => ({
      ...vm,
      conditions: sortedRecord(vm.conditions, (c) => ({ ...c })),
      vmi: vm.vmi === null ? null : this.vmis.label(vm.vmi),
    }));
    const vmis = sortedRecord(obs.vmis, (vmi) => this.vmi(vmi));
    return {
      vms,
      vmis,
      pvcs: sortedRecord(obs.pvcs, (p) => ({ ...p })),
      nodes: sortedRecord(obs.nodes, (n) => ({ ...n, vfsInUse: sortedRecord(n.vfsInUse, (x) => x) })),
      migrations: sortedRecord(obs.migrations, (m) => ({ ...m })),
    };
  }

  private vmi(vmi: VmiObservation): VmiObservation {
    const uid = this.vmis.label(vmi.uid);
    let boots = this.boots.get(uid);
    if (!boots) this.boots.set(uid, (boots = new LabelMap('boot')));
    const out: VmiObservation = {
      ...vmi,
      uid,
      conditions: sortedRecord(vmi.conditions, (c) => ({ ...c })),
      bootId: vmi.bootId === null ? null : boots.label(vmi.bootId),
      interfaces: vmi.interfaces.map((i) => ({
        ...i,
        mac: i.mac !== null && i.macSource === 'generated' ? this.macs.label(i.mac.toLowerCase()) : i.mac,
      })),
      disks: vmi.disks.map((d) => ({ ...d })),
      migration: vmi.migration === null ? null : { ...vmi.migration },
    };
    if (vmi.reachable !== undefined) {
      out.reachable = sortedRecord(vmi.reachable, (names) => [...names].sort());
    }
    return out;
  }
}
