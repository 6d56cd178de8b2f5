#!/bin/bash
# build-pair.sh TREE PATCH KCFLAGS OUTDIR OBJ...: compile OBJ... of the
# prepared kernel TREE, apply PATCH, compile them again, revert PATCH.  The
# objects land in OUTDIR/orig/OBJ and OUTDIR/patched/OBJ.  Run it under
# `flock TREE/.kpatch-lock` (patchmod_diff does): the sources are modified
# while it runs and left as found, even on failure.
set -euo pipefail

tree=$1 patch=$2 kcflags=$3 outdir=$4
shift 4
applied=0

revert() {
	if [[ $applied == 1 ]]; then
		patch -d "$tree" -p1 -R -s <"$patch"
	fi
}
trap revert EXIT

compile() {
	local kind=$1 obj
	shift
	make -C "$tree" -s KCFLAGS="$kcflags" "$@" >/dev/null
	for obj in "$@"; do
		mkdir -p "$outdir/$kind/$(dirname "$obj")"
		cp "$tree/$obj" "$outdir/$kind/$obj"
	done
}

compile orig "$@"
patch -d "$tree" -p1 -s --dry-run <"$patch"
patch -d "$tree" -p1 -s <"$patch"
applied=1
compile patched "$@"
