#!/bin/bash
# Host helpers of the patchmod-*.t suites (sourced after ../lib/vm.sh and
# vm_init): building patch modules with kmod/patch/build-patch-module.

PATCHMOD_TOOLS=$VM_TOPDIR/kpatch-build
PATCHMOD_TEMPLATE=$VM_TOPDIR/kmod/patch
PATCHMOD_CORE=$VM_TOPDIR/kmod/core

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
