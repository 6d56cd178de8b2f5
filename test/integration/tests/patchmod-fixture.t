#!/bin/bash
# The generators on a hand-made create-diff-object output
# (test/unit/gen/fixture.S, independent of create-diff-object): the patch
# module replaces cmdline_proc_show(), reads the non-exported
# saved_command_line through a livepatch relocation (kpatch format: a
# dynrela) and logs from a post-patch callback.
set -euo pipefail
# shellcheck source=../lib/vm.sh
source "$(dirname "$0")/../lib/vm.sh"
# shellcheck source=patchmod-lib/host.sh
source "$(dirname "$0")/patchmod-lib/host.sh"

vm_init
patchmod_need_generators
gcc -c -o "$VM_SCRATCH/fixture.o" "$VM_TOPDIR/test/unit/gen/fixture.S"
patchmod_build "build livepatch format" kpatch_fixture livepatch -- \
	"$VM_SCRATCH/fixture.o" || exit 0
# Not cumulative (-R): they stack instead of replacing each other.
patchmod_build "build non-replace A" kpatch_fixture_a livepatch -R -- \
	"$VM_SCRATCH/fixture.o" || exit 0
patchmod_build "build non-replace B" kpatch_fixture_b livepatch -R -- \
	"$VM_SCRATCH/fixture.o" || exit 0
if patchmod_have_core; then
	patchmod_build "build kpatch format" kpatch_fixture_kp kpatch -- \
		"$VM_SCRATCH/fixture.o" || exit 0
	patchmod_build "build kpatch format, non-replace" kpatch_fixture_kpr \
		kpatch -R -- "$VM_SCRATCH/fixture.o" || exit 0
	patchmod_add_core
else
	fail "build kpatch format" "kmod/core/kpatch.ko is not built"
fi
vm_add_file "$(dirname "$0")/patchmod-lib/guest.sh" /test/patchmod-guest.sh
vm_add_stock_module pcspkr

vm_run --append kpatch_fixture_marker=1 <<'GUEST'
source /test/patchmod-guest.sh
ko=/test/kpatch_fixture.ko
orig=$(cat /proc/cmdline)
check "modinfo shows livepatch: Y" test "$(modinfo -F livepatch $ko)" = Y
check "vermagic is the stock kernel's" same_vermagic $ko pcspkr
require "insmod the livepatch module" insmod $ko
check "transition completes" klp_wait_transition kpatch_fixture 60
check "/proc/cmdline comes from the patch, with the resolved saved_command_line" \
	test "$(cat /proc/cmdline)" = "fixture $orig"
check "post-patch callback ran for vmlinux" log_has "fixture: post_patch vmlinux"
check "disable and unload" klp_remove kpatch_fixture
check "/proc/cmdline is the original again" test "$(cat /proc/cmdline)" = "$orig"

# -R modules stack; the default (replace) module takes over from them.
lp=/sys/kernel/livepatch
load_klp() { insmod "/test/$1.ko" && klp_wait_transition "$1" 60; }
require "insmod non-replace A" load_klp kpatch_fixture_a
require "insmod non-replace B" load_klp kpatch_fixture_b
check "non-replace patches stack: A and B enabled" sh -c "grep -qx 1 $lp/kpatch_fixture_a/enabled && grep -qx 1 $lp/kpatch_fixture_b/enabled"
require "insmod the replace patch" load_klp kpatch_fixture
check "the replace patch removed A and B" wait_until 20 sh -c "test ! -e $lp/kpatch_fixture_a && test ! -e $lp/kpatch_fixture_b"
check "A and B can be unloaded" sh -c 'rmmod kpatch_fixture_a kpatch_fixture_b'
check "the replace patch is active" grep -qx "fixture $orig" /proc/cmdline
check "disable and unload the replace patch" klp_remove kpatch_fixture

[[ -f /test/kpatch_fixture_kp.ko ]] || exit 0
ko=/test/kpatch_fixture_kp.ko
check "kpatch format: no livepatch modinfo" test -z "$(modinfo -F livepatch $ko)"
check "kpatch format: vermagic is the stock kernel's" same_vermagic $ko pcspkr
require "insmod kpatch.ko" insmod /test/kpatch.ko
log_mark
require "insmod the kpatch-format module" insmod $ko
check "kpatch format: patch is enabled" grep -qx 1 /sys/kernel/kpatch/kpatch_fixture_kp/enabled
check "kpatch format: cumulative by default" grep -qx 1 /sys/kernel/kpatch/kpatch_fixture_kp/replace
check "kpatch format: /proc/cmdline comes from the patch, dynrela resolved" \
	test "$(cat /proc/cmdline)" = "fixture $orig"
check "kpatch format: post-patch callback ran" log_has "fixture: post_patch vmlinux"
check "kpatch format: disable and unload" kpatch_remove kpatch_fixture_kp
check "kpatch format: /proc/cmdline is the original again" test "$(cat /proc/cmdline)" = "$orig"
require "kpatch format: insmod the -R module" insmod /test/kpatch_fixture_kpr.ko
check "kpatch format: -R module is not cumulative" grep -qx 0 /sys/kernel/kpatch/kpatch_fixture_kpr/replace
check "kpatch format: disable and unload it" kpatch_remove kpatch_fixture_kpr
check "rmmod kpatch" rmmod kpatch
GUEST
