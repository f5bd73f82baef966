/**
 * Every time budget of the qemu backend, in one place. Internal
 * (backends/qemu). They are bounds, never sleeps: each operation waits for
 * the event that proves it happened and gives up at its budget. The figures
 * are sized for TCG on a shared 2-core host (docs/qemu-notes.md: a boot takes 2–3 s
 * there, several times that under load). The protocol clients' own defaults
 * (qmp/QmpClient.ts, qga/QgaClient.ts) stay with them.
 */

/** One guest-agent or QMP operation on a running guest. */
export const GUEST_OP_MS = 15_000;
/** A guest powering off, rebooting or panicking after being asked. */
export const GUEST_REACTION_MS = 30_000;
/** The guest's late boot stage (drivers, acpid, network) after its agent answered. */
export const GUEST_BOOT_MS = 30_000;
/** The guest agent answering after a (re)boot (QemuAgentOptions.agentTimeoutMs). */
export const AGENT_TIMEOUT_MS = 60_000;
/** The stop flow presses the ACPI power button again this often (KubeVirt: every ≤5 s). */
export const POWER_BUTTON_PERIOD_MS = 5000;

/** A fresh QEMU creating its sockets and answering QMP. */
export const QMP_CONNECT_MS = 15_000;
/** QMP `quit` before SIGKILL. */
export const QUIT_MS = 3000;
/** The version probe (accel/qemuInfo.ts). */
export const QEMU_INFO_MS = 15_000;
/** The KVM canary: spawn → guest-ping answered (accel/probeAccel.ts). */
export const KVM_CANARY_MS = 20_000;

/** A whole live migration before it is cancelled. */
export const MIGRATION_TIMEOUT_MS = 120_000;
/** One QMP step of a migration (VF unplug/plug, capabilities, migrate-incoming). */
export const MIGRATION_STEP_MS = 15_000;
/** One step of a disk mirror (NBD export, blockdev-mirror until READY, completion). */
export const MIRROR_STEP_MS = 30_000;

/** One qemu-img run. */
export const QEMU_IMG_MS = 30_000;
/** Provisioning a volume (copy, clone, image build). */
export const VOLUME_MS = 60_000;
/** A killed orphan QEMU going away (StateDir.reapOrphans). */
export const REAP_WAIT_MS = 5000;
