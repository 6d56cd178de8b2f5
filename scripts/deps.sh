#!/bin/bash
# Install (as root) or list (otherwise) every Debian 12 package kpatch needs
# to build, test and demo itself.
set -euo pipefail

KPATCH_DEPS=(
	build-essential gcc make bc bison flex gawk libelf-dev libssl-dev dwarves
	elfutils binutils xz-utils cpio kmod file
	busybox-static qemu-system-x86 qemu-utils
	shellcheck groff man-db bash-completion systemd
	clang lld llvm libclang-rt-14-dev afl++
	rsync patch e2fsprogs time gdb
)

missing_packages() {
	local pkg
	for pkg in "${KPATCH_DEPS[@]}"; do
		if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
			printf '%s\n' "$pkg"
		fi
	done
}

# The stock-kernel fetcher asks apt which kernel linux-image-amd64 names; a
# machine that never ran `apt-get update` has no answer.
apt_lists_ok() {
	local policy
	policy=$(apt-cache policy linux-image-amd64 2>/dev/null) || return 1
	[[ $policy == *"Candidate: "[0-9]* ]]
}

main() {
	local missing
	mapfile -t missing < <(missing_packages)
	if [[ ${#missing[@]} -eq 0 ]]; then
		apt_lists_ok && return 0
		if [[ $(id -u) -ne 0 ]]; then
			echo "kpatch: apt knows no linux-image-amd64; run as root: apt-get update" >&2
			return 1
		fi
		echo "kpatch: updating apt's package lists" >&2
		DEBIAN_FRONTEND=noninteractive apt-get update -qq
		return 0
	fi
	if [[ $(id -u) -ne 0 ]]; then
		echo "kpatch: missing Debian packages: ${missing[*]}" >&2
		echo "kpatch: run as root: apt-get install -y ${missing[*]}" >&2
		return 1
	fi
	echo "kpatch: installing ${missing[*]}" >&2
	DEBIAN_FRONTEND=noninteractive apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

main "$@"
