#!/bin/bash
# demo.sh (`make demo`): the README's main job.  Build a live patch for the
# Debian stock kernel from doc/examples/meminfo-string.patch (/proc/meminfo
# shows VMALLOCCHUNK instead of VmallocChunk), boot that kernel in QEMU and
# show the /proc/meminfo line before the patch, after `kpatch load` and after
# `kpatch unload`.
set -euo pipefail

TOPDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PATCH=$TOPDIR/doc/examples/meminfo-string.patch
MODNAME=livepatch-meminfo-string

say() {
	printf '\n== %s\n' "$*"
}

die() {
	printf 'demo: error: %s\n' "$*" >&2
	exit 1
}

build_tools() {
	say "Building the tools (make -C kpatch-build)"
	make -s -C "$TOPDIR/kpatch-build" -j2 >/dev/null || die "building kpatch-build's tools failed"
}

build_patch() {
	local out=$1 release=$2
	say "kpatch-build -a $release $(basename "$PATCH")"
	sed 's/^/    /' "$PATCH"
	echo
	"$TOPDIR/kpatch-build/kpatch-build" -a "$release" -o "$out" "$PATCH" ||
		die "kpatch-build failed (see above)"
	[[ -f $out/$MODNAME.ko ]] || die "kpatch-build made no $out/$MODNAME.ko"
}

# The guest prints its story between markers; checks make the demo's verdict.
guest_script() {
	cat <<GUEST
show() {
	echo "DEMO| \$1"
	grep -i '^vmallocchunk' /proc/meminfo | sed 's/^/DEMO|     /'
}
show "/proc/meminfo before the patch:"
check "stock kernel shows VmallocChunk" grep -q '^VmallocChunk:' /proc/meminfo
if command -v kpatch >/dev/null; then
	echo "DEMO| \\\$ kpatch load $MODNAME.ko"
	kpatch load /test/$MODNAME.ko 2>&1 | sed 's/^/DEMO|     /'
else
	echo "DEMO| (no kpatch utility in the guest: insmod)"
	insmod /test/$MODNAME.ko && klp_wait_transition ${MODNAME//-/_} 60
fi
show "/proc/meminfo after kpatch load:"
check "patched kernel shows VMALLOCCHUNK" grep -q '^VMALLOCCHUNK:' /proc/meminfo
check_not "patched kernel no longer shows VmallocChunk" grep -q '^VmallocChunk:' /proc/meminfo
if command -v kpatch >/dev/null; then
	echo "DEMO| \\\$ kpatch unload $MODNAME"
	kpatch unload $MODNAME 2>&1 | sed 's/^/DEMO|     /'
else
	echo 0 >/sys/kernel/livepatch/${MODNAME//-/_}/enabled
	klp_wait_transition ${MODNAME//-/_} 60 && wait_until 10 rmmod ${MODNAME//-/_}
fi
show "/proc/meminfo after kpatch unload:"
check "unpatched kernel shows VmallocChunk again" grep -q '^VmallocChunk:' /proc/meminfo
check_not "patch module is gone" grep -q '^${MODNAME//-/_} ' /proc/modules
GUEST
}

main() {
	local out release rc=0
	say "Checking the dependencies (scripts/deps.sh)"
	"$TOPDIR/scripts/deps.sh" || die "missing packages (see above)"
	build_tools
	out=$(mktemp -d "${TMPDIR:-/tmp}/kpatch-demo.XXXXXX")
	release=$("$TOPDIR/kpatch-build/kpatch-stock-kernel" --print-version) ||
		die "cannot tell the current Debian stock kernel"
	build_patch "$out" "$release"

	# shellcheck source=../test/integration/lib/vm.sh
	source "$TOPDIR/test/integration/lib/vm.sh"
	vm_init
	vm_add_file "$out/$MODNAME.ko" "$MODNAME.ko"
	say "Booting the stock kernel $release in QEMU"
	guest_script >"$out/guest.sh"
	vm_run --name "demo guest" <"$out/guest.sh" >"$out/results" || rc=$?
	tr -d '\r' <"$VM_GUEST_LOG" | sed -n 's/^DEMO| //p'
	say "Checks"
	sed 's/^/    /' "$out/results"
	if [[ $rc -ne 0 ]] || grep -q '^FAIL' "$out/results"; then
		rm -rf "$out"
		die "the demo failed (console log: $VM_CONSOLE_LOG)"
	fi
	rm -rf "$out"
	say "Done: the live patch changed the running kernel and was taken out again."
}

main "$@"
