#!/bin/bash
# Conflicts with livepatch on cmdline_proc_show.  Livepatch first: the
# kpatch patch (version_proc_show, cmdline_proc_show) is refused with a
# clear error and leaves nothing patched.  kpatch first: the livepatch is
# refused by the kernel and the kpatch patch keeps working.
set -euo pipefail
# shellcheck source=../lib/vm.sh
source "$(dirname "$0")/../lib/vm.sh"
# shellcheck source=core-lib/setup.sh
source "$(dirname "$0")/core-lib/setup.sh"

vm_init
core_setup "$VM_TESTDIR/modules"
vm_run <<'GUEST'
source /test/core-guest.sh
orig_cmdline=$(cat /proc/cmdline)
orig_version=$(cat /proc/version)
lp=/sys/kernel/livepatch/klp_conflict
require "insmod kpatch.ko" insmod /test/kpatch.ko

require "insmod klp_conflict (livepatch)" insmod /test/klp_conflict.ko
check "livepatch transition completes" klp_wait_transition klp_conflict 60
check "cmdline is the livepatch's" grep -qx 'klp-conflict cmdline' /proc/cmdline
dmesg -c >/dev/null
check_not "kpatch patch of the same function is refused" insmod /test/kpt_conflict.ko
check "log: clear conflict error" log_has 'kpt_conflict: cannot redirect cmdline_proc_show \(vmlinux\): the function is already redirected by livepatch or another ftrace IPMODIFY user'
check "cmdline is still the livepatch's" grep -qx 'klp-conflict cmdline' /proc/cmdline
check "version_proc_show (queued first) is not left patched" test "$(cat /proc/version)" = "$orig_version"
check_not "no kpatch sysfs dir left" test -e $KP_SYSFS/kpt_conflict
check "kpatch.ko not in use" kp_refcnt_is 0
check "disable the livepatch" sh -c "echo 0 > $lp/enabled"
check "livepatch transition completes" klp_wait_transition klp_conflict 60
check "rmmod klp_conflict" wait_until 10 rmmod klp_conflict
check "cmdline is the original" test "$(cat /proc/cmdline)" = "$orig_cmdline"

require "insmod kpt_conflict (kpatch) first" insmod /test/kpt_conflict.ko
check "cmdline and version are kpatch's" test "$(cat /proc/cmdline) $(cat /proc/version)" = "kpatch-conflict cmdline kpatch-conflict version"
dmesg -c >/dev/null
check_not "the livepatch of the same function is refused" insmod /test/klp_conflict.ko
check "log: livepatch cannot register its ftrace handler (-EBUSY)" log_has "failed to register ftrace handler for function 'cmdline_proc_show' \(-16\)"
check "cmdline is still kpatch's" grep -qx 'kpatch-conflict cmdline' /proc/cmdline
check_not "no livepatch left" test -e $lp
check "unload kpt_conflict" kp_unload kpt_conflict
check "all original" test "$(cat /proc/cmdline)|$(cat /proc/version)" = "$orig_cmdline|$orig_version"
check "rmmod kpatch" rmmod kpatch
GUEST
