#!/bin/bash
# kpatch-build: a syscall body changed with KPATCH_SYSCALL_DEFINE1 (newuname).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../lib/vm.sh
source "$HERE/../lib/vm.sh"
# shellcheck source=build-lib/common.sh
source "$HERE/build-lib/common.sh"

kb_vm_init
kb_build "kpatch-build newuname.patch" "$HERE/build-syscall/newuname.patch" && kb_add_ko

vm_run <<'GUEST'
source /usr/lib/kpatch-test/build.sh
check "stock uname -m" test "$(uname -m)" = x86_64
require "load" kb_load /test/livepatch-newuname.ko
check "patched uname -m" test "$(uname -m)" = kpatch
check "uname -r unchanged" test "$(uname -r)" = "$(cat /proc/sys/kernel/osrelease)"
require "unload" kb_unload livepatch-newuname
check "stock uname -m again" test "$(uname -m)" = x86_64
GUEST
