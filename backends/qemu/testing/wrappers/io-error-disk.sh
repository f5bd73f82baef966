#!/bin/bash
# Test wrapper (backends/qemu/launcher/VmiLauncher.qemu.test.ts): the real QEMU
# plus one extra virtio disk whose every read fails with EIO (blkdebug over
# null-co) and with rerror/werror=stop, KubeVirt's default disk error policy.
# The guest's first read of it (partition scan) stops the VM: BLOCK_IO_ERROR
# {action: stop} then STOP, status io-error. The QEMU behind it:
# $VMCONFORM_REAL_QEMU or PATH.
exec "${VMCONFORM_REAL_QEMU:-qemu-system-x86_64}" "$@" \
  -blockdev '{"driver":"raw","node-name":"ioerr","file":{"driver":"blkdebug","inject-error":[{"event":"read_aio","errno":5}],"image":{"driver":"null-co","size":16777216}}}' \
  -device virtio-blk-pci,drive=ioerr,id=ioerr-disk,rerror=stop,werror=stop
