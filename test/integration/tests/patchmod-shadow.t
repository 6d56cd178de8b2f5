#!/bin/bash
# Shadow variables (klp_shadow_*; kpatch.ko's in the kpatch format): the
# patched proc_pid_status() keeps a per-task counter of reads of
# /proc/PID/status, for a task started before the patch and one started
# after; the post-unpatch callback frees them all.
set -euo pipefail
# shellcheck source=../lib/vm.sh
source "$(dirname "$0")/../lib/vm.sh"
# shellcheck source=patchmod-lib/host.sh
source "$(dirname "$0")/patchmod-lib/host.sh"

vm_init
patchmod_need_generators
patchmod_build_formats kpatch_shadow "$VM_TESTDIR/shadow.patch" \
	vmlinux:fs/proc/array.o || exit 0
vm_add_file "$(dirname "$0")/patchmod-lib/guest.sh" /test/patchmod-guest.sh

vm_run <<'GUEST'
source /test/patchmod-guest.sh
# reads_is PID N: the patch reports N reads of PID's status (this read included).
reads_is() {
	local got
	got=$(awk '/^kpatch_status_reads:/ { print $2 }' "/proc/$1/status")
	[[ $got == "$2" ]] || { echo "got '$got'"; return 1; }
}

for fmt in $(patch_formats kpatch_shadow); do
	sleep 600 &
	old=$!
	check_not "$fmt: stock status has no counter" grep -q kpatch_status_reads /proc/$old/status
	require "$fmt: load" patch_load $fmt kpatch_shadow
	check "$fmt: task older than the patch: first read" reads_is $old 1
	check "$fmt: task older than the patch: second read" reads_is $old 2
	sleep 600 &
	new=$!
	check "$fmt: task newer than the patch: first read" reads_is $new 1
	check "$fmt: older task keeps its own count" reads_is $old 3
	check "$fmt: newer task keeps its own count" reads_is $new 2
	log_mark
	check "$fmt: unload" patch_unload $fmt kpatch_shadow
	check "$fmt: the post-unpatch callback freed both counters" log_has "kpatch-shadow: freed 2 status counters"
	check_not "$fmt: status has no counter after unload" grep -q kpatch_status_reads /proc/$old/status
	kill $old $new
	wait $old $new 2>/dev/null || true
done
GUEST
