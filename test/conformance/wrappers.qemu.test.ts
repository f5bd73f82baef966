/**
 * A changed QEMU fails the gate: `vmconform run
 * --qemu-binary WRAPPER` against the model, where each wrapper (under
 * wrappers/) execs the real QEMU with one behaviour change. The run exits 1
 * with a counterexample of at most 3 steps whose diff names the field the
 * change breaks; nothing of the run is left behind.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import type { RunResults } from '../../harness/report/types.ts';
import { filesUnder, privateTmpForFile, qemuProcessesUnder, ROOT, spawnCli } from './cli.testkit.ts';

const MIGRATION_FAILED = /^(migrations\.vm-a-migration-\d+\.phase|vmis\.vm-a\.(migration.*|node))$/;

/** `args`: instead of the short shrink budget of the rest (30 s), these flags and the suite's own budgets. */
const WRAPPERS: { file: string; rule: string; change: string; field: RegExp; suite?: string; seed?: number; args?: string[] }[] = [
  // R-G2: a reset keeps the VMI Running with a new boot; with -no-reboot QEMU exits instead
  // (SHUTDOWN guest-reset / host-qmp-system-reset, then the exit: the VMI ends Succeeded, like
  // KubeVirt's rebootPolicy Terminate), so the VMI ends where the model's keeps running: the diff
  // names its phase, or the whole VMI when the VM's runStrategy removes the Succeeded VMI.
  { file: 'no-reboot.sh', rule: 'R-G2', change: '-no-reboot: a reset or reboot ends the guest', field: /^vmis\.vm-a(\.bootId|\.phase)?$/ },
  // docs/spec.md §13: the guest has the vCPUs of its spec (1).
  { file: 'smp-2.sh', rule: 'docs/spec.md §13', change: '-smp 2: the guest gets 2 vCPUs', field: /^vmis\.vm-a\.vcpus$/ },
  // R-M4/R-M8: a migration target that exits at once fails every migration; the model's is held in flight
  // (bandwidthPerMigration, docs/harness-choices.md §2), so the generated migrate step alone shows it.
  {
    file: 'incoming-exits.sh',
    rule: 'R-M4',
    change: 'the migration target (-incoming) exits at once',
    field: MIGRATION_FAILED,
    suite: 'migration',
    seed: 2, // its first sequence migrates (generator version 5): the shortest run
  },
  // The same in the default gate, by the generated sequences alone and within its own budgets:
  // the first counterexample (seed 1: 6 steps) is shrunk to the apply and the migrate (harness/engine/scenario.ts).
  {
    file: 'incoming-exits.sh',
    rule: 'R-M4',
    change: 'the migration target (-incoming) exits at once, default suite, generated sequences only',
    field: MIGRATION_FAILED,
    suite: 'default',
    seed: 1,
    args: ['--no-scenarios'],
  },
  // docs/spec.md §13: the guest has the memory of its spec (256Mi), as its e820 table says.
  { file: 'mem-512.sh', rule: 'docs/spec.md §13', change: '-m 512M: the guest gets 512 MiB', field: /^vmis\.vm-a\.memoryMiB$/ },
  // docs/spec.md §13: each disk is on the bus of its spec (virtio), as the guest's sysfs path shows.
  { file: 'disk-scsi.sh', rule: 'docs/spec.md §13', change: 'virtio-blk-pci → scsi-hd on virtio-scsi: the guest sees a SCSI disk', field: /^vmis\.vm-a\.disks\[0\]\.bus$/ },
  // docs/spec.md §13: each NIC is of the model of its spec (virtio), as the guest's driver shows.
  { file: 'nic-e1000e.sh', rule: 'docs/spec.md §13', change: 'virtio-net-pci → e1000e: no driver in the guest, the NIC is gone', field: /^vmis\.vm-a\.interfaces\[0\]\.(model|mac|ipv4)$/ },
];

const tmp = privateTmpForFile('vcw-');

// Two runs at a time (vitest.config.ts maxConcurrency): each keeps one guest busy, so the second core is used.
describe.concurrent('vmconform run --qemu-binary WRAPPER: a changed QEMU is caught', () => {
  for (const w of WRAPPERS) {
    it(`${w.rule}: ${w.change} → exit 1, counterexample of <= 3 steps naming the field`, { timeout: 300_000 }, async ({ expect }) => {
      const state = join(tmp.dir, `${w.file}-${w.suite ?? 'focus'}`, 'state');
      const report = join(tmp.dir, `${w.file}-${w.suite ?? 'focus'}`, 'report');
      await mkdir(state, { recursive: true, mode: 0o700 });
      const args = ['run', '--backend', 'model,qemu', '--suite', w.suite ?? 'focus', '--seed', String(w.seed ?? 1), '--accel', 'tcg', ...(w.args ?? ['--shrink-budget-seconds', '30'])];
      const r = await spawnCli([...args, '--qemu-binary', join(ROOT, 'test/conformance/wrappers', w.file), '--report-dir', report], state, 290_000);

      expect(r.exitCode, r.all).toBe(1);
      const results = JSON.parse(await readFile(join(report, 'results.json'), 'utf8')) as RunResults;
      expect(results.passed).toBe(false);
      const f = results.failures[0]!;
      const steps = f.steps.filter((s) => !(s.command.args as { setup?: boolean }).setup);
      expect(steps.length).toBeGreaterThan(0);
      expect(steps.length).toBeLessThanOrEqual(3);
      const named = f.diff.find((d) => w.field.test(d.path));
      expect(named, JSON.stringify(f.diff)).toBeDefined();
      expect(f.diff.every((d) => d.backend === 'qemu')).toBe(true);
      expect(r.all).toContain(`${named!.path}: model=`);
      expect(await qemuProcessesUnder(state)).toEqual([]);
      expect(await filesUnder(state)).toEqual([]);
    });
  }
});
