#!/bin/bash
# The patched drop_caches_sysctl_handler shares its static local "stfu" with
# the running code: it sees the value the original left, the original sees
# what the patch wrote after the patch is gone, and a second load of the
# patch sees it too.
set -euo pipefail
# shellcheck source=../lib/vm.sh
source "$(dirname "$0")/../lib/vm.sh"
# shellcheck source=patchmod-lib/host.sh
source "$(dirname "$0")/patchmod-lib/host.sh"

vm_init
patchmod_need_generators
patchmod_build_formats kpatch_static "$VM_TESTDIR/drop-caches.patch" \
	vmlinux:fs/drop_caches.o || exit 0
vm_add_file "$(dirname "$0")/patchmod-lib/guest.sh" /test/patchmod-guest.sh

vm_run <<'GUEST'
source /test/patchmod-guest.sh

# drop VALUE: write drop_caches with a clean kernel log.
drop() {
	log_mark
	echo "$1" >/proc/sys/vm/drop_caches
}

# The original logs "drop_caches: N" while stfu is 0; writing 4 sets it.
stfu=0
for fmt in $(patch_formats kpatch_static); do
	require "$fmt: load" patch_load $fmt kpatch_static
	drop 1
	check "$fmt: the patch sees the original's stfu=$stfu" log_has "kpatch-static-local: drop_caches 1, stfu=$stfu"
	drop 4
	check "$fmt: the patch sets stfu=4" log_has "kpatch-static-local: drop_caches 4, stfu=4"
	stfu=4
	check "$fmt: unload" patch_unload $fmt kpatch_static
	drop 1
	check_not "$fmt: the original sees stfu=4 from the patch (no log line)" log_has "drop_caches: 1"
	check_not "$fmt: the patch's message is gone" log_has "kpatch-static-local"
	require "$fmt: load again" patch_load $fmt kpatch_static
	drop 1
	check "$fmt: the new patch instance sees stfu=4" log_has "kpatch-static-local: drop_caches 1, stfu=4"
	check "$fmt: unload again" patch_unload $fmt kpatch_static
done
GUEST
