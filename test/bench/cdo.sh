#!/bin/bash
# create-diff-object on the largest objects of the 6.1 tree, each with a
# one-line change (test/bench/cdo-cases/*/patch): wall time and peak memory
# per object, measured with GNU time.  The object pairs are built and
# cached by the differ corpus generator (test/unit/cdo/lib/corpus.sh).
set -euo pipefail

CDO_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=test/unit/cdo/lib/corpus.sh
source "$CDO_TOP/test/unit/cdo/lib/corpus.sh"
CDO_CASES="$CDO_TOP/test/bench/cdo-cases"
CDO=${CDO:-$CDO_TOP/kpatch-build/create-diff-object}
CASES=(sched-core ext4-super net-dev)

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

bench_case() {
	local case=$1 pair obj parent symtab symvers rc=0 wall rss size
	pair=$(cdo_pair "$case") || { echo "cdo bench: $case: building the objects failed" >&2; return 1; }
	obj=$(cdo_case_object "$case")
	parent=$(cdo_case_parent "$case")
	symtab=$(cdo_parent_symtab "$parent")
	symvers=$(cdo_symvers)
	size=$(stat -c %s "$pair/patched.o")
	mkdir -p "$WORK/orig/$(dirname "$obj")" "$WORK/patched/$(dirname "$obj")"
	ln -sf "$pair/orig.o" "$WORK/orig/$obj"
	ln -sf "$pair/patched.o" "$WORK/patched/$obj"
	/usr/bin/time -f '%e %M' -o "$WORK/time" "$CDO" "$WORK/orig/$obj" "$WORK/patched/$obj" \
		"$parent" "$symtab" "$symvers" kpatch_bench "$WORK/out.o" >"$WORK/stdout" 2>"$WORK/stderr" ||
		rc=$?
	read -r wall rss < <(tail -n 1 "$WORK/time")
	printf '%-22s %6.1f MB object: %6.2f s wall, %7.1f MB peak RSS, exit %d (%s)\n' \
		"$obj" "$(bc <<<"scale=1; $size / 1048576")" "$wall" "$(bc <<<"scale=1; $rss / 1024")" \
		"$rc" "$(grep -m1 -E 'changed function|ERROR' "$WORK/stdout" "$WORK/stderr" | sed 's/^[^:]*://')"
	rm -f "$WORK/out.o"
	[[ $rc -eq 0 ]]
}

main() {
	local case failed=0
	[[ -x /usr/bin/time ]] || { echo "cdo bench: GNU time (/usr/bin/time) is missing" >&2; return 1; }
	[[ -x $CDO ]] || { echo "cdo bench: $CDO is not built" >&2; return 1; }
	cdo_stock_dir >/dev/null
	cdo_generate "${CASES[@]}" || true
	for case in "${CASES[@]}"; do
		bench_case "$case" || failed=1
	done
	return $failed
}

main "$@"
