/**
 * QemuAgent.observeGuests: guest facts read from the real world. Internal.
 *
 * THE RULE (the simulated agent, backends/model/SimAgent.ts, must match it):
 *
 * 1. Running guest whose agent answers: everything from the guest itself,
 *    one guest-exec of /usr/bin/vmconform-facts (boot id, vCPUs and CPU
 *    sockets, RAM from the e820 table the guest reads, disks with serial /
 *    size / token / the bus their sysfs path shows, NICs with MAC / IPv4 /
 *    the model their driver shows), joined to the spec by PCI address from
 *    QMP query-pci. A spec disk or NIC the guest does not show has null
 *    fields. Sizes are null for cdroms and config disks.
 * 2. Paused guest that ran before the pause: bootId null (a paused guest
 *    cannot answer); the rest is what the guest reported just before QMP
 *    `stop` (its state cannot change while its vCPUs are stopped).
 * 3. Guest that has not answered since its last (re)boot (paused at start,
 *    still booting, agent gone): only what QMP knows: bootId null; NIC MACs
 *    and models from the devices (qom-get mac / type), IPv4 null; disk
 *    serials and buses (qom-get serial / type) and sizes (query-block, null
 *    for cdroms/config disks; QEMU's made-up QM%05d IDE/SATA serials count
 *    as none), tokens null; vCPUs and sockets from query-cpus-fast; memory
 *    from query-memory-size-summary.
 * 4. reachable (bridge NICs on a Multus NAD only, as in the model): for each
 *    such NIC, the names of the other VMIs on the same NAD that this guest
 *    reaches with a real `vmconform-ping` to the IPv4 their guest reports;
 *    [] for a guest under rule 2 or 3 (it cannot ping) and nobody pings a
 *    guest under rule 2 or 3 successfully (paused guests do not answer), so
 *    such guests are simply not pinged.
 * 5. A VMI without a live launcher is left out of the result.
 */
import type { GuestFacts, LaunchSpec } from '../../harness/cluster/index.ts';
import type { ObservedDisk, ObservedInterface } from '../../harness/observe/types.ts';
import { GUEST_TOOLS } from '../../guest/artefacts.ts';
import { busOfDevice, guestReport, modelOfDevice } from './facts/guestFacts.ts';
import { snapshot } from './guestOps.ts';
import type { LiveLaunchers, VmiLauncher } from './launcher/VmiLauncher.ts';
import { diskDeviceId, nicDeviceId } from './devices.ts';
import { GUEST_OP_MS } from './budgets.ts';

const MiB = 1024 * 1024;
/**
 * QEMU gives an IDE/SATA drive without a serial a made-up one (`QM%05d`); the
 * VMI asked for none and KubeVirt reports none, so rule 3 does not either.
 */
const QEMU_MADE_UP_SERIAL = /^QM\d{5}$/;

async function memoryMiB(l: VmiLauncher): Promise<number | null> {
  const m = await l.proc.qmp.execute('query-memory-size-summary', undefined, GUEST_OP_MS).catch(() => null);
  return m ? Math.round((m['base-memory'] + (m['plugged-memory'] ?? 0)) / MiB) : null;
}

async function qomGet(l: VmiLauncher, path: string, property: string): Promise<unknown> {
  return l.proc.qmp.executeRaw('qom-get', { path, property }, GUEST_OP_MS).catch(() => null);
}

/** Rule 3: what QMP alone can say. */
async function qmpOnlyFacts(l: VmiLauncher): Promise<GuestFacts> {
  const spec = l.spec;
  const qmp = l.proc.qmp;
  const memory = await memoryMiB(l);
  const blocks = ((await qmp.executeRaw('query-block', undefined, GUEST_OP_MS).catch(() => [])) ?? []) as Array<{ qdev?: string; inserted?: { image?: { 'virtual-size'?: number } } }>;
  const cpus = (await qmp.executeRaw('query-cpus-fast', undefined, GUEST_OP_MS).catch(() => null)) as Array<{ props?: { 'socket-id'?: number } }> | null;
  const interfaces: ObservedInterface[] = [];
  for (const n of spec.nics) {
    const path = `/machine/peripheral/${nicDeviceId(n)}`;
    const mac = await qomGet(l, path, 'mac');
    const model = modelOfDevice(await qomGet(l, path, 'type'));
    interfaces.push({ name: n.name, mac: typeof mac === 'string' ? mac.toLowerCase() : null, macSource: n.macSource, ipv4: null, model });
  }
  const disks: ObservedDisk[] = [];
  for (const d of spec.disks) {
    const id = diskDeviceId(d.name);
    const serial = await qomGet(l, `/machine/peripheral/${id}`, 'serial');
    const bus = busOfDevice(await qomGet(l, `/machine/peripheral/${id}`, 'type'));
    const block = blocks.find((b) => b.qdev === `/machine/peripheral/${id}` || b.qdev?.startsWith(`/machine/peripheral/${id}/`) || b.qdev === id);
    const size = block?.inserted?.image?.['virtual-size'];
    disks.push({
      name: d.name,
      serial: typeof serial === 'string' && serial !== '' && !(d.serial === null && QEMU_MADE_UP_SERIAL.test(serial)) ? serial : null,
      sizeBytes: !d.cdrom && d.source.kind !== 'configIso' && typeof size === 'number' ? size : null,
      token: null,
      bus,
    });
  }
  const sockets = cpus ? new Set(cpus.map((c) => c.props?.['socket-id'] ?? 0)).size : null;
  return { bootId: null, interfaces, disks, memoryMiB: memory, vcpus: cpus ? cpus.length : null, sockets };
}

function macsOf(spec: LaunchSpec): Record<string, string> {
  return Object.fromEntries(spec.nics.map((n) => [n.name, n.mac]));
}

/** Facts of one VMI under rules 1–3, plus whether it can take part in pings. */
async function factsOf(l: VmiLauncher): Promise<{ facts: GuestFacts; live: boolean }> {
  if (l.paused) {
    if (l.frozen) return { facts: guestReport(l.spec, l.frozen.raw, l.frozen.ports, macsOf(l.spec), false), live: false };
    return { facts: await qmpOnlyFacts(l), live: false };
  }
  if (l.agentConnected) {
    try {
      const { raw, ports } = await snapshot(l);
      return { facts: guestReport(l.spec, raw, ports, macsOf(l.spec), true), live: true };
    } catch {
      // the agent stopped answering between the check and the read: fall through to rule 3
    }
  }
  return { facts: await qmpOnlyFacts(l), live: false };
}

/** Rule 4: real pings between the live guests of each bridge NAD. */
async function reachability(members: Array<{ l: VmiLauncher; facts: GuestFacts; live: boolean }>): Promise<void> {
  for (const a of members) {
    const reachable: Record<string, string[]> = {};
    for (const nic of a.l.spec.nics) {
      if (nic.kind !== 'bridge' || !nic.network) continue;
      const got: string[] = [];
      reachable[nic.network] = got;
      if (!a.live) continue;
      for (const b of members) {
        if (b === a || !b.live) continue;
        const bNic = b.l.spec.nics.find((n) => n.kind === 'bridge' && n.network === nic.network);
        const ip = bNic ? b.facts.interfaces.find((i) => i.name === bNic.name)?.ipv4 : null;
        if (!ip) continue;
        const r = await a.l.proc.qga.exec(GUEST_TOOLS.ping, [ip], GUEST_OP_MS).catch(() => null);
        if (r?.exitCode === 0) got.push(b.l.spec.name);
      }
      got.sort();
    }
    if (Object.keys(reachable).length > 0) a.facts.reachable = reachable;
  }
}

/** See the rule at the top of this file. */
export async function observeGuests(launchers: LiveLaunchers, specs: LaunchSpec[]): Promise<Record<string, GuestFacts>> {
  const members: Array<{ l: VmiLauncher; facts: GuestFacts; live: boolean }> = [];
  await Promise.all(
    specs.map(async (s) => {
      const l = launchers.live(s.uid);
      if (!l) return;
      members.push({ l, ...(await factsOf(l)) });
    }),
  );
  await reachability(members);
  return Object.fromEntries(members.map((m) => [m.l.spec.uid, m.facts]));
}
