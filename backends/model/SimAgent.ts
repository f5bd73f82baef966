/**
 * The simulated node agent: carries out the core's effects at once on a
 * virtual clock and answers with the events a real virt-handler would send.
 * Public (internal to the model backend).
 *
 * Guest state follows the real world: a boot id per boot; PVC data tokens
 * persist per PVC (clones copy their source's); containerDisk and emptyDisk
 * tokens live per VMI and go with it; config disks and read-only disks keep
 * no token. A guest boots (its agent connects, it has a boot id) only when
 * its boot source holds a bootable image: kernel boot, a bootable catalogue
 * containerDisk, or a PVC imported from (or cloned from a clone of) one; a
 * blank disk leaves the firmware looking for a boot device, the domain
 * running, and in-guest actions (poweroff, reboot, panic, writes) and the
 * ACPI button need that OS. A paused guest is unresponsive: it cannot handle ACPI (a graceful
 * shutdown ends in graceExpired), it reports no boot id and reaches nobody.
 *
 * Deterministic: events depend only on the effects and the options.
 */
import type { BackendFingerprint } from '../contract.ts';
import { ChurnMap, copyJson, emptyDiskImageBytes, emptyDiskTooSmall, type AgentEvent, type Effect, type GuestDisk, type GuestFacts, type GuestInterface, type LaunchDisk, type LaunchNic, type LaunchSpec, type NodeAgent } from '../../harness/cluster/index.ts';
import { findImage } from '../../harness/api/index.ts';

export interface SimAgentOptions {
  /** Makes a launch fail (crash-loop scenarios): a message, or null to boot. */
  launchFails?: (spec: LaunchSpec) => string | null;
  /** Seconds an ACPI shutdown takes in the virtual clock. */
  shutdownSeconds?: number;
}

/** Where performInto appends events (the agent's queue, or a tracing wrapper). Internal. */
export interface EventSink {
  push(ev: AgentEvent): unknown;
}

/**
 * What the harness's guest has drivers for (guest/README.md: the Debian cloud
 * kernel has virtio-blk, virtio-scsi and virtio-net, no AHCI and no emulated
 * NICs): a disk on another bus, or a NIC of another model, is absent in the
 * running guest; the hypervisor still shows it (rule 3).
 */
const GUEST_DISK_BUSES: ReadonlySet<string> = new Set(['virtio', 'scsi']);
const GUEST_NIC_MODELS: ReadonlySet<string> = new Set(['virtio']);

/** The bus a disk is attached on: cdroms are SATA or SCSI devices, and the node side attaches a cdrom on another bus on SATA (backends/qemu/storage/diskArgs.ts CDROM_ATTACH). */
function attachedBus(d: LaunchDisk): LaunchDisk['bus'] {
  return d.cdrom && d.bus !== 'scsi' ? 'sata' : d.bus;
}

/** The model of a NIC as the guest sees it: an SR-IOV NIC is its VF (the harness's VFs are virtio-net functions, backends/qemu/network/vfPool.ts). */
function nicModel(n: LaunchNic): string {
  return n.kind === 'sriov' ? 'virtio' : n.model;
}

interface Guest {
  /** As launched; a migration changes `node` and `nics` below, never the (shared) spec. */
  spec: LaunchSpec;
  node: string;
  nics: LaunchNic[];
  bootable: boolean;
  /** Started paused: the guest has not run yet. */
  awaitingBoot: boolean;
  boot: number;
  paused: boolean;
  /** Per-VMI disk tokens (containerDisk, emptyDisk), made on the first write. */
  tokens: Map<string, string> | null;
}

/** A guest in JSON (its disk tokens as entries). */
type GuestJson = Omit<Guest, 'tokens'> & { tokens: [string, string][] | null };

/** The simulated node side's state as plain JSON (`SimAgent.save`). Public (internal to the model backend). */
export interface SimAgentState {
  clockMs: number;
  bootCounter: number;
  guests: [uid: string, guest: GuestJson][];
  pvcTokens: [claim: string, token: string][];
  pvcBootable: string[];
  held: [uid: string, migration: HeldMigration][];
}

/** A bandwidth-capped migration in flight (docs/harness-choices.md §2, held migrations). */
interface HeldMigration {
  migration: string;
  targetNode: string;
  nics: LaunchNic[];
  /** Virtual time it ends at: memory size over bandwidth after its start. */
  endsAtMs: number;
  /** The agent was idle with it in flight (a settle ended): the next releaseHeld lets it finish. */
  parked: boolean;
}

/** Effects that act on a held migration itself, or end its source, instead of waiting for it (the rest wait, as for libvirt's migration job). */
const HELD_BYPASS: ReadonlySet<Effect['type']> = new Set(['abortMigration', 'killMigrationTarget', 'killLauncher', 'cleanup', 'migrate']);

/** An emptyDisk whose image would be empty fails the launch, as on a real node (null: none). */
function tooSmallEmptyDisk(spec: LaunchSpec): string | null {
  for (const d of spec.disks) if (d.source.kind === 'emptyDisk' && emptyDiskImageBytes(d.source.sizeBytes) === 0) return emptyDiskTooSmall(d.name);
  return null;
}

export class SimAgent implements NodeAgent {
  /** Virtual time in ms: advances by the simulated durations of shutdowns. */
  clockMs = 0;
  private queue: AgentEvent[] = [];
  /** By uid; a ChurnMap since a guest is added and removed per VMI (see ChurnMap.ts). */
  private readonly guests = new ChurnMap<string, Guest>();
  private readonly pvcTokens = new Map<string, string>();
  /** PVCs whose content is a bootable image. */
  private readonly pvcBootable = new Set<string>();
  private bootCounter = 0;
  private readonly imageBootable = new Map<string, boolean>();
  /** Held migrations by VMI uid, in start order. */
  private readonly held = new Map<string, HeldMigration>();

  constructor(private readonly opts: SimAgentOptions = {}) {}

  /** The node side's whole state as plain JSON, between commands (no event waiting). */
  save(): SimAgentState {
    if (this.queue.length > 0) throw new Error('SimAgent.save: events are waiting to be taken');
    const guests: [string, GuestJson][] = [];
    for (const [uid, g] of this.guests) guests.push([uid, { ...g, tokens: g.tokens && [...g.tokens] }]);
    return JSON.parse(
      JSON.stringify({ clockMs: this.clockMs, bootCounter: this.bootCounter, guests, pvcTokens: [...this.pvcTokens], pvcBootable: [...this.pvcBootable], held: [...this.held] } satisfies SimAgentState),
    ) as SimAgentState;
  }

  /** An agent continuing from `save()`'s state (copied: the state stays the caller's); `opts` as the saved one was made with. */
  static restore(state: SimAgentState, opts: SimAgentOptions = {}): SimAgent {
    const j = copyJson(state);
    const a = new SimAgent(opts);
    a.clockMs = j.clockMs;
    a.bootCounter = j.bootCounter;
    for (const [uid, g] of j.guests) a.guests.set(uid, { ...g, tokens: g.tokens && new Map(g.tokens) });
    for (const [pvc, token] of j.pvcTokens) a.pvcTokens.set(pvc, token);
    for (const pvc of j.pvcBootable) a.pvcBootable.add(pvc);
    for (const [uid, h] of j.held) a.held.set(uid, h);
    return a;
  }

  perform(effect: Effect): void {
    this.performInto(effect, this.queue);
  }

  /** Carries out one effect, appending its events to `out`. Synchronous. */
  performInto(e: Effect, out: EventSink): void {
    if (this.held.size > 0 && 'uid' in e) {
      if (!HELD_BYPASS.has(e.type)) this.finishHeld(e.uid, out);
      else if (e.type === 'killLauncher' || e.type === 'cleanup') this.held.delete(e.uid);
    }
    switch (e.type) {
      case 'launch': {
        const fails = this.opts.launchFails?.(e.spec) ?? tooSmallEmptyDisk(e.spec);
        if (fails !== null) {
          out.push({ type: 'launchFailed', uid: e.spec.uid, message: fails });
          return;
        }
        const bootable = this.bootable(e.spec);
        this.guests.set(e.spec.uid, { spec: e.spec, node: e.spec.node, nics: e.spec.nics, bootable, awaitingBoot: e.spec.startPaused, boot: ++this.bootCounter, paused: e.spec.startPaused, tokens: null });
        out.push({ type: 'running', uid: e.spec.uid });
        if (e.spec.startPaused) out.push({ type: 'paused', uid: e.spec.uid, paused: true });
        else if (bootable) out.push({ type: 'agentConnected', uid: e.spec.uid, connected: true });
        return;
      }
      case 'shutdown': {
        const g = this.guests.get(e.uid);
        if (!g) {
          out.push({ type: 'exited', uid: e.uid, reason: 'destroyed' });
          return;
        }
        this.guests.delete(e.uid);
        if (e.graceSeconds === 0) out.push({ type: 'exited', uid: e.uid, reason: 'destroyed' });
        else if (!this.handlesShutdown(g)) {
          this.clockMs += e.graceSeconds * 1000;
          out.push({ type: 'exited', uid: e.uid, reason: 'graceExpired' });
        } else {
          this.clockMs += (this.opts.shutdownSeconds ?? 1) * 1000;
          out.push({ type: 'exited', uid: e.uid, reason: 'guestShutdown' });
        }
        return;
      }
      case 'pause':
      case 'unpause': {
        const g = this.guests.get(e.uid);
        if (!g) return;
        g.paused = e.type === 'pause';
        out.push({ type: 'paused', uid: e.uid, paused: g.paused });
        // a guest started paused boots (and its agent connects) on its first unpause
        if (!g.paused && g.awaitingBoot) {
          g.awaitingBoot = false;
          if (g.bootable) out.push({ type: 'agentConnected', uid: e.uid, connected: true });
        }
        return;
      }
      case 'reset':
      case 'softReboot':
      case 'guestReboot': {
        const g = this.guests.get(e.uid);
        if (!g || (e.type !== 'reset' && !this.osRuns(g))) return; // soft reboot and in-guest reboot need a running OS
        g.boot = ++this.bootCounter;
        if (!g.bootable) return;
        out.push({ type: 'agentConnected', uid: e.uid, connected: false });
        // A reset while paused leaves a machine that has not booted (QEMU keeps the vCPUs stopped):
        // it boots on the next unpause, like a guest started paused.
        if (g.paused) g.awaitingBoot = true;
        else out.push({ type: 'agentConnected', uid: e.uid, connected: true });
        return;
      }
      case 'acpiShutdown': {
        const g = this.guests.get(e.uid);
        if (!g || !this.handlesAcpi(g)) return; // nobody handles the button
        this.guests.delete(e.uid);
        out.push({ type: 'exited', uid: e.uid, reason: 'guestShutdown' });
        return;
      }
      case 'guestPoweroff':
      case 'guestPanic':
      case 'killLauncher': {
        const g = this.guests.get(e.uid);
        if (!g || (e.type !== 'killLauncher' && !this.osRuns(g))) return; // in-guest actions need a running OS
        this.guests.delete(e.uid);
        const reason = e.type === 'guestPoweroff' ? 'guestShutdown' : e.type === 'guestPanic' ? 'panicked' : 'killed';
        out.push({ type: 'exited', uid: e.uid, reason });
        return;
      }
      case 'writeData': {
        const g = this.guests.get(e.uid);
        const d = g?.spec.disks.find((x) => x.name === e.disk);
        if (!g || !this.osRuns(g) || !d || d.readonly || d.source.kind === 'configIso') return;
        if (d.source.kind === 'pvc') this.pvcTokens.set(d.source.claim, e.token);
        else (g.tokens ??= new Map()).set(d.name, e.token);
        return;
      }
      case 'migrate': {
        const g = this.guests.get(e.uid);
        if (!g) {
          out.push({ type: 'migrationFailed', uid: e.uid, migration: e.migration, reason: 'source gone' });
          return;
        }
        // The source hot-unplugs its VFs first and waits for the guest to release them: a guest with no
        // running OS (never booted, paused) does not, and the migration fails (R-M2;
        // live-migration-source.go hotUnplugHostDevices, hostdevice.SafelyDetachHostDevices timeout).
        if (!this.osRuns(g) && g.nics.some((n) => n.kind === 'sriov')) {
          out.push({ type: 'migrationFailed', uid: e.uid, migration: e.migration, reason: 'SR-IOV host devices not detached' });
          return;
        }
        const bw = e.bandwidthBytesPerSecond;
        if (bw !== undefined && bw > 0) {
          // A capped migration takes memory / bandwidth of virtual time and is held until released.
          this.held.set(e.uid, { migration: e.migration, targetNode: e.targetNode, nics: e.nics, endsAtMs: this.clockMs + Math.ceil(((g.spec.memoryMiB * 1024 * 1024) / bw) * 1000), parked: false });
          return;
        }
        g.node = e.targetNode;
        g.nics = e.nics;
        out.push({ type: 'migrationCompleted', uid: e.uid, migration: e.migration, targetNode: e.targetNode });
        return;
      }
      case 'abortMigration': {
        // migrate_cancel on the source: the guest stays, the target is torn down.
        const h = this.held.get(e.uid);
        if (!h || h.migration !== e.migration) return; // already over: nothing to cancel
        this.held.delete(e.uid);
        out.push({ type: 'migrationFailed', uid: e.uid, migration: e.migration, reason: 'Live migration has been aborted', aborted: true });
        return;
      }
      case 'killMigrationTarget': {
        const h = this.held.get(e.uid);
        if (!h) return; // no target in flight
        this.held.delete(e.uid);
        out.push({ type: 'migrationFailed', uid: e.uid, migration: h.migration, reason: 'target pod shutdown' });
        return;
      }
      case 'cleanup':
        this.guests.delete(e.uid);
        return;
      case 'provisionVolume': {
        const src = e.source;
        if (src.kind === 'image' && !findImage(src.image)) {
          out.push({ type: 'volumeFailed', pvc: e.pvc, message: `image ${src.image} not found` });
          return;
        }
        if (src.kind === 'clone') {
          const t = this.pvcTokens.get(src.fromPvc);
          if (t !== undefined) this.pvcTokens.set(e.pvc, t);
          if (this.pvcBootable.has(src.fromPvc)) this.pvcBootable.add(e.pvc);
        }
        if (src.kind === 'image' && src.format !== 'kernel' && findImage(src.image)?.bootable) this.pvcBootable.add(e.pvc);
        out.push({ type: 'volumeReady', pvc: e.pvc });
        return;
      }
      case 'deleteVolume':
        this.pvcTokens.delete(e.pvc);
        this.pvcBootable.delete(e.pvc);
        return;
      case 'nodeLoss':
        for (const [uid, g] of [...this.guests]) {
          const h = this.held.get(uid);
          if (h && (h.targetNode === e.node || g.node === e.node)) {
            this.held.delete(uid); // the target (or the source) went with the node
            if (g.node !== e.node) out.push({ type: 'migrationFailed', uid, migration: h.migration, reason: 'target pod shutdown' });
          }
          if (g.node !== e.node) continue;
          this.guests.delete(uid);
          out.push({ type: 'exited', uid, reason: 'killed' });
        }
        return;
    }
  }

  /** What the simulated launcher of a VMI shows (console, VNC, virsh: launcherAccess.ts), or undefined when none runs. */
  launcher(uid: string): { spec: LaunchSpec; paused: boolean; osRuns: boolean; boot: number } | undefined {
    const g = this.guests.get(uid);
    return g && { spec: g.spec, paused: g.paused, osRuns: this.osRuns(g), boot: g.boot };
  }

  /**
   * The domain is destroyed from inside its launcher (virsh destroy): virt-handler reads a destroyed
   * domain with ACPI as a grace period that ran out (Failed), without ACPI as Succeeded
   * (pkg/virt-handler/vm.go calculateVmPhaseForStatusReason).
   */
  destroyDomain(uid: string): void {
    const g = this.guests.get(uid);
    if (!g) return;
    this.guests.delete(uid);
    this.queue.push({ type: 'exited', uid, reason: g.spec.acpi ? 'graceExpired' : 'destroyed' });
  }

  /** Completes the held migration of `uid`, if any: the guest moves, the virtual clock reaches its end. */
  private finishHeld(uid: string, out: EventSink): void {
    const h = this.held.get(uid);
    if (!h) return;
    this.held.delete(uid);
    const g = this.guests.get(uid);
    if (!g) return;
    g.node = h.targetNode;
    g.nics = h.nics;
    this.clockMs = Math.max(this.clockMs, h.endsAtMs);
    out.push({ type: 'migrationCompleted', uid, migration: h.migration, targetNode: h.targetNode });
  }

  /** See NodeAgent.releaseHeld: every parked migration finishes, in start order. */
  releaseHeld(): void {
    if (this.held.size === 0) return; // every settle asks: no copy of an empty map
    for (const [uid, h] of [...this.held]) if (h.parked) this.finishHeld(uid, this.queue);
  }

  /** An OS runs in the guest: it booted and is not paused. */
  private osRuns(g: Guest): boolean {
    return g.bootable && !g.paused && !g.awaitingBoot;
  }

  /**
   * A graceful shutdown is handled: libvirt's shutdown goes through the guest agent when it
   * is connected (`qemuDomainShutdownFlags`), else through ACPI. An OS that runs here has its
   * agent connected (the guest image has one), so ACPI matters only without an OS, where
   * nothing handles either.
   */
  private handlesShutdown(g: Guest): boolean {
    return this.osRuns(g);
  }

  /** The ACPI power button is handled: an OS runs and ACPI is on. */
  private handlesAcpi(g: Guest): boolean {
    return this.osRuns(g) && g.spec.acpi;
  }

  /**
   * Whether the firmware finds something to boot (R-G6): SeaBIOS, KubeVirt's
   * BIOS firmware, tries its boot entries in order (the disks with a
   * bootOrder, lowest first; else every disk in device order, hard disks
   * before cdroms as QEMU's default order `cad`). Each cdrom is an entry of
   * its own, but all hard disks share one entry that reads only the first
   * hard disk (drive 0x80): a data disk first in the boot order leaves the
   * bootable disk behind it untried (SeaBIOS src/boot.c `bcv_prepboot`,
   * `add_bev`, `do_boot`).
   */
  private bootable(spec: LaunchSpec): boolean {
    if (spec.boot.kind === 'kernel') return true;
    const entries = bootEntries(spec.disks);
    let hardDiskTried = false;
    for (let i = 0; i < entries.length; i++) {
      const d = entries[i]!;
      if (!d.cdrom) {
        if (hardDiskTried) continue;
        hardDiskTried = true;
      }
      if (this.holdsBootImage(d)) return true;
    }
    return false;
  }

  private holdsBootImage(d: LaunchDisk): boolean {
    const src = d.source;
    if (src.kind === 'containerDisk') return src.format !== 'kernel' && this.bootableImage(src.image);
    return (src.kind === 'pvc' || src.kind === 'ephemeral') && this.pvcBootable.has(src.claim);
  }

  /** Whether a catalogue image boots, cached per image ref (the catalogue is fixed; findImage parses the ref). */
  private bootableImage(ref: string): boolean {
    let b = this.imageBootable.get(ref);
    if (b === undefined) this.imageBootable.set(ref, (b = findImage(ref)?.bootable ?? false));
    return b;
  }

  async next(_deadlineMs: number): Promise<AgentEvent[]> {
    return this.takeEvents();
  }

  /** The events so far, at once (the synchronous form of next). */
  takeEvents(): AgentEvent[] {
    const q = this.queue;
    this.queue = [];
    return q;
  }

  /** No event waiting; held migrations do not count, and they are parked from here on (the settle is ending). */
  idle(): boolean {
    if (this.queue.length !== 0) return false;
    for (const h of this.held.values()) h.parked = true;
    return true;
  }

  inFlight(): string {
    return this.queue.length === 0 ? 'nothing' : `${this.queue.length} events not taken`; // held migrations are not in flight
  }

  async observeGuests(vmis: LaunchSpec[]): Promise<Record<string, GuestFacts>> {
    return this.guestFacts(vmis);
  }

  /**
   * Synchronous form of observeGuests, following the rule of
   * backends/qemu/observeGuests.ts: (1) an OS that runs reports everything;
   * (2) a paused guest that ran reports the same but no boot id; (3) a guest
   * that never booted (nothing bootable, or paused at start) shows only what
   * the hypervisor knows: MACs, serials, sizes, vCPUs, memory, no IPv4, no
   * tokens; (4) reachability between live (rule 1) guests with an IPv4 on
   * the same bridge NAD.
   */
  guestFacts(vmis: LaunchSpec[]): Record<string, GuestFacts> {
    const out: Record<string, GuestFacts> = {};
    const segments = new Map<string, string[]>();
    for (const s of vmis) {
      const g = this.guests.get(s.uid);
      if (!g || !this.osRuns(g)) continue;
      for (const n of g.nics) {
        if (n.kind !== 'bridge' || n.network === null || n.ipv4Cidr === null || !GUEST_NIC_MODELS.has(nicModel(n))) continue;
        let seg = segments.get(n.network);
        if (!seg) segments.set(n.network, (seg = []));
        seg.push(s.name);
      }
    }
    for (const s of vmis) {
      const g = this.guests.get(s.uid);
      if (g) out[s.uid] = this.factsOf(g, segments);
    }
    return out;
  }

  private factsOf(g: Guest, segments: Map<string, string[]>): GuestFacts {
    const spec = g.spec;
    const live = this.osRuns(g);
    const booted = g.bootable && !g.awaitingBoot; // rules 1 and 2
    const reachable: Record<string, string[]> = {};
    for (const n of g.nics) {
      if (n.kind !== 'bridge' || n.network === null) continue;
      const seg = segments.get(n.network) ?? [];
      reachable[n.network] = live && n.ipv4Cidr !== null ? seg.filter((x) => x !== spec.name).sort() : [];
    }
    // A migration in flight has its VFs hot-unplugged from the source: the guest has no SR-IOV NIC
    // until it completes (plugged on the target) or fails (plugged back) (live-migration-source.go hotUnplugHostDevices).
    const unplugged = this.held.has(spec.uid);
    const facts: GuestFacts = {
      bootId: live ? `boot-${g.boot}` : null,
      interfaces: g.nics.map((n) => (unplugged && n.kind === 'sriov' ? absentNic(n) : this.nicFacts(n, booted))),
      disks: spec.disks.map((d) => this.diskFacts(g, d, booted)),
      memoryMiB: spec.memoryMiB,
      vcpus: spec.vcpus,
      sockets: spec.cpu.sockets,
    };
    if (Object.keys(reachable).length > 0) facts.reachable = reachable;
    return facts;
  }

  /** A NIC under rules 1–3: a booted guest without a driver for its model does not show it. */
  private nicFacts(n: LaunchNic, booted: boolean): GuestInterface {
    const model = nicModel(n);
    if (booted && !GUEST_NIC_MODELS.has(model)) return absentNic(n);
    return { name: n.name, mac: n.mac, macSource: n.macSource, ipv4: booted && n.ipv4Cidr !== null ? n.ipv4Cidr.split('/')[0]! : null, model };
  }

  /** A disk under rules 1–3: a booted guest without a driver for its bus does not show it. */
  private diskFacts(g: Guest, d: LaunchDisk, booted: boolean): GuestDisk {
    const bus = attachedBus(d);
    if (booted && !GUEST_DISK_BUSES.has(bus)) return { name: d.name, serial: null, sizeBytes: null, token: null, bus: null };
    return {
      name: d.name,
      serial: d.serial,
      sizeBytes:
        d.cdrom || d.source.kind === 'configIso'
          ? null
          : d.source.kind === 'containerDisk'
            ? (findImage(d.source.image)?.sizeBytes ?? null)
            : d.source.kind === 'emptyDisk'
              ? emptyDiskImageBytes(d.source.sizeBytes)
              : d.source.sizeBytes,
      token: !booted
        ? null
        : d.source.kind === 'pvc'
          ? (this.pvcTokens.get(d.source.claim) ?? null)
          : (g.tokens?.get(d.name) ?? (d.source.kind === 'ephemeral' ? (this.pvcTokens.get(d.source.claim) ?? null) : null)),
      bus,
    };
  }

  fingerprint(): BackendFingerprint {
    return { backend: 'model' };
  }

  virtualClockMs(): number {
    return this.clockMs;
  }

  async dispose(): Promise<void> {
    this.guests.clear();
    this.held.clear();
    this.queue = [];
  }
}

/** A NIC the guest does not have (no driver for its model, or its VF unplugged). */
function absentNic(n: LaunchNic): GuestInterface {
  return { name: n.name, mac: null, macSource: n.macSource, ipv4: null, model: null };
}

/**
 * The firmware's boot list: the disks with a bootOrder, lowest first (the
 * others are not tried: libvirt's `-boot strict=on`); without any, the hard
 * disks in device order, then the cdroms. Pure.
 */
export function bootEntries(disks: readonly LaunchDisk[]): LaunchDisk[] {
  const ordered = disks.filter((d) => d.bootOrder !== null);
  if (ordered.length > 0) return ordered.sort((a, b) => a.bootOrder! - b.bootOrder!);
  return [...disks.filter((d) => !d.cdrom), ...disks.filter((d) => d.cdrom)];
}
