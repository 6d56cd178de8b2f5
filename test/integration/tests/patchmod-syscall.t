#!/bin/bash
# A system call body changed with KPATCH_SYSCALL_DEFINE1 (newuname: the
# patch reports sysname "kpatch-syscall"); the patch replaces both entry
# points the macro defines (__x64_sys_newuname, __ia32_sys_newuname).
set -euo pipefail
# shellcheck source=../lib/vm.sh
source "$(dirname "$0")/../lib/vm.sh"
# shellcheck source=patchmod-lib/host.sh
source "$(dirname "$0")/patchmod-lib/host.sh"

vm_init
patchmod_need_generators
patchmod_build_formats kpatch_syscall "$VM_TESTDIR/newuname.patch" \
	vmlinux:kernel/sys.o || exit 0
vm_add_file "$(dirname "$0")/patchmod-lib/guest.sh" /test/patchmod-guest.sh

vm_run <<'GUEST'
source /test/patchmod-guest.sh
sysname=$(uname -s)
release=$(uname -r)
for fmt in $(patch_formats kpatch_syscall); do
	require "$fmt: load" patch_load $fmt kpatch_syscall
	check "$fmt: uname -s shows the patched body" test "$(uname -s)" = kpatch-syscall
	check "$fmt: the rest of utsname is intact" test "$(uname -r)" = "$release"
	for entry in __x64_sys_newuname __ia32_sys_newuname; do
		check "$fmt: the patch replaces $entry" \
			sh -c "ls -d /sys/kernel/livepatch/kpatch_syscall/vmlinux/$entry,* /sys/kernel/kpatch/kpatch_syscall_kp/vmlinux/$entry,* 2>/dev/null | grep -q ."
	done
	check "$fmt: unload" patch_unload $fmt kpatch_syscall
	check "$fmt: uname -s is the original again" test "$(uname -s)" = "$sysname"
done
GUEST
