#!/bin/bash
# Figures of the VM harness: initramfs assembly and a full boot of the stock
# kernel with an empty guest script (QEMU start to power-off), 3 runs.
set -euo pipefail
# shellcheck source=../integration/lib/vm.sh
source "$(dirname "$0")/../integration/lib/vm.sh"

seconds_since() {
	echo "$1 $(date +%s.%N)" | awk '{ printf "%.2f", $2 - $1 }'
}

main() {
	local i t0 boots=() accel
	t0=$(date +%s.%N)
	vm_init >/dev/null
	echo "vm_init (stock kernel cached, base root): $(seconds_since "$t0") s"
	echo true >"$VM_ROOT/etc/kpatch-vm-guest.sh"
	t0=$(date +%s.%N)
	vm__make_initrd "$VM_SCRATCH/bench.cpio"
	echo "initramfs: $(seconds_since "$t0") s, $(du -k "$VM_SCRATCH/bench.cpio" | cut -f1) KiB"
	accel=$(vm__accel)
	for i in 1 2 3; do
		t0=$(date +%s.%N)
		vm_run --name "bench $i" <<<'true' >/dev/null ||
			{ echo "boot $i failed: see $VM_CONSOLE_LOG" >&2; return 1; }
		boots+=("$(seconds_since "$t0")")
	done
	echo "boot to power-off ($accel, empty script): ${boots[*]} s;" \
		"median $(printf '%s\n' "${boots[@]}" | sort -n | sed -n 2p) s"
	echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
}

main "$@"
