#!/bin/bash
# kpatch-build's command line, names, log and clean-up: help and version,
# bad options, default module names, the full log, stale outputs, and an
# interrupted build that leaves the shared tree as it found it.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../../lib/result.sh
source "$HERE/../../lib/result.sh"
# shellcheck source=build-lib/common.sh
source "$HERE/build-lib/common.sh"

README_PATCH=$KB_TOPDIR/doc/examples/meminfo-string.patch
BAD_PATCH=$HERE/build-refuse/does-not-apply.patch
kb_init

check "--help exits 0 and names the options" sh -c "'$KB' --help | grep -q -- '--oot-module-src'"
check "--version prints the version" sh -c "'$KB' --version | grep -qE '^kpatch-build [0-9]+\.[0-9]+'"
check_not "an unknown option fails" "$KB" --frobnicate "$README_PATCH"
check "... and says which" sh -c "'$KB' --frobnicate x 2>&1 | grep -q \"unknown option '--frobnicate'\""
check "-j needs a number" sh -c "'$KB' -j many x.patch 2>&1 | grep -q 'positive number'"
check "no patch given" sh -c "'$KB' 2>&1 | grep -q 'no patch file given'"
check "-a and -s together are refused" sh -c "'$KB' -a 6.1.0-1-amd64 -s /tmp x.patch 2>&1 | grep -q 'cannot be combined'"
check "--format must be livepatch or kpatch" sh -c "'$KB' --format elf x.patch 2>&1 | grep -q 'livepatch or kpatch'"

# Default names come from the first patch, sanitised.
cp "$BAD_PATCH" "$KB_OUT/My Fix+v2.patch"
kb_run "$KB_OUT/My Fix+v2.patch"
check "default name: livepatch-<patch>, sanitised" grep -q 'module: livepatch-My-Fix-v2;' "$KB_OUT/kb.out"
: >"$KB_OUT/core.symvers"
KPATCH_CORE_SYMVERS=$KB_OUT/core.symvers kb_run --format kpatch "$KB_OUT/My Fix+v2.patch"
check "default name in the kpatch format: kpatch-<patch>" grep -q 'module: kpatch-My-Fix-v2;' "$KB_OUT/kb.out"
kb_run -n 'a.b/c' "$BAD_PATCH"
check "-n is sanitised too" grep -q 'module: a-b-c;' "$KB_OUT/kb.out"
long=$(printf 'x%.0s' {1..80})
kb_run -n "$long" "$BAD_PATCH"
check "names are cut to 55 characters" grep -q "module: ${long:0:55};" "$KB_OUT/kb.out"

# The full log says what failed; a stale module of the same name is removed.
touch "$KB_OUT/livepatch-does-not-apply.ko"
kb_run "$BAD_PATCH"
check "a failed build exits 1" test "$KB_STATUS" = 1
check "the error points to ~/.kpatch/build.log" grep -q "full log: $KB_CACHE/build.log" "$KB_OUT/kb.out"
check "the log has the failing step" grep -q 'Hunk #1 FAILED' "$KB_CACHE/build.log"
check_not "a stale module of the same name is removed" test -e "$KB_OUT/livepatch-does-not-apply.ko"

# Ctrl-C in the middle of the patched compilation: sources and objects of
# the shared tree as found, no module, status says interrupted.
tree=$KB_KCACHE/tree
before=$(stat -c '%Y %s' "$tree/fs/proc/meminfo.c")
(cd "$KB_OUT" && exec setsid "$KB" -a "$KB_REL" "$README_PATCH") >"$KB_OUT/int.out" 2>&1 &
pid=$!
for _ in $(seq 600); do
	grep -q 'Compiling the patched objects' "$KB_OUT/int.out" && break
	sleep 0.1
done
sleep 0.3
kill -INT -- "-$pid" 2>/dev/null || true
rc=0
wait "$pid" || rc=$?
check "interrupted build exits non-zero ($rc)" test "$rc" -ne 0
check "interrupted build says so" grep -q 'interrupted' "$KB_OUT/int.out"
kb_tree_clean "tree sources as found after the interrupt" "$README_PATCH"
check "meminfo.c keeps its time stamp" test "$(stat -c '%Y %s' "$tree/fs/proc/meminfo.c")" = "$before"
check_not "no module after the interrupt" compgen -G "$KB_OUT/*.ko"

# A tool killed while it had patched the shared tree left a source changed:
# the next build puts the pristine file back and goes on.
flock "$tree/.kpatch-lock" sh -c "echo '/* left by an interrupted tool */' >>'$tree/fs/proc/meminfo.c'"
kb_run -o "$KB_OUT" "$README_PATCH"
check "a tree source left patched is restored, with a warning" \
	grep -q 'meminfo.c differs from the pristine source.*restored' "$KB_OUT/kb.out"
check "... and the build goes on" test "$KB_STATUS" = 0
kb_tree_clean "tree sources as found after the repair" "$README_PATCH"
