#!/bin/bash
# Boot persistence: patches installed in one boot are applied in the next by
# the command kpatch.service runs (taken from the unit as 'make install
# PREFIX=/usr' writes it), with /var/lib/kpatch on a disk image kept across
# the boots.  Modules installed for another kernel are left alone.
set -euo pipefail
# shellcheck source=../lib/vm.sh
source "$(dirname "$0")/../lib/vm.sh"

vm_init
M=$VM_TOPDIR/test/integration/tests/util-load/modules
vm_build_module "$M/livepatch-util-cmdline" "$M/livepatch-util-version" || exit 1

# The unit's command, from the installed unit.
dest=$VM_SCRATCH/destdir
if ! make -s -C "$VM_TOPDIR/contrib" install DESTDIR="$dest" PREFIX=/usr >"$VM_SCRATCH/install.log" 2>&1; then
	fail "make -C contrib install" "$(tail -n 1 "$VM_SCRATCH/install.log")"
	exit 1
fi
unit_command=$(sed -n 's/^ExecStart=//p' "$dest/usr/lib/systemd/system/kpatch.service")
if [[ $unit_command != "/usr/sbin/kpatch load --all" ]]; then
	fail "the unit's command" "ExecStart is '$unit_command', expected '/usr/sbin/kpatch load --all'"
	exit 1
fi
pass "the installed unit runs '$unit_command'"
printf '#!/bin/bash\n%s\n' "$unit_command" >"$VM_ROOT/test/unit-command"
chmod +x "$VM_ROOT/test/unit-command"

# A patch module for another kernel release (vermagic edited).
FAKE_KREL=9${VM_KREL:1}
perl -pe "s/vermagic=\Q$VM_KREL\E /vermagic=$FAKE_KREL /" \
	"$VM_ROOT/test/livepatch-util-cmdline.ko" >"$VM_ROOT/test/livepatch-util-otherkernel.ko"
echo "$FAKE_KREL" >"$VM_ROOT/test/fake-krel"

vm_make_disk "$VM_SCRATCH/var-lib-kpatch.img" 16
vm_add_disk "$VM_SCRATCH/var-lib-kpatch.img"

vm_run --name "first boot: install" <<'GUEST'
KREL=$(uname -r)
FAKE_KREL=$(cat /test/fake-krel)
mkdir -p /var/lib/kpatch
require "mount the disk on /var/lib/kpatch" mount -t ext4 /dev/vda /var/lib/kpatch
check "install livepatch-util-cmdline.ko" kpatch install /test/livepatch-util-cmdline.ko
check "install livepatch-util-version.ko" kpatch install /test/livepatch-util-version.ko
check "install a module for another kernel with -k" kpatch install -k "$FAKE_KREL" /test/livepatch-util-otherkernel.ko
check "the modules are on the disk" test -f "/var/lib/kpatch/$KREL/livepatch-util-cmdline.ko" -a -f "/var/lib/kpatch/$KREL/livepatch-util-version.ko"
check_not "install did not load anything" grep -q '^livepatch_' /proc/modules
check "load one now" kpatch load livepatch_util_version
check "umount" umount /var/lib/kpatch
GUEST

vm_run --name "second boot: the unit's command applies them" <<'GUEST'
KREL=$(uname -r)
orig_cmdline=$(cat /proc/cmdline)
mkdir -p /var/lib/kpatch
require "mount the disk on /var/lib/kpatch" mount -t ext4 /dev/vda /var/lib/kpatch
check_not "a fresh boot has no patch loaded" grep -q '^livepatch_' /proc/modules
/test/unit-command >/tmp/unit.out 2>&1 && echo 0 >/tmp/unit.rc || echo $? >/tmp/unit.rc
sed 's/^/    [unit] /' /tmp/unit.out
check "the unit's command succeeds" grep -qx 0 /tmp/unit.rc
check "it re-applied livepatch-util-cmdline" grep -qx kpatch-util-cmdline /proc/cmdline
check "it re-applied livepatch-util-version" grep -qx kpatch-util-version /proc/version
check_not "it left the other kernel's module alone" grep -q otherkernel /tmp/unit.out
kpatch list >/tmp/list.out 2>&1
sed 's/^/    [list] /' /tmp/list.out
check "list shows both patches enabled" sh -c "grep -qx 'livepatch_util_cmdline \[enabled\]' /tmp/list.out && grep -qx 'livepatch_util_version \[enabled\]' /tmp/list.out"
check "list shows what is installed for both kernels" sh -c "grep -qx \"livepatch_util_cmdline ($KREL)\" /tmp/list.out && grep -qx \"livepatch_util_cmdline ($(cat /test/fake-krel))\" /tmp/list.out"
/test/unit-command >/tmp/unit2.out 2>&1 && echo 0 >/tmp/unit.rc || echo $? >/tmp/unit.rc
check "running it again succeeds and changes nothing" sh -c "grep -qx 0 /tmp/unit.rc && test \$(grep -c 'already loaded and enabled; nothing changed' /tmp/unit2.out) -eq 2"
check "unload --all" kpatch unload --all
check "/proc/cmdline is back" test "$(cat /proc/cmdline)" = "$orig_cmdline"
check "uninstall livepatch-util-version" kpatch uninstall livepatch-util-version
check "umount" umount /var/lib/kpatch
GUEST

vm_run --name "third boot: only what is still installed" <<'GUEST'
mkdir -p /var/lib/kpatch
require "mount the disk on /var/lib/kpatch" mount -t ext4 /dev/vda /var/lib/kpatch
check "the unit's command succeeds" /test/unit-command
check "the installed patch is applied" grep -qx kpatch-util-cmdline /proc/cmdline
check_not "the uninstalled one is not" grep -q '^livepatch_util_version ' /proc/modules
check "unload --all" kpatch unload --all
umount /var/lib/kpatch
GUEST
