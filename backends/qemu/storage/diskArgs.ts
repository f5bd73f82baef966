/**
 * QEMU arguments for one disk of a LaunchSpec. Public (internal to the qemu
 * backend: the command-line builder composes them). Pure: no I/O.
 *
 * Block layer: a `file` node and a format node per image (`-blockdev`);
 * a containerDisk adds its read-only base as two more read-only nodes and
 * names it as the overlay's `backing`. Other images with a backing file
 * (PVC clones, image PVCs) get their chain opened by QEMU from the header,
 * read-only.
 *
 * Devices, by bus (every controller sits on the disk's pcie-root-port `port`):
 *
 * | disk bus | disk                              | cdrom                          |
 * |----------|-----------------------------------|--------------------------------|
 * | virtio   | virtio-blk-pci on the port        | ide-cd on its own ich9-ahci    |
 * | sata     | ide-hd on its own ich9-ahci       | ide-cd on its own ich9-ahci    |
 * | scsi     | scsi-hd on its own virtio-scsi    | scsi-cd on its own virtio-scsi |
 * | usb      | usb-storage on its own qemu-xhci  | ide-cd on its own ich9-ahci    |
 *
 * One AHCI controller per SATA device because an AHCI port takes a single
 * unit and QEMU does not pick a free port on its own ("Can't create IDE unit
 * 1, bus supports only 1 units" on the second ide-cd of q35's built-in
 * controller); SeaBIOS boots an ISO from such a controller on q35.
 *
 * Serials follow KubeVirt: `serial=` exactly as the spec gives it, none
 * otherwise. `bootindex` is the spec's bootOrder. Error policy as
 * KubeVirt's default (`errorPolicy: stop`, libvirt error_policy='stop'):
 * `werror=stop,rerror=stop`, so a failing disk pauses the VM (BLOCK_IO_ERROR
 * then STOP → Paused, reason PausedIOError) instead of passing EIO to the guest.
 */
import type { LaunchDisk } from '../../../harness/cluster/index.ts';
import { diskDeviceId, diskNodeNames, optValue } from '../devices.ts';
import type { PreparedDisk } from './PreparedDisk.ts';

export type { PreparedDisk } from './PreparedDisk.ts';


type Props = Record<string, string | number | boolean | undefined>;

/** `driver,key=value,...` with booleans as on/off and undefined values left out. */
function option(driver: string, props: Props): string {
  const parts = [driver];
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined) continue;
    parts.push(`${k}=${typeof v === 'boolean' ? (v ? 'on' : 'off') : optValue(String(v))}`);
  }
  return parts.join(',');
}

function blockdevArgs(name: string, prepared: PreparedDisk, readOnly: boolean): string[] {
  const n = diskNodeNames(name);
  const args: string[] = [];
  const ro = readOnly || undefined;
  if (prepared.backing) {
    args.push('-blockdev', option('file', { filename: prepared.backing.file, 'node-name': n.baseFile, 'read-only': true }));
    args.push('-blockdev', option(prepared.backing.format, { file: n.baseFile, 'node-name': n.baseFormat, 'read-only': true }));
  }
  args.push('-blockdev', option('file', { filename: prepared.file, 'node-name': n.file, 'read-only': ro }));
  args.push(
    '-blockdev',
    option(prepared.format, { file: n.file, backing: prepared.backing ? n.baseFormat : undefined, 'node-name': n.format, 'read-only': ro }),
  );
  return args;
}

/** Controller (if any) and device driver per bus; table over branching. */
interface Attachment {
  controller?: { driver: string; prefix: string; bus: string };
  driver: string;
}

const DISK_ATTACH: Record<LaunchDisk['bus'], Attachment> = {
  virtio: { driver: 'virtio-blk-pci' },
  sata: { controller: { driver: 'ich9-ahci', prefix: 'sata', bus: '.0' }, driver: 'ide-hd' },
  scsi: { controller: { driver: 'virtio-scsi-pci', prefix: 'scsi', bus: '.0' }, driver: 'scsi-hd' },
  usb: { controller: { driver: 'qemu-xhci', prefix: 'usb', bus: '.0' }, driver: 'usb-storage' },
};

const IDE_CD: Attachment = { controller: { driver: 'ich9-ahci', prefix: 'sata', bus: '.0' }, driver: 'ide-cd' };
const CDROM_ATTACH: Record<LaunchDisk['bus'], Attachment> = {
  virtio: IDE_CD,
  sata: IDE_CD,
  scsi: { controller: { driver: 'virtio-scsi-pci', prefix: 'scsi', bus: '.0' }, driver: 'scsi-cd' },
  usb: IDE_CD,
};

/**
 * `-blockdev` and `-device` arguments of `disk` backed by `prepared`, on
 * pcie-root-port `port`. Public, pure.
 */
export function diskArgs(disk: LaunchDisk, prepared: PreparedDisk, port: string): string[] {
  const cdrom = disk.cdrom || prepared.cdrom;
  const readOnly = disk.readonly || prepared.readonly || cdrom;
  const attach = (cdrom ? CDROM_ATTACH : DISK_ATTACH)[disk.bus];
  const args = blockdevArgs(disk.name, prepared, readOnly);
  let bus = port;
  if (attach.controller) {
    const controllerId = `${attach.controller.prefix}-${disk.name}`;
    args.push('-device', option(attach.controller.driver, { id: controllerId, bus: port }));
    bus = `${controllerId}${attach.controller.bus}`;
  }
  args.push(
    '-device',
    option(attach.driver, {
      drive: diskNodeNames(disk.name).format,
      id: diskDeviceId(disk.name),
      serial: disk.serial ?? undefined,
      bootindex: disk.bootOrder ?? undefined,
      bus,
      werror: 'stop',
      rerror: 'stop',
    }),
  );
  return args;
}
