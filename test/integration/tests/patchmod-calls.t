#!/bin/bash
# A changed function (show_console_dev, /proc/consoles) that calls an
# exported function (seq_printf), a non-exported global (nr_running), a
# local function whose name three files of vmlinux use (c_next, sympos 2)
# and a static call with a non-exported key (KPATCH_STATIC_CALL), and logs
# with KPATCH_PRINTK: the patch module resolves each and prints what they
# return.
set -euo pipefail
# shellcheck source=../lib/vm.sh
source "$(dirname "$0")/../lib/vm.sh"
# shellcheck source=patchmod-lib/host.sh
source "$(dirname "$0")/patchmod-lib/host.sh"

vm_init
patchmod_need_generators
patchmod_build_formats kpatch_calls "$VM_TESTDIR/consoles.patch" \
	vmlinux:fs/proc/consoles.o || exit 0
vm_add_file "$(dirname "$0")/patchmod-lib/guest.sh" /test/patchmod-guest.sh

vm_run <<'GUEST'
source /test/patchmod-guest.sh

# The line show_console_dev prints for each console, patched: what c_next
# returns for it (the name of the next console) and pos 1.
expected_suffixes() {
	local -a names
	local i next
	# (no process substitution in the guest: no /dev/fd)
	awk '{ sub(/[0-9]+$/, "", $1); print $1 }' /proc/consoles >/tmp/names
	mapfile -t names </tmp/names
	for i in "${!names[@]}"; do
		next=${names[i + 1]:-none}
		echo "kpatch-calls next=$next pos=1 running=yes clock=yes"
	done
}

patched_ok() {
	local -a got want
	local i
	mapfile -t got </proc/consoles
	mapfile -t want <"$1"
	[[ ${#got[@]} -eq ${#want[@]} && ${#got[@]} -gt 0 ]] || {
		echo "${#got[@]} lines, expected ${#want[@]}"
		return 1
	}
	for i in "${!got[@]}"; do
		[[ ${got[i]} == *" ${want[i]}" ]] || {
			echo "line $i: '${got[i]}' does not end with '${want[i]}'"
			return 1
		}
	done
}

orig=$(cat /proc/consoles)
expected_suffixes >/tmp/expected
check "livepatch module: modinfo livepatch: Y" test "$(modinfo -F livepatch /test/kpatch_calls.ko)" = Y
for fmt in $(patch_formats kpatch_calls); do
	check "$fmt: vermagic is the running kernel's" \
		test "$(modinfo -F vermagic "$(patch_file $fmt kpatch_calls)" | cut -d' ' -f1)" = "$(uname -r)"
done
for fmt in $(patch_formats kpatch_calls); do
	require "$fmt: load" patch_load $fmt kpatch_calls
	log_mark
	check "$fmt: /proc/consoles shows what c_next, nr_running, pv_sched_clock and seq_printf did" patched_ok /tmp/expected
	check "$fmt: KPATCH_PRINTK logged" log_has "kpatch-calls: showed "
	check "$fmt: unload" patch_unload $fmt kpatch_calls
	check "$fmt: /proc/consoles is the original again" test "$(cat /proc/consoles)" = "$orig"
done
GUEST
