#!/bin/bash
# A QEMU that puts every virtio disk on SCSI: each `-device virtio-blk-pci,...`
# becomes a virtio-scsi controller on the same root port with a scsi-hd on
# it (same drive, id, serial, bootindex). The guest sees the disk as sdX
# under a SCSI host where the spec says virtio. The diff names
# vmis.<name>.disks[i].bus.
# The QEMU behind it: $VMCONFORM_REAL_QEMU or PATH.
real="${VMCONFORM_REAL_QEMU:-qemu-system-x86_64}"
out=()
prev=
n=0
for a in "$@"; do
  if [ "$prev" = "-device" ] && [[ "$a" == virtio-blk-pci,* ]]; then
    port=
    rest=()
    IFS=',' read -ra opts <<< "${a#virtio-blk-pci,}"
    for o in "${opts[@]}"; do
      case "$o" in
        bus=*) port="${o#bus=}" ;;
        *) rest+=("$o") ;;
      esac
    done
    n=$((n + 1))
    out+=("virtio-scsi-pci,id=wrap-scsi$n,bus=$port" "-device" "scsi-hd,$(IFS=','; echo "${rest[*]}"),bus=wrap-scsi$n.0")
  else
    out+=("$a")
  fi
  prev="$a"
done
exec "$real" "${out[@]}"
