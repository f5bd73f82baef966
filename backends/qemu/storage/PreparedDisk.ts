/**
 * A disk of a LaunchSpec resolved to a file on the host. Public (internal to
 * the qemu backend): VolumeStore.prepare produces it, diskArgs consumes it.
 */
export interface PreparedDisk {
  /** Disk name from the spec. */
  name: string;
  /** Image QEMU opens for the disk: the PVC file, the per-VMI overlay, the blank disk or the ISO. */
  file: string;
  format: 'raw' | 'qcow2';
  readonly: boolean;
  cdrom: boolean;
  /**
   * containerDisk only: the read-only catalogue image under the per-VMI
   * overlay. diskArgs opens it as its own read-only node and names it as the
   * overlay's `backing`, so QEMU can never write to the shared base.
   */
  backing?: { file: string; format: 'raw' | 'qcow2' };
}
