/**
 * The server's view of the cluster's API objects and its change feed: after
 * every call into the cluster core the server `scan()`s the store, gives each
 * changed object the next resourceVersion of the wire, keeps a snapshot of it
 * (what GET and LIST serve, so reads never touch the core) and records a watch
 * event in a bounded history. Watches replay the history after their
 * resourceVersion, or answer 410 Gone when it was dropped
 * (k8s.io/apiserver pkg/storage/cacher watch_cache.go: "too old resource
 * version").
 *
 * The wire's resourceVersions are the feed's own sequence, not the core's
 * counter: a deletion needs a version of its own and the core (a pure,
 * replayable state machine) hands out none for it. Internal to harness/server.
 */
import type { ApiObject } from '../cluster/index.ts';
import { NAMESPACE } from '../cluster/index.ts';
import type { ResourceDef } from './resources.ts';

export type WatchType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** One object as served: the snapshot, its wire resourceVersion, and its JSON (made once). */
export interface Snapshot {
  obj: ApiObject;
  rv: number;
  json: string;
}

export interface FeedEvent {
  type: WatchType;
  kind: string;
  snap: Snapshot;
}

/** Where the feed reads objects: the store's kinds, and views built from them. */
export interface ObjectSource {
  /** Stored objects of a kind (read-only), in any order. */
  objects(kind: string): readonly ApiObject[];
}

/** A view: objects of a kind computed from the snapshots of another (launcher pods from VMIs). */
export interface View {
  kind: string;
  from: string;
  build(from: ApiObject): ApiObject | null;
}

const HISTORY = 20_000;

/** Objects derived from a change of another (events): `prev` / `next` undefined when added / removed. */
export interface Deriver {
  kind: string;
  from: string;
  derive(prev: ApiObject | undefined, next: ApiObject | undefined, get: (kind: string, name: string) => ApiObject | undefined): ApiObject[];
  /** How many derived objects to keep (the oldest go first, without an event: as expired events). */
  keep: number;
}

export class ChangeFeed {
  /** kind → name → snapshot, plus the store resourceVersion it was taken at. */
  private readonly current = new Map<string, Map<string, Snapshot & { storeRv: string }>>();
  private readonly history: FeedEvent[] = [];
  private readonly listeners = new Set<(ev: FeedEvent) => void>();
  /** The last wire resourceVersion handed out. */
  rv: number;
  /** History holds every event after this version. */
  private oldest: number;

  constructor(
    private readonly source: ObjectSource,
    private readonly kinds: readonly string[],
    private readonly views: readonly View[],
    startRv = 0,
    private readonly derivers: readonly Deriver[] = [],
  ) {
    this.rv = startRv;
    this.oldest = startRv;
    this.scan();
    // the initial state is not history: a watch from before it would miss objects
    this.history.length = 0;
    this.oldest = this.rv;
  }

  private kindMap(kind: string): Map<string, Snapshot & { storeRv: string }> {
    let m = this.current.get(kind);
    if (!m) this.current.set(kind, (m = new Map()));
    return m;
  }

  private snapshot(obj: ApiObject, rv: number, namespaced: boolean): Snapshot {
    const copy = JSON.parse(JSON.stringify(obj)) as ApiObject;
    copy.metadata.resourceVersion = String(rv);
    if (namespaced) copy.metadata.namespace ??= NAMESPACE;
    // metav1.Time is RFC 3339 in whole seconds on the wire
    for (const k of ['creationTimestamp', 'deletionTimestamp'] as const) {
      const t = copy.metadata[k];
      if (typeof t === 'string') copy.metadata[k] = t.replace(/\.\d+Z$/, 'Z');
    }
    return { obj: copy, rv, json: JSON.stringify(copy) };
  }

  private emit(ev: FeedEvent): void {
    this.history.push(ev);
    if (this.history.length > HISTORY) this.oldest = this.history.splice(0, this.history.length - HISTORY).at(-1)!.snap.rv;
    for (const l of this.listeners) l(ev);
  }

  /** Compares the store with the snapshots; every difference becomes an event. Returns the number of events. */
  scan(): number {
    let n = 0;
    const changed = new Map<string, ApiObject[]>();
    for (const kind of this.kinds) {
      const m = this.kindMap(kind);
      const seen = new Set<string>();
      for (const o of this.source.objects(kind)) {
        const name = o.metadata.name;
        seen.add(name);
        const prev = m.get(name);
        const storeRv = o.metadata.resourceVersion;
        if (prev && prev.storeRv === storeRv && prev.obj.metadata.uid === o.metadata.uid) continue;
        const snap = this.snapshot(o, ++this.rv, o.metadata.namespace !== undefined);
        m.set(name, { ...snap, storeRv });
        this.emit({ type: prev ? 'MODIFIED' : 'ADDED', kind, snap });
        n += this.derive(kind, prev?.obj, snap.obj);
        (changed.get(kind) ?? changed.set(kind, []).get(kind)!).push(snap.obj);
        n++;
      }
      const removed = this.removeMissing(kind, m, seen);
      if (removed > 0) changed.get(kind) ?? changed.set(kind, []);
      n += removed;
    }
    // a view changes only with its source
    for (const v of this.views) if (changed.has(v.from)) n += this.scanView(v, changed.get(v.from)!);
    return n;
  }

  private removeMissing(kind: string, m: Map<string, Snapshot & { storeRv: string }>, seen: Set<string>): number {
    let n = 0;
    for (const [name, prev] of m) {
      if (seen.has(name)) continue;
      m.delete(name);
      const copy = JSON.parse(prev.json) as ApiObject;
      const rv = ++this.rv;
      copy.metadata.resourceVersion = String(rv);
      this.emit({ type: 'DELETED', kind, snap: { obj: copy, rv, json: JSON.stringify(copy) } });
      n += 1 + this.derive(kind, prev.obj, undefined);
    }
    return n;
  }

  private scanView(v: View, changedFrom: ApiObject[]): number {
    const m = this.kindMap(v.kind);
    let n = 0;
    for (const from of changedFrom) {
      const built = v.build(from);
      if (!built) continue;
      const prev = m.get(built.metadata.name);
      const snap = this.snapshot(built, ++this.rv, true);
      m.set(built.metadata.name, { ...snap, storeRv: from.metadata.resourceVersion });
      this.emit({ type: prev ? 'MODIFIED' : 'ADDED', kind: v.kind, snap });
      n++;
    }
    // a view object goes when its source goes or stops producing it
    const sources = this.current.get(v.from) ?? new Map();
    const seen = new Set<string>();
    for (const s of sources.values()) {
      const b = v.build(s.obj);
      if (b) seen.add(b.metadata.name);
    }
    return n + this.removeMissing(v.kind, m, seen);
  }

  /** Records the objects the derivers make of a change (ADDED events). */
  private derive(kind: string, prev: ApiObject | undefined, next: ApiObject | undefined): number {
    let n = 0;
    for (const d of this.derivers) {
      if (d.from !== kind) continue;
      const m = this.kindMap(d.kind);
      for (const o of d.derive(prev, next, (k, name) => this.current.get(k)?.get(name)?.obj)) {
        const snap = this.snapshot(o, ++this.rv, true);
        m.set(o.metadata.name, { ...snap, storeRv: '' });
        this.emit({ type: 'ADDED', kind: d.kind, snap });
        n++;
        if (m.size > d.keep) m.delete(m.keys().next().value!);
      }
    }
    return n;
  }

  /** Snapshots of a kind, in name order. */
  list(kind: string): Snapshot[] {
    const m = this.current.get(kind);
    if (!m) return [];
    return [...m.values()].sort((a, b) => (a.obj.metadata.name < b.obj.metadata.name ? -1 : a.obj.metadata.name > b.obj.metadata.name ? 1 : 0));
  }

  get(kind: string, name: string): Snapshot | undefined {
    return this.current.get(kind)?.get(name);
  }

  /** Events after `rv` (of the kinds given), or null when the history no longer reaches back that far. */
  since(rv: number, kinds: ReadonlySet<string>): FeedEvent[] | null {
    if (rv < this.oldest) return null;
    const out: FeedEvent[] = [];
    for (let i = this.history.length - 1; i >= 0 && this.history[i]!.snap.rv > rv; i--) if (kinds.has(this.history[i]!.kind)) out.push(this.history[i]!);
    return out.reverse();
  }

  subscribe(l: (ev: FeedEvent) => void): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
}

/** The feed's kinds for the served resources: the stored ones. */
export const storedKinds = (rs: readonly ResourceDef[]): string[] => [...new Set(rs.filter((r) => r.source === 'store').map((r) => r.kind))];
