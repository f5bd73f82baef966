import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pickNode, type Request } from './scheduler.ts';
import { countActive, nodeSetChanged, nodesByLoad, sortedNodes } from './common/placement.ts';
import type { ApiObject } from './store/objects.ts';
import type { NodeRecord } from './store/records.ts';
import { Store } from './store/Store.ts';

/** The harness's scheduling rule stated directly: among feasible nodes, the fewest active VMIs, ties by name. */
function reference(nodes: readonly NodeRecord[], r: Request, exclude: string | null): string | null {
  const feasible = nodes.filter(
    (n) =>
      n.ready &&
      n.schedulable &&
      n.name !== exclude &&
      (r.pinned === null || n.name === r.pinned) &&
      (n.cpuMilli === null || n.cpuMilli - n.usedCpuMilli >= r.cpuMilli),
  );
  feasible.sort((a, b) => a.active - b.active || (a.name < b.name ? -1 : 1));
  return feasible[0]?.name ?? null;
}

function addNode(s: Store, name: string): NodeRecord {
  const rec: NodeRecord = { name, ready: true, schedulable: true, cpuMilli: 4000, memBytes: null, usedCpuMilli: 0, usedMemBytes: 0, active: 0, vfs: {}, vmis: [], drains: 0, drainsHandled: 0, uncordons: 0 };
  s.create({ apiVersion: 'v1', kind: 'Node', metadata: { name } } as ApiObject, rec);
  nodeSetChanged(s);
  return rec;
}

type Op =
  | { op: 'place' | 'release' | 'toggleReady' | 'cordon'; node: number }
  | { op: 'use'; node: number; milli: number }
  | { op: 'add'; name: string }
  | { op: 'restore' }
  | { op: 'pick'; milli: number; pinned: number | null; exclude: number | null };

// placements, releases and picks mostly; a node set change or a restore (both rebuild the cached order) now and then
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ op: fc.constantFrom('place' as const, 'release' as const), node: fc.nat(20) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constantFrom('toggleReady' as const, 'cordon' as const), node: fc.nat(20) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('use' as const), node: fc.nat(20), milli: fc.integer({ min: 0, max: 4000 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('add' as const), name: fc.stringMatching(/^n[0-9a-z]{1,3}$/) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('restore' as const) }) },
  { weight: 6, arbitrary: fc.record({ op: fc.constant('pick' as const), milli: fc.integer({ min: 0, max: 4000 }), pinned: fc.option(fc.nat(20), { freq: 5 }), exclude: fc.option(fc.nat(20)) }) },
);

describe('the scheduler picks by the cached load order', () => {
  it('picks the node the rule names (fewest active VMIs, then name) after any sequence of placements, releases, node changes and restores', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.stringMatching(/^n[0-9a-z]{1,3}$/), { minLength: 1, maxLength: 8 }), fc.array(opArb, { maxLength: 80 }), (names, ops) => {
        let s = new Store(0);
        for (const n of names) addNode(s, n);
        const nodes = () => sortedNodes(s);
        const at = (i: number) => nodes()[i % nodes().length]!;
        for (const o of ops) {
          switch (o.op) {
            case 'place':
              countActive(s, at(o.node), 1);
              break;
            case 'release':
              if (at(o.node).active > 0) countActive(s, at(o.node), -1);
              break;
            case 'toggleReady':
              at(o.node).ready = !at(o.node).ready;
              break;
            case 'cordon':
              at(o.node).schedulable = !at(o.node).schedulable;
              break;
            case 'use':
              at(o.node).usedCpuMilli = o.milli;
              break;
            case 'add':
              if (!s.get('Node', o.name)) addNode(s, o.name);
              break;
            case 'restore':
              s = Store.restore(s.save()); // a restored store has no cached order yet
              break;
            case 'pick': {
              const r: Request = { cpuMilli: o.milli, memBytes: 0, vfs: null, pinned: o.pinned === null ? null : at(o.pinned).name };
              const exclude = o.exclude === null ? null : at(o.exclude).name;
              expect(pickNode(nodesByLoad(s), r, exclude)?.name ?? null).toBe(reference(nodes(), r, exclude));
            }
          }
        }
        // and the groups hold every node once, in its own group, in name order
        const groups = nodesByLoad(s);
        expect(groups.flat().map((n) => n.name).sort()).toEqual(nodes().map((n) => n.name).sort());
        groups.forEach((g, a) => g.forEach((n, i) => expect(n.active === a && (i === 0 || g[i - 1]!.name < n.name)).toBe(true)));
      }),
      { numRuns: 300 },
    );
  });
});
