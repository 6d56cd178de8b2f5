#!/bin/bash
# Guest helpers of the build-* suites, sourced by their guest scripts (after
# result.sh and guest-lib.sh): apply and revert patch modules with the kpatch
# utility, or with insmod/sysfs/rmmod when the guest has no utility.

kb_modname() {
	local name
	name=$(basename "$1" .ko)
	echo "${name//-/_}"
}

# kb_load KO: apply a patch module and wait for its transition.
kb_load() {
	local ko=$1
	if command -v kpatch >/dev/null; then
		kpatch load "$ko"
	else
		insmod "$ko" && klp_wait_transition "$(kb_modname "$ko")" 60
	fi
}

# kb_unload NAME: revert a patch and remove its module.
kb_unload() {
	local name
	name=$(kb_modname "$1")
	if command -v kpatch >/dev/null; then
		kpatch unload "$name"
	else
		echo 0 >"/sys/kernel/livepatch/$name/enabled" &&
			klp_wait_transition "$name" 60 && wait_until 10 rmmod "$name"
	fi
}

# kb_loaded NAME: is the module in /proc/modules?
kb_loaded() {
	grep -q "^$(kb_modname "$1") " /proc/modules
}
