#!/bin/bash
# VM harness for integration suites: boots the Debian stock kernel in QEMU
# with an initramfs made for the suite, runs a guest script in it and reports
# the guest's checks plus one check for the boot itself.  API in
# test/README.md; a suite sources this file and calls vm_init first.
#
# Guest I/O: ttyS0 is the kernel console (scanned for splats), ttyS1 carries
# only the guest script's output, so kernel messages can never split or forge
# a PASS/FAIL line.

# Variables set here are the API for the suites.
# shellcheck disable=SC2034
VM_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
VM_TOPDIR=$(cd "$VM_LIB_DIR/../../.." && pwd)
# shellcheck source=../../lib/result.sh
source "$VM_TOPDIR/test/lib/result.sh"

VM_TIMEOUT=${VM_TIMEOUT:-300}
# VM_KERNEL: an image to boot instead of the stock kernel (a suite's custom
# kernel; the guest keeps the stock modules dir).
VM_CACHE=${KPATCH_CACHE:-$HOME/.kpatch}
VM_LOGDIR=${VM_LOGDIR:-${TMPDIR:-/tmp}/kpatch-vm-logs}
VM_KVM_PROBE_TIMEOUT=${VM_KVM_PROBE_TIMEOUT:-20}

# Console lines that mean the kernel is unwell (extended regexps).
VM_SPLAT_PATTERNS=(
	'Oops'
	'BUG:'
	'kernel BUG at'
	'WARNING:'
	'Call Trace'
	'Kernel panic'
	'general protection fault'
	'Unable to handle'
	'INFO: task .* blocked'
	'possible circular locking'
	'possible recursive locking'
	'inconsistent lock state'
	'suspicious RCU usage'
	'lock held when returning to user space'
	'detected stalls? on CPUs?'
	'self-detected stall'
	'soft lockup'
	'hard LOCKUP'
	'UBSAN:'
	'double fault'
)

vm__die() {
	fail "${VM_SUITE:-vm}: harness" "$*"
	exit 1
}

vm__note() {
	echo "vm: $*"
}

# --- set-up -----------------------------------------------------------------

# vm_init: fetch (or reuse) the stock kernel, make the scratch dir and the base
# of the guest's root filesystem.
vm_init() {
	local script=${BASH_SOURCE[-1]} kc
	VM_SUITE=$(basename "$script" .t)
	VM_TESTDIR=$(cd "$(dirname "$script")" && pwd)/$VM_SUITE
	kc=$("$VM_TOPDIR/kpatch-build/kpatch-stock-kernel" --cache "$VM_CACHE" -c image,headers) ||
		vm__die "kpatch-build/kpatch-stock-kernel -c image,headers failed"
	VM_KCACHE=$kc
	VM_KREL=$(basename "$kc")
	VM_KDIR=$kc/build
	VM_SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/kpatch-vm.XXXXXX")
	trap vm__cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	# Logs of this run in their own dir: runs of the same suite from two
	# checkouts may overlap.  Dirs older than a day are pruned.
	mkdir -p "$VM_LOGDIR"
	find "$VM_LOGDIR" -mindepth 1 -maxdepth 1 -mmin +1440 -exec rm -rf {} + 2>/dev/null || true
	VM_RUN_LOGDIR=$(mktemp -d "$VM_LOGDIR/$VM_SUITE.$(date +%Y%m%d-%H%M%S).XXXX")
	VM_ROOT=$VM_SCRATCH/root
	VM_RUNS=0
	VM__DISKS=()
	VM__BUILDS=0
	vm__make_base_root
}

vm__cleanup() {
	[[ -n ${VM_SCRATCH:-} && -d $VM_SCRATCH ]] && rm -rf "$VM_SCRATCH"
	return 0
}

# Copy a host ELF binary and the shared libraries it needs into the guest.
vm_add_binary() {
	local src=${1:?vm_add_binary: missing binary} dest=${2:-} lib
	[[ -x $src ]] || vm__die "vm_add_binary: $src is not an executable"
	[[ -n $dest ]] || dest=/usr/bin/$(basename "$src")
	install -D -m 0755 "$src" "$VM_ROOT$dest"
	while read -r lib; do
		[[ -e $VM_ROOT$lib ]] && continue
		mkdir -p "$VM_ROOT$(dirname "$lib")"
		cp -L "$lib" "$VM_ROOT$lib"
	done < <(ldd "$src" 2>/dev/null | grep -oE '(^|[[:space:]])/[^[:space:]]+' | tr -d ' \t')
}

vm__make_base_root() {
	local r=$VM_ROOT tool
	mkdir -p "$r"/{usr/bin,usr/lib,usr/lib64,proc,sys,dev,tmp,run,etc,test,root,mnt}
	mkdir -p "$r/usr/lib/modules/$VM_KREL" "$r/usr/lib/kpatch" "$r/usr/lib/kpatch-test"
	ln -s usr/bin "$r/bin"
	ln -s usr/bin "$r/sbin"
	ln -s bin "$r/usr/sbin"
	ln -s usr/lib "$r/lib"
	ln -s usr/lib64 "$r/lib64"
	ln -s /proc/self/mounts "$r/etc/mtab"
	vm_add_binary /bin/bash /usr/bin/bash
	ln -s bash "$r/usr/bin/sh"
	vm_add_binary /bin/kmod /usr/bin/kmod
	for tool in insmod rmmod modprobe modinfo lsmod depmod; do
		ln -s kmod "$r/usr/bin/$tool"
	done
	install -m 0755 /bin/busybox "$r/usr/bin/busybox"
	# Links to /usr/bin/busybox; names already there (bash, kmod's) are kept.
	/bin/busybox --install -s "$r/usr/bin"
	cp "$VM_TOPDIR/test/lib/result.sh" "$VM_LIB_DIR/guest-lib.sh" "$r/usr/lib/kpatch-test/"
	install -m 0755 "$VM_LIB_DIR/guest-init" "$r/init"
	cp "$VM_KCACHE/modules/modules.builtin" "$VM_KCACHE/modules/modules.builtin.modinfo" \
		"$VM_KCACHE/modules/modules.order" "$r/usr/lib/modules/$VM_KREL/"
	vm__add_project_tools
}

# The project's own tools, when they are built.
vm__add_project_tools() {
	local ko=$VM_TOPDIR/kmod/core/kpatch.ko vermagic
	if [[ -x $VM_TOPDIR/kpatch/kpatch ]]; then
		install -m 0755 "$VM_TOPDIR/kpatch/kpatch" "$VM_ROOT/usr/sbin/kpatch"
	fi
	if [[ -f $ko ]]; then
		vermagic=$(modinfo -F vermagic "$ko" 2>/dev/null || true)
		if [[ $vermagic == "$VM_KREL "* ]]; then
			install -m 0644 "$ko" "$VM_ROOT/usr/lib/kpatch/kpatch.ko"
		else
			vm__note "kmod/core/kpatch.ko is built for '${vermagic%% *}', not $VM_KREL: not in the guest"
		fi
	fi
}

# vm_add_file SRC DEST: copy a host file (or directory) into the guest; a
# relative DEST is under /test.
vm_add_file() {
	local src=${1:?vm_add_file: missing SRC} dest=${2:?vm_add_file: missing DEST}
	[[ -e $src ]] || vm__die "vm_add_file: $src does not exist"
	[[ $dest == /* ]] || dest=/test/$dest
	mkdir -p "$VM_ROOT$(dirname "$dest")"
	cp -a "$src" "$VM_ROOT$dest"
}

# vm_build_module DIR...: build each external module dir against the stock
# headers (in a scratch copy) and put its .ko files in the guest's /test.
# Later dirs see the symbols of earlier ones (KBUILD_EXTRA_SYMBOLS).
vm_build_module() {
	local dir name build log ko found
	local -a extra=()
	[[ $# -gt 0 ]] || vm__die "vm_build_module: no module directory given"
	for dir in "$@"; do
		name=$(basename "$dir")
		if [[ ! -f $dir/Makefile && ! -f $dir/Kbuild ]]; then
			fail "build $name" "$dir has no Makefile or Kbuild"
			return 1
		fi
		VM__BUILDS=$((VM__BUILDS + 1))
		build=$VM_SCRATCH/build/$VM__BUILDS-$name
		mkdir -p "$build"
		cp -a "$dir/." "$build/"
		log=$build/.vm-build.log
		if ! make -C "$VM_KDIR" M="$build" -j2 KBUILD_EXTRA_SYMBOLS="${extra[*]}" \
			modules >"$log" 2>&1; then
			fail "build $name" "make modules against $VM_KREL headers failed: $(grep -m1 -E 'error|Error' "$log" || tail -n 1 "$log")"
			sed 's/^/build| /' "$log" | tail -n 30 >&2
			return 1
		fi
		found=0
		for ko in "$build"/*.ko; do
			[[ -f $ko ]] || continue
			cp "$ko" "$VM_ROOT/test/"
			found=1
		done
		if [[ $found -eq 0 ]]; then
			fail "build $name" "no .ko produced in $dir"
			return 1
		fi
		[[ -f $build/Module.symvers ]] && extra+=("$build/Module.symvers")
	done
	return 0
}

# A depmod'ed view of the stock modules (symlinks into the cache), made once
# per cache, so host modprobe can resolve names, aliases, deps and softdeps.
# Sets VM__STOCK_INDEX.
vm__stock_index() {
	local idx=$VM_KCACHE/.stock-index lockfd
	VM__STOCK_INDEX=$idx
	if [[ ! -f $idx/.done ]]; then
		exec {lockfd}>"$VM_KCACHE/.stock-index.lock"
		flock "$lockfd"
		if [[ ! -f $idx/.done ]]; then
			rm -rf "$idx"
			mkdir -p "$idx/lib/modules"
			cp -as "$VM_KCACHE/modules" "$idx/lib/modules/$VM_KREL"
			depmod -b "$idx" "$VM_KREL" ||
				vm__die "depmod of the stock modules in $idx failed"
			touch "$idx/.done"
		fi
		exec {lockfd}>&-
	fi
}

# vm_add_stock_module NAME...: put stock modules and everything they need
# (dependencies and soft dependencies) into the guest's /lib/modules, so
# `modprobe NAME` works there.  Names may be aliases; builtins are accepted.
vm_add_stock_module() {
	local idx name line path rel moddir
	vm__stock_index
	idx=$VM__STOCK_INDEX
	moddir=$idx/lib/modules/$VM_KREL
	for name in "$@"; do
		local -a lines=()
		mapfile -t lines < <(modprobe -d "$idx" -S "$VM_KREL" --show-depends "$name" 2>/dev/null)
		[[ ${#lines[@]} -gt 0 ]] ||
			vm__die "vm_add_stock_module: no module or alias '$name' in the stock kernel $VM_KREL"
		for line in "${lines[@]}"; do
			[[ $line == "insmod "* ]] || continue
			path=${line#insmod }
			path=${path%% *}
			rel=${path#"$moddir/"}
			[[ -e $VM_ROOT/usr/lib/modules/$VM_KREL/$rel ]] && continue
			mkdir -p "$VM_ROOT/usr/lib/modules/$VM_KREL/$(dirname "$rel")"
			cp -L "$path" "$VM_ROOT/usr/lib/modules/$VM_KREL/$rel"
		done
	done
	return 0
}

# vm_make_disk IMG SIZE_MB [DIR]: an ext4 image, prefilled with DIR's files.
vm_make_disk() {
	local img=${1:?vm_make_disk: missing IMG} size=${2:?vm_make_disk: missing SIZE_MB} dir=${3:-}
	local -a fill=()
	[[ -n $dir ]] && fill=(-d "$dir")
	rm -f "$img"
	truncate -s "${size}M" "$img"
	mkfs.ext4 -q -F -L kpatch-test "${fill[@]}" "$img" >/dev/null ||
		vm__die "vm_make_disk: mkfs.ext4 failed for $img"
}

# vm_add_disk IMG: attach a raw image as the next virtio disk (/dev/vda, ...).
vm_add_disk() {
	local img=${1:?vm_add_disk: missing IMG}
	[[ -f $img ]] || vm__die "vm_add_disk: $img does not exist"
	VM__DISKS+=("$(cd "$(dirname "$img")" && pwd)/$(basename "$img")")
	vm_add_stock_module virtio_pci virtio_blk ext4
}

# --- acceleration -------------------------------------------------------------

# Prints kvm or tcg.  KVM is used only if a tiny guest boots with it within
# VM_KVM_PROBE_TIMEOUT seconds; the answer is cached per host and kernel.
vm__accel() {
	local cachefile result
	if [[ -n ${VM_ACCEL:-} ]]; then
		echo "$VM_ACCEL"
		return 0
	fi
	if [[ ! -w /dev/kvm ]]; then
		echo tcg
		return 0
	fi
	cachefile=$VM_CACHE/.vm-accel-$(hostname)-$(uname -r)
	mkdir -p "$VM_CACHE"
	exec {lockfd}>"$cachefile.lock"
	flock "$lockfd"
	if [[ ! -s $cachefile ]]; then
		result=tcg
		vm__kvm_probe && result=kvm
		echo "$result" >"$cachefile"
	fi
	exec {lockfd}>&-
	cat "$cachefile"
}

vm__kvm_probe() {
	local dir rc=0
	dir=$(mktemp -d "${TMPDIR:-/tmp}/kpatch-kvm-probe.XXXXXX")
	mkdir -p "$dir/root/bin"
	cp /bin/busybox "$dir/root/bin/busybox"
	printf '#!/bin/busybox sh\n/bin/busybox echo KPATCH-KVM-PROBE-OK\n/bin/busybox poweroff -f\n' >"$dir/root/init"
	chmod +x "$dir/root/init"
	(cd "$dir/root" && find . | cpio -o -H newc --quiet) >"$dir/initrd"
	timeout -s KILL "$VM_KVM_PROBE_TIMEOUT" qemu-system-x86_64 -accel kvm -cpu host -m 256 \
		-nodefaults -display none -no-reboot -serial "file:$dir/console" \
		-kernel "$VM_KCACHE/boot/vmlinuz" -initrd "$dir/initrd" \
		-append "console=ttyS0 panic=-1 quiet" >/dev/null 2>&1 || rc=$?
	grep -q KPATCH-KVM-PROBE-OK "$dir/console" 2>/dev/null || rc=1
	rm -rf "$dir"
	[[ $rc -eq 0 ]]
}

# --- running ------------------------------------------------------------------

# Prints the console lines matching a splat pattern (at most 5).
vm_console_splats() {
	local log=${1:?vm_console_splats: missing LOG} re
	re=$(IFS='|'; echo "${VM_SPLAT_PATTERNS[*]}")
	{ grep -aE "$re" "$log" 2>/dev/null || true; } | head -n 5
}

vm__make_initrd() {
	local out=$1
	if ! depmod -b "$VM_ROOT" "$VM_KREL" 2>"$VM_SCRATCH/depmod.err"; then
		vm__die "depmod -b for the guest failed: $(tail -n 1 "$VM_SCRATCH/depmod.err")"
	fi
	# Uncompressed: gunzip in the TCG guest costs more (1.5 s) than the copy.
	(cd "$VM_ROOT" && find . -print0 | LC_ALL=C sort -z |
		cpio -o -0 -H newc -R 0:0 --quiet) >"$out"
}

# vm_run [--name NAME] [--expect-splat[=REGEX]] [--append ARGS] < guest-script
# Boots once, runs the script, reports the guest's checks and the boot check.
# Returns 0 if the boot check passed.  Afterwards VM_CONSOLE_LOG and
# VM_GUEST_LOG name the logs and VM_GUEST_STATUS holds the script's status.
vm_run() {
	local name="" expect_splat="" append=${VM_APPEND:-} arg
	while [[ $# -gt 0 ]]; do
		arg=$1
		case $arg in
		--name) name=${2:?}; shift ;;
		--expect-splat) expect_splat=. ;;
		--expect-splat=*) expect_splat=${arg#--expect-splat=} ;;
		--append) append="$append ${2:?}"; shift ;;
		*) vm__die "vm_run: unknown argument '$arg'" ;;
		esac
		shift
	done
	[[ -n ${VM_ROOT:-} ]] || vm__die "vm_run: call vm_init first"
	VM_RUNS=$((VM_RUNS + 1))
	if [[ -z $name ]]; then
		name=boot
		[[ $VM_RUNS -gt 1 ]] && name="boot $VM_RUNS"
	fi

	local run=$VM_SCRATCH/run-$VM_RUNS token accel t0 rc=0
	mkdir -p "$run"
	token=KPATCH-VM-$RANDOM$RANDOM$RANDOM
	cat >"$VM_ROOT/etc/kpatch-vm-guest.sh"
	printf 'VM_TOKEN=%s\nVM_DISKS=%s\n' "$token" "${#VM__DISKS[@]}" >"$VM_ROOT/etc/kpatch-vm.conf"
	vm__make_initrd "$run/initrd.cpio"

	VM_CONSOLE_LOG=$VM_RUN_LOGDIR/${name//[^A-Za-z0-9_.-]/_}.console.log
	VM_GUEST_LOG=${VM_CONSOLE_LOG%.console.log}.guest.log
	rm -f "$VM_CONSOLE_LOG" "$VM_GUEST_LOG"

	local -a qemu=(qemu-system-x86_64 -smp 2 -m 1024 -nodefaults -display none -no-reboot
		-serial "file:$VM_CONSOLE_LOG" -serial "file:$VM_GUEST_LOG"
		-kernel "${VM_KERNEL:-$VM_KCACHE/boot/vmlinuz}" -initrd "$run/initrd.cpio"
		-append "console=ttyS0 panic=-1 loglevel=7 $append")
	accel=$(vm__accel)
	if [[ $accel == kvm ]]; then
		qemu+=(-accel kvm -cpu host)
	else
		qemu+=(-accel tcg -cpu max)
	fi
	local disk
	for disk in "${VM__DISKS[@]}"; do
		qemu+=(-drive "file=$disk,format=raw,if=virtio")
	done

	t0=$(date +%s.%N)
	timeout -k 5 "$VM_TIMEOUT" "${qemu[@]}" </dev/null >"$run/qemu.out" 2>&1 || rc=$?
	vm__report "$name" "$token" "$rc" "$expect_splat" "$run" "$(vm__since "$t0")" "$accel"
}

vm__since() {
	echo "$1 $(date +%s.%N)" | awk '{ printf "%.1f", $2 - $1 }'
}

# Reports the guest's results and the boot check; returns the boot's verdict.
vm__report() {
	local name=$1 token=$2 rc=$3 expect_splat=$4 run=$5 took=$6 accel=$7
	local guest=$run/guest.txt line splats reason="" status=""
	tr -d '\r' <"$VM_GUEST_LOG" >"$guest" 2>/dev/null || : >"$guest"
	while IFS= read -r line; do
		case $line in
		"PASS "* | "FAIL "*) echo "$line" ;;
		esac
	done < <(sed -n "/^$token BEGIN\$/,/^$token END /p" "$guest")
	status=$(sed -n "s/^$token END status=\([0-9]*\)\$/\1/p" "$guest" | tail -n 1)
	VM_GUEST_STATUS=${status:-}
	splats=$(vm_console_splats "$VM_CONSOLE_LOG")

	if [[ $rc -eq 124 || $rc -eq 137 ]]; then
		reason="timed out after ${VM_TIMEOUT}s"
	elif ! grep -q "^$token BEGIN\$" "$guest"; then
		reason="the guest script never started (qemu exited $rc: $(tail -n 1 "$run/qemu.out"))"
	elif [[ -z $status ]]; then
		reason="no end marker from the guest (qemu exited $rc)"
	elif [[ -z $expect_splat && $status -ne 0 ]]; then
		reason="guest script exited $status"
	fi
	if [[ -n $expect_splat ]]; then
		if [[ -z $splats ]]; then
			reason="${reason:+$reason; }no splat on the console, but one was expected"
		elif ! grep -qE -- "$expect_splat" <<<"$splats"; then
			reason="${reason:+$reason; }splat does not match '$expect_splat': $(head -n 1 <<<"$splats")"
		fi
	elif [[ -n $splats ]]; then
		reason="${reason:+$reason; }kernel splat on the console: $(head -n 1 <<<"$splats" | sed 's/^\[[ 0-9.]*\] //')"
	fi

	vm__note "$name: $accel, ${took}s, guest status ${status:-none}"
	if [[ -z $reason ]]; then
		pass "$name${expect_splat:+ (splat detected as expected)}"
		return 0
	fi
	fail "$name" "$reason (console log: $VM_CONSOLE_LOG)"
	{
		echo "---- last 60 lines of $VM_CONSOLE_LOG"
		tr -d '\r' <"$VM_CONSOLE_LOG" | tail -n 60
		echo "---- last 30 lines of the guest script's output ($VM_GUEST_LOG)"
		tail -n 30 "$guest"
		echo "----"
	} >&2
	return 1
}
