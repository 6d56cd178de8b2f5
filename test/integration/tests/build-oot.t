#!/bin/bash
# kpatch-build --oot-module/--oot-module-src: a function of an out-of-tree
# module (built against the stock headers) changed by a patch of its source.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../lib/vm.sh
source "$HERE/../lib/vm.sh"
# shellcheck source=build-lib/common.sh
source "$HERE/build-lib/common.sh"

kb_vm_init
vm_build_module "$HERE/build-oot/kpatch_oot_hello" || exit 1
ko=$(find "$VM_SCRATCH/build" -name kpatch_oot_hello.ko -print -quit)
if kb_build "kpatch-build --oot-module" --oot-module "$ko" --oot-module-src "$HERE/build-oot/kpatch_oot_hello" \
	"$HERE/build-oot/oot-string.patch"; then
	kb_add_ko
	check "changed function of the module reported" grep -q 'changed function: kpatch_oot_hello_show' "$KB_OUT/kb.out"
fi
check "the module's source is left as found" grep -q '"hello from an out-of-tree module' \
	"$HERE/build-oot/kpatch_oot_hello/kpatch_oot_hello.c"

vm_run <<'GUEST'
source /usr/lib/kpatch-test/build.sh
P=/proc/kpatch_oot_hello
require "insmod the out-of-tree module" insmod /test/kpatch_oot_hello.ko
check "original text" test "$(cat $P)" = "hello from an out-of-tree module"
require "load" kb_load /test/livepatch-oot-string.ko
check "patched text" test "$(cat $P)" = "hello from a live-patched out-of-tree module"
require "unload" kb_unload livepatch-oot-string
check "original text again" test "$(cat $P)" = "hello from an out-of-tree module"
check "rmmod the module" rmmod kpatch_oot_hello
GUEST
