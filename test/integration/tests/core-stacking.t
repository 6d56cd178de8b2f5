#!/bin/bash
# Stacking: patches a (cmdline + version) and b (cmdline) of the same
# function; the most recently enabled wins, disabling it restores the
# previous one, disabling an older one changes nothing visible.  Replace
# mode: c replaces a and b atomically (version goes back to the original),
# a and b become disabled and removable.
set -euo pipefail
# shellcheck source=../lib/vm.sh
source "$(dirname "$0")/../lib/vm.sh"
# shellcheck source=core-lib/setup.sh
source "$(dirname "$0")/core-lib/setup.sh"

vm_init
core_setup "$VM_TESTDIR/patches"
vm_run <<'GUEST'
source /test/core-guest.sh
orig_cmdline=$(cat /proc/cmdline)
orig_version=$(cat /proc/version)
is() {  # is CMDLINE VERSION: what the two files show now ("orig" for the original)
	local c=$1 v=$2
	[[ $c == orig ]] && c=$orig_cmdline || c="kpatch-stack $c"
	[[ $v == orig ]] && v=$orig_version || v="kpatch-stack $v version"
	[[ $(cat /proc/cmdline) == "$c" && $(cat /proc/version) == "$v" ]] ||
		{ echo "cmdline '$(cat /proc/cmdline)', version '$(cat /proc/version)'"; return 1; }
}
en() { echo "$2" > $KP_SYSFS/kpt_stack_$1/enabled; }

require "insmod kpatch.ko" insmod /test/kpatch.ko
require "insmod a" insmod /test/kpt_stack_a.ko
check "a: cmdline a, version a" is a a
require "insmod b over a" insmod /test/kpt_stack_b.ko
check "b wins: cmdline b, version a" is b a
check "disable b" en b 0
check "a's cmdline is back" is a a
check "re-enable b" en b 1
check "b wins again" is b a
check "disable a (the older one)" en a 0
check "cmdline still b, version original" is b orig
check "re-enable a: now the newest" en a 1
check "a wins: cmdline a, version a" is a a
check "disable a" en a 0
check "b's cmdline is back" is b orig
check "disable b" en b 0
check "all original" is orig orig
check "rmmod a and b" rmmod kpt_stack_a kpt_stack_b

dmesg -c >/dev/null
require "insmod a" insmod /test/kpt_stack_a.ko
require "insmod b" insmod /test/kpt_stack_b.ko
require "insmod c (replace)" insmod /test/kpt_stack_c.ko
check "c replaces all: cmdline c, version original" is c orig
check "sysfs: c is a replace patch" grep -qx 1 $KP_SYSFS/kpt_stack_c/replace
check "sysfs: a and b are disabled" test "$(cat $KP_SYSFS/kpt_stack_a/enabled)$(cat $KP_SYSFS/kpt_stack_b/enabled)" = 00
check "log: a and b replaced by c" sh -c "dmesg | grep -q 'kpt_stack_a: replaced by kpt_stack_c' && dmesg | grep -q 'kpt_stack_b: replaced by kpt_stack_c'"
check "one switch for the replace" log_has 'kpt_stack_c: enable \(replace\): switched 4 functions'
check "rmmod a and b (no longer held)" rmmod kpt_stack_a kpt_stack_b
check "cmdline still c" is c orig
check "unload c" kp_unload kpt_stack_c
check "all original" is orig orig
check "kpatch.ko not in use" kp_refcnt_is 0
check "rmmod kpatch" rmmod kpatch
GUEST
