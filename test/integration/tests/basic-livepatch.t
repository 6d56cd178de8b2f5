#!/bin/bash
# A livepatch module we wrote changes /proc/cmdline; disabled and removed, the
# original text is back.
set -euo pipefail
# shellcheck source=../lib/vm.sh
source "$(dirname "$0")/../lib/vm.sh"

vm_init
vm_build_module "$VM_TESTDIR/livepatch-cmdline"
vm_run --append kpatch_test_marker=original <<'GUEST'
lp=/sys/kernel/livepatch/livepatch_cmdline
patched='kpatch-test: cmdline replaced by livepatch-cmdline'
orig=$(cat /proc/cmdline)
check "stock /proc/cmdline has the boot args" grep -q kpatch_test_marker=original /proc/cmdline
require "insmod livepatch-cmdline.ko" insmod /test/livepatch-cmdline.ko
check "patch is in /sys/kernel/livepatch" test -d $lp
check "transition to patched completes" klp_wait_transition livepatch_cmdline 60
check "patch is enabled" grep -qx 1 $lp/enabled
check "/proc/cmdline shows the patched text" grep -qx "$patched" /proc/cmdline
check "kernel is tainted for livepatch (K)" sh -c '[ $(( $(cat /proc/sys/kernel/tainted) & 32768 )) -ne 0 ]'
check "disable the patch" sh -c "echo 0 > $lp/enabled"
check "transition to unpatched completes" klp_wait_transition livepatch_cmdline 60
check "/proc/cmdline shows the original text again" test "$(cat /proc/cmdline)" = "$orig"
check "rmmod livepatch_cmdline" wait_until 10 rmmod livepatch_cmdline
check_not "livepatch_cmdline is gone from /proc/modules" grep -q '^livepatch_cmdline ' /proc/modules
check_not "patch is gone from /sys/kernel/livepatch" test -e $lp
GUEST
