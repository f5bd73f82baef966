/**
 * A controller's work queue (KubeVirt's workqueue: a key is queued at most
 * once; a key being worked on may be queued again). Internal to the cluster
 * core.
 *
 * The buffer is reused (head and tail go back to 0 when it empties) rather
 * than truncated, which would drop its backing store and grow it again on
 * the next pushes; duplicates are found by a scan while the queue is short
 * (the usual case: one to three keys) and by a set once it is long.
 */

const SCAN_LIMIT = 32;

export class WorkQueue {
  private readonly keys: (string | undefined)[] = [];
  private head = 0;
  private tail = 0;
  /** The queued keys, kept only while the queue is longer than SCAN_LIMIT. */
  private index: Set<string> | null = null;
  /**
   * `add` bound to this queue, for the controllers' watches. Bound rather
   * than an arrow: under tsx (esbuild keepNames) every arrow made at run
   * time is also named by Object.defineProperty (about a microsecond), and
   * a core and its queues are made per sequence.
   */
  readonly enqueue: (key: string) => void = this.add.bind(this);

  get size(): number {
    return this.tail - this.head;
  }

  /** Queues `key` unless it is queued already. */
  add(key: string): void {
    if (this.index) {
      if (this.index.has(key)) return;
      this.index.add(key);
    } else {
      for (let i = this.head; i < this.tail; i++) if (this.keys[i] === key) return;
      if (this.tail - this.head >= SCAN_LIMIT) this.index = new Set(this.keys.slice(this.head, this.tail) as string[]).add(key);
    }
    this.keys[this.tail++] = key;
  }

  /** The oldest key, taken off the queue. Only when size > 0. */
  take(): string {
    const key = this.keys[this.head]!;
    this.keys[this.head++] = undefined;
    this.index?.delete(key);
    if (this.head === this.tail) {
      this.head = this.tail = 0;
      this.index = null;
    }
    return key;
  }
}
