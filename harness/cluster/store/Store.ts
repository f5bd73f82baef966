/**
 * The store of API objects (docs/architecture.md, the control plane): every
 * object by kind and name with its controller record (records.ts), the
 * resourceVersion and uid counters, and the controllers' own JSON
 * bookkeeping. Writes notify one listener (the core routes them to the
 * controllers' queues), as an informer would. Internal to the cluster core.
 *
 * `save()` is plain JSON; `Store.restore(json)` gives a store that behaves
 * the same from there on (derived caches are rebuilt on demand).
 */
import { ChurnMap } from '../ChurnMap.ts';
import type { ApiObject, StoredMeta } from './objects.ts';
import { copyJson } from './json.ts';

/**
 * An object, its controller record, and its resourceVersion as a number
 * (written into metadata.resourceVersion when the object is read: `read`,
 * `save`, not on every one of the controllers' writes).
 */
export interface Entry<O extends ApiObject = ApiObject, R = unknown> {
  obj: O;
  rec: R;
  rv: number;
  /** The resourceVersion last written into metadata. */
  shown: number;
}

/** What a write did, in an informer's words. */
export type Change = 'added' | 'updated' | 'removed';

/**
 * Called on every write; `e` is the entry after the write, or the last one
 * for a removal; `writer` names the controller whose own watch is not told
 * (touchOwn), or is null.
 */
export type StoreListener = (kind: string, name: string, e: Entry, change: Change, writer: string | null) => void;

/** Counters the store hands out from: same seed ⇒ same uids, MACs and names. */
export interface Counters {
  resourceVersion: number;
  /** uids of VMIs and migrations (observed, so they keep their own sequence). */
  workloadUids: number;
  /** uids of every other kind. */
  objectUids: number;
  macs: number;
  vmiSeq: number;
  generatedNames: number;
  /** Bumped by every write of a kind other than the workloads (key of derived caches). */
  configVersion: number;
}

/** The JSON form of a store. */
export interface StoreJson {
  seed: number;
  counters: Counters;
  objects: Record<string, Record<string, Entry>>;
  books: Record<string, unknown>;
}

/** Kinds whose writes do not change what VMIs are built from (no configVersion bump). */
const WORKLOAD_KINDS: ReadonlySet<string> = new Set([
  'VirtualMachine',
  'VirtualMachineInstance',
  'VirtualMachineInstanceMigration',
  'VirtualMachineInstanceReplicaSet',
  'VirtualMachinePool',
]);

/** uid prefixes of the workloads (the rest use the lower-cased kind). */
const UID_PREFIX: Readonly<Record<string, string>> = { VirtualMachineInstance: 'vmi', VirtualMachineInstanceMigration: 'vmim' };

const NAMESPACED: ReadonlySet<string> = new Set([
  'VirtualMachine',
  'VirtualMachineInstance',
  'VirtualMachineInstanceMigration',
  'VirtualMachineInstanceReplicaSet',
  'VirtualMachinePool',
  'VirtualMachineInstancetype',
  'VirtualMachinePreference',
  'DataVolume',
  'DataSource',
  'PersistentVolumeClaim',
  'ConfigMap',
  'Secret',
  'NetworkAttachmentDefinition',
  'Template',
]);

/** The harness's one namespace. */
export const NAMESPACE = 'default';

export class Store {
  private readonly kinds = new Map<string, ChurnMap<string, Entry>>();
  /** The two kinds looked up most (every verb and every VM reconcile), without the lookup by kind. */
  private readonly vms = this.kindMap('VirtualMachine');
  private readonly vmis = this.kindMap('VirtualMachineInstance');
  listener: StoreListener = () => {};

  constructor(
    readonly seed: number,
    readonly counters: Counters = { resourceVersion: 0, workloadUids: 0, objectUids: 0, macs: (seed * 7919) & 0xffff, vmiSeq: 0, generatedNames: 0, configVersion: 0 },
    /** Each controller's own JSON state, by controller name. */
    readonly books: Record<string, unknown> = {},
  ) {}

  private stampedAt = NaN;
  private stamp = '';

  /** The clock (Store.books.clock, ms) as an RFC 3339 timestamp; the string is reused while the clock stands. */
  timestamp(): string {
    const now = (this.books.clock as number | undefined) ?? 0;
    if (now !== this.stampedAt) {
      this.stampedAt = now;
      this.stamp = new Date(now).toISOString();
    }
    return this.stamp;
  }

  /** The map of a kind, made on first use: a ChurnMap, since objects of a kind come and go all the time (see ChurnMap.ts for what a plain Map costs the GC then). */
  private kindMap(kind: string): ChurnMap<string, Entry> {
    let m = this.kinds.get(kind);
    if (!m) this.kinds.set(kind, (m = new ChurnMap()));
    return m;
  }

  /** The entries of a kind, in creation order (a live view: do not write to it). */
  all<O extends ApiObject = ApiObject, R = unknown>(kind: string): ReadonlyMap<string, Entry<O, R>> {
    return (this.kinds.get(kind) ?? EMPTY) as ReadonlyMap<string, Entry<O, R>>;
  }

  get<O extends ApiObject = ApiObject, R = unknown>(kind: string, name: string): Entry<O, R> | undefined {
    // the inner Map itself: a call through ChurnMap's override is not inlined, and this is the core's most frequent call
    const m = kind === 'VirtualMachineInstance' ? this.vmis : kind === 'VirtualMachine' ? this.vms : this.kinds.get(kind);
    return m === undefined ? undefined : (m.inner.get(name) as Entry<O, R> | undefined);
  }

  obj<O extends ApiObject = ApiObject>(kind: string, name: string): O | undefined {
    return this.get<O>(kind, name)?.obj;
  }

  /** Number of objects of a kind. */
  count(kind: string): number {
    return this.kinds.get(kind)?.size ?? 0;
  }

  /** Stores a new object (uid, resourceVersion, generation and namespace set here) with its record. */
  create<O extends ApiObject, R>(obj: O, rec: R): Entry<O, R> {
    const c = this.counters;
    const prefix = UID_PREFIX[obj.kind];
    const given = obj.metadata;
    const rv = ++c.resourceVersion;
    // every object's metadata in one shape, every field present (undefined ones vanish in JSON): the controllers' reads stay monomorphic
    const m: StoredMeta = {
      name: given.name,
      namespace: NAMESPACED.has(obj.kind) ? NAMESPACE : undefined,
      uid: prefix ? `${prefix}-${this.seed}-${++c.workloadUids}` : `${obj.kind.toLowerCase()}-${this.seed}-o${++c.objectUids}`,
      resourceVersion: String(rv),
      generation: 1,
      creationTimestamp: this.timestamp(),
      labels: given.labels,
      annotations: given.annotations,
      ownerReferences: given.ownerReferences,
      deletionTimestamp: undefined,
      finalizers: given.finalizers,
    };
    obj.metadata = m;
    const byName = this.kindMap(obj.kind);
    const e: Entry<O, R> = { obj, rec, rv, shown: rv };
    byName.inner.set(m.name, e as Entry);
    if (!WORKLOAD_KINDS.has(obj.kind)) c.configVersion++;
    this.listener(obj.kind, m.name, e as Entry, 'added', null);
    return e;
  }

  /** Records a change made in place to an entry (object or record): new resourceVersion, listeners told. */
  touch(e: Entry): void {
    this.update(e, null);
  }

  /**
   * A touch by the controller that reconciles the object, where its next
   * reconcile of that key would find nothing to do: the other controllers
   * watching the kind are told, the writer's own watch is not. (In KubeVirt
   * the controller's own update comes back through its informer and the
   * reconcile it queues is a no-op, e.g. pkg/virt-controller/watch/migration/
   * migration.go after its status update; skipping it changes no write.) Only for
   * writes whose no-op re-reconcile the caller has shown.
   */
  touchOwn(e: Entry, writer: string): void {
    this.update(e, writer);
  }

  private update(e: Entry, writer: string | null): void {
    const c = this.counters;
    e.rv = ++c.resourceVersion;
    if (!WORKLOAD_KINDS.has(e.obj.kind)) c.configVersion++;
    this.listener(e.obj.kind, e.obj.metadata.name, e, 'updated', writer);
  }

  /**
   * Records a controller's write of its own object's status: a new
   * resourceVersion, no event (the controllers watching that kind follow the
   * objects the status is computed from, not the status itself). Also for a
   * write of an entry's record alone that no watch reads (the API object is
   * unchanged, so an informer would deliver nothing).
   */
  touchStatus(e: Entry): void {
    e.rv = ++this.counters.resourceVersion;
  }

  /** The object of an entry as readers see it (metadata.resourceVersion brought up to date). */
  read<O extends ApiObject>(e: Entry<O>): O {
    if (e.shown !== e.rv) {
      e.shown = e.rv;
      e.obj.metadata.resourceVersion = String(e.rv);
    }
    return e.obj;
  }

  /** Removes an object; listeners get its last entry. */
  remove(e: Entry): void {
    const kind = e.obj.kind;
    const name = e.obj.metadata.name;
    const byName = this.kinds.get(kind);
    if (!byName || byName.get(name) !== e) return;
    byName.delete(name);
    if (!WORKLOAD_KINDS.has(kind)) this.counters.configVersion++;
    this.listener(kind, name, e, 'removed', null);
  }

  /** The whole store as plain JSON. */
  save(): StoreJson {
    const objects: Record<string, Record<string, Entry>> = {};
    for (const [kind, byName] of this.kinds) {
      if (byName.size === 0) continue;
      for (const e of byName.values()) this.read(e);
      objects[kind] = Object.fromEntries(byName);
    }
    // a copy with undefined fields dropped, as a JSON text round trip gives it (json.ts), at a third of the cost
    return copyJson({ seed: this.seed, counters: this.counters, objects, books: this.books }) as StoreJson;
  }

  /** A store from `save()`'s JSON (copied: the JSON stays the caller's). */
  static restore(json: StoreJson): Store {
    const j = copyJson(json);
    const s = new Store(j.seed, j.counters, j.books);
    for (const [kind, byName] of Object.entries(j.objects)) {
      const m = s.kindMap(kind);
      for (const [name, e] of Object.entries(byName)) m.set(name, e);
    }
    return s;
  }
}

const EMPTY: ReadonlyMap<string, Entry> = new Map();
