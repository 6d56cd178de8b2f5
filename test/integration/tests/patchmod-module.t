#!/bin/bash
# A patch to bm_status_read() of the stock module binfmt_misc, which reads the
# module's static "enabled" (a module-local relocation the kernel or
# kpatch.ko writes when the module is there): with binfmt_misc loaded before
# the patch, and loaded after it.
set -euo pipefail
# shellcheck source=../lib/vm.sh
source "$(dirname "$0")/../lib/vm.sh"
# shellcheck source=patchmod-lib/host.sh
source "$(dirname "$0")/patchmod-lib/host.sh"

vm_init
patchmod_need_generators
patchmod_build_formats kpatch_module "$VM_TESTDIR/binfmt-misc.patch" \
	binfmt_misc:fs/binfmt_misc.o || exit 0
vm_add_file "$(dirname "$0")/patchmod-lib/guest.sh" /test/patchmod-guest.sh
vm_add_stock_module binfmt_misc

vm_run <<'GUEST'
source /test/patchmod-guest.sh
bm=/tmp/binfmt_misc
mkdir -p $bm

bm_load() { modprobe binfmt_misc && mount -t binfmt_misc none $bm; }
bm_unload() { umount $bm && rmmod binfmt_misc; }
status_is() { test "$(cat $bm/status)" = "$1"; }

# object_patched FORMAT VALUE: the patch's binfmt_misc object state in sysfs.
object_patched() {
	local dir=/sys/kernel/livepatch/kpatch_module/binfmt_misc
	[[ $1 == kpatch ]] && dir=/sys/kernel/kpatch/kpatch_module_kp/binfmt_misc
	grep -qx "$2" $dir/patched
}

for fmt in $(patch_formats kpatch_module); do
	# Module loaded before the patch.
	require "$fmt: modprobe binfmt_misc" bm_load
	check "$fmt: stock status" status_is enabled
	require "$fmt: load the patch" patch_load $fmt kpatch_module
	check "$fmt: loaded-before module is patched" status_is "enabled (kpatch-module)"
	check "$fmt: sysfs says the module is patched" object_patched $fmt 1
	check "$fmt: unload the patch" patch_unload $fmt kpatch_module
	check "$fmt: status is the original again" status_is enabled
	check "$fmt: rmmod binfmt_misc" bm_unload

	# Module loaded after the patch.
	require "$fmt: load the patch without binfmt_misc" patch_load $fmt kpatch_module
	check "$fmt: sysfs says the absent module is not patched" object_patched $fmt 0
	require "$fmt: modprobe binfmt_misc with the patch loaded" bm_load
	check "$fmt: loaded-after module is patched" status_is "enabled (kpatch-module)"
	check "$fmt: sysfs says it is patched now" object_patched $fmt 1
	check "$fmt: patched module can go away" bm_unload
	check "$fmt: unload the patch" patch_unload $fmt kpatch_module
	check "$fmt: modprobe binfmt_misc after the patch" bm_load
	check "$fmt: status is the original" status_is enabled
	check "$fmt: rmmod binfmt_misc again" bm_unload
done
GUEST
