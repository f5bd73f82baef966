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

  idle(): boolean {
    return this.#events.length === 0 && this.#work.size === 0;
  }

  describe(): string {
    const parts = [...new Set(this.#work.values())];
    if (this.#events.length) parts.push(`${this.#events.length} events not taken`);
    return parts.length ? parts.join('; ') : 'nothing';
  }

  /** See NodeAgent.next: events as soon as there is one, [] when idle or at the deadline. */
  async next(deadlineMs: number): Promise<AgentEvent[]> {
    for (;;) {
      if (this.#events.length) return this.#events.splice(0);
      if (this.#work.size === 0) return [];
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
