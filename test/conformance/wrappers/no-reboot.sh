#!/bin/bash
# A QEMU whose guests do not reboot: -no-reboot makes a reset or an in-guest
# reboot end the QEMU process, so the VMI ends instead of booting again
# (R-G2: reset keeps the VMI Running with a new boot). The diff names
# vmis.<name> (its phase, or the whole VMI once the VM removed it). The QEMU
# behind it: $VMCONFORM_REAL_QEMU or PATH.
exec "${VMCONFORM_REAL_QEMU:-qemu-system-x86_64}" "$@" -no-reboot
