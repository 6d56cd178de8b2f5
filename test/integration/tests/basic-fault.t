#!/bin/bash
# Proof that the harness can fail: a WARN, a non-zero guest status, a hang and
# a missing end marker must each make the boot check fail, and an oops must
# be detected.  The failing runs are captured and their verdicts checked here.
set -euo pipefail
# shellcheck source=../lib/vm.sh
source "$(dirname "$0")/../lib/vm.sh"

# expect_verdict CHECK-NAME OUTPUT ERE: PASS if the harness output has a line
# matching ERE.
expect_verdict() {
	local name=$1 out=$2 re=$3
	if grep -qE -- "$re" <<<"$out"; then
		pass "$name"
	else
		fail "$name" "no line matching '$re' in the harness output: $(grep -m1 -E '^(PASS|FAIL) .*boot' <<<"$out" || echo none)"
	fi
}

vm_init
vm_build_module "$VM_TESTDIR/fault-warn" "$VM_TESTDIR/fault-oops"

out=$(vm_run --name "warn boot" 2>/dev/null <<'GUEST' || true
insmod /test/fault-warn.ko
check "fault-warn is in /proc/modules" grep -q '^fault_warn ' /proc/modules
exit 3
GUEST
)
expect_verdict "a WARN fails the boot check" "$out" \
	'^FAIL warn boot: .*kernel splat on the console: .*WARNING: .*fault_warn_init'
expect_verdict "a non-zero guest status fails the boot check" "$out" \
	'^FAIL warn boot: guest script exited 3'
expect_verdict "guest checks are reported even when the boot fails" "$out" \
	'^PASS fault-warn is in /proc/modules$'

vm_run --name "oops boot" --expect-splat='BUG: kernel NULL pointer dereference' <<'GUEST'
insmod /test/fault-oops.ko
echo "insmod fault-oops.ko returned $?"
GUEST

out=$(VM_TIMEOUT=15 vm_run --name "hang boot" 2>/dev/null <<<'sleep 600' || true)
expect_verdict "a hung guest is stopped by the timeout" "$out" \
	'^FAIL hang boot: timed out after 15s'

out=$(vm_run --name "lost boot" 2>/dev/null <<<'echo o > /proc/sysrq-trigger; sleep 60' || true)
expect_verdict "a guest that dies before the end marker fails the boot check" "$out" \
	'^FAIL lost boot: no end marker from the guest'
