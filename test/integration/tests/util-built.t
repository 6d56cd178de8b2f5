#!/bin/bash
# The kpatch utility on modules built by kpatch-build (the README example,
# /proc/meminfo's VmallocChunk line renamed), in both formats: info from
# the file and from sysfs, install, load --all, list, unload.
set -euo pipefail
# shellcheck source=../lib/vm.sh
source "$(dirname "$0")/../lib/vm.sh"

vm_init
vm_build_module "$VM_TOPDIR/kmod/core" || exit 1
rm -f "$VM_ROOT/usr/lib/kpatch/kpatch.ko"
install -D -m 0644 "$VM_ROOT/test/kpatch.ko" "$VM_ROOT/usr/lib/kpatch/$VM_KREL/kpatch.ko"
rm -f "$VM_ROOT/test/kpatch.ko"

for format in livepatch kpatch; do
	log=$VM_SCRATCH/kpatch-build-$format.log
	if "$VM_TOPDIR/kpatch-build/kpatch-build" -a "$VM_KREL" --format "$format" -t vmlinux \
		-o "$VM_ROOT/test" "$VM_TOPDIR/doc/examples/meminfo-string.patch" >"$log" 2>&1; then
		pass "kpatch-build --format $format of the README example"
	else
		fail "kpatch-build --format $format of the README example" \
			"$(grep -m1 'error' "$log" || tail -n 1 "$log")"
		exit 1
	fi
done

vm_run <<'GUEST'
KREL=$(uname -r)
OUT=/tmp/kpatch.out
kp() {
	local rc=0
	kpatch "$@" >"$OUT" 2>&1 || rc=$?
	echo "$rc" >"$OUT.rc"
	sed "s|^|    [kpatch $*] |" "$OUT"
	echo "    [kpatch $*] exit $rc"
	return $rc
}
said() { grep -q -- "$1" "$OUT"; }
status_was() { [[ $(cat "$OUT.rc") == "$1" ]]; }
functions_listed() { sed -n '/^patched functions:/,/^modinfo:/p' "$OUT" | grep -qx '  vmlinux: meminfo_proc_show'; }

check "stock /proc/meminfo has VmallocChunk" grep -q '^VmallocChunk:' /proc/meminfo
for mod in livepatch-meminfo-string kpatch-meminfo-string; do
	name=${mod//-/_}
	kp info /test/$mod.ko
	check "$mod: info lists meminfo_proc_show from the file" functions_listed
	kp install /test/$mod.ko
	check "$mod: install" status_was 0
	kp load --all
	check "$mod: load --all applies it" sh -c "grep -qx 0 $OUT.rc && grep -q '^VMALLOCCHUNK:' /proc/meminfo"
	kp list
	check "$mod: list shows it enabled and installed" sh -c "grep -qx '$name \[enabled\]' $OUT && grep -qx '$name ($KREL)' $OUT"
	kp info $name
	check "$mod: info (loaded) lists meminfo_proc_show from sysfs" sh -c "grep -q '^state: *loaded, enabled' $OUT && sed -n '/^patched functions:/,/^modinfo:/p' $OUT | grep -qx '  vmlinux: meminfo_proc_show'"
	kp unload $mod
	check "$mod: unload restores /proc/meminfo" sh -c "grep -qx 0 $OUT.rc && grep -q '^VmallocChunk:' /proc/meminfo && ! grep -q '^$name ' /proc/modules"
	kp uninstall $mod
	check "$mod: uninstall" sh -c "grep -qx 0 $OUT.rc && test ! -e /var/lib/kpatch/$KREL/$mod.ko"
done
GUEST
