#!/bin/bash
# The differ corpus: cases/<name>/ holds
#   patch    unified diff against the 6.1 tree (as kpatch-build users write)
#   expect   assertions on create-diff-object's result (see cdo.t)
#   config   optional variant: gcc (default), ibt or clang (lib/trees.sh)
#   parent   optional parent object: vmlinux (default) or a module name
#   object   optional object to build (default: the one .c file the patch touches)
#   kcflags  optional extra compiler flags for both builds
#
# The ORIG and PATCHED objects are compiled in the variant's tree exactly as
# kbuild does (`make -C TREE KCFLAGS=... path/file.o`) and cached under
# ${KPATCH_CACHE:-~/.kpatch}/cdo-corpus/:
#   orig/<key>.o        original objects, one per (tree, object, flags)
#   pairs/<key>/        orig.o + patched.o per (patch, tree, object, flags)
#   symtab/<rel>/       readelf -s --wide of the parents
# Sourced; needs CDO_TOP.

# Bump when the way objects are built changes, to invalidate the cache.
CDO_GEN_VERSION=1
CDO_BASE_KCFLAGS="-ffunction-sections -fdata-sections"
CDO_CASES="$CDO_TOP/test/unit/cdo/cases"

# shellcheck source=test/unit/cdo/lib/trees.sh
source "$CDO_TOP/test/unit/cdo/lib/trees.sh"

cdo_cache() {
	echo "${KPATCH_CACHE:-$HOME/.kpatch}/cdo-corpus"
}

cdo_case_file() {
	local case=$1 file=$2 default=${3:-}
	if [[ -f $CDO_CASES/$case/$file ]]; then
		sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$CDO_CASES/$case/$file" | head -n 1 |
			sed -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//'
	else
		echo "$default"
	fi
}

cdo_case_variant() { cdo_case_file "$1" config gcc; }
cdo_case_parent() { cdo_case_file "$1" parent vmlinux; }
# @KMOD_PATCH@ in kcflags stands for the tree's kmod/patch (kpatch-macros.h).
cdo_case_kcflags() {
	local flags
	flags=$(cdo_case_file "$1" kcflags "")
	echo "${flags//@KMOD_PATCH@/$CDO_TOP/kmod/patch}"
}

# What the build of a case depends on besides the patch and the tree.
cdo__case_inputs() {
	local case=$1
	cat "$CDO_CASES/$case/patch"
	if grep -q '@KMOD_PATCH@' "$CDO_CASES/$case/kcflags" 2>/dev/null; then
		cat "$CDO_TOP"/kmod/patch/*.h
	fi
}

# The object a case builds: its `object` file, else the patch's only .c file.
cdo_case_object() {
	local case=$1 obj
	local -a sources
	obj=$(cdo_case_file "$case" object "")
	if [[ -n $obj ]]; then
		echo "$obj"
		return 0
	fi
	mapfile -t sources < <(sed -n 's|^+++ b/\([^[:space:]]*\.c\)\([[:space:]].*\)\{0,1\}$|\1|p' \
		"$CDO_CASES/$case/patch" | sort -u)
	if [[ ${#sources[@]} -ne 1 ]]; then
		echo "cdo: case $case: patch touches ${#sources[@]} .c files; name the object in $CDO_CASES/$case/object" >&2
		return 1
	fi
	echo "${sources[0]%.c}.o"
}

cdo_list_cases() {
	local dir
	for dir in "$CDO_CASES"/*/; do
		dir=${dir%/}
		[[ -f $dir/patch ]] && basename "$dir"
	done
}

cdo__hash() {
	sha256sum | cut -c1-24
}

# What identifies a tree's compiler output: its config (compiler version
# included) and the kernel release it was prepared for.
cdo__tree_id() {
	local tree=$1
	cat "$tree/.config" "$tree/include/config/kernel.release" 2>/dev/null | cdo__hash
}

# make one object in TREE; leaves it at TREE/OBJ.
cdo__make_object() {
	local tree=$1 variant=$2 obj=$3 kcflags=$4 log=$5
	local -a margs
	read -r -a margs <<<"$(cdo_variant_make_args "$variant")"
	if ! make -C "$tree" "${margs[@]}" KCFLAGS="$CDO_BASE_KCFLAGS $kcflags" "$obj" >"$log" 2>&1; then
		echo "cdo: make $obj failed in $tree:" >&2
		grep -m 5 -E 'error|Error' "$log" >&2 || tail -n 5 "$log" >&2
		return 1
	fi
	[[ -s $tree/$obj ]] || { echo "cdo: make did not produce $tree/$obj" >&2; return 1; }
}

# Under the tree lock: build ORIG if not cached, apply the patch, build
# PATCHED, revert; the tree's sources are left as found and the patched
# object is removed from it.
cdo__build_pair_locked() {
	local tree=$1 variant=$2 obj=$3 kcflags=$4 patch=$5 orig=$6 out=$7
	local log="$out/build.log" applied=0 rc=0
	if [[ ! -s $orig ]]; then
		cdo__make_object "$tree" "$variant" "$obj" "$kcflags" "$log" || return 1
		cp "$tree/$obj" "$orig.tmp.$$" && mv "$orig.tmp.$$" "$orig"
	fi
	if ! patch -d "$tree" -p1 --dry-run --forward -s <"$patch" >"$log" 2>&1; then
		echo "cdo: $patch does not apply to $tree: $(head -n 3 "$log")" >&2
		return 1
	fi
	patch -d "$tree" -p1 --forward -s --no-backup-if-mismatch <"$patch" >"$log" 2>&1 && applied=1
	if [[ $applied -eq 1 ]]; then
		cdo__make_object "$tree" "$variant" "$obj" "$kcflags" "$log" &&
			cp "$tree/$obj" "$out/patched.o" || rc=1
		rm -f "$tree/$obj"
		patch -d "$tree" -p1 -R -s --no-backup-if-mismatch <"$patch" >>"$log" 2>&1 || {
			echo "cdo: CANNOT REVERT $patch in $tree: fix the tree by hand" >&2
			return 1
		}
	else
		echo "cdo: applying $patch failed: $(head -n 3 "$log")" >&2
		rc=1
	fi
	return $rc
}

# Build (or find in the cache) a case's pair; prints the pair directory.
cdo_pair() {
	local case=$1 variant obj kcflags tree tid cache key okey pdir orig tmp rc=0
	variant=$(cdo_case_variant "$case")
	obj=$(cdo_case_object "$case") || return 1
	kcflags=$(cdo_case_kcflags "$case")
	tree=$(cdo_tree "$variant") || return 1
	tid=$(cdo__tree_id "$tree")
	cache=$(cdo_cache)
	# The include path of kpatch-macros.h does not change what is built.
	okey=$(printf '%s\n' "$CDO_GEN_VERSION" "$tid" "$variant" "$obj" \
		"${kcflags//$CDO_TOP/@TOP@}" | cdo__hash)
	key=$( (printf '%s\n' "$okey"; cdo__case_inputs "$case") | cdo__hash)
	pdir="$cache/pairs/$key"
	orig="$cache/orig/$okey.o"
	if [[ -s $pdir/orig.o && -s $pdir/patched.o ]]; then
		echo "$pdir"
		return 0
	fi
	mkdir -p "$cache/pairs" "$cache/orig"
	tmp=$(mktemp -d "$cache/pairs/.tmp.XXXXXX")
	echo "cdo: building $case ($variant: $obj)" >&2
	(
		flock 9
		cdo__build_pair_locked "$tree" "$variant" "$obj" "$kcflags" \
			"$CDO_CASES/$case/patch" "$orig" "$tmp"
	) 9>>"$tree/.kpatch-lock" || rc=1
	if [[ $rc -eq 0 ]]; then
		cp "$orig" "$tmp/orig.o"
		printf 'case=%s\nvariant=%s\nobject=%s\nkcflags=%s\ntree=%s\n' \
			"$case" "$variant" "$obj" "$kcflags" "$tree" >"$tmp/info"
		rm -rf "$pdir"
		mv "$tmp" "$pdir"
		echo "$pdir"
	else
		rm -rf "$tmp"
		return 1
	fi
}

# PARENT_SYMTAB for a parent: readelf -s --wide of the dbg vmlinux or the
# stock module, cached.
cdo_parent_symtab() {
	local parent=$1 stock rel file ko tmp
	stock=$(cdo_stock_dir) || return 1
	rel=$(basename "$stock")
	file="$(cdo_cache)/symtab/$rel/$parent.symtab"
	if [[ ! -s $file ]]; then
		mkdir -p "$(dirname "$file")"
		tmp=$(mktemp "$file.XXXXXX")
		if [[ $parent == vmlinux ]]; then
			readelf -s --wide "$stock/vmlinux" >"$tmp"
		else
			# Module names use '_' where the file name may have '-'.
			ko=$(find "$stock/modules/kernel" \( -name "$parent.ko" -o -name "$parent.ko.xz" \
				-o -name "${parent//_/-}.ko" -o -name "${parent//_/-}.ko.xz" \) | head -n 1)
			if [[ -z $ko ]]; then
				rm -f "$tmp"
				echo "cdo: no stock module $parent.ko in $stock/modules" >&2
				return 1
			fi
			if [[ $ko == *.xz ]]; then
				xz -dc "$ko" >"$tmp.ko"
				readelf -s --wide "$tmp.ko" >"$tmp"
				rm -f "$tmp.ko"
			else
				readelf -s --wide "$ko" >"$tmp"
			fi
		fi
		mv "$tmp" "$file"
	fi
	echo "$file"
}

cdo_symvers() {
	local stock
	stock=$(cdo_stock_dir) || return 1
	echo "$stock/build/Module.symvers"
}
