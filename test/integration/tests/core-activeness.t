#!/bin/bash
# Activeness safety: a kthread (kpt_sleeper) sleeps inside the function a
# patch replaces, so loading the patch fails with -EBUSY and a log line
# naming the function and the task; the same patch with
# KPATCH_FORCE_UNSAFE loads.  Unloading is checked the same way: with the
# kthread sleeping in the replacement, disabling fails, and so does a
# replace patch that would retire it, until the kthread is gone.
set -euo pipefail
# shellcheck source=../lib/vm.sh
source "$(dirname "$0")/../lib/vm.sh"
# shellcheck source=core-lib/setup.sh
source "$(dirname "$0")/core-lib/setup.sh"

vm_init
core_setup "$VM_TESTDIR/modules"
vm_run <<'GUEST'
source /test/core-guest.sh
kp=$KP_SYSFS/kpt_active
calls=/sys/module/kpt_sleeper/parameters/calls
new_calls=/sys/module/kpt_active/parameters/new_calls
require "insmod kpatch.ko" insmod /test/kpatch.ko
require "insmod kpt_sleeper.ko" insmod /test/kpt_sleeper.ko
pid=$(grep -lx kpt_sleeper /proc/[0-9]*/comm | head -n 1 | cut -d/ -f3)
check "the kpt_sleeper kthread runs" test -n "$pid"
check "the kthread goes round the target" wait_until 10 sh -c "[ \$(cat $calls) -ge 1 ]"

dmesg -c >/dev/null
check_not "insmod kpt_active fails: the target is on a stack" insmod /test/kpt_active.ko
check "log names the function and the task" log_has "kpt_active: cannot enable: function kpt_sleeper_target \(kpt_sleeper, the original, patch kpt_active\) is in use by task kpt_sleeper \(pid $pid\)"
check "the switch was retried" log_has "in use by task kpt_sleeper \(pid $pid\), 5 tries"
check_not "no patch in sysfs" test -e $kp
check_not "kpt_active is not loaded" grep -q '^kpt_active ' /proc/modules
check "kpatch.ko not in use" kp_refcnt_is 0

dmesg -c >/dev/null
require "insmod kpt_active force=1 loads" insmod /test/kpt_active.ko force=1
check "sysfs: force is 1" grep -qx 1 "$kp/kpt_sleeper/kpt_sleeper_target,1/force"
check "sysfs: kpt_sleeper is patched" grep -qx 1 $kp/kpt_sleeper/patched
check "the kthread enters the new function" wait_until 10 sh -c "[ \$(cat $new_calls) -ge 1 ]"
check "rmmod kpt_sleeper (its kthread stops in the new function)" rmmod kpt_sleeper
check "sysfs: kpt_sleeper is no longer patched" grep -qx 0 $kp/kpt_sleeper/patched
check "log: unpatched as the module went" log_has "kpt_active: module kpt_sleeper is going: unpatched"
check "unload kpt_active" kp_unload kpt_active

dmesg -c >/dev/null
require "insmod kpt_active (kpt_sleeper not loaded)" insmod /test/kpt_active.ko
check "sysfs: kpt_sleeper not patched yet" grep -qx 0 $kp/kpt_sleeper/patched
require "insmod kpt_sleeper: patched as it loads" insmod /test/kpt_sleeper.ko
pid=$(grep -lx kpt_sleeper /proc/[0-9]*/comm | head -n 1 | cut -d/ -f3)
check "the kthread runs the new function" wait_until 10 sh -c "[ \$(cat $new_calls) -ge 1 ]"
check_not "disable fails: the replacement is on a stack" sh -c "echo 0 > $kp/enabled"
check "log names the replacement and the task" log_has "kpt_active: cannot disable: function kpt_sleeper_target \(kpt_sleeper, its replacement, patch kpt_active\) is in use by task kpt_sleeper \(pid $pid\)"
check "still enabled" grep -qx 1 $kp/enabled
dmesg -c >/dev/null
orig=$(cat /proc/cmdline)
check_not "a replace patch is refused: it would retire the busy replacement" insmod /test/kpt_replacer.ko
check "log names the busy replacement" log_has "kpt_replacer: cannot enable \(replace\): function kpt_sleeper_target \(kpt_sleeper, its replacement, patch kpt_active\) is in use by task kpt_sleeper"
check "kpt_active stays enabled and patched" test "$(cat $kp/enabled)$(cat $kp/kpt_sleeper/patched)" = 11
check "/proc/cmdline unchanged" test "$(cat /proc/cmdline)" = "$orig"
check "rmmod kpt_sleeper" rmmod kpt_sleeper
check "unload kpt_active" kp_unload kpt_active
check "kpatch.ko not in use" kp_refcnt_is 0
check "rmmod kpatch" rmmod kpatch
GUEST
