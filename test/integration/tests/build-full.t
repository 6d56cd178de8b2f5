#!/bin/bash
# The full-build path: a patch that changes a header, for a small custom
# kernel (built from the stock source with a minimal config, see
# build-lib/small-kernel.sh) given with -s/-c/-v; the module is applied in
# that kernel booted in QEMU.  A second build of the same kernel reuses the
# cached original build.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../lib/vm.sh
source "$HERE/../lib/vm.sh"
# shellcheck source=build-lib/common.sh
source "$HERE/build-lib/common.sh"

PATCH=$HERE/build-full/meminfo-header.patch
kb_vm_init
small=$("$HERE/build-lib/small-kernel.sh") || { fail "small custom kernel" "small-kernel.sh failed"; exit 1; }
pass "small custom kernel built in $(cat "$small/build-seconds")s (cached: $small)"
obj=$small/obj
src=$KB_KCACHE/source
args=(-s "$src" -c "$obj/.config" -v "$obj/vmlinux" -o "$KB_OUT")

run_kb() {
	KB_STATUS=0
	(cd "$KB_OUT" && "$KB" "$@") >"$KB_OUT/kb.out" 2>&1 || KB_STATUS=$?
	[[ $KB_STATUS -eq 0 ]] || kb_show
}

t0=$(date +%s)
run_kb "${args[@]}" "$PATCH"
t1=$(date +%s)
KB_KO=$KB_OUT/livepatch-meminfo-header.ko
if [[ $KB_STATUS -eq 0 && -f $KB_KO ]]; then
	pass "kpatch-build -s/-c/-v with a header change ($((t1 - t0))s)"
	check "full build path chosen" grep -q 'build: full path' "$KB_OUT/kb.out"
	check "only meminfo.o has a changed function" test "$(grep -c ': changed function: ' "$KB_OUT/kb.out")" = 1
	check "vermagic of the small kernel" sh -c "modinfo -F vermagic '$KB_KO' | grep -q -- '-kpatch-small '"
	kb_add_ko
else
	fail "kpatch-build -s/-c/-v with a header change" "exited $KB_STATUS: $(grep -m1 'error:' "$KB_OUT/kb.out" || tail -n 1 "$KB_OUT/kb.out")"
fi
fullsrc=$(sed -n 's/^Updating the private copy of the source (\(.*\))\.\.\..*/\1/p' "$KB_OUT/kb.out")
check "private source copy restored" sh -c "cmp -s '$fullsrc/src/fs/proc/meminfo.c' '$src/fs/proc/meminfo.c' && cmp -s '$fullsrc/src/fs/proc/internal.h' '$src/fs/proc/internal.h'"

rm -f "$KB_KO"
t0=$(date +%s)
run_kb "${args[@]}" "$PATCH"
t1=$(date +%s)
check "second build of the same kernel reuses the cached build ($((t1 - t0))s)" \
	grep -q 'Building the original kernel objects (cached)' "$KB_OUT/kb.out"
check "second build made the module" test -f "$KB_KO"

VM_KERNEL=$small/bzImage
vm_run <<'GUEST'
source /usr/lib/kpatch-test/build.sh
check "the small kernel is running" sh -c 'uname -r | grep -q -- -kpatch-small'
vmc() { grep -q "^$1:" /proc/meminfo; }
check "VmallocChunk before" vmc VmallocChunk
require "load" kb_load /test/livepatch-meminfo-header.ko
check "VMALLOCCHUNK while loaded" vmc VMALLOCCHUNK
require "unload" kb_unload livepatch-meminfo-header
check "VmallocChunk after" vmc VmallocChunk
GUEST
