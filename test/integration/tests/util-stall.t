#!/bin/bash
# The kpatch utility on livepatch transitions that cannot finish, in one
# boot: a patch whose transition stalls (a kthread parked in the patched
# function) times out, is reverted and the task named; signal; another
# kpatch waits for the lock, then gives up; a transition started by insmod
# blocks new loads and is reversed by unload; kpatch killed mid-way says
# what it leaves; an unpatching that cannot finish re-enables the patch;
# load --all goes on after a failure.
set -euo pipefail
# shellcheck source=../lib/vm.sh
source "$(dirname "$0")/../lib/vm.sh"

vm_init
M=$VM_TOPDIR/test/integration/tests/util-load/modules
vm_build_module "$M/livepatch-util-cmdline" "$M/livepatch-util-version" \
	"$M/util-target" "$M/livepatch-util-stall" "$M/livepatch-util-hold" || exit 1

vm_run <<'GUEST'
LP=/sys/kernel/livepatch
OUT=/tmp/kpatch.out

# kp ARGS...: run kpatch, keep its output in $OUT and its status in $OUT.rc;
# the output is echoed to the guest log for post-mortems.
kp() {
	local rc=0
	kpatch "$@" >"$OUT" 2>&1 || rc=$?
	echo "$rc" >"$OUT.rc"
	sed "s|^|    [kpatch $*] |" "$OUT"
	echo "    [kpatch $*] exit $rc"
	return $rc
}
said() { grep -q -- "$1" "$OUT"; }
status_was() { [[ $(cat "$OUT.rc") == "$1" ]]; }
failed_saying() { ! status_was 0 && said "$1"; }
loaded() { grep -q "^$1 " /proc/modules; }
state() {
	cut -d' ' -f1 /proc/modules | sort
	ls $LP
	find /var/lib/kpatch -type f 2>/dev/null | sort
}
snapshot() { state >/tmp/state.before; }
unchanged() { state | cmp -s - /tmp/state.before; }
kthread_pid() { grep -lx "$1" /proc/[0-9]*/comm | head -n 1 | cut -d/ -f3; }

# --- a transition that cannot finish
require "insmod util-target.ko (kthreads to patch under)" insmod /test/util-target.ko
snapshot
start=$SECONDS
kp load --timeout 20 /test/livepatch-util-stall.ko >/dev/null &
bg=$!
check "the stalled patch shows up in transition" wait_until 8 grep -qx 1 $LP/livepatch_util_stall/transition
sleep 1
kpatch list >/tmp/list.out 2>&1
check "list shows it enabled, in transition" grep -qx 'livepatch_util_stall \[enabled, in transition\]' /tmp/list.out
kpatch signal >/tmp/signal.out 2>&1 && echo 0 >/tmp/signal.rc || echo $? >/tmp/signal.rc
sed 's/^/    [kpatch signal] /' /tmp/signal.out
check "signal names the blocking kthread and its function" sh -c "grep -q 'util_parker, kernel thread' /tmp/signal.out && grep -q 'util_target_park' /tmp/signal.out"
check "signal on a kernel without the signal attribute fails and says why" sh -c "! grep -qx 0 /tmp/signal.rc && grep -q 'signals the blocking tasks itself' /tmp/signal.out"
kpatch load -t 2 /test/livepatch-util-version.ko >/tmp/busy.out 2>&1 && echo 0 >/tmp/busy.rc || echo $? >/tmp/busy.rc
sed 's/^/    [kpatch load -t 2 version] /' /tmp/busy.out
check "another load waits for the running kpatch, then gives up and says why" sh -c "! grep -qx 0 /tmp/busy.rc && grep -q 'waiting for another kpatch command' /tmp/busy.out && grep -q 'another kpatch command (pid [0-9]*, lock /run/kpatch.lock) is still running after 2 s; nothing changed' /tmp/busy.out"
wait $bg && echo 0 >$OUT.rc || echo $? >$OUT.rc
took=$((SECONDS - start))
sed 's/^/    [kpatch load stall] /' $OUT
check "load of the stalling patch fails" sh -c "! grep -qx 0 $OUT.rc"
check "it took about the time-out (20 s), not much more" test "$took" -ge 19 -a "$took" -le 70
check "it names the blocking kthread" said "blocking: pid [0-9]* (util_parker, kernel thread)"
check "it shows the blocking stack in the patched function" said "util_target_park+0x"
check "it says it reverted and unloaded the patch" said "reverted and unloaded"
check_not "the stalled patch module is gone" loaded livepatch_util_stall
check_not "the stalled patch is gone from sysfs" test -e $LP/livepatch_util_stall
check "no task is left in a patch state" sh -c "! cat /proc/[0-9]*/task/[0-9]*/patch_state 2>/dev/null | grep -qvx -- -1"
check "the stalled load changed nothing" unchanged
check_not "the lock was released" test -e /run/kpatch.lock

# A transition started without kpatch (insmod): kpatch refuses to start
# another one, and unload reverses it.
insmod /test/livepatch-util-stall.ko
check "a stalled patch loaded with insmod is in transition" wait_until 5 grep -qx 1 $LP/livepatch_util_stall/transition
kp load /test/livepatch-util-version.ko
check "load during a transition fails and names the patch in transition" failed_saying "while patch livepatch_util_stall is in transition"
check_not "that load loaded nothing" loaded livepatch_util_version
kp unload --timeout 10 livepatch_util_stall
check "unload reverses a stalled patching transition" sh -c "grep -qx 0 $OUT.rc && ! grep -q '^livepatch_util_stall ' /proc/modules"
check "and leaves no task in a patch state" sh -c "! cat /proc/[0-9]*/task/[0-9]*/patch_state 2>/dev/null | grep -qvx -- -1"

# kpatch killed while it waits: it says what it leaves behind, drops its lock.
kpatch load -t 60 /test/livepatch-util-stall.ko >/tmp/term.out 2>&1 &
bg=$!
wait_until 10 grep -qx 1 $LP/livepatch_util_stall/transition
sleep 1
kill -TERM $bg
wait $bg && echo 0 >/tmp/term.rc || echo $? >/tmp/term.rc
sed 's/^/    [kpatch load, killed] /' /tmp/term.out
check "killed kpatch exits 130 and says the patch may be in transition" sh -c "grep -qx 130 /tmp/term.rc && grep -q 'interrupted: livepatch_util_stall may be loaded and in transition' /tmp/term.out"
check_not "killed kpatch released its lock" test -e /run/kpatch.lock
kp unload livepatch_util_stall
check "unload after the interruption reverts it" sh -c "grep -qx 0 $OUT.rc && ! grep -q '^livepatch_util_stall ' /proc/modules"

# --- an unpatching that cannot finish
kp load /test/livepatch-util-hold.ko
check "load of livepatch-util-hold succeeds" status_was 0
check "the ticker kthread gets held in the new function" wait_until 10 grep -q livepatch_util_target_tick "/proc/$(kthread_pid util_ticker)/stack"
snapshot
kp unload --timeout 5 livepatch_util_hold
check "unload of a patch whose new code is in use fails" sh -c "! grep -qx 0 $OUT.rc"
check "it names the kthread running the patched code" said "(util_ticker, kernel thread)"
check "it says the patch is enabled again" said "it is enabled again"
check "the patch is enabled and settled" sh -c "grep -qx 1 $LP/livepatch_util_hold/enabled && grep -qx 0 $LP/livepatch_util_hold/transition"
check "the failed unload changed nothing" unchanged
echo N >/sys/module/livepatch_util_hold/parameters/hold
kp unload livepatch_util_hold
check "unload succeeds once the new code is left" sh -c "grep -qx 0 $OUT.rc && ! grep -q '^livepatch_util_hold ' /proc/modules"
kp unload util_target
check "unload of a loaded module that is not a patch fails, module stays" sh -c "! grep -qx 0 $OUT.rc && grep -q 'not a patch module' $OUT && grep -q '^util_target ' /proc/modules"
require "rmmod util_target" rmmod util_target

# --- --all goes on after a failure
kpatch install /test/livepatch-util-stall.ko >/dev/null
kpatch install /test/livepatch-util-cmdline.ko >/dev/null
kpatch install /test/util-target.ko >/dev/null 2>&1 || true
insmod /test/util-target.ko
kp load --all --timeout 3
check "load --all with a failing module fails and names it" failed_saying "1 of 2 installed modules not loaded: livepatch-util-stall.ko"
check "load --all still loaded the other module" grep -qx kpatch-util-cmdline /proc/cmdline
kpatch unload --all >/dev/null
rmmod util_target
kp signal
check "signal with no transition: exit 0, says so" sh -c "grep -qx 0 $OUT.rc && grep -q 'no patch is in transition' $OUT"
check "nothing left loaded" sh -c "! ls $LP | grep -q . && ! grep -qE '^(livepatch_|util_target)' /proc/modules"
GUEST
