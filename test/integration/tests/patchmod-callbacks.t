#!/bin/bash
# Callbacks (KPATCH_*_CALLBACK) of a patch to vmlinux (fs/proc/cmdline.c)
# and to the stock module binfmt_misc fire in order, with obj->mod NULL for
# vmlinux: at load and unload of the patch, and when the module comes and
# goes while the patch is active.  A pre-patch callback that fails (the
# vmlinux one refuses while the hostname is "kpatch-fail") leaves nothing
# loaded.
set -euo pipefail
# shellcheck source=../lib/vm.sh
source "$(dirname "$0")/../lib/vm.sh"
# shellcheck source=patchmod-lib/host.sh
source "$(dirname "$0")/patchmod-lib/host.sh"

vm_init
patchmod_need_generators
patchmod_build_formats kpatch_cb "$VM_TESTDIR/callbacks.patch" \
	vmlinux:fs/proc/cmdline.o binfmt_misc:fs/binfmt_misc.o || exit 0
vm_add_file "$(dirname "$0")/patchmod-lib/guest.sh" /test/patchmod-guest.sh
vm_add_stock_module binfmt_misc

vm_run <<'GUEST'
source /test/patchmod-guest.sh
bm=/tmp/binfmt_misc
mkdir -p $bm
bm_load() { modprobe binfmt_misc && mount -t binfmt_misc none $bm; }
bm_unload() { umount $bm && rmmod binfmt_misc; }
cb() { echo "kpatch-callbacks: $1"; }
VM="vmlinux (mod NULL)"
BM=binfmt_misc
host=$(cat /proc/sys/kernel/hostname)

for fmt in $(patch_formats kpatch_cb); do
	# The module comes and goes while the patch is active.
	log_mark
	require "$fmt: load the patch (binfmt_misc not loaded)" patch_load $fmt kpatch_cb
	check "$fmt: vmlinux pre_patch then post_patch, mod NULL" log_order "$(cb "pre_patch $VM")" "$(cb "post_patch $VM")"
	check_not "$fmt: no callback for the absent module" log_has "$(cb "pre_patch $BM")"
	check "$fmt: /proc/cmdline is patched" grep -q '^kpatch-callbacks ' /proc/cmdline
	log_mark
	require "$fmt: modprobe binfmt_misc" bm_load
	check "$fmt: module pre_patch then post_patch on load" log_order "$(cb "pre_patch $BM")" "$(cb "post_patch $BM")"
	check "$fmt: module is patched" grep -qx "enabled (kpatch-callbacks)" $bm/status
	log_mark
	check "$fmt: rmmod binfmt_misc" bm_unload
	check "$fmt: module pre_unpatch then post_unpatch on removal" log_order "$(cb "pre_unpatch $BM")" "$(cb "post_unpatch $BM")"
	log_mark
	check "$fmt: unload the patch" patch_unload $fmt kpatch_cb
	check "$fmt: vmlinux pre_unpatch then post_unpatch" log_order "$(cb "pre_unpatch $VM")" "$(cb "post_unpatch $VM")"
	check_not "$fmt: none for the removed module" log_has "$(cb "pre_unpatch $BM")"

	# The module is there before the patch.
	require "$fmt: modprobe binfmt_misc first" bm_load
	log_mark
	require "$fmt: load the patch" patch_load $fmt kpatch_cb
	check "$fmt: both pre_patch before both post_patch" log_order "$(cb "pre_patch $VM")" "$(cb "post_patch $BM")"
	check "$fmt: (the other way round too)" log_order "$(cb "pre_patch $BM")" "$(cb "post_patch $VM")"
	check "$fmt: loaded module is patched" grep -qx "enabled (kpatch-callbacks)" $bm/status
	log_mark
	check "$fmt: unload the patch" patch_unload $fmt kpatch_cb
	check "$fmt: both pre_unpatch before both post_unpatch" log_order "$(cb "pre_unpatch $VM")" "$(cb "post_unpatch $BM")"
	check "$fmt: (the other way round too)" log_order "$(cb "pre_unpatch $BM")" "$(cb "post_unpatch $VM")"
	check "$fmt: module is back to the original" grep -qx enabled $bm/status

	# A failing pre-patch callback.
	hostname kpatch-fail
	log_mark
	check_not "$fmt: load fails when vmlinux's pre_patch fails" patch_load $fmt kpatch_cb
	hostname "$host"
	check "$fmt: the callback ran and refused" log_has "kpatch-callbacks: pre_patch vmlinux refused"
	check_not "$fmt: no post_patch ran" log_has "kpatch-callbacks: post_patch"
	check_not "$fmt: the patch module is not loaded" patch_loaded $fmt kpatch_cb
	check_not "$fmt: nothing in /sys/kernel/livepatch" sh -c 'ls /sys/kernel/livepatch | grep -q kpatch_cb'
	check_not "$fmt: nothing in /sys/kernel/kpatch" sh -c 'ls /sys/kernel/kpatch 2>/dev/null | grep -q kpatch_cb'
	check_not "$fmt: /proc/cmdline is not patched" grep -q '^kpatch-callbacks ' /proc/cmdline
	check "$fmt: binfmt_misc is not patched" grep -qx enabled $bm/status
	check "$fmt: rmmod binfmt_misc" bm_unload
done
GUEST
