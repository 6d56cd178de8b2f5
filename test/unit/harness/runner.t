#!/bin/bash
# test/run's counting rules, on a copy of the runner with made-up suites.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
# shellcheck source=../../lib/result.sh
source "$top/test/lib/result.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/test/lib" "$tmp/test/unit/x" "$tmp/test/integration/tests"
cp "$top/test/run" "$tmp/test/"
cp "$top/test/lib/result.sh" "$tmp/test/lib/"

suite() {
	local path=$tmp/test/$1
	shift
	printf '#!/bin/bash\n%s\n' "$*" >"$path"
	chmod +x "$path"
}
suite unit/x/good.t 'source test/lib/result.sh; check "true is true" true; pass two'
suite unit/x/mixed.t 'source test/lib/result.sh; check "false is true" false; echo "FAIL quoted" >&2; pass ok'
suite unit/x/silent.t 'exit 0'
suite unit/x/crash.t 'echo "PASS before crash"; exit 2'
suite integration/tests/vm-one.t 'echo "PASS vm check"'

out=$("$tmp/test/run" --no-build 2>&1) && status=0 || status=$?
last=$(tail -n 1 <<<"$out")
check "closing line counts every check" test "$last" = "5 passed, 3 failed"
check "exit status is non-zero when a check fails" test "$status" -ne 0
check "results are prefixed with the suite name" grep -qx "PASS unit/x/good: true is true" <<<"$out"
check "a failed check carries its reason" grep -q "^FAIL unit/x/mixed: false is true: \`false\` exited 1" <<<"$out"
check_not "stderr never counts as a result" grep -q "^FAIL quoted" <<<"$out"
check "a silent suite is a failure" grep -qx "FAIL unit/x/silent: suite reported no result" <<<"$out"
check "a crash without FAIL is a failure" grep -qx "FAIL unit/x/crash: suite exited 2 without reporting a failure" <<<"$out"
check "unit suites run before integration suites" \
	awk '/^== vm-one/ { v = NR } /^== unit\// { u = NR } END { exit !(u && v && u < v) }' <<<"$out"
check "per-suite progress shows the elapsed time" grep -qE '^-- unit/x/good: ok, 2 checks in 0m0[0-9]s' <<<"$out"

out=$("$tmp/test/run" --no-build --unit good 2>&1) && status=0 || status=$?
check "a pattern and --unit select suites" test "$(tail -n 1 <<<"$out")" = "2 passed, 0 failed"
check "exit status is zero when all pass" test "$status" -eq 0

out=$("$tmp/test/run" --no-build --integration 2>&1) || true
check "--integration runs only integration suites" test "$(tail -n 1 <<<"$out")" = "1 passed, 0 failed"

out=$("$tmp/test/run" --no-build nothing-matches 2>&1) && status=0 || status=$?
check "no matching suite is a failure" test "$(tail -n 1 <<<"$out")" = "0 passed, 1 failed"
