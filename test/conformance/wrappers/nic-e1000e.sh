#!/bin/bash
# A QEMU that makes every virtio NIC an e1000e (same netdev, MAC, id and
# port): the guest has no e1000e driver, so the NIC is absent in it, and QMP
# shows an e1000e where the spec asks for virtio. The diff names
# vmis.<name>.interfaces[i] (model, MAC, IPv4).
# The QEMU behind it: $VMCONFORM_REAL_QEMU or PATH.
real="${VMCONFORM_REAL_QEMU:-qemu-system-x86_64}"
out=()
prev=
for a in "$@"; do
  if [ "$prev" = "-device" ] && [[ "$a" == virtio-net-pci,* ]]; then
    out+=("e1000e,${a#virtio-net-pci,}")
  else
    out+=("$a")
  fi
  prev="$a"
done
exec "$real" "${out[@]}"
