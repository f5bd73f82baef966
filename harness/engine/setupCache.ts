/**
 * The setup cache (docs/architecture.md §4). Internal (runner.ts).
 *
 * A generated sequence starts by applying its cluster (nodes, storage
 * classes, networks, a golden image: about fourteen objects) to fresh
 * backends, and thousands of sequences draw far fewer distinct clusters
 * (10,000 sequences of suite `model`: under 900). A backend whose whole
 * state can be saved (the model: plain JSON, `ModelBackend.save`) keeps, per
 * setup, its answers to the setup's commands and its settled state after
 * them; a sequence with the same setup then starts from a restored copy and
 * gets the same answers, without applying anything. A restored model
 * continues exactly as the saved one (the save/restore property,
 * backends/model/saveRestore.ts; the runner's test compares runs with and
 * without the cache). Only setups every backend agreed on are kept.
 */
import type { Backend } from '../../backends/contract.ts';
import type { Result } from '../contract/index.ts';
import type { Command } from './command.ts';
import { deepFreeze } from '../api/index.ts';

/** A backend factory's way to save a backend's state and make one continuing from it. */
export interface SavedState {
  save(b: Backend): unknown;
  restore(state: unknown): Promise<Backend>;
}

/** What one backend did with one setup: its answers (frozen: shared by every sequence that restores it) and its state after the setup settled. */
export interface SetupEntry {
  results: readonly Result[];
  state: unknown;
}

/** Entries per factory: bounded, the least recently used go first (a few MB at the limit). */
const LIMIT = 1024;
const caches = new WeakMap<object, Map<string, SetupEntry>>();

function cacheOf(factory: object): Map<string, SetupEntry> {
  let c = caches.get(factory);
  if (c === undefined) caches.set(factory, (c = new Map()));
  return c;
}

/** An object's JSON text, once per object: a suite's cluster objects besides the nodes are the same objects in every sequence (clusterArb.ts), and commands never change the objects they carry. */
const texts = new WeakMap<object, string>();
function textOf(o: object): string {
  let t = texts.get(o);
  if (t === undefined) texts.set(o, (t = JSON.stringify(o)));
  return t;
}

/** The key of a setup: its commands, as text. */
export function setupKey(setup: readonly Command[]): string {
  let key = '';
  for (const c of setup) key += c.kind === 'apply' ? `apply ${c.args.setup === true} ${textOf(c.args.object)}\n` : `${JSON.stringify(c)}\n`;
  return key;
}

/** The entry of every factory for this setup, or null unless all have one. */
export function lookup(factories: readonly object[], key: string): SetupEntry[] | null {
  const out: SetupEntry[] = [];
  for (const f of factories) {
    const c = cacheOf(f);
    const e = c.get(key);
    if (e === undefined) return null;
    c.delete(key); // re-inserted: most recently used last
    c.set(key, e);
    out.push(e);
  }
  return out;
}

/** Keeps a factory's entry for a setup. */
export function remember(factory: object, key: string, entry: SetupEntry): void {
  const c = cacheOf(factory);
  c.set(key, { results: deepFreeze(entry.results), state: entry.state });
  if (c.size > LIMIT) c.delete(c.keys().next().value as string);
}
