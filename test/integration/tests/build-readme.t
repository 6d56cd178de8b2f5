#!/bin/bash
# The README example (doc/examples/meminfo-string.patch) built by kpatch-build
# for the stock kernel in both formats, with the default module names, and
# applied in the guest: /proc/meminfo shows VMALLOCCHUNK while it is loaded.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../lib/vm.sh
source "$HERE/../lib/vm.sh"
# shellcheck source=build-lib/common.sh
source "$HERE/build-lib/common.sh"

PATCH=$KB_TOPDIR/doc/examples/meminfo-string.patch
kb_vm_init

if kb_build "kpatch-build: README example, livepatch format (default)" "$PATCH"; then
	check "default name is livepatch-meminfo-string.ko" test "$(basename "$KB_KO")" = livepatch-meminfo-string.ko
	check "modinfo: livepatch module" test "$(modinfo -F livepatch "$KB_KO")" = Y
	check "modinfo: vermagic of the stock kernel" sh -c "modinfo -F vermagic '$KB_KO' | grep -q '^$KB_REL '"
	check "kpatch-build printed the changed function" grep -q 'meminfo.o: changed function: meminfo_proc_show' "$KB_OUT/kb.out"
	check "kpatch-build printed its steps with times" grep -qE '^Compiling .*\.\.\. [0-9]+\.[0-9]s$' "$KB_OUT/kb.out"
	check "the full log is in the cache" grep -q 'create-diff-object' "$KB_CACHE/build.log"
	kb_add_ko
fi
kb_tree_clean "prepared tree as found after the build" "$PATCH"

# The kpatch format needs the core module's exported symbols.
vm_build_module "$KB_TOPDIR/kmod/core" || exit 1
install -D -m 0644 "$VM_ROOT/test/kpatch.ko" "$VM_ROOT/usr/lib/kpatch/$VM_KREL/kpatch.ko"
rm -f "$VM_ROOT/test/kpatch.ko" "$VM_ROOT/usr/lib/kpatch/kpatch.ko"
KPATCH_CORE_SYMVERS=$(find "$VM_SCRATCH/build" -path '*-core/Module.symvers' -print -quit)
export KPATCH_CORE_SYMVERS
if kb_build "kpatch-build: README example, kpatch format" --format kpatch "$PATCH"; then
	check "default name is kpatch-meminfo-string.ko" test "$(basename "$KB_KO")" = kpatch-meminfo-string.ko
	kb_add_ko
fi

vm_run <<'GUEST'
source /usr/lib/kpatch-test/build.sh
vmc() { grep -q "^$1:" /proc/meminfo; }
for ko in livepatch-meminfo-string kpatch-meminfo-string; do
	check "$ko: stock kernel shows VmallocChunk" vmc VmallocChunk
	require "$ko: load" kb_load /test/$ko.ko
	check "$ko: /proc/meminfo shows VMALLOCCHUNK" vmc VMALLOCCHUNK
	check_not "$ko: VmallocChunk is gone" vmc VmallocChunk
	require "$ko: unload" kb_unload $ko
	check "$ko: VmallocChunk is back" vmc VmallocChunk
	check_not "$ko: module is gone" kb_loaded $ko
done
GUEST
