#!/bin/bash
# kpatch-build: a changed string in cmdline_proc_show.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../lib/vm.sh
source "$HERE/../lib/vm.sh"
# shellcheck source=build-lib/common.sh
source "$HERE/build-lib/common.sh"

kb_vm_init
kb_build "kpatch-build cmdline-string.patch" "$HERE/build-cmdline/cmdline-string.patch" && kb_add_ko
check "changed function reported" grep -q 'cmdline.o: changed function: cmdline_proc_show' "$KB_OUT/kb.out"
# Two patches, the second on top of the first, applied in order.
kb_build "kpatch-build with two patches in order" -n livepatch-two-patches \
	"$HERE/build-cmdline/cmdline-string.patch" "$HERE/build-cmdline/cmdline-twice.patch" && kb_add_ko
kb_refused "two patches in the wrong order are refused" 'cmdline-twice.patch does not apply' \
	"$HERE/build-cmdline/cmdline-twice.patch" "$HERE/build-cmdline/cmdline-string.patch"

vm_run --append kpatch_test_marker=1 <<'GUEST'
source /usr/lib/kpatch-test/build.sh
orig=$(cat /proc/cmdline)
check "stock /proc/cmdline" test "$orig" = "${orig% kpatch_build_test=patched}"
require "load" kb_load /test/livepatch-cmdline-string.ko
check "/proc/cmdline has the new string" test "$(cat /proc/cmdline)" = "$orig kpatch_build_test=patched"
require "unload" kb_unload livepatch-cmdline-string
check "/proc/cmdline as before" test "$(cat /proc/cmdline)" = "$orig"
require "load (two patches)" kb_load /test/livepatch-two-patches.ko
check "both patches applied, in order" test "$(cat /proc/cmdline)" = "$orig kpatch_build_test=patched-twice"
require "unload (two patches)" kb_unload livepatch-two-patches
GUEST
