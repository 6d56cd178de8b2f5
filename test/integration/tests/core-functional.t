#!/bin/bash
# kpatch.ko with a hand-written kpatch-format patch of cmdline_proc_show:
# behaviour changes (through dynrelas resolved by name and position),
# sysfs, taint, callbacks, disable/re-enable, unload restores the original,
# refusals leave nothing behind, shadow variables, the core unloads.
set -euo pipefail
# shellcheck source=../lib/vm.sh
source "$(dirname "$0")/../lib/vm.sh"
# shellcheck source=core-lib/setup.sh
source "$(dirname "$0")/core-lib/setup.sh"

vm_init
core_setup "$VM_TESTDIR/dups" "$VM_TESTDIR/patches"
vm_run <<'GUEST'
source /test/core-guest.sh
kp=$KP_SYSFS/kpt_functional
fn=$kp/vmlinux/cmdline_proc_show,1
orig=$(cat /proc/cmdline)

require "insmod kpatch.ko" insmod /test/kpatch.ko
check "core: /sys/kernel/kpatch exists" test -d $KP_SYSFS
dmesg -c >/dev/null
require "insmod kpt_functional.ko" insmod /test/kpt_functional.ko
check "patched: /proc/cmdline comes from the new function" grep -q '^kpatch-functional ' /proc/cmdline
check "text dynrela: the call reaches cmp_range position 2 (range.c)" grep -q ' cmp=1 ' /proc/cmdline
first=$(kallsyms_addr cmp_range 1)
check "data dynrela: the address of cmp_range position 1" grep -q "first_cmp_range=$first\$" /proc/cmdline
check "sysfs: enabled is 1" grep -qx 1 $kp/enabled
check "sysfs: replace is 0" grep -qx 0 $kp/replace
check "sysfs: vmlinux/patched is 1" grep -qx 1 $kp/vmlinux/patched
check "sysfs: old_addr is cmdline_proc_show" kp_addr_is $fn/old_addr cmdline_proc_show
check "sysfs: new_addr is the new function" kp_addr_is $fn/new_addr kpt_cmdline_proc_show 1 kpt_functional
check "sysfs: sympos and force" test "$(cat $fn/sympos) $(cat $fn/force)" = "0 0"
check "sysfs: old_size is the symbol's size" test "$(cat $fn/old_size)" -gt 0
check "sysfs: pause_ns is set" test "$(cat $kp/pause_ns)" -gt 0
check "kernel is tainted for livepatch (K)" tainted_livepatch
check "callbacks: pre_patch before post_patch" log_order 'callback pre_patch vmlinux' 'callback post_patch vmlinux'
check "log: the stop_machine pause" log_has 'kpt_functional: enable: switched 1 functions; stop_machine pause [0-9]+ us'
check_not "rmmod is refused while the patch is enabled" rmmod kpt_functional
check "kpatch.ko is in use" kp_refcnt_is 1
dmesg -c >/dev/null
check "disable through sysfs" sh -c "echo 0 > $kp/enabled"
check "disabled: /proc/cmdline is the original" test "$(cat /proc/cmdline)" = "$orig"
check "sysfs: enabled is 0, vmlinux/patched is 0" test "$(cat $kp/enabled)$(cat $kp/vmlinux/patched)" = 00
check "callbacks: pre_unpatch before post_unpatch" log_order 'callback pre_unpatch vmlinux' 'callback post_unpatch vmlinux'
check "re-enable through sysfs" sh -c "echo 1 > $kp/enabled"
check "re-enabled: /proc/cmdline is patched" grep -q '^kpatch-functional cmp=1 ' /proc/cmdline
check "disable again" sh -c "echo 0 > $kp/enabled"
check "rmmod kpt_functional" rmmod kpt_functional
check_not "sysfs: the patch dir is gone" test -e $kp
check "unloaded: /proc/cmdline is the original" test "$(cat /proc/cmdline)" = "$orig"

# A module object with two local functions of one name: positions.
require "insmod kpt_dups.ko" insmod /test/kpt_dups.ko
check "kpt_dups: two kpt_dup_value in its symbols" test "$(grep -c ' kpt_dup_value\s\[kpt_dups\]' /proc/kallsyms)" = 2
check "kpt_dups: stock values" grep -qx 'a=1 b=2' /proc/kpt_dups
require "insmod kpt_dup_patch.ko (position 2)" insmod /test/kpt_dup_patch.ko
check "the second kpt_dup_value is patched, the first not" grep -qx 'a=1 b=20' /proc/kpt_dups
check "sysfs: old_addr is position 2 in kpt_dups" kp_addr_is "$KP_SYSFS/kpt_dup_patch/kpt_dups/kpt_dup_value,2/old_addr" kpt_dup_value 2 kpt_dups
check "module dynrela: address of position 1" test "$(cat /sys/module/kpt_dup_patch/parameters/first_addr)" = "$(kallsyms_addr kpt_dup_value 1 kpt_dups)"
check "unload kpt_dup_patch" kp_unload kpt_dup_patch
check "kpt_dups: stock values again" grep -qx 'a=1 b=2' /proc/kpt_dups
check "rmmod kpt_dups" rmmod kpt_dups

dmesg -c >/dev/null
check "shadow variables (kpt_shadow checks them at init)" insmod /test/kpt_shadow.ko
check "rmmod kpt_shadow" rmmod kpt_shadow
check_not "shadow: no failed check logged" log_has 'kpt_shadow: check failed'

refuse() {
	local mode=$1 msg=$2
	dmesg -c >/dev/null
	check_not "refuse $mode: insmod fails" insmod /test/kpt_bad.ko mode=$mode
	check "refuse $mode: the log says why" log_has "$msg"
	check "refuse $mode: /proc/cmdline unchanged" test "$(cat /proc/cmdline)" = "$orig"
	check_not "refuse $mode: no sysfs dir left" test -e $KP_SYSFS/kpt_bad
	check "refuse $mode: kpatch.ko not in use" kp_refcnt_is 0
}
refuse nosym "symbol 'kpt_no_such_function' not found in vmlinux"
refuse ambiguous "symbol 'cmp_range' is ambiguous in vmlinux \(2 symbols"
refuse badpos "symbol 'cmp_range' position 3 not found in vmlinux \(only 2"
refuse size "cmdline_proc_show in vmlinux is [0-9]+ bytes, the patch expects 1"
refuse notrace "do_syscall_64 \(vmlinux\) cannot be patched: ftrace does not trace it"
refuse relatype "dynrela for 'cmp_range' has unsupported type 99"
refuse relasym "symbol 'kpt_no_such_symbol' not found in vmlinux"
refuse prepatch "pre-patch callback for vmlinux refused \(-1\)"
check_not "refuse prepatch: post_unpatch not called" log_has 'kpt_bad: post_unpatch called'

check "rmmod kpatch (no patch uses it)" rmmod kpatch
check_not "sysfs: /sys/kernel/kpatch is gone" test -e $KP_SYSFS

# Missing kernel helpers are load errors naming them (fail_helper pretends).
for helper in kallsyms_lookup_name stack_trace_save_tsk text_poke module_mutex; do
	dmesg -c >/dev/null
	check_not "missing $helper: insmod kpatch.ko fails" insmod /test/kpatch.ko fail_helper=$helper
	check "missing $helper: the log names it" log_has "kpatch: cannot find the kernel helper $helper"
	check_not "missing $helper: kpatch is not loaded" grep -q '^kpatch ' /proc/modules
done

# Without kallsyms_on_each_match_symbol (optional) symbols are found by
# walking all of kallsyms: same positions.
require "insmod kpatch.ko without kallsyms_on_each_match_symbol" insmod /test/kpatch.ko fail_helper=kallsyms_on_each_match_symbol
require "insmod kpt_functional.ko" insmod /test/kpt_functional.ko
check "full walk: cmp_range position 2 called" grep -q '^kpatch-functional cmp=1 ' /proc/cmdline
check "full walk: cmp_range position 1 address" grep -q "first_cmp_range=$first\$" /proc/cmdline
check "unload kpt_functional" kp_unload kpt_functional
check "rmmod kpatch" rmmod kpatch
GUEST
