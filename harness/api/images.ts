/**
 * The image catalogue: the container images (containerDisk, kernelBoot,
 * DataVolume registry imports) that exist in a vmconform cluster. Public.
 *
 * A reference to any other image behaves like an image that cannot be pulled
 * (VMI Synchronized=False/ErrImagePull, VM printableStatus ErrImagePull).
 * The qemu backend maps each entry to an artefact built by the guest image
 * pipeline (guest/); the model needs only the facts below.
 */

export type ImageFormat = 'raw' | 'qcow2' | 'iso' | 'kernel';

export interface CatalogueImage {
  /** Image reference as written in a manifest (with or without `docker://`). */
  ref: string;
  format: ImageFormat;
  /** Virtual size of the disk as the guest sees it; 0 for kernel images. */
  sizeBytes: number;
  /** True when a VM can boot from it as a disk or cdrom. */
  bootable: boolean;
  /** Artefact name in the guest pipeline's output folder. */
  artefact: string;
}

const MiB = 1024 * 1024;

/** Size of the bootable disk images the guest pipeline builds. */
export const BOOT_DISK_BYTES = 64 * MiB;

/**
 * Data tokens are written by the guest in the last 4 KiB of a block device,
 * which no boot image uses (docs/spec.md §13: one data token per disk).
 */
export const TOKEN_AREA_BYTES = 4096;

export const IMAGE_CATALOGUE: readonly CatalogueImage[] = [
  { ref: 'vmconform/guest:latest', format: 'qcow2', sizeBytes: BOOT_DISK_BYTES, bootable: true, artefact: 'disk.qcow2' },
  { ref: 'vmconform/guest-raw:latest', format: 'raw', sizeBytes: BOOT_DISK_BYTES, bootable: true, artefact: 'disk.raw' },
  { ref: 'vmconform/guest-iso:latest', format: 'iso', sizeBytes: 0, bootable: true, artefact: 'guest.iso' },
  { ref: 'vmconform/guest-kernel:latest', format: 'kernel', sizeBytes: 0, bootable: true, artefact: 'vmlinuz' },
];

/** Finds a catalogue image by reference, accepting `docker://` and a missing `:latest`. */
export function findImage(ref: string): CatalogueImage | undefined {
  let r = ref.startsWith('docker://') ? ref.slice('docker://'.length) : ref;
  if (!/:[^/]+$/.test(r)) r = `${r}:latest`;
  return IMAGE_CATALOGUE.find((i) => i.ref === r);
}
