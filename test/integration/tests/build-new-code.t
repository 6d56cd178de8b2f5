#!/bin/bash
# kpatch-build: a new static function, a new global variable used by a
# changed function, a changed function with a static local variable.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../lib/vm.sh
source "$HERE/../lib/vm.sh"
# shellcheck source=build-lib/common.sh
source "$HERE/build-lib/common.sh"

P=$HERE/build-new-code
kb_vm_init
kb_build "kpatch-build new-function.patch" "$P/new-function.patch" && kb_add_ko
check "new function reported" grep -q 'kpatch_show_extra' "$KB_OUT/kb.out"
kb_build "kpatch-build new-global.patch" "$P/new-global.patch" && kb_add_ko
kb_build "kpatch-build static-local.patch" "$P/static-local.patch" && kb_add_ko

vm_run <<'GUEST'
source /usr/lib/kpatch-test/build.sh

check_not "stock /proc/meminfo has no KpatchNewFunc" grep -q '^KpatchNewFunc:' /proc/meminfo
require "new-function: load" kb_load /test/livepatch-new-function.ko
check "new static function prints KpatchNewFunc: 42 kB" grep -qE '^KpatchNewFunc: +42 kB$' /proc/meminfo
require "new-function: unload" kb_unload livepatch-new-function
check_not "KpatchNewFunc gone after unload" grep -q '^KpatchNewFunc:' /proc/meminfo

orig=$(cat /proc/cmdline)
require "new-global: load" kb_load /test/livepatch-new-global.ko
check "new global counts the first read" test "$(cat /proc/cmdline)" = "$orig kpatch_reads=1"
check "new global keeps its value (second read)" test "$(cat /proc/cmdline)" = "$orig kpatch_reads=2"
require "new-global: unload" kb_unload livepatch-new-global
check "/proc/cmdline as before" test "$(cat /proc/cmdline)" = "$orig"

uptime_fields() { awk '{ print NF }' /proc/uptime; }
third() { awk '{ print $3 }' /proc/uptime; }
check "stock /proc/uptime has 2 fields" test "$(uptime_fields)" = 2
require "static-local: load" kb_load /test/livepatch-static-local.ko
a=$(third); b=$(third)
check "static local counts calls (got $a then $b)" test "$((b - a))" = 1
require "static-local: unload" kb_unload livepatch-static-local
check "/proc/uptime has 2 fields again" test "$(uptime_fields)" = 2
GUEST
