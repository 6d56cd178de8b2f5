#!/bin/bash
# The kpatch utility on kpatch-format modules (the core engineer's
# hand-written kpt_functional patch of cmdline_proc_show), mixed with a
# livepatch module: the core loaded from its install location first,
# load/unload, list, info, disabled patches, a failing init, no core found,
# a patched function the core finds in use until the time-out.
set -euo pipefail
# shellcheck source=../lib/vm.sh
source "$(dirname "$0")/../lib/vm.sh"

vm_init
TESTS=$VM_TOPDIR/test/integration/tests
# The core test modules find kpatch.h and kpt.h through KPATCH_TOPDIR.
export KPATCH_TOPDIR=$VM_TOPDIR
vm_build_module "$VM_TOPDIR/kmod/core" "$TESTS/core-functional/patches" \
	"$TESTS/util-load/modules/livepatch-util-version" "$TESTS/util-load/modules/util-target" \
	"$VM_TESTDIR/modules/kpt-util-park" || exit 1
# The core where 'make install PREFIX=/usr' puts it; the harness's own copy
# (/usr/lib/kpatch/kpatch.ko) is removed so this one must be found.
rm -f "$VM_ROOT/usr/lib/kpatch/kpatch.ko"
install -D -m 0644 "$VM_ROOT/test/kpatch.ko" "$VM_ROOT/usr/lib/kpatch/$VM_KREL/kpatch.ko"
rm -f "$VM_ROOT/test/kpatch.ko"

vm_run <<'GUEST'
KREL=$(uname -r)
KP=/sys/kernel/kpatch
OUT=/tmp/kpatch.out
ORIG_CMDLINE=$(cat /proc/cmdline)
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

# --- no core module to be found
mv /usr/lib/kpatch /usr/lib/kpatch.away
kp load /test/kpt_functional.ko
check "without kpatch.ko installed, load fails and says what is missing" failed_saying "needs the kpatch core module, but no kpatch.ko for kernel $KREL was found"
check_not "nothing was loaded" sh -c "grep -qE '^(kpatch|kpt_functional) ' /proc/modules"
mv /usr/lib/kpatch.away /usr/lib/kpatch

# --- load: the core first
kp load /test/kpt_functional.ko
check "load of a kpatch-format module succeeds" status_was 0
check "the core was loaded from its install location" said "loading core module: /usr/lib/kpatch/$KREL/kpatch.ko"
check "load reports the patch enabled" said "kpt_functional: enabled"
check "kpatch.ko and the patch are loaded" sh -c "grep -q '^kpatch ' /proc/modules && grep -q '^kpt_functional ' /proc/modules"
check "/proc/cmdline is patched" grep -q '^kpatch-functional ' /proc/cmdline
kp load /test/kpt_functional.ko
check "loading it again: exit 0, already loaded" sh -c "grep -qx 0 $OUT.rc && grep -q 'already loaded and enabled' $OUT"
kp info kpt_functional
check "info shows the kpatch format and state" sh -c "grep -q '^format: *kpatch' $OUT && grep -q '^state: *loaded, enabled' $OUT"
check "info lists the patched function from sysfs" said '^  vmlinux: cmdline_proc_show$'
check "info shows the stop_machine pause" said '^switch: *[0-9]* us of stop_machine'

# --- mixed formats
kp load /test/livepatch-util-version.ko
check "a livepatch module loads next to it" sh -c "grep -qx 0 $OUT.rc && grep -qx kpatch-util-version /proc/version"
kp list
check "list shows both, oldest first" sh -c "sed -n '2,3p' $OUT | tr '\n' ' ' | grep -qx 'kpt_functional \[enabled\] livepatch_util_version \[enabled\] '"
check_not "list does not show the core module as a patch" said '^kpatch \['
kp unload --all
check "unload --all succeeds" status_was 0
check "unload --all goes newest first across formats" sh -c "grep ': unloaded' $OUT | tr '\n' ' ' | grep -q 'livepatch_util_version: unloaded.*kpt_functional: unloaded'"
check "/proc/cmdline is back" test "$(cat /proc/cmdline)" = "$ORIG_CMDLINE"
check_not "the patch module is gone" loaded kpt_functional
check "the core module stays loaded" loaded kpatch

# --- a disabled patch
kpatch load /test/kpt_functional.ko >/dev/null
echo 0 >$KP/kpt_functional/enabled
kp list
check "list shows a disabled kpatch patch" said '^kpt_functional \[disabled\]$'
kp load /test/kpt_functional.ko
check "load of a loaded but disabled patch fails and says so" failed_saying "kpt_functional is loaded but its patch is disabled"
kp unload kpt_functional
check "unload of a disabled patch removes its module" sh -c "grep -qx 0 $OUT.rc && ! grep -q '^kpt_functional ' /proc/modules"

# --- a patch module whose init fails
dmesg -c >/dev/null
kp load /test/kpt_bad.ko
check "a failing kpatch-format load fails, nothing changed" sh -c "! grep -qx 0 $OUT.rc && grep -q 'kpt_bad was not loaded; nothing changed' $OUT && ! grep -q '^kpt_bad ' /proc/modules"
check "it shows insmod's error and the kernel's message" sh -c "grep -q 'insmod /test/kpt_bad.ko failed' $OUT && grep -q \"kernel: .*kpt_bad: unknown mode\" $OUT"
# --- the core finds a patched function in use: kpatch retries, then gives up
require "insmod util-target.ko (a kthread sleeps in util_target_park)" insmod /test/util-target.ko
start=$SECONDS
kp load --timeout 4 /test/kpt-util-park.ko
took=$((SECONDS - start))
check "load of a patch whose function stays in use fails, nothing changed" \
	sh -c "! grep -qx 0 $OUT.rc && grep -q 'kpt_util_park was not loaded: a function it patches was in use during 4 s of retries (see above); nothing changed' $OUT && ! grep -q '^kpt_util_park ' /proc/modules"
check "it retried until the time-out (4 s), not much longer" test "$took" -ge 4 -a "$took" -le 15
check "it shows insmod's error" said "insmod /test/kpt-util-park.ko failed: Device or resource busy"
check "it shows the core naming the task in the function, repeats counted" said "kernel: .*util_target_park.*util_parker.* (x[0-9]*)$"
check "rmmod util_target" rmmod util_target

kp unload kpatch
check "unload of the core module itself is refused" sh -c "! grep -qx 0 $OUT.rc && grep -q 'not a patch module' $OUT && grep -q '^kpatch ' /proc/modules"
kp load /usr/lib/kpatch/$KREL/kpatch.ko
check "load of the core module itself is refused" failed_saying "is the kpatch core module, not a patch module"
check "rmmod kpatch at the end" rmmod kpatch
GUEST
