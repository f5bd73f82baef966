/**
 * Map and Set for collections whose entries are replaced all the time (a VMI
 * per restart, a guest per launch, a migration per migrate). Internal to
 * backends: the cluster core and the simulated agent use them; to callers
 * they are a plain Map / Set (same methods, same insertion order).
 *
 * Why not a plain Map / Set: V8 allocates a rehashed Map/Set table in the
 * generation of the table it replaces. Once a long-lived Map's table has
 * become old (it survived two scavenges, e.g. while the cluster sat idle),
 * every rehash that delete-and-insert churn causes leaves a dead old table
 * whose slots still point at young objects; the scavenger takes those slots
 * as roots until the next full GC, so every VMI ever listed survives and is
 * copied and promoted. Measured on the model bench: ~30 % of the young
 * allocation survived and scavenges took about as long as the model itself.
 *
 * The fix: the entries live in an inner Map that is copied into a fresh one
 * (young, so its rehashes stay young) before it can grow old. Age is
 * measured on a clock shared by all churn tables, their deletions: a table
 * is copied once REFRESH_EVERY deletions happened anywhere since its last
 * copy (so a small table that sees few of the deletions, a node's VMIs, is
 * renewed as often as a busy one) and it saw a quarter of its size itself
 * (so a copy costs at most four entries per own deletion). A fixed period
 * of 1,024 own deletions let a node's VMI set (one deletion per ~56 bench
 * commands) live through two scavenges and be promoted; measured: promoted
 * bytes per scavenge 2.0 MB with it, 1.3 MB with a shorter period.
 *
 * Caveats: the entries are not in the Map's own internal slots, so
 * util.inspect shows an empty Map and structuredClone copies nothing, and a
 * deep equality with a plain Map fails on the constructor (compare
 * `new Map(x)`); every method and iteration form works.
 *
 * ChurnMap and ChurnSet must extend Map and Set (callers and types see a
 * Map / a Set, `instanceof` included), so they cannot share a base class;
 * they share the one piece of logic, `churnDelete`, and delegate the rest.
 */

/** Deletions in all churn tables between two copies of one table (a few thousand commands of the model bench). */
const REFRESH_EVERY = 4096;

/** The shared clock: deletions in all churn tables so far. */
let clock = 0;

/** The inner table and its refresh state, as ChurnMap and ChurnSet hold them. */
interface Churned<T> {
  inner: T;
  /** Own deletions since the last copy. */
  deletes: number;
  /** `clock` at the last copy. */
  copiedAt: number;
}

/**
 * Deletes `key` from the inner table and replaces the table with a fresh
 * copy when it is due (see above). Shared by ChurnMap and ChurnSet.
 */
function churnDelete<K, T extends { delete(key: K): boolean; readonly size: number }>(c: Churned<T>, key: K, copy: (t: T) => T): boolean {
  if (!c.inner.delete(key)) return false;
  clock++;
  if (++c.deletes > c.inner.size >> 2 && clock - c.copiedAt >= REFRESH_EVERY) {
    c.deletes = 0;
    c.copiedAt = clock;
    c.inner = copy(c.inner);
  }
  return true;
}

// forEach with a thisArg: no per-entry iterator results or [key, value] arrays (as `new Map(m)` makes), no closure
function setInto<K, V>(this: Map<K, V>, v: V, k: K): void {
  this.set(k, v);
}
function addInto<T>(this: Set<T>, v: T): void {
  this.add(v);
}
function copyMap<K, V>(m: Map<K, V>): Map<K, V> {
  const out = new Map<K, V>();
  m.forEach(setInto, out);
  return out;
}
function copySet<T>(s: Set<T>): Set<T> {
  const out = new Set<T>();
  s.forEach(addInto, out);
  return out;
}

/** A Map for churned entries. Internal. */
export class ChurnMap<K, V> extends Map<K, V> {
  /** Public only for churnDelete; not part of the Map surface. */
  inner = new Map<K, V>();
  deletes = 0;
  copiedAt = clock;

  override get size(): number {
    return this.inner.size;
  }

  override get(key: K): V | undefined {
    return this.inner.get(key);
  }

  override has(key: K): boolean {
    return this.inner.has(key);
  }

  override set(key: K, value: V): this {
    this.inner.set(key, value);
    return this;
  }

  override delete(key: K): boolean {
    return churnDelete(this, key, copyMap);
  }

  override clear(): void {
    this.inner = new Map();
  }

  override keys(): MapIterator<K> {
    return this.inner.keys();
  }

  override values(): MapIterator<V> {
    return this.inner.values();
  }

  override entries(): MapIterator<[K, V]> {
    return this.inner.entries();
  }

  override [Symbol.iterator](): MapIterator<[K, V]> {
    return this.inner.entries();
  }

  override forEach(fn: (value: V, key: K, map: Map<K, V>) => void, thisArg?: unknown): void {
    this.inner.forEach((v, k) => fn.call(thisArg, v, k, this));
  }
}

/** A Set for churned members. Internal. */
export class ChurnSet<T> extends Set<T> {
  /** Public only for churnDelete; not part of the Set surface. */
  inner = new Set<T>();
  deletes = 0;
  copiedAt = clock;

  override get size(): number {
    return this.inner.size;
  }

  override has(member: T): boolean {
    return this.inner.has(member);
  }

  override add(member: T): this {
    this.inner.add(member);
    return this;
  }

  override delete(member: T): boolean {
    return churnDelete(this, member, copySet);
  }

  override clear(): void {
    this.inner = new Set();
  }

  override keys(): SetIterator<T> {
    return this.inner.values();
  }

  override values(): SetIterator<T> {
    return this.inner.values();
  }

  override entries(): SetIterator<[T, T]> {
    return this.inner.entries();
  }

  override [Symbol.iterator](): SetIterator<T> {
    return this.inner.values();
  }

  override forEach(fn: (value: T, value2: T, set: Set<T>) => void, thisArg?: unknown): void {
    this.inner.forEach((v) => fn.call(thisArg, v, v, this));
  }
}
