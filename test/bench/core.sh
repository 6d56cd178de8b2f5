#!/bin/bash
# Core module benchmark, in one boot of the stock kernel (QEMU):
#   - the stop_machine pause of a kpatch switch for patches of 1 and 50
#     functions (pause_ns in sysfs, several enables each), with the time of
#     the stack check inside it (kernel log);
#   - the cost of calling a patched function (kpatch, ftrace redirection)
#     against the unpatched function and against the same patch in
#     livepatch format: ns per call in a tight loop, as ratios.
# Under TCG the absolute figures are emulated time; the ratios are the point.
set -euo pipefail
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=../integration/lib/vm.sh
source "$TOP/test/integration/lib/vm.sh"
export KPATCH_TOPDIR=$TOP

RUNS=${CORE_BENCH_RUNS:-9}
ITERATIONS=${CORE_BENCH_ITERATIONS:-200000}

main() {
	local figures
	vm_init
	vm_build_module "$TOP/kmod/core" "$TOP/test/bench/core" || exit 1
	vm_add_file "$TOP/test/integration/tests/core-lib/guest.sh" /test/core-guest.sh
	printf 'RUNS=%s\nITERATIONS=%s\n' "$RUNS" "$ITERATIONS" >"$VM_SCRATCH/bench.conf"
	vm_add_file "$VM_SCRATCH/bench.conf" /test/bench.conf
	vm_run --name "core bench boot" <<'GUEST'
source /test/core-guest.sh
source /test/bench.conf
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
lowest() { sort -n | head -n 1; }

# ns_per_call WHICH DELTA: one tight-loop run of kpb_call_WHICH; fails if the
# sum shows the wrong version ran (x + DELTA).
ns_per_call() {
	local n ns sum want
	read -r n ns sum </proc/kpb_$1
	want=$(( n * (n - 1) / 2 + $2 * n ))
	[[ $sum == "$want" ]] || { echo "kpb_call_$1: sum $sum, want $want: wrong version ran"; return 1; }
	awk -v ns="$ns" -v n="$n" 'BEGIN { printf "%.3f\n", ns / n }'
}

# pauses PATCH: pause_ns after each of $RUNS enables, in us; the wall time
# of each enable (resolution, ftrace updates, switch, grace period), in ms,
# goes to /tmp/wall.PATCH.
pauses() {
	local kp=$KP_SYSFS/$1 r t0 t1
	: >"/tmp/wall.$1"
	for ((r = 0; r < RUNS; r++)); do
		echo 0 >"$kp/enabled" || return 1
		t0=$EPOCHREALTIME
		echo 1 >"$kp/enabled" || return 1
		t1=$EPOCHREALTIME
		awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f\n", (b - a) * 1000 }' >>"/tmp/wall.$1"
		awk '{ printf "%.1f\n", $1 / 1000 }' "$kp/pause_ns"
	done
}

# check_us PATCH: median stack-check time from the log's enable lines.
check_us() {
	dmesg | sed -n "s/.*$1: enable: switched .* (stack check of [0-9]* tasks \([0-9]*\) us)/\1/p" | median
}

require "insmod kpatch.ko" insmod /test/kpatch.ko
require "insmod kpb_target.ko" insmod /test/kpb_target.ko iterations=$ITERATIONS
require "insmod kpb_patch1.ko (kpatch)" insmod /test/kpb_patch1.ko
require "insmod kpb_klp.ko (livepatch)" insmod /test/kpb_klp.ko
require "livepatch transition completes" klp_wait_transition kpb_klp 60

# Measured in turns, so drifts of the emulated machine hit all three alike.
: >/tmp/plain; : >/tmp/kpatch; : >/tmp/klp
ok=1
for ((r = 0; r < RUNS; r++)); do
	ns_per_call plain 1 >>/tmp/plain || ok=0
	ns_per_call kpatch 2 >>/tmp/kpatch || ok=0
	ns_per_call klp 2 >>/tmp/klp || ok=0
done
if [[ $ok -eq 1 ]]; then
	pass "call costs measured ($RUNS rounds)"
else
	fail "call costs measured" "$(grep -h wrong /tmp/plain /tmp/kpatch /tmp/klp | head -n 1)"
fi
base=$(median </tmp/plain) kp=$(median </tmp/kpatch) klp=$(median </tmp/klp)

dmesg -c >/dev/null
p1=$(pauses kpb_patch1) && pass "pauses of the 1-function patch" || fail "pauses of the 1-function patch" "$p1"
c1=$(check_us kpb_patch1)
check "unload kpb_patch1" kp_unload kpb_patch1
check "disable the livepatch" sh -c 'echo 0 > /sys/kernel/livepatch/kpb_klp/enabled'
check "livepatch transition completes" klp_wait_transition kpb_klp 60
check "rmmod kpb_klp" wait_until 10 rmmod kpb_klp

dmesg -c >/dev/null
require "insmod kpb_patch50.ko" insmod /test/kpb_patch50.ko
check "the 50-function patch is live" sh -c "[ \$(ls -d $KP_SYSFS/kpb_patch50/kpb_target/kpb_fn_* | wc -l) = 50 ]"
p50=$(pauses kpb_patch50) && pass "pauses of the 50-function patch" || fail "pauses of the 50-function patch" "$p50"
c50=$(check_us kpb_patch50)
check "unload kpb_patch50" kp_unload kpb_patch50
tasks=$(dmesg | sed -n 's/.*stack check of \([0-9]*\) tasks.*/\1/p' | tail -n 1)

echo "BENCH stop_machine pause, 1 function:   median $(echo "$p1" | median) us, lowest $(echo "$p1" | lowest) us ($RUNS enables); stack check inside: $c1 us for $tasks tasks"
echo "BENCH stop_machine pause, 50 functions: median $(echo "$p50" | median) us, lowest $(echo "$p50" | lowest) us ($RUNS enables); stack check inside: $c50 us"
echo "BENCH whole enable (echo 1 > enabled), median: 1 function $(median </tmp/wall.kpb_patch1) ms, 50 functions $(median </tmp/wall.kpb_patch50) ms"
echo "BENCH call cost, ns per call (median of $RUNS rounds x $ITERATIONS calls): unpatched $base, kpatch $kp, livepatch $klp"
awk -v b="$base" -v k="$kp" -v l="$klp" 'BEGIN { printf "BENCH ratios: kpatch/unpatched %.2f, livepatch/unpatched %.2f, kpatch/livepatch %.2f\n", k / b, l / b, k / l }'
GUEST
	figures=$(sed -n 's/^BENCH //p' "$VM_GUEST_LOG" | tr -d '\r')
	if [[ -z $figures ]]; then
		echo "core bench: no figures (guest log $VM_GUEST_LOG)" >&2
		return 1
	fi
	echo "core: guest $(vm__accel), 2 vCPUs, stock $VM_KREL"
	awk '{ print "core: " $0 }' <<<"$figures"
	[[ ${VM_GUEST_STATUS:-1} -eq 0 ]]
}

main "$@"
