#!/bin/bash
# Figures of kpatch-build: wall time for the README example on the stock
# kernel with an empty cache (fetch, prepare, build) and with a warm cache,
# and of the full-build path (a header patch) on the small custom kernel,
# first with an empty private build cache and then warm.
# Goals: warm < 15 s, cold < 2 min on 2 cores.  For scale, the classic
# full-build approach spends 15 min on the first patch of this kernel and
# 3.5 min on each later one.
set -euo pipefail

TOPDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
KB=$TOPDIR/kpatch-build/kpatch-build
README_PATCH=$TOPDIR/doc/examples/meminfo-string.patch
FULL_PATCH=$TOPDIR/test/integration/tests/build-full/meminfo-header.patch

seconds_since() {
	echo "$1 $(date +%s.%N)" | awk '{ printf "%.1f", $2 - $1 }'
}

# timed LABEL CACHE ARGS...: one kpatch-build run with KPATCH_CACHE=CACHE.
timed() {
	local label=$1 cache=$2 t0 out
	shift 2
	out=$(mktemp -d "${TMPDIR:-/tmp}/kpatch-bench-out.XXXXXX")
	t0=$(date +%s.%N)
	if ! (cd "$out" && KPATCH_CACHE=$cache "$KB" -o "$out" "$@") >"$out/log" 2>&1; then
		sed 's/^/    /' "$out/log" >&2
		rm -rf "$out"
		echo "$label: kpatch-build failed" >&2
		return 1
	fi
	echo "$label: $(seconds_since "$t0") s ($(grep -c ': changed function: ' "$out/log") changed function(s))"
	rm -rf "$out"
}

main() {
	local rel cold small
	rel=$("$TOPDIR/kpatch-build/kpatch-stock-kernel" --print-version)
	echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"

	# Fast path, README example.  The cold cache is a fresh directory: the
	# stock kernel's packages are fetched and unpacked, the tree prepared.
	cold=$(mktemp -d "${TMPDIR:-/tmp}/kpatch-bench-cache.XXXXXX")
	# shellcheck disable=SC2064
	trap "rm -rf '$cold'" EXIT
	timed "README example, stock $rel, empty cache" "$cold" -a "$rel" "$README_PATCH"
	timed "README example, stock $rel, warm cache" "$cold" -a "$rel" "$README_PATCH"
	rm -rf "$cold"
	timed "README example, stock $rel, warm shared cache (~/.kpatch)" "${KPATCH_CACHE:-$HOME/.kpatch}" \
		-a "$rel" "$README_PATCH"

	# Full path, small custom kernel (its own build is cached and not timed).
	small=$("$TOPDIR/test/integration/tests/build-lib/small-kernel.sh")
	echo "small custom kernel: built once in $(cat "$small/build-seconds") s (cached in $small)"
	cold=$(mktemp -d "${TMPDIR:-/tmp}/kpatch-bench-cache.XXXXXX")
	# shellcheck disable=SC2064
	trap "rm -rf '$cold'" EXIT
	local -a args=(-s "${KPATCH_CACHE:-$HOME/.kpatch}/$rel/source" -c "$small/obj/.config"
		-v "$small/obj/vmlinux")
	timed "header patch, small kernel, full path, empty build cache" "$cold" "${args[@]}" "$FULL_PATCH"
	timed "header patch, small kernel, full path, warm build cache" "$cold" "${args[@]}" "$FULL_PATCH"
	echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
}

main "$@"
