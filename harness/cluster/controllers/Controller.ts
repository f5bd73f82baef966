/**
 * What a controller is (docs/architecture.md, the control plane; KubeVirt
 * pkg/virt-controller/watch: informers feed keyed work queues, `execute(key)`
 * re-reads the store). A controller declares the kinds it watches and maps
 * each store event to the keys it must look at again; `reconcile` looks at
 * one key. Controllers never import each other: they meet in the store and
 * the queues. Internal to the cluster core.
 */
import type { Effect } from '../agent.ts';
import type { Rules } from '../rules.ts';
import type { Entry, Store } from '../store/Store.ts';

/** What a reconcile may use: the store, the rules, the node side's inbox, the clock and the timer queue. */
export interface Ctx {
  readonly store: Store;
  readonly rules: Rules;
  /** Hands an effect to the node agent (in order). */
  emit(e: Effect): void;
  /** The core's clock in ms (virtual in the model, wall clock in qemu). */
  now(): number;
  /** Queues `key` for `controller` once the clock reaches `dueMs`. */
  after(dueMs: number, controller: string, key: string): void;
}

/** Maps one store event of a watched kind to keys: `enqueue` each key to look at. */
export type Watch = (c: Ctx, e: Entry, removed: boolean, enqueue: (key: string) => void) => void;

export interface Controller {
  readonly name: string;
  readonly watches: Readonly<Record<string, Watch>>;
  reconcile(c: Ctx, key: string): void;
}

/** The usual watch of a controller's own kind: the object's name is the key (a removal needs no look). */
export const byName: Watch = (_c, e, removed, enqueue) => {
  if (!removed) enqueue(e.obj.metadata.name);
};
