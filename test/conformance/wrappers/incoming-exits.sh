#!/bin/bash
# A QEMU whose migration target exits at once: started with -incoming (a live
# migration's target), it exits 1 before listening, so every migration fails
# and the VMI stays on its source (R-M4: success moves it; with a held
# migration the model still shows it Running). Anything else is the real QEMU:
# $VMCONFORM_REAL_QEMU or PATH.
for a in "$@"; do
  [ "$a" = "-incoming" ] && exit 1
done
exec "${VMCONFORM_REAL_QEMU:-qemu-system-x86_64}" "$@"
