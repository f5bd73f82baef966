/**
 * The boundary between the control plane and the node side. Public (internal
 * to backends).
 *
 * KubeVirt's control plane (virt-api admission, virt-controller: VM and VMI
 * controllers, scheduler, migration controller, PVC binding) is the same code
 * whatever hypervisor runs below it. vmconform keeps it as a pure, deterministic
 * core in harness/cluster that turns commands into **effects** for a node agent
 * (virt-handler + virt-launcher + QEMU) and turns the agent's **events** into
 * phases and conditions:
 *
 *   model backend = cluster core + a simulated agent (instant, virtual time)
 *   qemu backend  = cluster core + a real agent (QEMU processes; events come
 *                   from real QMP events, guest-agent pings and process exits)
 *
 * So a diff between the two says something about the real stack (QEMU, the
 * guest, the launcher), which is what a conformance gate is for. Guest-side
 * facts (boot id, NICs, disks, data tokens, memory, vCPUs, reachability) are
 * read by the agent: the qemu agent reads them from the real guest.
 */
import type { DiskBus, ImageFormat } from '../api/index.ts';

// ---------------------------------------------------------------------------
// What a launcher needs: the VMI spec resolved by the control plane.

export type LaunchDiskSource =
  /** containerDisk: read-only catalogue image + a throwaway per-VMI overlay. */
  | { kind: 'containerDisk'; image: string; format: ImageFormat }
  /** A PVC (also a DataVolume's PVC): persistent, by claim name. */
  | { kind: 'pvc'; claim: string; storage: 'local' | 'shared'; node: string | null; sizeBytes: number }
  /** ephemeral: a per-VMI copy-on-write overlay on a PVC (read-only below it); writes go with the VMI. */
  | { kind: 'ephemeral'; claim: string; storage: 'local' | 'shared'; node: string | null; sizeBytes: number }
  /** emptyDisk: a blank per-VMI disk that lives as long as the VMI. */
  | { kind: 'emptyDisk'; sizeBytes: number }
  /** configMap / secret / cloudInitNoCloud / cloudInitConfigDrive: an ISO built at VMI start. */
  | { kind: 'configIso'; label: string; files: Record<string, string> };

export interface LaunchDisk {
  /** Disk / volume name from the spec. */
  name: string;
  serial: string | null;
  bus: DiskBus;
  cdrom: boolean;
  readonly: boolean;
  bootOrder: number | null;
  source: LaunchDiskSource;
}

export interface LaunchNic {
  /** Interface / network name from the spec. */
  name: string;
  mac: string;
  macSource: 'spec' | 'generated';
  kind: 'pod' | 'bridge' | 'sriov';
  /** NetworkAttachmentDefinition name for Multus NICs. */
  network: string | null;
  /** Static IPv4 in CIDR form for the guest (pod: 10.0.2.2/24 via DHCP; bridge: from the NAD's range). */
  ipv4Cidr: string | null;
  /** The VF taken from the node's pool for SR-IOV NICs. */
  vf: { resource: string; index: number } | null;
  /** interfaces[].model (KubeVirt's default: virtio). An SR-IOV NIC is its VF, whatever the model. */
  model: string;
}

/** Sockets × cores × threads. */
export interface CpuTopology {
  sockets: number;
  cores: number;
  threads: number;
}

export interface LaunchSpec {
  uid: string;
  name: string;
  node: string;
  vcpus: number;
  /** spec.domain.cpu as resolved (vcpus = sockets × cores × threads). */
  cpu: CpuTopology;
  memoryMiB: number;
  hostname: string;
  /** Kernel boot (KubeVirt kernelBoot) or firmware boot from the disk/cdrom with the lowest bootOrder (else the first disk). */
  boot: { kind: 'kernel'; image: string; kernelArgs: string } | { kind: 'firmware' };
  disks: LaunchDisk[];
  nics: LaunchNic[];
  startPaused: boolean;
  terminationGracePeriodSeconds: number;
  acpi: boolean;
}

// ---------------------------------------------------------------------------
// Effects: what the control plane asks the node side to do.

export type VolumeSource =
  | { kind: 'blank' }
  | { kind: 'image'; image: string; format: ImageFormat }
  /** DataVolume clone of a golden image: an overlay whose backing file is the source PVC. */
  | { kind: 'clone'; fromPvc: string };

export type Effect =
  | { type: 'launch'; spec: LaunchSpec }
  /** Graceful stop (VMI deleted): ACPI power button re-sent every ≤5 s, force kill when the grace period expires; 0 = destroy now. */
  | { type: 'shutdown'; uid: string; graceSeconds: number }
  | { type: 'pause'; uid: string }
  | { type: 'unpause'; uid: string }
  /** Hard reset (virtctl reset / virsh reset). */
  | { type: 'reset'; uid: string }
  /** Guest-agent reboot, ACPI when no agent (virtctl soft-reboot). */
  | { type: 'softReboot'; uid: string }
  /** Host-side ACPI power button without deleting the VMI (virsh shutdown). */
  | { type: 'acpiShutdown'; uid: string }
  | { type: 'guestPoweroff'; uid: string }
  | { type: 'guestReboot'; uid: string }
  | { type: 'guestPanic'; uid: string }
  | { type: 'writeData'; uid: string; disk: string; token: string }
  /**
   * Live migration to targetNode; `nics` are the target's NICs (new VFs for SR-IOV, hot-unplugged before, plugged after).
   * `bandwidthBytesPerSecond` caps the stream (KubeVirt `bandwidthPerMigration`; absent: no cap); a capped migration is *held*:
   * it stays in flight without keeping the agent busy until released (NodeAgent.releaseHeld, docs/harness-choices.md §2).
   */
  | { type: 'migrate'; uid: string; migration: string; targetNode: string; nics: LaunchNic[]; bandwidthBytesPerSecond?: number }
  /** Cancels the VMI's migration on the source (virt-handler on `migrationState.abortRequested`: libvirt AbortJob, QMP `migrate_cancel`); the target is torn down. */
  | { type: 'abortMigration'; uid: string; migration: string }
  /** The VMI is gone from the API: remove its per-VMI files (overlays, ISOs, run dir). */
  | { type: 'cleanup'; uid: string }
  | { type: 'provisionVolume'; pvc: string; storage: 'local' | 'shared'; node: string | null; sizeBytes: number; source: VolumeSource }
  | { type: 'deleteVolume'; pvc: string }
  // faults
  | { type: 'killLauncher'; uid: string }
  | { type: 'nodeLoss'; node: string }
  | { type: 'killMigrationTarget'; uid: string };

export type EffectType = Effect['type'];

// ---------------------------------------------------------------------------
// Events: what the node side reports back.

/**
 * How a launcher ended. The control plane maps it to a phase (docs/spec.md R-G1,
 * R-G3, R-G4): guestShutdown → Succeeded; destroyed (grace 0) → Succeeded;
 * graceExpired (ACPI on; without ACPI it is a destroyed domain → Succeeded),
 * crashed, panicked, killed → Failed.
 */
export type ExitReason = 'guestShutdown' | 'destroyed' | 'graceExpired' | 'crashed' | 'panicked' | 'killed';

/** Why the vCPUs stopped when the user did not ask for it (the core maps it to the Paused condition's reason). */
export type PauseReason = 'user' | 'ioError';

export type AgentEvent =
  /** The domain runs (QEMU started, vCPUs running or paused-at-start): phase Running. */
  | { type: 'running'; uid: string }
  /** The launcher could not start (bad image, QEMU error): Failed without ever Running. */
  | { type: 'launchFailed'; uid: string; message: string }
  | { type: 'agentConnected'; uid: string; connected: boolean }
  /**
   * vCPUs stopped / resumed: a requested pause or one QEMU made on its own
   * (`reason: 'ioError'`: a disk with werror=stop hit an I/O error, KubeVirt's
   * Paused reason PausedIOError); absent reason = PausedByUser.
   */
  | { type: 'paused'; uid: string; paused: boolean; reason?: PauseReason }
  | { type: 'exited'; uid: string; reason: ExitReason }
  | { type: 'migrationCompleted'; uid: string; migration: string; targetNode: string }
  /** `aborted`: the source cancelled it on request (KubeVirt abortStatus Succeeded). */
  | { type: 'migrationFailed'; uid: string; migration: string; reason: string; aborted?: boolean }
  | { type: 'volumeReady'; pvc: string }
  | { type: 'volumeFailed'; pvc: string; message: string };

// ---------------------------------------------------------------------------
// Guest-side facts for the observation.

/** A NIC as the guest shows it. */
export interface GuestInterface {
  name: string;
  /** MAC the guest reports for this NIC; null when the NIC is absent in the guest. */
  mac: string | null;
  /** `spec` when the manifest set macAddress (compared verbatim), else `generated` (compared as a label). */
  macSource: 'spec' | 'generated';
  /** Guest IPv4 where deterministic (pod network masquerade, static NAD IPAM), else null. */
  ipv4: string | null;
  /** The NIC model as the guest's driver shows it (KubeVirt's model names: virtio, e1000e, ...); null when the NIC is absent in the guest. */
  model: string | null;
}

/** A disk as the guest shows it. */
export interface GuestDisk {
  /** Volume / disk name from the spec. */
  name: string;
  serial: string | null;
  /** Size of the block device as the guest sees it; null for cdroms and config disks. */
  sizeBytes: number | null;
  /** The data token read back from the disk, or null when none was written / it was lost. */
  token: string | null;
  /** The bus as the guest sees the disk (its device path: virtio-blk, SCSI, ATA, USB); null when the disk is absent in the guest. */
  bus: DiskBus | null;
}

/** What the node side says about itself (accelerator, QEMU, guest image); the header of every observation. */
export interface NodeFingerprint {
  backend: string;
  accel?: 'kvm' | 'tcg';
  accelProbe?: string;
  qemuVersion?: string;
  machine?: string;
  guestImageDigest?: string;
}

export interface GuestFacts {
  bootId: string | null;
  interfaces: GuestInterface[];
  disks: GuestDisk[];
  memoryMiB: number | null;
  vcpus: number | null;
  /** CPU packages (sockets) the guest sees; the default CPU model shows threads as cores, so sockets and vcpus are what the guest tells apart. */
  sockets: number | null;
  /** NAD name → names of the VMIs on that segment this guest reached (qemu: a real ping). */
  reachable?: Record<string, string[]>;
}

/** The node side of a backend: performs effects, reports events, reads the guests. */
export interface NodeAgent {
  /** Starts carrying out an effect. Runtime failures are reported as events, not thrown. */
  perform(effect: Effect): void;
  /**
   * Resolves with the events gathered so far as soon as there is at least one,
   * or when nothing is in flight, or at the deadline (epoch ms), whichever is first.
   */
  next(deadlineMs: number): Promise<AgentEvent[]>;
  /**
   * The events gathered so far, at once: present on an agent that carries out every effect
   * synchronously (the simulated one), so that settling it needs no await. Absent: use `next`.
   */
  takeEvents?(): AgentEvent[];
  /** True when nothing is in progress and no event is waiting to be taken. */
  idle(): boolean;
  /** What is still in flight, for timeout messages. */
  inFlight(): string;
  /** Reads the guest-side facts of these running VMIs (by uid), with the launch specs they run with. */
  observeGuests(vmis: LaunchSpec[]): Promise<Record<string, GuestFacts>>;
  fingerprint(): NodeFingerprint;
  /**
   * Lets the held migrations (bandwidth-capped, in flight at the last settle) finish: the settle
   * that starts next waits for them (docs/harness-choices.md §2). Absent: the agent never holds one.
   */
  releaseHeld?(): void;
  /** The node side's clock (ms) when it is virtual (the simulated agent); absent: the control plane runs on the wall clock. */
  virtualClockMs?(): number;
  /** Stops every launcher and removes every file it made. Idempotent. */
  dispose(): Promise<void>;
}

const MiB = 1024 * 1024;

/**
 * The size of an emptyDisk's image, as every node side creates it: the
 * requested capacity aligned down to 1 MiB (KubeVirt pkg/emptydisk/emptydisk.go
 * `CreateTemporaryDisks`, pkg/util/util.go `AlignImageSizeTo1MiB`); 0 means
 * the launch fails (`emptyDiskTooSmall`). Public (node sides).
 */
export function emptyDiskImageBytes(sizeBytes: number): number {
  return sizeBytes - (sizeBytes % MiB);
}

/** The launch failure of an emptyDisk below 1 MiB (KubeVirt's message). Public (node sides). */
export function emptyDiskTooSmall(volume: string): string {
  return `the size for volume ${volume} is too low`;
}
