#!/bin/bash
# Host helpers of the patchmod-*.t suites (sourced after ../lib/vm.sh and
# vm_init): building patch modules with kmod/patch/build-patch-module.

PATCHMOD_TOOLS=$VM_TOPDIR/kpatch-build
PATCHMOD_TEMPLATE=$VM_TOPDIR/kmod/patch
PATCHMOD_CORE=$VM_TOPDIR/kmod/core
PATCHMOD_LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# patchmod_need_generators: the generators must be built (test/run builds
# kpatch-build); a suite cannot do anything without them.
patchmod_need_generators() {
	local tool
	for tool in create-klp-module create-kpatch-module; do
		if [[ ! -x $PATCHMOD_TOOLS/$tool ]]; then
			fail "generators are built" "$PATCHMOD_TOOLS/$tool is missing (make -C kpatch-build)"
			exit 1
		fi
	done
}

# patchmod_have_core: kpatch.ko and its Module.symvers are built for the
# stock kernel (needed by the kpatch format).
patchmod_have_core() {
	[[ -f $PATCHMOD_CORE/kpatch.ko && -f $PATCHMOD_CORE/Module.symvers ]]
}

# patchmod_build CHECKNAME NAME FORMAT [build-patch-module options] -- OBJ...:
# build NAME.ko into $VM_SCRATCH and add it to the guest as /test/NAME.ko.
# A failure is reported as check CHECKNAME (with the tool's last lines) and
# returns 1.
patchmod_build() {
	local check_name=$1 name=$2 format=$3 log
	shift 3
	log=$VM_SCRATCH/build-$name.log
	if "$PATCHMOD_TEMPLATE/build-patch-module" -n "$name" -f "$format" \
		-k "$VM_KDIR" -t "$PATCHMOD_TOOLS" \
		-s "$PATCHMOD_CORE/Module.symvers" \
		-o "$VM_SCRATCH/$name.ko" "$@" >"$log" 2>&1; then
		pass "$check_name"
		vm_add_file "$VM_SCRATCH/$name.ko" "/test/$name.ko"
		return 0
	fi
	fail "$check_name" "build-patch-module failed: $(grep -m1 -i 'error' "$log" || tail -n 1 "$log")"
	sed 's/^/  | /' "$log" | tail -n 20 >&2
	return 1
}

# patchmod_add_core: put kpatch.ko into the guest as /test/kpatch.ko.
patchmod_add_core() {
	vm_add_file "$PATCHMOD_CORE/kpatch.ko" /test/kpatch.ko
}

# patchmod_diff CHECKNAME PATCH FORMAT PARENT:OBJ...: compile each OBJ (path
# in the kernel tree, e.g. fs/proc/consoles.o) of the prepared stock tree
# before and after PATCH (holding the tree's lock, sources left as found),
# run create-diff-object on each pair (PARENT: vmlinux or the module name)
# and leave the outputs in $VM_SCRATCH/diff-<PATCH>-<FORMAT>/.  The output
# paths are in PATCHMOD_OUTPUTS.  A failure is reported as check CHECKNAME
# and returns 1.
patchmod_diff() {
	local check_name=$1 patch=$2 format=$3 tree dir spec obj parent out
	local kcflags="-ffunction-sections -fdata-sections -I$PATCHMOD_TEMPLATE"
	local -a objs=()
	shift 3
	[[ $format == kpatch ]] && kcflags+=" -D__KPATCH_MODULE__"
	PATCHMOD_OUTPUTS=()
	dir=$VM_SCRATCH/diff-$(basename "$patch" .patch)-$format
	mkdir -p "$dir"
	for spec in "$@"; do
		objs+=("${spec#*:}")
	done
	if ! tree=$("$PATCHMOD_TOOLS/kpatch-prepare-tree" 2>"$dir/tree.err"); then
		fail "$check_name" "no prepared tree: $(tail -n 1 "$dir/tree.err")"
		return 1
	fi
	if ! flock "$tree/.kpatch-lock" "$PATCHMOD_LIB/build-pair.sh" "$tree" \
		"$patch" "$kcflags" "$dir" "${objs[@]}" >"$dir/build.log" 2>&1; then
		fail "$check_name" "building the objects failed: $(grep -m1 -iE 'error|FAILED|rejects' "$dir/build.log" || tail -n 1 "$dir/build.log")"
		sed 's/^/  | /' "$dir/build.log" | tail -n 20 >&2
		return 1
	fi
	for spec in "$@"; do
		parent=${spec%%:*} obj=${spec#*:}
		out=$dir/output-${obj//\//-}
		if ! "$PATCHMOD_TOOLS/create-diff-object" "$dir/orig/$obj" \
			"$dir/patched/$obj" "$parent" "$(patchmod_symtab "$parent")" \
			"$VM_KDIR/Module.symvers" "$(basename "$patch" .patch)" \
			"$out" >"$dir/cdo.log" 2>&1 || [[ ! -f $out ]]; then
			fail "$check_name" "create-diff-object failed on $obj: $(grep -m1 ERROR "$dir/cdo.log" || tail -n 1 "$dir/cdo.log")"
			sed 's/^/  | /' "$dir/cdo.log" | tail -n 20 >&2
			return 1
		fi
		PATCHMOD_OUTPUTS+=("$out")
	done
	pass "$check_name"
}

# patchmod_build_formats NAME PATCH PARENT:OBJ...: the patch as a livepatch
# module /test/NAME.ko and a kpatch-format module /test/NAME_kp.ko (with
# /test/kpatch.ko).  Returns 1 if the livepatch module could not be built;
# a missing kpatch-format module is a failed check only.
patchmod_build_formats() {
	local name=$1 patch=$2
	shift 2
	patchmod_diff "create-diff-object" "$patch" livepatch "$@" || return 1
	patchmod_build "build livepatch module" "$name" livepatch -- \
		"${PATCHMOD_OUTPUTS[@]}" || return 1
	if ! patchmod_have_core; then
		fail "build kpatch-format module" "kmod/core/kpatch.ko is not built"
		return 0
	fi
	# The macros differ between the formats (patch_object, shadow calls).
	if grep -q 'kpatch-macros\.h' "$patch"; then
		patchmod_diff "create-diff-object (kpatch format)" "$patch" \
			kpatch "$@" || return 0
	fi
	patchmod_build "build kpatch-format module" "${name}_kp" kpatch -- \
		"${PATCHMOD_OUTPUTS[@]}" && patchmod_add_core
}

# patchmod_symtab PARENT: readelf -sW of vmlinux or of the stock module.
patchmod_symtab() {
	local parent=$1 file=$VM_SCRATCH/symtab-$1 ko
	if [[ ! -s $file ]]; then
		if [[ $parent == vmlinux ]]; then
			readelf -sW "$VM_KCACHE/vmlinux" >"$file"
		else
			ko=$(find "$VM_KCACHE/modules" -name "$parent.ko" | head -n 1)
			readelf -sW "$ko" >"$file"
		fi
	fi
	echo "$file"
}
