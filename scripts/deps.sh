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

main() {
	local missing
	mapfile -t missing < <(missing_packages)
	if [[ ${#missing[@]} -eq 0 ]]; then
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
