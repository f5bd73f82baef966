/**
 * The node agent's mailbox: events waiting to be taken and work still in
 * flight, with one wait that wakes on either. Internal (QemuAgent).
 */
import type { AgentEvent } from '../../harness/cluster/index.ts';

export class InflightSet {
  #events: AgentEvent[] = [];
  #work = new Map<number, string>();
  #seq = 0;
  #wake: Array<() => void> = [];
  /** Tracked work that is parked (a held migration): it does not keep the agent busy. */
  #parked = 0;

  emit(e: AgentEvent): void {
    this.#events.push(e);
    this.#notify();
  }

  /** Registers work until `p` settles; returns `p`. Rejections are the caller's to handle. */
  track<T>(label: string, p: Promise<T>): Promise<T> {
    const id = ++this.#seq;
    this.#work.set(id, label);
    const end = (): void => {
      this.#work.delete(id);
      this.#notify();
    };
    p.then(end, end);
    return p;
  }

  /** Marks one piece of tracked work as parked until the returned function is called (once). */
  park(): () => void {
    this.#parked++;
    this.#notify();
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.#parked--;
    };
  }

  idle(): boolean {
    return this.#events.length === 0 && this.#work.size <= this.#parked;
  }

  describe(): string {
    const parts = [...new Set(this.#work.values())];
    if (this.#parked) parts.push(`${this.#parked} held migration(s), parked`);
    if (this.#events.length) parts.push(`${this.#events.length} events not taken`);
    return parts.length ? parts.join('; ') : 'nothing';
  }

  /** See NodeAgent.next: events as soon as there is one, [] when idle or at the deadline. */
  async next(deadlineMs: number): Promise<AgentEvent[]> {
    for (;;) {
      if (this.#events.length) return this.#events.splice(0);
      if (this.#work.size <= this.#parked) return [];
      const left = deadlineMs - Date.now();
      if (left <= 0) return [];
      await new Promise<void>((resolve) => {
        const t = setTimeout(done, left);
        this.#wake.push(done);
        function done(): void {
          clearTimeout(t);
          resolve();
        }
      });
    }
  }

  #notify(): void {
    const w = this.#wake.splice(0);
    for (const f of w) f();
  }
}
