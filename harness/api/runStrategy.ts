/**
 * The run strategy a VM acts on (R-RS0): `running: true` ≡ Always,
 * `running: false` ≡ Halted ([KV] types.go `(*VirtualMachine).RunStrategy`). Public.
 */
import type { RunStrategy, VirtualMachine } from './types.ts';

/** Effective run strategy of a validated VM (Halted if somehow neither is set). Public. */
export function effectiveRunStrategy(vm: VirtualMachine): RunStrategy {
  if (vm.spec.runStrategy !== undefined) return vm.spec.runStrategy;
  if (vm.spec.running !== undefined) return vm.spec.running ? 'Always' : 'Halted';
  return 'Halted';
}
