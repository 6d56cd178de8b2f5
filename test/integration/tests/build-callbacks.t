#!/bin/bash
# kpatch-build: a patch with pre/post patch/unpatch callbacks; they run in
# order on load and on unload.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../lib/vm.sh
source "$HERE/../lib/vm.sh"
# shellcheck source=build-lib/common.sh
source "$HERE/build-lib/common.sh"

kb_vm_init
kb_build "kpatch-build callbacks.patch" "$HERE/build-callbacks/callbacks.patch" && kb_add_ko

vm_run <<'GUEST'
source /usr/lib/kpatch-test/build.sh
calls() { dmesg | sed -n 's/.*kpatch-build-test: \([a-z_]*\) \([a-z_]*\)$/\1:\2/p' | tr '\n' ' '; }
require "load" kb_load /test/livepatch-callbacks.ko
check "patched /proc/cmdline" grep -q 'kpatch_callbacks=patched$' /proc/cmdline
check "pre_patch then post_patch for vmlinux (got: $(calls))" test "$(calls)" = "pre_patch:vmlinux post_patch:vmlinux "
require "unload" kb_unload livepatch-callbacks
check "then pre_unpatch and post_unpatch (got: $(calls))" test "$(calls)" = "pre_patch:vmlinux post_patch:vmlinux pre_unpatch:vmlinux post_unpatch:vmlinux "
check_not "/proc/cmdline unpatched" grep -q 'kpatch_callbacks=patched' /proc/cmdline
GUEST
