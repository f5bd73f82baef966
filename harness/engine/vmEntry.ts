/** One VM of a scenario, as generation and the catalogue see it. Public. */
import type { KubeObject } from '../api/index.ts';

/** How a VM's manifests are built: plain YAML, an instance type, a Template. */
export const BUILDS = ['yaml', 'instancetype', 'template'] as const;
export type BuildWay = (typeof BUILDS)[number];

/** One VM of a scenario: its manifests, dependencies first, the VM or VMI last. */
export interface VmEntry {
  name: string;
  kind: 'VirtualMachine' | 'VirtualMachineInstance';
  build: BuildWay;
  objects: KubeObject[];
  /**
   * The spec values it was drawn with, dimension → value (`boot: iso`,
   * `memory: 1Gi`), or values for a dimension a VM has several of (its
   * networks, its extra disks); for the coverage counts.
   */
  dims: Record<string, string | readonly string[]>;
}
