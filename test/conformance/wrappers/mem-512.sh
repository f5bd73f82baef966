#!/bin/bash
# A QEMU that gives every guest 512 MiB whatever the VMI asks: the last -m
# wins, so the guest's e820 table (and QMP) say 512 MiB where the spec says
# 256Mi. The diff names vmis.<name>.memoryMiB. Only guest launches (they name
# an -accel) get it, not the version probe.
# The QEMU behind it: $VMCONFORM_REAL_QEMU or PATH.
real="${VMCONFORM_REAL_QEMU:-qemu-system-x86_64}"
for a in "$@"; do
  if [ "$a" = "-accel" ]; then exec "$real" "$@" -m 512M; fi
done
exec "$real" "$@"
