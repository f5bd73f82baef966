/**
 * The VM spec space generation draws from (docs/spec.md §8–§10): each
 * dimension with its values, simplest first (fast-check shrinks a drawn
 * value toward the first), and the values a suite may leave out with the
 * reason it must give. Public. A suite's `spec:` names, per dimension, the
 * values it draws (suite.ts); a dimension it does not name stays at its
 * first value.
 */
import type { SpecExclusion } from './runResults.ts';

/** `SxCxT`: sockets × cores × threads, 1–4 vCPUs in total, fewest vCPUs first. */
export const CPU_TOPOLOGIES = ['1x1x1', '2x1x1', '1x2x1', '1x1x2', '3x1x1', '1x3x1', '4x1x1', '1x4x1', '2x2x1', '2x1x2', '1x2x2', '1x1x4'] as const;

/**
 * The drawn dimensions and their values, simplest first. `unset` leaves the
 * field out (KubeVirt's default applies). Public.
 */
export const SPEC_DIMENSIONS = {
  /** spec.domain.cpu (sockets, cores, threads). */
  cpu: CPU_TOPOLOGIES,
  /**
   * Where the vCPU count is written: spec.domain.cpu, or only
   * resources.requests.cpu (their product), which KubeVirt makes sockets
   * (converter.go getCPUTopology).
   */
  cpuIn: ['topology', 'requests'],
  /** Guest memory, in the forms users write (binary and decimal suffixes). */
  memory: ['256Mi', '128Mi', '512Mi', '384Mi', '1Gi', '1G', '768M', '512M'],
  /** Where the memory is written: spec.domain.memory.guest, resources.requests.memory or resources.limits.memory. */
  memoryIn: ['guest', 'requests', 'limits'],
  /** The instance type of a VM built with one (clusterArb.ts INSTANCETYPES). */
  instancetype: ['tiny', 'small'],
  /** spec.terminationGracePeriodSeconds; `unset`: the cluster's default (5 s). */
  grace: ['0', '1', '2', 'unset'],
  /** Bus of every disk (boot disk and extra disks). */
  diskBus: ['virtio', 'scsi', 'sata'],
  /** Bus of the boot cdrom (boot source iso). */
  cdromBus: ['sata', 'scsi'],
  /** interfaces[].model; `unset`: KubeVirt's default (virtio). */
  nicModel: ['unset', 'virtio', 'e1000e', 'e1000', 'rtl8139'],
  /** Binding of the pod network's interface. */
  podBinding: ['masquerade', 'bridge'],
  /** bootOrder: none, the boot disk only (1), or the first extra disk before the boot disk (1, then 2). */
  bootOrder: ['unset', 'root', 'data-first'],
} as const satisfies Record<string, readonly [string, ...string[]]>;

export type SpecDimension = keyof typeof SPEC_DIMENSIONS;
export type SpecValue<D extends SpecDimension> = (typeof SPEC_DIMENSIONS)[D][number];
export const SPEC_DIMENSION_NAMES = Object.keys(SPEC_DIMENSIONS) as [SpecDimension, ...SpecDimension[]];

/** What a suite draws: per dimension, the values (a dimension left out stays at its first value). Public. */
export type SpecChoice = { [D in SpecDimension]: readonly SpecValue<D>[] };

/** The values of `dim` in the order of SPEC_DIMENSIONS (simplest first), so that shrinking goes there whatever the suite's order. */
export function simplestFirst<D extends SpecDimension>(dim: D, values: readonly SpecValue<D>[]): SpecValue<D>[] {
  const order = SPEC_DIMENSIONS[dim] as readonly string[];
  return [...new Set(values)].sort((a, b) => order.indexOf(a) - order.indexOf(b));
}

export interface Exclusion {
  why: 'unrealisable' | 'uncompared' | 'unsimulated';
  reason: string;
}

const NO_AHCI =
  'the guest kernel (Debian cloud, CONFIG_SATA_AHCI is not set) has no AHCI driver: a disk on ich9-ahci is absent in the running guest, so nothing of it is compared (guest/README.md)';
const NO_NIC_DRIVER =
  'the guest kernel (Debian cloud) is built without this driver (CONFIG_E1000, CONFIG_E1000E, CONFIG_8139CP/TOO are not set; no module to add from the package, guest/initramfs.ts GUEST_MODULES): the NIC is absent in the running guest';

/**
 * Why a suite leaves a value out, where it must (a suite against a real
 * backend) or should (until the observation compares it). Values of
 * SPEC_DIMENSIONS not listed here are left out only to keep a suite small.
 * Public: the report lists the ones a suite does not draw.
 */
export const EXCLUSIONS: { [D in SpecDimension]?: { [V in SpecValue<D>]?: Exclusion } } = {
  diskBus: {
    sata: { why: 'unrealisable', reason: NO_AHCI },
  },
  nicModel: {
    e1000e: { why: 'unrealisable', reason: NO_NIC_DRIVER },
    e1000: { why: 'unrealisable', reason: NO_NIC_DRIVER },
    rtl8139: { why: 'unrealisable', reason: NO_NIC_DRIVER },
  },
};

/**
 * Fields of the spec space that generation does not draw at all, and why;
 * listed in every report (value `*`). Public.
 */
export const UNDRAWN: readonly ({ dimension: string } & Exclusion)[] = [
  {
    dimension: 'cpu.threads',
    why: 'unrealisable',
    reason: "drawn (cpu) and passed to QEMU (-smp N,sockets,cores,threads); the guest shows sockets and vCPUs (VmiObservation.sockets, vcpus), but QEMU's default CPU model (qemu64, AMD, no topoext) shows threads as cores, so cores and threads are not told apart",
  },
  { dimension: 'nodeSelector', why: 'unsimulated', reason: 'the scheduler ignores nodeSelector (harness/cluster/scheduler.ts pickNode)' },
  { dimension: 'evictionStrategy', why: 'uncompared', reason: 'it acts only on a node drain (R-M6), a fault generation does not draw' },
  { dimension: 'firmware', why: 'unrealisable', reason: 'no UEFI firmware (OVMF) in the fixtures; the model does not simulate firmware kinds' },
  {
    dimension: 'resources.limits.cpu',
    why: 'unsimulated',
    reason: 'the model takes the vCPU count of a VMI without a topology from resources.requests.cpu only (harness/cluster/common/template.ts); KubeVirt getCPUTopology reads limits first',
  },
];

/**
 * The console's lines for what a run left out: one per dimension and
 * reason, its values together (`left out: nicModel e1000e, e1000, rtl8139
 * (unrealisable): ...`). Public, pure.
 */
export function notDrawnLines(list: readonly SpecExclusion[]): string[] {
  const groups = new Map<string, { head: string; values: string[]; tail: string }>();
  for (const x of list) {
    const key = `${x.dimension}\0${x.why}\0${x.reason}`;
    const g = groups.get(key) ?? { head: x.dimension, values: [], tail: `(${x.why}): ${x.reason}` };
    if (x.value !== '*') g.values.push(x.value);
    groups.set(key, g);
  }
  return [...groups.values()].map((g) => `left out: ${g.head}${g.values.length ? ` ${g.values.join(', ')}` : ''} ${g.tail}`);
}

/** What a suite leaves out of the spec space, with the reasons: the report lists it. Public. */
export function notDrawn(spec: SpecChoice): SpecExclusion[] {
  const out: SpecExclusion[] = [];
  for (const d of SPEC_DIMENSION_NAMES) {
    const reasons = (EXCLUSIONS[d] ?? {}) as Record<string, Exclusion>;
    for (const [value, e] of Object.entries(reasons)) if (!(spec[d] as readonly string[]).includes(value)) out.push({ dimension: d, value, ...e });
  }
  return [...out, ...UNDRAWN.map((u) => ({ ...u, value: '*' }))];
}
