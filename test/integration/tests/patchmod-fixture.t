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
GUEST
