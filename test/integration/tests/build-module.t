#!/bin/bash
# kpatch-build: a function of a stock module (binfmt_misc), with -t for that
# module; applied with the module loaded before and loaded after the patch.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../lib/vm.sh
source "$HERE/../lib/vm.sh"
# shellcheck source=build-lib/common.sh
source "$HERE/build-lib/common.sh"

kb_vm_init
vm_add_stock_module binfmt_misc
if kb_build "kpatch-build -t binfmt_misc" -t binfmt_misc "$HERE/build-module/binfmt-misc-status.patch"; then
	kb_add_ko
	check "changed function of the module reported" grep -q 'binfmt_misc.o: changed function: bm_status_read' "$KB_OUT/kb.out"
fi
kb_refused "-t vmlinux refuses a module's object" 'belongs to binfmt_misc, which is not among the targets' \
	-t vmlinux "$HERE/build-module/binfmt-misc-status.patch"

vm_run <<'GUEST'
source /usr/lib/kpatch-test/build.sh
B=/proc/sys/fs/binfmt_misc
mount_bm() { mountpoint -q $B || mount -t binfmt_misc none $B; }
status() { cat $B/status; }

# Module loaded before the patch.
require "modprobe binfmt_misc" modprobe binfmt_misc
require "mount binfmt_misc" mount_bm
check "stock status" test "$(status)" = enabled
require "load (module present)" kb_load /test/livepatch-binfmt-misc-status.ko
check "patched status" test "$(status)" = "enabled (kpatch-build test)"
require "unload" kb_unload livepatch-binfmt-misc-status
check "stock status again" test "$(status)" = enabled

# Module loaded after the patch.
umount $B
require "rmmod binfmt_misc" rmmod binfmt_misc
require "load (module absent)" kb_load /test/livepatch-binfmt-misc-status.ko
require "modprobe binfmt_misc after the patch" modprobe binfmt_misc
require "mount binfmt_misc again" mount_bm
check "patched status in the late module" test "$(status)" = "enabled (kpatch-build test)"
umount $B
require "unload (late module)" kb_unload livepatch-binfmt-misc-status
check "rmmod binfmt_misc" rmmod binfmt_misc
GUEST
