#!/bin/bash
# The kpatch utility on the host, where nothing may be loaded: install,
# uninstall, list, info (patched functions read from the module file's
# .kpatch.funcs), refusals, usage errors, not-root, and list on a sysfs
# tree with the livepatch stack_order attribute (kernels after 6.1; built
# here as a directory tree, since the test kernel does not have it).
# Only commands that cannot reach insmod/rmmod are run.
set -euo pipefail
TOP=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=../lib/result.sh
source "$TOP/test/lib/result.sh"

SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/kpatch-util-host.XXXXXX")
# kpatch's output goes to a log, shown when a check failed.
finish() {
	if ((RESULT_FAILURES > 0)) && [[ -f $SCRATCH/kpatch.log ]]; then
		tail -n 60 "$SCRATCH/kpatch.log" >&2
	fi
	rm -rf "$SCRATCH"
}
trap finish EXIT
K=$TOP/kpatch/kpatch
MODSRC=$TOP/test/integration/tests/util-load/modules

export KPATCH_INSTALL_DIR=$SCRATCH/installed
export KPATCH_SYSFS=$SCRATCH/sysfs
mkdir -p "$KPATCH_SYSFS"

OUT=$SCRATCH/out
# kp ARGS...: run kpatch, output in $OUT, status in $OUT.rc.
kp() {
	local rc=0
	"$K" "$@" >"$OUT" 2>&1 || rc=$?
	echo "$rc" >"$OUT.rc"
	sed "s|^|[kpatch $*] |" "$OUT" >>"$SCRATCH/kpatch.log"
}
said() { grep -q -- "$1" "$OUT"; }
status_was() { [[ $(cat "$OUT.rc") == "$1" ]]; }
failed_saying() { ! status_was 0 && ! status_was 2 && said "$1"; }
tree() { find "$KPATCH_INSTALL_DIR" 2>/dev/null | sort; }

# --- modules built against the stock headers (never loaded here)
if ! kcache=$("$TOP/kpatch-build/kpatch-stock-kernel" -c headers 2>"$SCRATCH/fetch.err"); then
	fail "setup: stock kernel headers" "kpatch-build/kpatch-stock-kernel -c headers failed: $(tail -n 1 "$SCRATCH/fetch.err")"
	exit 1
fi
KREL=$(basename "$kcache")
build() {
	local name=$1 dir=$SCRATCH/build/$1
	mkdir -p "$dir"
	cp -a "$MODSRC/$name/." "$dir/"
	if ! make -C "$kcache/build" M="$dir" modules >"$dir/build.log" 2>&1; then
		fail "setup: build $name" "$(grep -m1 -i error "$dir/build.log" || tail -n 1 "$dir/build.log")"
		exit 1
	fi
	cp "$dir/$name.ko" "$SCRATCH/$name.ko"
}
build livepatch-util-cmdline
build livepatch-util-version
build util-target
LP=$SCRATCH/livepatch-util-cmdline.ko
LP2=$SCRATCH/livepatch-util-version.ko
NOTPATCH=$SCRATCH/util-target.ko
HOSTREL=$(uname -r)

# --- usage
kp
check "no command: exit 2" status_was 2
kp frobnicate
check "unknown command: exit 2, says so" sh -c "grep -qx 2 $OUT.rc && grep -q \"unknown command 'frobnicate'\" $OUT"
kp install
check "install without MODULE: exit 2" status_was 2
kp install -k
check "install -k without a release: exit 2" status_was 2
kp install -k '../../etc' "$LP"
check "install -k with a path as release: exit 2" status_was 2
kp unload --timeout abc x
check "unload --timeout abc: exit 2" status_was 2
kp load one two
check "load with two modules: exit 2" status_was 2
kp list extra
check "list with an argument: exit 2" status_was 2
kp version
check "version" said '^kpatch [0-9][0-9.]*$'
KPATCH_TIMEOUT=-3 "$K" list >"$OUT" 2>&1 && echo 0 >"$OUT.rc" || echo $? >"$OUT.rc"
check "an invalid KPATCH_TIMEOUT is refused" sh -c "grep -qx 2 $OUT.rc && grep -q \"invalid time-out '-3'\" $OUT"

# --- not root: refused before anything
if command -v setpriv >/dev/null && setpriv --reuid=65534 --regid=65534 --clear-groups true 2>/dev/null; then
	chmod -R a+rX "$SCRATCH"
	for c in "load $LP" "unload x" "install -k $KREL $LP" "uninstall -k $KREL x" "signal"; do
		# shellcheck disable=SC2086
		setpriv --reuid=65534 --regid=65534 --clear-groups env KPATCH_INSTALL_DIR="$KPATCH_INSTALL_DIR" \
			"$K" $c >"$OUT" 2>&1 && echo 0 >"$OUT.rc" || echo $? >"$OUT.rc"
		check "not root: '${c%% *}' refused, says so" failed_saying "must be run as root"
	done
	check "not root: nothing installed" test ! -e "$KPATCH_INSTALL_DIR"
else
	fail "not root" "setpriv cannot switch to uid 65534 here"
fi

# --- refusals change nothing
kp install -k "$KREL" "$NOTPATCH"
check "install of a module that is not a patch: refused, names it" failed_saying "util-target.ko is not a patch module"
kp install -k "$KREL" "$SCRATCH/missing.ko"
check "install of a missing file: refused" failed_saying "missing.ko: no such file"
printf 'not an ELF file\n' >"$SCRATCH/garbage.ko"
kp install -k "$KREL" "$SCRATCH/garbage.ko"
check "install of a file that is not a module: refused" failed_saying "garbage.ko is not a kernel module"
head -c 3000 "$LP" >"$SCRATCH/truncated.ko"
kp install -k "$KREL" "$SCRATCH/truncated.ko"
check "install of a truncated module: refused" failed_saying "truncated.ko is not a kernel module"
kp install "$LP"
check "install for the running kernel of a module built for another: refused, says how" \
	failed_saying "built for kernel $KREL, not for $HOSTREL (to install it for that kernel: kpatch install -k $KREL"
kp install -k 6.0.0-other "$LP"
check "install -k for a release the module was not built for: refused" failed_saying "built for kernel $KREL, not for 6.0.0-other"
check "the refusals left no install directory" test ! -e "$KPATCH_INSTALL_DIR"

# --- install / list / info / uninstall
kp install -k "$KREL" "$LP"
check "install -k: exit 0, says where" sh -c "grep -qx 0 $OUT.rc && grep -q 'installed $KPATCH_INSTALL_DIR/$KREL/livepatch-util-cmdline.ko' $OUT"
check "install copied the file" cmp "$LP" "$KPATCH_INSTALL_DIR/$KREL/livepatch-util-cmdline.ko"
check "installed file is 0644" test "$(stat -c %a "$KPATCH_INSTALL_DIR/$KREL/livepatch-util-cmdline.ko")" = 644
check_not "no temporary file left" sh -c "ls -A $KPATCH_INSTALL_DIR/$KREL | grep -q '^\.'"
before=$(tree)
kp install --kernel-version="$KREL" "$LP"
check "install again: exit 0, already installed" sh -c "grep -qx 0 $OUT.rc && grep -q 'already installed' $OUT"
check "install again changed nothing" test "$(tree)" = "$before"
cp "$LP" "$SCRATCH/livepatch-other-name.ko"
kp install -k "$KREL" "$SCRATCH/livepatch-other-name.ko"
check "install of the same module under another file name: refused" \
	failed_saying "module livepatch_util_cmdline is already installed for kernel $KREL as"
check "that refusal changed nothing" test "$(tree)" = "$before"
mkdir -p "$SCRATCH/newer"
{ cat "$LP"; printf 'newer build'; } >"$SCRATCH/newer/livepatch-util-cmdline.ko"
kp install -k "$KREL" "$SCRATCH/newer/livepatch-util-cmdline.ko"
check "install of a new build of an installed file replaces it" sh -c "grep -qx 0 $OUT.rc && grep -q '^replaced ' $OUT"
check "the new build is installed" cmp "$SCRATCH/newer/livepatch-util-cmdline.ko" "$KPATCH_INSTALL_DIR/$KREL/livepatch-util-cmdline.ko"
kp install -k "$KREL" "$LP2"
kp list
check "list: no loaded patch" sh -c "sed -n 2p $OUT | grep -qx '(none)'"
check "list: installed modules with their kernel" \
	sh -c "grep -qx 'livepatch_util_cmdline ($KREL)' $OUT && grep -qx 'livepatch_util_version ($KREL)' $OUT"

kp info "$LP"
check "info FILE: name, format, kernel" \
	sh -c "grep -q '^name: *livepatch_util_cmdline$' $OUT && grep -q '^format: *livepatch$' $OUT && grep -q '^kernel: *$KREL$' $OUT"
check "info FILE: not loaded, installed for $KREL" \
	sh -c "grep -q '^state: *not loaded$' $OUT && grep -q '^installed: *$KREL$' $OUT"
check "info FILE: patched functions from .kpatch.funcs" sh -c "sed -n '/^patched functions:/,/^modinfo:/p' $OUT | grep -qx '  vmlinux: cmdline_proc_show'"
check "info FILE: the modinfo fields" said '^  vermagic: *'"$KREL"
kp info "$LP2"
check "info of a module without .kpatch.funcs says so" said 'not recorded in the module file'
kp info "$NOTPATCH"
check "info of a module that is not a patch: refused" failed_saying "is not a patch module"
kp info no-such-patch
check "info of an unknown name: refused" failed_saying "no-such-patch: no such file"

# A generated module, when kpatch-build can make one: its .kpatch.funcs.
if [[ -x $TOP/kpatch-build/kpatch-build && -f $TOP/doc/examples/meminfo-string.patch ]]; then
	if (cd "$SCRATCH" && "$TOP/kpatch-build/kpatch-build" -a "$KREL" -t vmlinux -n livepatch-util-meminfo \
		"$TOP/doc/examples/meminfo-string.patch") >"$SCRATCH/kpatch-build.out" 2>&1; then
		kp info "$SCRATCH/livepatch-util-meminfo.ko"
		check "info of a kpatch-build module lists its functions from the file" \
			sh -c "sed -n '/^patched functions:/,/^modinfo:/p' $OUT | grep -qx '  vmlinux: meminfo_proc_show'"
	else
		fail "info of a kpatch-build module" "kpatch-build failed: $(grep -m1 error "$SCRATCH/kpatch-build.out" || tail -n 1 "$SCRATCH/kpatch-build.out")"
	fi
else
	fail "info of a kpatch-build module" "kpatch-build/kpatch-build or doc/examples/meminfo-string.patch is missing"
fi

kp uninstall -k "$KREL" livepatch_util_version
check "uninstall by module name" sh -c "grep -qx 0 $OUT.rc && test ! -e $KPATCH_INSTALL_DIR/$KREL/livepatch-util-version.ko"
kp uninstall -k "$KREL" livepatch_util_version
check "uninstall again: exit 0, not installed" sh -c "grep -qx 0 $OUT.rc && grep -q 'is not installed for kernel $KREL' $OUT"
# $SCRATCH (the current directory here) has a livepatch-util-cmdline.ko too.
(cd "$SCRATCH" && "$K" uninstall -k "$KREL" livepatch-util-cmdline.ko) >"$OUT" 2>&1 &&
	echo 0 >"$OUT.rc" || echo $? >"$OUT.rc"
check "uninstall by file name removes the installed file, not one in the current directory" \
	sh -c "grep -qx 0 $OUT.rc && test ! -e $KPATCH_INSTALL_DIR/$KREL/livepatch-util-cmdline.ko && test -f $SCRATCH/livepatch-util-cmdline.ko"
check "the empty kernel directory is removed" test ! -e "$KPATCH_INSTALL_DIR/$KREL"

# --- list and info on a sysfs with stack_order (a directory tree)
mkpatch() {
	local name=$1 order=$2 fn
	shift 2
	mkdir -p "$KPATCH_SYSFS/kernel/livepatch/$name/vmlinux" "$KPATCH_SYSFS/module/$name"
	echo 1 >"$KPATCH_SYSFS/kernel/livepatch/$name/enabled"
	echo 0 >"$KPATCH_SYSFS/kernel/livepatch/$name/transition"
	echo "$order" >"$KPATCH_SYSFS/kernel/livepatch/$name/stack_order"
	echo 1 >"$KPATCH_SYSFS/kernel/livepatch/$name/vmlinux/patched"
	for fn in "$@"; do
		mkdir -p "$KPATCH_SYSFS/kernel/livepatch/$name/vmlinux/$fn"
	done
	echo live >"$KPATCH_SYSFS/module/$name/initstate"
	echo K >"$KPATCH_SYSFS/module/$name/taint"
}
mkpatch lp_first 1 "cmdline_proc_show,1" "meminfo_proc_show,1"
mkpatch lp_second 2 "cmdline_proc_show,1"
mkpatch lp_third 3 "version_proc_show,1" "cmp_range,2"
echo 1 >"$KPATCH_SYSFS/kernel/livepatch/lp_third/transition"
kp list
check "list (stack_order): loaded patches and their state" sh -c "
	grep -qx 'lp_first \[enabled\]' $OUT && grep -qx 'lp_second \[enabled\]' $OUT &&
	grep -qx 'lp_third \[enabled, in transition\]' $OUT"
check "list (stack_order): the highest stack_order owns a function" \
	said '^vmlinux: cmdline_proc_show -> lp_second (stack_order 2; also patched by: lp_first)$'
check "list (stack_order): a function patched once" said '^vmlinux: meminfo_proc_show -> lp_first (stack_order 1)$'
check "list (stack_order): a non-unique symbol keeps its position" said '^vmlinux: cmp_range,2 -> lp_third (stack_order 3)$'
kp info lp_second
check "info of a loaded patch without file: functions from sysfs" sh -c "
	grep -q '^file: *(none: loaded' $OUT && grep -q '^state: *loaded, enabled$' $OUT &&
	grep -qx '  vmlinux: cmdline_proc_show' $OUT"
rm -rf "$KPATCH_SYSFS/kernel/livepatch/lp_first"
kp list
check "list: a livepatch module whose patch is gone shows as a leftover" \
	said '^lp_first \[not active (replaced or disabled), module still loaded\]$'
rm -f "$KPATCH_SYSFS"/kernel/livepatch/*/stack_order
kp list
check_not "list without stack_order prints no ownership" said ' -> '
