#!/bin/bash
# A QEMU that gives every guest two vCPUs whatever the VMI asks: the last
# -smp wins, so the guest sees 2 CPUs where the spec says 1. The diff names
# vmis.<name>.vcpus. Only guest launches (they name an -accel) get it: the
# version probe runs `-machine none`, which allows one CPU.
# The QEMU behind it: $VMCONFORM_REAL_QEMU or PATH.
real="${VMCONFORM_REAL_QEMU:-qemu-system-x86_64}"
for a in "$@"; do
  if [ "$a" = "-accel" ]; then exec "$real" "$@" -smp 2; fi
done
exec "$real" "$@"
