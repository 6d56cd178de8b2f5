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

# Trees and their ids, looked up once per process.
declare -gA CDO_TREE_OF=() CDO_TID_OF=()
CDO_STOCK_DIR=""

# Files a patch touches (its +++ lines).
cdo__patch_files() {
	sed -n 's|^+++ b/\([^[:space:]]*\).*|\1|p' "$1" | sort -u
}

# Where a case's objects go; sets CDO_VARIANT, CDO_OBJ, CDO_KCFLAGS,
# CDO_TREE, CDO_ORIG (cached ORIG) and CDO_PDIR (cached pair).
cdo__locate() {
	local case=$1 tid cache okey key
	CDO_VARIANT=$(cdo_case_variant "$case")
	CDO_OBJ=$(cdo_case_object "$case") || return 1
	CDO_KCFLAGS=$(cdo_case_kcflags "$case")
	if [[ -z ${CDO_TREE_OF[$CDO_VARIANT]:-} ]]; then
		CDO_TREE_OF[$CDO_VARIANT]=$(cdo_tree "$CDO_VARIANT") || return 1
		CDO_TID_OF[$CDO_VARIANT]=$(cdo__tree_id "${CDO_TREE_OF[$CDO_VARIANT]}")
	fi
	CDO_TREE=${CDO_TREE_OF[$CDO_VARIANT]}
	tid=${CDO_TID_OF[$CDO_VARIANT]}
	cache=$(cdo_cache)
	# The include path of kpatch-macros.h does not change what is built.
	okey=$(printf '%s\n' "$CDO_GEN_VERSION" "$tid" "$CDO_VARIANT" "$CDO_OBJ" \
		"${CDO_KCFLAGS//$CDO_TOP/@TOP@}" | cdo__hash)
	key=$( (printf '%s\n' "$okey"; cdo__case_inputs "$case") | cdo__hash)
	CDO_ORIG="$cache/orig/$okey.o"
	CDO_PDIR="$cache/pairs/$key"
}

# make the objects in TREE (-k: one broken object does not stop the others).
cdo__make() {
	local tree=$1 variant=$2 kcflags=$3 log=$4
	local -a margs
	shift 4
	read -r -a margs <<<"$(cdo_variant_make_args "$variant")"
	make -C "$tree" -k -j2 "${margs[@]}" KCFLAGS="$CDO_BASE_KCFLAGS $kcflags" "$@" \
		>"$log" 2>&1 || true
}

# Under the tree lock: build the ORIG objects that are not cached yet.
cdo__build_origs_locked() {
	local tree=$1 variant=$2 kcflags=$3 log=$4 obj
	shift 4
	local -A dest=()
	local -a objs=()
	while [[ $# -gt 0 ]]; do
		dest[$1]=$2
		objs+=("$1")
		shift 2
	done
	for obj in "${objs[@]}"; do
		rm -f "$tree/$obj"
	done
	cdo__make "$tree" "$variant" "$kcflags" "$log" "${objs[@]}"
	for obj in "${objs[@]}"; do
		if [[ -s $tree/$obj ]]; then
			cp "$tree/$obj" "${dest[$obj]}.tmp.$$" && mv "${dest[$obj]}.tmp.$$" "${dest[$obj]}"
		else
			echo "cdo: make $obj failed in $tree:" >&2
			grep -m 5 -E "^${obj%.o}\\.c:.*error" "$log" >&2 || tail -n 5 "$log" >&2
		fi
	done
}

# Under the tree lock: apply a batch of patches touching distinct files,
# build the objects, copy them out, revert.  The sources are left as found
# and no patched object is left in the tree.  Args: triples CASE OBJ OUTDIR.
cdo__build_batch_locked() {
	local tree=$1 variant=$2 kcflags=$3 log=$4 case obj i rc=0
	shift 4
	local -a cases=() objs=() outs=() applied=()
	while [[ $# -gt 0 ]]; do
		cases+=("$1") objs+=("$2") outs+=("$3")
		shift 3
	done
	for i in "${!cases[@]}"; do
		case=${cases[$i]}
		if patch -d "$tree" -p1 --forward -s --dry-run <"$CDO_CASES/$case/patch" >"$log" 2>&1 &&
			patch -d "$tree" -p1 --forward -s --no-backup-if-mismatch \
				<"$CDO_CASES/$case/patch" >"$log" 2>&1; then
			applied+=("$i")
		else
			echo "cdo: case $case: the patch does not apply to $tree: $(head -n 3 "$log")" >&2
		fi
		rm -f "$tree/${objs[$i]}"
	done
	if [[ ${#applied[@]} -gt 0 ]]; then
		local -a todo=()
		for i in "${applied[@]}"; do
			todo+=("${objs[$i]}")
		done
		cdo__make "$tree" "$variant" "$kcflags" "$log" "${todo[@]}"
	fi
	for i in "${applied[@]}"; do
		obj=${objs[$i]}
		if [[ -s $tree/$obj ]]; then
			cp "$tree/$obj" "${outs[$i]}/patched.o"
		else
			echo "cdo: case ${cases[$i]}: make $obj failed in $tree:" >&2
			grep -m 5 -E "error" "$log" >&2 || tail -n 5 "$log" >&2
		fi
		rm -f "$tree/$obj"
	done
	for ((i = ${#applied[@]} - 1; i >= 0; i--)); do
		case=${cases[${applied[$i]}]}
		patch -d "$tree" -p1 -R -s --no-backup-if-mismatch <"$CDO_CASES/$case/patch" >>"$log" 2>&1 || {
			echo "cdo: CANNOT REVERT $CDO_CASES/$case/patch in $tree: fix the tree by hand" >&2
			rc=1
		}
	done
	return $rc
}

# Build the missing pairs of CASES, sharing make runs: per variant and
# flags, one run for the ORIG objects, then one per batch of patches that
# touch distinct files.
cdo_generate() {
	local case group cache tmp log obj f rc=0
	local -A g_cases=() g_tree=() g_variant=() g_kcflags=() c_obj=() c_pdir=() c_orig=()
	local -a groups=()
	cache=$(cdo_cache)
	mkdir -p "$cache/pairs" "$cache/orig"
	for case in "$@"; do
		cdo__locate "$case" || { rc=1; continue; }
		[[ -s $CDO_PDIR/orig.o && -s $CDO_PDIR/patched.o ]] && continue
		group="$CDO_VARIANT|$CDO_KCFLAGS"
		if [[ -z ${g_cases[$group]+set} ]]; then
			groups+=("$group")
			g_cases[$group]=""
		fi
		g_cases[$group]+="$case "
		g_tree[$group]=$CDO_TREE g_variant[$group]=$CDO_VARIANT g_kcflags[$group]=$CDO_KCFLAGS
		c_obj[$case]=$CDO_OBJ c_pdir[$case]=$CDO_PDIR c_orig[$case]=$CDO_ORIG
	done
	for group in "${groups[@]}"; do
		local tree=${g_tree[$group]} variant=${g_variant[$group]} kcflags=${g_kcflags[$group]}
		local -a gcases origargs=()
		local -A seen=()
		read -r -a gcases <<<"${g_cases[$group]}"
		log=$(mktemp "$cache/.gen-log.XXXXXX")
		for case in "${gcases[@]}"; do
			obj=${c_obj[$case]}
			if [[ ! -s ${c_orig[$case]} && -z ${seen[$obj]:-} ]]; then
				seen[$obj]=1
				origargs+=("$obj" "${c_orig[$case]}")
			fi
		done
		if [[ ${#origargs[@]} -gt 0 ]]; then
			echo "cdo: building $((${#origargs[@]} / 2)) original object(s) in the $variant tree" >&2
			(
				flock 9
				cdo__build_origs_locked "$tree" "$variant" "$kcflags" "$log" "${origargs[@]}"
			) 9>>"$tree/.kpatch-lock"
		fi
		# Batches: greedy, no two patches of a batch touch the same file.
		local -a pending=("${gcases[@]}")
		while [[ ${#pending[@]} -gt 0 ]]; do
			local -a batch=() deferred=() bargs=()
			local -A used=()
			for case in "${pending[@]}"; do
				local clash=0
				local -a files
				mapfile -t files < <(cdo__patch_files "$CDO_CASES/$case/patch")
				files+=("${c_obj[$case]}")
				for f in "${files[@]}"; do
					[[ -n ${used[$f]:-} ]] && clash=1
				done
				if [[ $clash -eq 1 || ! -s ${c_orig[$case]} ]]; then
					if [[ -s ${c_orig[$case]} ]]; then
						deferred+=("$case")
					else
						echo "cdo: case $case: no original object" >&2
						rc=1
					fi
					continue
				fi
				for f in "${files[@]}"; do
					used[$f]=1
				done
				batch+=("$case")
			done
			pending=("${deferred[@]}")
			[[ ${#batch[@]} -gt 0 ]] || break
			for case in "${batch[@]}"; do
				tmp=$(mktemp -d "$cache/pairs/.tmp.XXXXXX")
				bargs+=("$case" "${c_obj[$case]}" "$tmp")
			done
			echo "cdo: building ${#batch[@]} patched object(s) in the $variant tree: ${batch[*]}" >&2
			(
				flock 9
				cdo__build_batch_locked "$tree" "$variant" "$kcflags" "$log" "${bargs[@]}"
			) 9>>"$tree/.kpatch-lock" || rc=1
			local i
			for ((i = 0; i < ${#bargs[@]}; i += 3)); do
				case=${bargs[$i]} tmp=${bargs[$((i + 2))]}
				if [[ -s $tmp/patched.o ]]; then
					cp "${c_orig[$case]}" "$tmp/orig.o"
					printf 'case=%s\nvariant=%s\nobject=%s\nkcflags=%s\ntree=%s\n' \
						"$case" "$variant" "${c_obj[$case]}" "$kcflags" "$tree" >"$tmp/info"
					rm -rf "${c_pdir[$case]}"
					mv "$tmp" "${c_pdir[$case]}"
				else
					rm -rf "$tmp"
					rc=1
				fi
			done
		done
		rm -f "$log"
	done
	return $rc
}

# A case's pair directory, building it if needed.
cdo_pair() {
	local case=$1
	cdo__locate "$case" || return 1
	if [[ ! -s $CDO_PDIR/orig.o || ! -s $CDO_PDIR/patched.o ]]; then
		cdo_generate "$case" || true
		cdo__locate "$case" || return 1
	fi
	[[ -s $CDO_PDIR/orig.o && -s $CDO_PDIR/patched.o ]] || return 1
	echo "$CDO_PDIR"
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
