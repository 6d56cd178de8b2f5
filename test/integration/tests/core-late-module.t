#!/bin/bash
# Late modules: a patch for joydev and binfmt_misc is loaded before them;
# each module is patched as it loads (its dynrelas resolved then, in that
# module), unpatched when it goes, patched again when it comes back.  A
# patch that cannot be applied to a module refuses that module's load.
set -euo pipefail
# shellcheck source=../lib/vm.sh
source "$(dirname "$0")/../lib/vm.sh"
# shellcheck source=core-lib/setup.sh
source "$(dirname "$0")/core-lib/setup.sh"

vm_init
core_setup "$VM_TESTDIR/patches"
vm_add_stock_module joydev binfmt_misc
vm_run <<'GUEST'
source /test/core-guest.sh
kp=$KP_SYSFS/kpt_late
bm=/tmp/bm
mkdir -p $bm
status_is() {  # status_is TEXT-REGEX: binfmt_misc's status file
	grep -qxE "$1" $bm/status || { echo "status: $(cat $bm/status)"; return 1; }
}
bm_mount() { modprobe binfmt_misc && mount -t binfmt_misc binfmt_misc $bm; }
bm_unmount() { umount $bm && rmmod binfmt_misc; }

require "insmod kpatch.ko" insmod /test/kpatch.ko
check_not "joydev is not loaded yet" grep -q '^joydev ' /proc/modules
dmesg -c >/dev/null
require "insmod kpt_late (its modules not loaded)" insmod /test/kpt_late.ko
check "sysfs: enabled" grep -qx 1 $kp/enabled
check "sysfs: joydev and binfmt_misc not patched yet" test "$(cat $kp/joydev/patched)$(cat $kp/binfmt_misc/patched)" = 00
check "sysfs: joydev_match not resolved yet" grep -qx 0x0 $kp/joydev/joydev_match,1/old_addr
check "log: joydev will be patched when it loads" log_has 'kpt_late: module joydev is not loaded; it will be patched when it loads'

require "modprobe joydev" modprobe joydev
check "joydev is patched" grep -qx 1 $kp/joydev/patched
check "old_addr is joydev's joydev_match" kp_addr_is $kp/joydev/joydev_match,1/old_addr joydev_match 1 joydev
check "log: patched joydev as it loads" log_has 'kpt_late: patched module joydev as it loads'

require "modprobe and mount binfmt_misc" bm_mount
check "binfmt_misc is patched" grep -qx 1 $kp/binfmt_misc/patched
check "status comes from the new function" status_is 'kpatch-late enabled=1 at=[0-9a-f]+'
check "dynrela: at= is binfmt_misc's 'enabled'" status_is "kpatch-late enabled=1 at=$(kallsyms_addr enabled 1 binfmt_misc)"
check "writing 0 to status (unpatched bm_status_write)" sh -c "echo 0 > $bm/status"
check "the new read sees the module's variable change" status_is 'kpatch-late enabled=0 at=.*'
echo 1 > $bm/status

dmesg -c >/dev/null
check "unmount and rmmod binfmt_misc" bm_unmount
check "binfmt_misc is no longer patched" grep -qx 0 $kp/binfmt_misc/patched
check "log: binfmt_misc going, unpatched" log_has 'kpt_late: module binfmt_misc is going: unpatched'
require "modprobe and mount binfmt_misc again" bm_mount
check "patched again, dynrela resolved in the new instance" status_is "kpatch-late enabled=1 at=$(kallsyms_addr enabled 1 binfmt_misc)"

check "disable kpt_late" sh -c "echo 0 > $kp/enabled"
check "original status" status_is enabled
check "joydev and binfmt_misc not patched" test "$(cat $kp/joydev/patched)$(cat $kp/binfmt_misc/patched)" = 00
check "re-enable with the modules loaded" sh -c "echo 1 > $kp/enabled"
check "patched status" status_is 'kpatch-late enabled=1 at=.*'
check "joydev patched" grep -qx 1 $kp/joydev/patched
check "unload kpt_late" kp_unload kpt_late
check "original status again" status_is enabled
check "unmount and rmmod binfmt_misc" bm_unmount
check "rmmod joydev" rmmod joydev

dmesg -c >/dev/null
require "insmod kpt_late bad_joydev=1 (joydev not loaded)" insmod /test/kpt_late.ko bad_joydev=1
check_not "modprobe joydev is refused" modprobe joydev
check_not "joydev is not loaded" grep -q '^joydev ' /proc/modules
check "log: which symbol, and the refusal" sh -c "dmesg | grep -q \"symbol 'joydev_no_such_function' not found in joydev\" && dmesg | grep -q 'kpt_late: cannot patch module joydev (-2): refusing to load joydev'"
check "joydev_match is not left redirected" grep -qx 0 $kp/joydev/patched
check "unload kpt_late" kp_unload kpt_late
check "modprobe joydev works without the patch" modprobe joydev
check "rmmod joydev" rmmod joydev
check "kpatch.ko not in use" kp_refcnt_is 0
check "rmmod kpatch" rmmod kpatch
GUEST
