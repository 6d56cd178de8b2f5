#!/bin/bash
# Host side of the core-* suites: sourced after vm.sh.

# The test modules' Kbuild files find kpatch.h and kpt.h through this.
export KPATCH_TOPDIR=$VM_TOPDIR

# core_setup [MODULE_DIR...]: build kpatch.ko, then the given test module
# dirs against its symbols (one vm_build_module call, so they see them),
# and put the guest helpers in /test/core-guest.sh.
core_setup() {
	vm_build_module "$VM_TOPDIR/kmod/core" "$@" || exit 1
	vm_add_file "$VM_TOPDIR/test/integration/tests/core-lib/guest.sh" /test/core-guest.sh
}
