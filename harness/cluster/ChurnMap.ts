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
 * (young, so its rehashes stay young) after every REFRESH_DELETES deletions.
 * A copy costs O(size) once per REFRESH_DELETES deletions.
 *
 * Caveats: the entries are not in the Map's own internal slots, so
 * util.inspect shows an empty Map and structuredClone copies nothing, and a
 * deep equality with a plain Map fails on the constructor (compare
 * `new Map(x)`); every method and iteration form works.
 */

/** Deletions between two refreshes of the inner table. */
const REFRESH_DELETES = 1024;

/** A Map for churned entries. Internal. */
export class ChurnMap<K, V> extends Map<K, V> {
  private inner = new Map<K, V>();
  private deletes = 0;

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
    if (!this.inner.delete(key)) return false;
    if (++this.deletes >= REFRESH_DELETES) {
      this.deletes = 0;
      this.inner = new Map(this.inner);
    }
    return true;
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
  private inner = new Set<T>();
  private deletes = 0;

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
    if (!this.inner.delete(member)) return false;
    if (++this.deletes >= REFRESH_DELETES) {
      this.deletes = 0;
      this.inner = new Set(this.inner);
    }
    return true;
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
