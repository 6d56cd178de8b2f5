#!/bin/bash
# The VM harness's splat scanner: each kind of kernel report is caught, and
# the ordinary noise of a clean boot with out-of-tree modules is not.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../../integration/lib/vm.sh
source "$here/../../integration/lib/vm.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

expect_splat() {
	local kind=$1 line=$2
	printf '[    1.000000] ordinary line\n[    4.968353] %s\n' "$line" >"$tmp/log"
	if [[ -n $(vm_console_splats "$tmp/log") ]]; then
		pass "detects $kind"
	else
		fail "detects $kind" "not caught: $line"
	fi
}

expect_splat "WARN" "WARNING: CPU: 0 PID: 99 at fault-warn.c:8 fault_warn_init+0x11/0x1000 [fault_warn]"
expect_splat "NULL dereference" "BUG: kernel NULL pointer dereference, address: 0000000000000000"
expect_splat "oops" "Oops: 0002 [#1] PREEMPT SMP NOPTI"
expect_splat "kernel BUG" "kernel BUG at mm/slub.c:432!"
expect_splat "call trace" " Call Trace:"
expect_splat "panic" "Kernel panic - not syncing: Attempted to kill init! exitcode=0x00000100"
expect_splat "general protection fault" "general protection fault, probably for non-canonical address 0xdead000000000100: 0000 [#1]"
expect_splat "paging fault" "BUG: unable to handle page fault for address: ffffffffc0201000"
expect_splat "arm-style fault" "Unable to handle kernel paging request at virtual address 0000000000001000"
expect_splat "hung task" "INFO: task insmod:99 blocked for more than 60 seconds."
expect_splat "lockdep circular" "WARNING: possible circular locking dependency detected"
expect_splat "lockdep inconsistent" "inconsistent lock state"
expect_splat "lockdep recursive" "WARNING: possible recursive locking detected"
expect_splat "RCU misuse" "WARNING: suspicious RCU usage"
expect_splat "RCU stall" "rcu: INFO: rcu_preempt detected stalls on CPUs/tasks:"
expect_splat "soft lockup" "watchdog: BUG: soft lockup - CPU#1 stuck for 22s! [insmod:99]"
expect_splat "sleeping in atomic" "BUG: sleeping function called from invalid context at kernel/locking/mutex.c:580"
expect_splat "scheduling while atomic" "BUG: scheduling while atomic: insmod/99/0x00000002"

cat >"$tmp/clean" <<'LOG'
[    0.000000] Linux version 6.1.0-56-amd64 (debian-kernel@lists.debian.org)
[    1.235005] acpi PNP0A03:00: fail to add MMCONFIG information, can't access extended PCI configuration space under this bridge.
[    4.660995] hello: loading out-of-tree module taints kernel.
[    4.662613] hello: module verification failed: signature and/or required key missing - tainting kernel
[    4.700000] livepatch: enabling patch 'livepatch_cmdline'
[    4.800000] livepatch: 'livepatch_cmdline': starting patching transition
[    5.622913] ACPI: PM: Preparing to enter system sleep state S5
[    5.623723] reboot: Power down
LOG
splats=$(vm_console_splats "$tmp/clean")
if [[ -z $splats ]]; then
	pass "a clean boot log has no splat"
else
	fail "a clean boot log has no splat" "false positive: $splats"
fi
