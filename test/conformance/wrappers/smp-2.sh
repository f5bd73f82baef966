#!/bin/bash
# A QEMU that gives every guest two vCPUs whatever the VMI asks: the value of
# -smp (N,sockets=S,cores=C,threads=T) becomes 2, so the guest sees 2 CPUs
# where the spec says 1 (QEMU merges repeated -smp options, so appending one
# would make the topology invalid instead). The diff names vmis.<name>.vcpus.
# Only guest launches (they name an -accel) get it: the version probe runs
# `-machine none`, which allows one CPU.
# The QEMU behind it: $VMCONFORM_REAL_QEMU or PATH.
real="${VMCONFORM_REAL_QEMU:-qemu-system-x86_64}"
guest=0
for a in "$@"; do
  if [ "$a" = "-accel" ]; then guest=1; fi
done
[ "$guest" = 1 ] || exec "$real" "$@"
out=()
prev=
for a in "$@"; do
  if [ "$prev" = "-smp" ]; then out+=("2"); else out+=("$a"); fi
  prev="$a"
done
exec "$real" "${out[@]}"
