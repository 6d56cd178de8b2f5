#!/bin/bash
# Stock modules on demand (modprobe with dependencies) and a virtio disk whose
# contents survive from one boot to the next.
set -euo pipefail
# shellcheck source=../lib/vm.sh
source "$(dirname "$0")/../lib/vm.sh"

vm_init
mkdir -p "$VM_SCRATCH/fill"
echo "written on the host" >"$VM_SCRATCH/fill/host.txt"
vm_make_disk "$VM_SCRATCH/disk.img" 32 "$VM_SCRATCH/fill"
vm_add_disk "$VM_SCRATCH/disk.img"
vm_add_stock_module joydev

vm_run --name "first boot" <<'GUEST'
check "modprobe joydev (stock module)" modprobe joydev
check "joydev is loaded" grep -q '^joydev ' /proc/modules
check "ext4 was loaded for the disk" grep -q '^ext4 ' /proc/modules
require "mount /dev/vda" mount -t ext4 /dev/vda /mnt
check "the host's file is on the disk" grep -qx "written on the host" /mnt/host.txt
check "write a file" sh -c 'echo "written by boot 1" > /mnt/guest.txt'
check "umount /dev/vda" umount /mnt
GUEST

vm_run --name "second boot" <<'GUEST'
require "mount /dev/vda again" mount -t ext4 /dev/vda /mnt
check "the first boot's file persisted" grep -qx "written by boot 1" /mnt/guest.txt
umount /mnt
GUEST

check "the host reads the guest's file" \
	sh -c "debugfs -R 'cat /guest.txt' '$VM_SCRATCH/disk.img' 2>/dev/null | grep -qx 'written by boot 1'"
