#!/bin/bash
# The kpatch utility on livepatch modules, in one boot of the stock kernel:
# errors that change nothing, load/unload, --all, list, info, install,
# a different build of a loaded module, atomic replace.  Transitions that
# cannot finish are in util-stall.t.
set -euo pipefail
# shellcheck source=../lib/vm.sh
source "$(dirname "$0")/../lib/vm.sh"

vm_init
M=$VM_TESTDIR/modules
# Another build of livepatch-util-cmdline (same module name, other text),
# kept in the guest as livepatch-util-cmdline-v2.ko.
mkdir -p "$VM_SCRATCH/v2"
cp -a "$M/livepatch-util-cmdline" "$VM_SCRATCH/v2/"
sed -i 's/"kpatch-util-cmdline\\n"/"kpatch-util-cmdline v2\\n"/' \
	"$VM_SCRATCH/v2/livepatch-util-cmdline/livepatch-util-cmdline.c"
if ! grep -q 'kpatch-util-cmdline v2' "$VM_SCRATCH/v2/livepatch-util-cmdline/livepatch-util-cmdline.c"; then
	fail "setup: second build of livepatch-util-cmdline" "the source edit did not take"
	exit 1
fi
vm_build_module "$VM_SCRATCH/v2/livepatch-util-cmdline" || exit 1
mv "$VM_ROOT/test/livepatch-util-cmdline.ko" "$VM_ROOT/test/livepatch-util-cmdline-v2.ko"
vm_build_module "$M/livepatch-util-cmdline" "$M/livepatch-util-version" \
	"$M/livepatch-util-replace" "$M/util-target" || exit 1

# A patch module for another kernel release: same module, vermagic edited.
FAKE_KREL=9${VM_KREL:1}
perl -pe "s/vermagic=\Q$VM_KREL\E /vermagic=$FAKE_KREL /" \
	"$VM_ROOT/test/livepatch-util-cmdline.ko" >"$VM_ROOT/test/livepatch-util-otherkernel.ko"
if ! modinfo -F vermagic "$VM_ROOT/test/livepatch-util-otherkernel.ko" | grep -q "^$FAKE_KREL "; then
	fail "setup: module for another kernel" "vermagic edit did not take"
	exit 1
fi
echo "$FAKE_KREL" >"$VM_ROOT/test/fake-krel"
vm_add_binary /usr/bin/setpriv /usr/bin/setpriv-util-linux

vm_run <<'GUEST'
KREL=$(uname -r)
FAKE_KREL=$(cat /test/fake-krel)
LP=/sys/kernel/livepatch
ORIG_CMDLINE=$(cat /proc/cmdline)
ORIG_VERSION=$(cat /proc/version)
OUT=/tmp/kpatch.out

# kp ARGS...: run kpatch, keep its output in $OUT and its status in $OUT.rc;
# the output is echoed to the guest log for post-mortems.
kp() {
	local rc=0
	kpatch "$@" >"$OUT" 2>&1 || rc=$?
	echo "$rc" >"$OUT.rc"
	sed "s|^|    [kpatch $*] |" "$OUT"
	echo "    [kpatch $*] exit $rc"
	return $rc
}
as_nobody() {
	setpriv-util-linux --reuid=65534 --regid=65534 --clear-groups "$@"
}
said() { grep -q -- "$1" "$OUT"; }
status_was() { [[ $(cat "$OUT.rc") == "$1" ]]; }
failed_saying() { ! status_was 0 && said "$1"; }
loaded() { grep -q "^$1 " /proc/modules; }
state() {
	cut -d' ' -f1 /proc/modules | sort
	ls $LP
	find /var/lib/kpatch -type f 2>/dev/null | sort
}
snapshot() { state >/tmp/state.before; }
unchanged() { state | cmp -s - /tmp/state.before; }
# Loaded module names, newest first (the /proc/modules order).
order_of() { cut -d' ' -f1 /proc/modules | grep -n -x "$1" | cut -d: -f1; }

# --- basics
kp version
check "version prints 'kpatch <version>'" said '^kpatch [0-9]'
kp help
check "help lists every command" sh -c "for c in load unload install uninstall list info signal version help; do grep -q \"^  \$c\" $OUT || exit 1; done"
kp frobnicate
check "unknown command: exit 2" status_was 2
kp load
check "load without MODULE: exit 2" status_was 2
kp load --timeout 0 /test/livepatch-util-cmdline.ko
check "load --timeout 0: exit 2" status_was 2

# --- errors change nothing
snapshot
kp load /test/nope.ko
check "load of a missing file fails and says so" failed_saying "/test/nope.ko: no such file"
kp load nosuchpatch
check "load of an unknown name fails and says where it looked" failed_saying "no module of that name is installed for kernel $KREL"
kp load /etc/kpatch-vm.conf
check "load of a non-module file fails and says so" failed_saying "is not a kernel module"
kp load /test/util-target.ko
check "load of a module that is not a patch fails and says so" failed_saying "util-target.ko is not a patch module"
kp load /test/livepatch-util-otherkernel.ko
check "load of a patch for another kernel fails and names both kernels" failed_saying "built for kernel $FAKE_KREL, not for $KREL"
kp install /test/livepatch-util-otherkernel.ko
check "install (for the running kernel) of a patch for another kernel fails" failed_saying "kpatch install -k $FAKE_KREL"
kp install /test/util-target.ko
check "install of a module that is not a patch fails" failed_saying "is not a patch module"
kp install /test/nope.ko
check "install of a missing file fails" failed_saying "no such file"
for c in "load /test/livepatch-util-cmdline.ko" "unload --all" "install /test/livepatch-util-cmdline.ko" "uninstall livepatch-util-cmdline" "signal"; do
	# shellcheck disable=SC2086
	as_nobody kpatch $c >$OUT 2>&1 && echo 0 >$OUT.rc || echo $? >$OUT.rc
	check "not root: '$c' fails and says so" failed_saying "must be run as root"
done
check "the failed commands changed nothing" unchanged

# --- load / unload of single patches
kp load /test/livepatch-util-cmdline.ko
check "load livepatch-util-cmdline.ko succeeds" status_was 0
check "load reports the patch enabled" said "livepatch_util_cmdline: enabled"
check "patch is enabled in sysfs" grep -qx 1 $LP/livepatch_util_cmdline/enabled
check "patch is not in transition any more" grep -qx 0 $LP/livepatch_util_cmdline/transition
check "/proc/cmdline is patched" grep -qx kpatch-util-cmdline /proc/cmdline
snapshot
kp load /test/livepatch-util-cmdline.ko
check "loading it again succeeds and says it was already loaded" sh -c "grep -qx 0 $OUT.rc && grep -q 'already loaded and enabled; nothing changed' $OUT"
check "loading it again changed nothing" unchanged
kp load /test/livepatch-util-cmdline-v2.ko
check "loading another build of a loaded module fails and says so" failed_saying "a different build of this module is loaded"
check "that changed nothing" unchanged
kp list
check "list shows the loaded patch enabled" said '^livepatch_util_cmdline \[enabled\]$'
kp info livepatch_util_cmdline
check "info (by name, loaded) shows state and format" sh -c "grep -q '^state: *loaded, enabled' $OUT && grep -q '^format: *livepatch' $OUT"
check "info (loaded) lists the patched function from sysfs" said '^  vmlinux: cmdline_proc_show$'
kp info /test/livepatch-util-version.ko
check "info (file, not loaded) shows it not loaded" sh -c "grep -q '^state: *not loaded' $OUT && grep -q '^kernel: *$KREL' $OUT"
kp info /test/livepatch-util-cmdline.ko
check "info (file) lists patched functions" said '^  vmlinux: cmdline_proc_show$'
kp info nosuchpatch
check "info of an unknown module fails" failed_saying "nosuchpatch: no such file"

cd /test
kp load livepatch-util-version.ko
check "load of a file name relative to the current directory" status_was 0
check "/proc/version is patched" grep -qx kpatch-util-version /proc/version
kp unload livepatch_util_version
check "unload by module name succeeds" status_was 0
check "unload says unloaded" said "livepatch_util_version: unloaded"
check "/proc/version is back" test "$(cat /proc/version)" = "$ORIG_VERSION"
check_not "its module is gone" loaded livepatch_util_version
check_not "its sysfs dir is gone" test -e $LP/livepatch_util_version
kp unload livepatch_util_version
check "unload of a patch that is not loaded: exit 0, says so" sh -c "grep -qx 0 $OUT.rc && grep -q 'is not loaded; nothing to do' $OUT"
kp unload /test/livepatch-util-cmdline.ko
check "unload by file name succeeds" status_was 0
check "/proc/cmdline is back" test "$(cat /proc/cmdline)" = "$ORIG_CMDLINE"
check_not "no livepatch left" sh -c "ls $LP | grep -q ."

# --- install / --all / uninstall
kp install /test/livepatch-util-version.ko
check "install succeeds" status_was 0
check "installed under /var/lib/kpatch/<release>" cmp /test/livepatch-util-version.ko /var/lib/kpatch/$KREL/livepatch-util-version.ko
kp install /test/livepatch-util-cmdline.ko
snapshot
kp install /test/livepatch-util-cmdline.ko
check "install again: exit 0, says already installed" sh -c "grep -qx 0 $OUT.rc && grep -q 'already installed' $OUT"
check "install again changed nothing" unchanged
kp install -k "$FAKE_KREL" /test/livepatch-util-otherkernel.ko
check "install -k for another kernel" test -f "/var/lib/kpatch/$FAKE_KREL/livepatch-util-otherkernel.ko"
kp install --kernel-version "$KREL" /test/livepatch-util-otherkernel.ko
check "install -k of a module built for another kernel fails" failed_saying "built for kernel $FAKE_KREL, not for $KREL"
kp list
check "list shows installed modules with their kernel" sh -c "grep -qx 'livepatch_util_cmdline ($KREL)' $OUT && grep -qx 'livepatch_util_cmdline ($FAKE_KREL)' $OUT && grep -qx 'livepatch_util_version ($KREL)' $OUT"
check "list shows no loaded patch" sh -c "sed -n '2p' $OUT | grep -qx '(none)'"
kp info livepatch_util_version
check "info (installed name) shows file and installed kernels" sh -c "grep -q '^file: */var/lib/kpatch/$KREL/livepatch-util-version.ko' $OUT && grep -q '^installed: *$KREL' $OUT"

kp load --all
check "load --all succeeds" status_was 0
check "load --all applied both installed patches" sh -c "grep -qx kpatch-util-cmdline /proc/cmdline && grep -qx kpatch-util-version /proc/version"
check "load --all loads in file-name order" test "$(order_of livepatch_util_version)" -lt "$(order_of livepatch_util_cmdline)"
check_not "load --all left other kernels' modules alone" grep -q otherkernel /proc/modules
kp load --all
check "load --all again: exit 0, nothing changed" sh -c "grep -qx 0 $OUT.rc && test \$(grep -c 'already loaded' $OUT) -eq 2"
kp list
check "list shows both patches enabled, oldest first" sh -c "sed -n '2,3p' $OUT | tr '\n' ' ' | grep -qx 'livepatch_util_cmdline \[enabled\] livepatch_util_version \[enabled\] '"
kp unload --all
check "unload --all succeeds" status_was 0
check "unload --all goes newest first" sh -c "grep -n ': unloaded' $OUT | tr '\n' ' ' | grep -q 'livepatch_util_version: unloaded.*livepatch_util_cmdline: unloaded'"
check "unload --all restored /proc/cmdline and /proc/version" sh -c "test \"\$(cat /proc/cmdline)\" = \"$ORIG_CMDLINE\" && test \"\$(cat /proc/version)\" = \"$ORIG_VERSION\""
kp unload --all
check "unload --all with nothing loaded: exit 0" sh -c "grep -qx 0 $OUT.rc && grep -q 'nothing to unload' $OUT"
kp load livepatch_util_cmdline
check "load by installed module name" sh -c "grep -qx 0 $OUT.rc && grep -qx kpatch-util-cmdline /proc/cmdline"
kp unload livepatch-util-cmdline
check "unload by file-style name" sh -c "grep -qx 0 $OUT.rc && ! grep -q '^livepatch_util_cmdline ' /proc/modules"
kp uninstall livepatch-util-version
check "uninstall removes the file" sh -c "grep -qx 0 $OUT.rc && test ! -e /var/lib/kpatch/$KREL/livepatch-util-version.ko"
kp uninstall livepatch-util-version
check "uninstall again: exit 0, says not installed" sh -c "grep -qx 0 $OUT.rc && grep -q 'is not installed' $OUT"
kp uninstall -k "$FAKE_KREL" livepatch_util_cmdline
check "uninstall -k by module name removes that kernel's file and empty dir" sh -c "grep -qx 0 $OUT.rc && test ! -e /var/lib/kpatch/$FAKE_KREL"

# --- atomic replace
kpatch load /test/livepatch-util-cmdline.ko >/dev/null
kpatch load /test/livepatch-util-version.ko >/dev/null
kp load /test/livepatch-util-replace.ko
check "load of a cumulative (replace) patch succeeds" status_was 0
check "the replace patch runs" grep -qx kpatch-util-replace /proc/cmdline
check "the replaced patches are reverted" test "$(cat /proc/version)" = "$ORIG_VERSION"
check "the replaced modules were removed and named" sh -c "grep -q 'livepatch_util_cmdline: replaced by livepatch_util_replace' $OUT && grep -q 'livepatch_util_version: replaced by livepatch_util_replace' $OUT && ! grep -qE '^livepatch_util_(cmdline|version) ' /proc/modules"
kp list
check "list shows only the replace patch loaded" sh -c "sed -n '2p' $OUT | grep -qx 'livepatch_util_replace \[enabled\]' && sed -n '3p' $OUT | grep -qx ''"
kp unload livepatch_util_replace
check "unload of the replace patch" sh -c "grep -qx 0 $OUT.rc && test \"\$(cat /proc/cmdline)\" = \"$ORIG_CMDLINE\""
check "nothing left loaded" sh -c "! ls $LP | grep -q . && ! grep -qE '^livepatch_' /proc/modules"
GUEST
