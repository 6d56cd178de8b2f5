#!/bin/bash
# small-kernel.sh: build (once, cached) the small custom kernel of the
# full-build path tests and benchmark, and print its directory.
#
# It is the stock kernel's Debian source with a minimal x86_64 config
# (tinyconfig plus what live patching and the test guest need), built
# out of tree into $KPATCH_CACHE/small-kernel/<stock release>/:
#   obj/             the build (vmlinux, Module.symvers, .config)
#   bzImage          the image the VM harness boots
#   build-seconds    how long the build took
# Usage: small-kernel.sh [-j JOBS]
set -euo pipefail

TOPDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../../.." && pwd)
CACHE=${KPATCH_CACHE:-$HOME/.kpatch}
LOCALVERSION=-kpatch-small

# Options on top of tinyconfig.  Live patching: LIVEPATCH and what it depends
# on.  Guest: serial console on two ports, initramfs, the filesystems and
# syscalls bash, kmod and busybox use, ACPI for poweroff.
OPTIONS=(
	64BIT MODULES MODULE_UNLOAD LIVEPATCH
	FTRACE FUNCTION_TRACER DYNAMIC_FTRACE DYNAMIC_FTRACE_WITH_REGS
	KALLSYMS KALLSYMS_ALL UNWINDER_ORC STACKTRACE
	PRINTK BUG TTY SERIAL_8250 SERIAL_8250_CONSOLE UNIX98_PTYS
	BLK_DEV_INITRD RD_GZIP BINFMT_ELF BINFMT_SCRIPT
	PROC_FS PROC_SYSCTL SYSFS DEVTMPFS SHMEM TMPFS DEBUG_FS
	MULTIUSER FUTEX EPOLL SIGNALFD TIMERFD EVENTFD POSIX_TIMERS FILE_LOCKING
	PCI ACPI
)
# Off to keep the build small (the guest has no use for them).
DISABLE=(
	MODULE_SIG MODVERSIONS TRIM_UNUSED_KSYMS
	ACPI_AC ACPI_BATTERY ACPI_BUTTON ACPI_FAN ACPI_THERMAL ACPI_PROCESSOR
	ACPI_TABLE_UPGRADE ACPI_HOTPLUG_IOAPIC ACPI_SPCR_TABLE ACPI_LPIT
	THERMAL CPU_IDLE PNP VT INPUT UPROBES PERF_EVENTS X86_5LEVEL
	CPU_SUP_HYGON CPU_SUP_CENTAUR CPU_SUP_ZHAOXIN HIBERNATION SUSPEND
)

die() {
	echo "small-kernel: error: $*" >&2
	exit 1
}

main() {
	local jobs=2 kc rel src out obj t0 opt missing=""
	while [[ $# -gt 0 ]]; do
		case $1 in
		-j) jobs=${2:?}; shift 2 ;;
		*) die "unknown argument '$1'" ;;
		esac
	done
	kc=$("$TOPDIR/kpatch-build/kpatch-stock-kernel" --cache "$CACHE" -c source) ||
		die "cannot fetch the stock kernel source"
	rel=$(basename "$kc")
	src=$kc/source
	out=$CACHE/small-kernel/$rel
	obj=$out/obj
	mkdir -p "$out"
	exec 9>"$out/.lock"
	flock 9
	if [[ -f $out/.done && -f $out/bzImage ]]; then
		echo "$out"
		return 0
	fi
	rm -rf "$obj"
	mkdir -p "$obj"
	t0=$(date +%s)
	make -C "$src" O="$obj" -s tinyconfig >"$out/build.log" 2>&1 || die "tinyconfig failed (see $out/build.log)"
	local -a args=(--file "$obj/.config" --set-str LOCALVERSION "$LOCALVERSION")
	for opt in "${OPTIONS[@]}"; do
		args+=(--enable "$opt")
	done
	for opt in "${DISABLE[@]}"; do
		args+=(--disable "$opt")
	done
	"$src/scripts/config" "${args[@]}"
	make -C "$src" O="$obj" -s olddefconfig >>"$out/build.log" 2>&1 || die "olddefconfig failed (see $out/build.log)"
	for opt in "${OPTIONS[@]}"; do
		grep -q "^CONFIG_$opt=y" "$obj/.config" || missing="$missing $opt"
	done
	[[ -z $missing ]] || die "the small config lacks:$missing (dependencies not met)"
	make -C "$src" O="$obj" -j"$jobs" bzImage modules >>"$out/build.log" 2>&1 ||
		die "building the small kernel failed (see $out/build.log)"
	cp "$obj/arch/x86/boot/bzImage" "$out/bzImage"
	echo $(($(date +%s) - t0)) >"$out/build-seconds"
	touch "$out/.done"
	echo "$out"
}

main "$@"
