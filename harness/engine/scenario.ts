/**
 * The scenario arbitrary (docs/harness-choices.md §8). Public.
 *
 * Why this shape (instead of `fc.commands`): a scenario is a cluster, a VM
 * set (both consistent by construction) and a list of *choices*. A choice is
 * two small integers: which kind of step among the kinds that have valid
 * candidates in the current state, and which candidate of that kind. The
 * runner resolves each choice against the reference backend's state while it
 * runs (catalogue.ts), so every drawn command is meaningful in the state it
 * meets, and rejected-on-purpose commands are drawn where they make sense.
 *
 * Shrinking puts the cuts that can shorten a counterexample first, because
 * on real QEMU every candidate is a full replay (seconds) and a shrink
 * budget buys only a handful:
 * 1. prefixes of the choices, shortest first: a run stops at its first
 *    failing step, so the choices after it are never used, and the first
 *    prefix that still fails is cut at that step;
 * 2. the last choice after the shortest head of the others (all the choices
 *    between dropped at once): most steps before a failure only lead to the
 *    state it needs, and a short head often reaches it too;
 * 3. blocks of the choices before the last dropped, halves first, then
 *    quarters ... (delta debugging's complements), latest block first;
 * 4. each VM dropped (the others renamed as generation names them);
 * 5. each choice before the last dropped, latest first;
 * then fast-check's own shrinks of the choices, the VM shapes and the cluster
 * (integers toward 0: the first valid kind and candidate). fast-check's own
 * array shrink alone shortens a list by dropping its *first* elements, which
 * for a step list changes every state the later choices meet.
 * Whatever a candidate is, it stays consistent, because an index that no
 * longer fits wraps modulo the valid list, and VM dependencies travel with
 * their VM. Replay is exact: the candidates are a pure function of the value
 * and its context, so seed + path regenerate the same data, and the
 * resolution against a deterministic reference is a pure function of it.
 */
import fc from 'fast-check';
import type { Choice } from './catalogue.ts';
import { clusterArb, type ClusterSpec } from './clusterArb.ts';
import type { Suite } from './suite.ts';
import { buildVmEntry, vmShapeArb, type VmEntry, type VmShape } from './vmArb.ts';

/**
 * Bumped whenever a change to the arbitraries or the catalogue changes what
 * a (seed, path) generates: replay tokens carry it. 4: the shrink order above
 * (a path's shrink steps mean other candidates). 5: suites' minSteps and the
 * node capacities for launcher pod requests (clusterArb.ts).
 */
export const GENERATOR_VERSION = 5;

/** Largest choice index; choices wrap, so the bound only shapes the distribution. */
const CHOICE_MAX = 1023;

/** A generated scenario. Public. */
export interface Scenario {
  cluster: ClusterSpec;
  vms: VmEntry[];
  choices: Choice[];
}

/** What a scenario was made from: fast-check's contexts of its parts (absent once a cut changed that part) and the VM shapes. */
interface Made {
  cluster: unknown;
  shapes: VmShape[];
  shapesContext?: unknown;
  choicesContext?: unknown;
}

/**
 * What a run another worker runs is drawn as (--jobs): nothing. fast-check
 * gives every run its own random generator (a jump of the seed's), so
 * drawing nothing for one run leaves every other run's draws unchanged.
 */
export const SKIPPED_SCENARIO: Scenario = Object.freeze({ cluster: Object.freeze({ nodes: [], objects: [] }), vms: [], choices: [] }) as Scenario;

export interface ScenarioArbOptions {
  /**
   * Runs, by index in the order fast-check generates them, whose scenario is
   * never run (--jobs: another worker's): they are drawn as SKIPPED_SCENARIO
   * at no cost. Only for a fresh check (no replay path): a path's runs are
   * not the generation order.
   */
  skipRun?: (run: number) => boolean;
}

/** Scenarios with the shrink order above. */
class ScenarioArbitrary extends fc.Arbitrary<Scenario> {
  /** Runs generated so far (skipRun's index). */
  private generated = 0;

  constructor(
    private readonly clusters: fc.Arbitrary<ClusterSpec>,
    private readonly shapes: fc.Arbitrary<VmShape[]>,
    private readonly choices: fc.Arbitrary<Choice[]>,
    /**
     * The same choices without the suite's minSteps, which shrinks them: a counterexample may be
     * shorter than minSteps (a run stops at its first difference), and fast-check's array shrinker
     * offers a list below its minLength unchanged, which, still failing, would be taken as a
     * shrink for ever.
     */
    private readonly anyChoices: fc.Arbitrary<Choice[]>,
    private readonly skipRun?: (run: number) => boolean,
  ) {
    super();
  }

  // Drawn in the order of the former fc.record({ cluster, vms, choices }): a seed generates the same runs.
  generate(mrng: fc.Random, biasFactor: number | undefined): fc.Value<Scenario> {
    if (this.skipRun?.(this.generated++)) return new fc.Value(SKIPPED_SCENARIO, undefined);
    const cluster = this.clusters.generate(mrng, biasFactor);
    const shapes = this.shapes.generate(mrng, biasFactor);
    const choices = this.choices.generate(mrng, biasFactor);
    return this.value(cluster.value, choices.value, { cluster: cluster.context, shapes: shapes.value, shapesContext: shapes.context, choicesContext: choices.context });
  }

  canShrinkWithoutContext(_value: unknown): _value is Scenario {
    return false;
  }

  shrink(s: Scenario, context: unknown): fc.Stream<fc.Value<Scenario>> {
    if (!isMade(context)) return fc.Stream.nil();
    const made = context;
    const n = s.choices.length;
    const withChoices = (choices: Choice[], choicesContext?: unknown) =>
      this.value(s.cluster, choices, { cluster: made.cluster, shapes: made.shapes, ...(made.shapesContext !== undefined ? { shapesContext: made.shapesContext } : {}), ...(choicesContext !== undefined ? { choicesContext } : {}) });
    const prefixes = fc.Stream.of(...range(1, n)).map((len) => withChoices(s.choices.slice(0, len)));
    const headAndLast = fc.Stream.of(...range(0, n - 2)).map((len) => withChoices([...s.choices.slice(0, len), s.choices[n - 1] as Choice]));
    const vmDrops = fc.Stream.of(...(made.shapes.length > 1 ? range(0, made.shapes.length).reverse() : [])).map((i) =>
      this.value(s.cluster, s.choices, { cluster: made.cluster, shapes: made.shapes.filter((_, j) => j !== i) }),
    );
    const blockDrops = fc.Stream.of(...blocks(n - 1)).map(([from, to]) => withChoices([...s.choices.slice(0, from), ...s.choices.slice(to)]));
    const choiceDrops = fc.Stream.of(...range(0, n - 1).reverse()).map((i) => withChoices(s.choices.filter((_, j) => j !== i)));
    const own = (): fc.Stream<fc.Value<Scenario>> =>
      this.anyChoices
        .shrink(s.choices, made.choicesContext)
        .map((c) => withChoices(c.value, c.context))
        .join(
          made.shapesContext === undefined
            ? fc.Stream.nil<fc.Value<Scenario>>()
            : this.shapes.shrink(made.shapes, made.shapesContext).map((v) => this.value(s.cluster, s.choices, { cluster: made.cluster, shapes: v.value, shapesContext: v.context, ...(made.choicesContext !== undefined ? { choicesContext: made.choicesContext } : {}) })),
        )
        .join(this.clusters.shrink(s.cluster, made.cluster).map((c) => this.value(c.value, s.choices, { ...made, cluster: c.context })));
    return prefixes.join(headAndLast, blockDrops, vmDrops, choiceDrops).join(lazy(own));
  }

  private value(cluster: ClusterSpec, choices: Choice[], made: Made): fc.Value<Scenario> {
    return new fc.Value({ cluster, vms: made.shapes.map((sh, i) => buildVmEntry(i, sh)), choices }, made);
  }
}

/** Blocks [from, to) of `length` items of size length/2, length/4, ... down to 2, the latest block of each size first. */
function blocks(length: number): [number, number][] {
  const out: [number, number][] = [];
  for (let size = Math.ceil(length / 2); size >= 2; size = Math.ceil(size / 2)) {
    for (let from = Math.floor((length - 1) / size) * size; from >= 0; from -= size) out.push([from, Math.min(from + size, length)]);
    if (size === 2) break;
  }
  return out;
}

function isMade(c: unknown): c is Made {
  return typeof c === 'object' && c !== null && 'shapes' in c && Array.isArray((c as Made).shapes);
}

/** [from, to) */
function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i);
}

/** A stream built only when reached: fast-check's own shrinks are not computed while the cuts above keep failing. */
function lazy<T>(make: () => fc.Stream<T>): fc.Stream<T> {
  return fc.Stream.of(make).flatMap((m) => m());
}

/** Scenarios for a suite: 1..maxVms VMs, minSteps..maxSteps choices. Public. */
export function scenarioArb(suite: Suite, opts: ScenarioArbOptions = {}): fc.Arbitrary<Scenario> {
  const choice = fc.tuple(fc.nat(CHOICE_MAX), fc.nat(CHOICE_MAX));
  return new ScenarioArbitrary(
    clusterArb(suite),
    fc.array(vmShapeArb(suite), { minLength: 1, maxLength: suite.maxVms }),
    fc.array(choice, { minLength: suite.minSteps, maxLength: suite.maxSteps }),
    fc.array(choice, { minLength: 1, maxLength: suite.maxSteps }),
    opts.skipRun,
  );
}
