#!/bin/bash
# kpatch-build: a shadow-variable patch (a per-task count of /proc/cmdline
# reads) on tasks created before and after the patch.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../lib/vm.sh
source "$HERE/../lib/vm.sh"
# shellcheck source=build-lib/common.sh
source "$HERE/build-lib/common.sh"

kb_vm_init
kb_build "kpatch-build shadow-reads.patch" "$HERE/build-shadow/shadow-reads.patch" && kb_add_ko

vm_run <<'GUEST'
source /usr/lib/kpatch-test/build.sh
count() { sed -n 's/.* kpatch_shadow_reads=\([0-9]*\)$/\1/p'; }
# This shell exists before the patch; bash's own reads stay in this task.
require "load" kb_load /test/livepatch-shadow-reads.ko
read -r first </proc/cmdline
read -r second </proc/cmdline
check "task from before the patch: first read counts 1" test "$(count <<<"$first")" = 1
check "same task: second read counts 2" test "$(count <<<"$second")" = 2
check "a new task counts its own reads (second read: 2)" test "$(bash -c 'read -r a </proc/cmdline; read -r b </proc/cmdline; echo "$b"' | count)" = 2
check "another new task, one read: 1" test "$(count </proc/cmdline)" = 1
require "unload" kb_unload livepatch-shadow-reads
check_not "unpatched" grep -q kpatch_shadow_reads /proc/cmdline
GUEST
