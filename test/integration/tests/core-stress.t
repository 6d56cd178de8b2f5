#!/bin/bash
# Four readers of /proc/cmdline in a loop while a kpatch patch of
# cmdline_proc_show is loaded, disabled and unloaded 100 times: every read
# is the old or the new text, every cycle succeeds, no splat, and the
# reference counts are back to zero.
set -euo pipefail
# shellcheck source=../lib/vm.sh
source "$(dirname "$0")/../lib/vm.sh"
# shellcheck source=core-lib/setup.sh
source "$(dirname "$0")/core-lib/setup.sh"

# 100 cycles under TCG with 4 busy readers take a few minutes.
VM_TIMEOUT=${VM_TIMEOUT_STRESS:-600}
vm_init
core_setup "$VM_TESTDIR/patches"
vm_run <<'GUEST'
source /test/core-guest.sh
cycles=100
new='kpatch-stress: patched cmdline'
orig=$(cat /proc/cmdline)
require "insmod kpatch.ko" insmod /test/kpatch.ko

# Each read opens the file anew (one cmdline_proc_show call); builtins
# only, and niced, so the readers leave the loader some of the 2 CPUs.
reader() {
	local line
	while [[ ! -e /tmp/stop ]]; do
		IFS= read -r line </proc/cmdline
		printf '%s\n' "$line"
	done >"/tmp/reads.$1"
}
pids=()
for r in 1 2 3 4; do
	reader $r &
	pids+=($!)
	renice -n 10 -p $! >/dev/null
done
start=$(date +%s)

failed=0 why=""
for ((i = 1; i <= cycles; i++)); do
	if ! out=$(insmod /test/kpt_stress.ko 2>&1); then
		failed=$((failed + 1)); why="cycle $i: insmod: $out"; continue
	fi
	if ! out=$(kp_unload kpt_stress 2>&1); then
		failed=$((failed + 1)); why="cycle $i: unload: $out"
		sleep 1
		kp_unload kpt_stress || true
	fi
done
touch /tmp/stop
wait "${pids[@]}"

if [[ $failed -eq 0 ]]; then
	pass "$cycles load/unload cycles with 4 readers ($(( $(date +%s) - start )) s)"
else
	fail "$cycles load/unload cycles with 4 readers" "$failed failed; last: $why"
fi
for r in 1 2 3 4; do
	total=$(wc -l </tmp/reads.$r)
	bad=$(grep -cvxF -e "$orig" -e "$new" /tmp/reads.$r || true)
	if [[ $total -gt 0 && $bad -eq 0 ]]; then
		pass "reader $r: $total reads, all old or new text"
	else
		fail "reader $r: all reads old or new text" "$bad of $total reads are something else: $(grep -vxF -e "$orig" -e "$new" /tmp/reads.$r | head -n 1)"
	fi
done
cat /tmp/reads.* >/tmp/reads.all
check "readers saw the patched text" grep -qxF "$new" /tmp/reads.all
check "readers saw the original text" grep -qxF "$orig" /tmp/reads.all
check "finally /proc/cmdline is the original" test "$(cat /proc/cmdline)" = "$orig"
check_not "kpt_stress is not loaded" grep -q '^kpt_stress ' /proc/modules
check "kpatch.ko refcount is back to 0" kp_refcnt_is 0
check "no patch left in /sys/kernel/kpatch" test -z "$(ls $KP_SYSFS)"
check "log: $cycles enables and $cycles disables" test "$(dmesg | grep -c 'kpt_stress: enabled$') $(dmesg | grep -c 'kpt_stress: disabled$')" = "$cycles $cycles"
check "rmmod kpatch" rmmod kpatch
GUEST
