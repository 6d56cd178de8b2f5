# shellcheck shell=bash
# kpatch-build: the target kernel: stock or custom, its compiler and the
# special-section entry sizes.
# Sourced by kpatch-build; uses its globals and messages (die, step, log).

# --- target kernel --------------------------------------------------------------

config_value() {
	local name=$1
	sed -n "s/^CONFIG_${name}=\"\{0,1\}\([^\"]*\)\"\{0,1\}\$/\1/p" "$CONFIG" | head -n 1
}

# Prints the release in the "Linux version" banner of a vmlinux.
vmlinux_release() {
	LC_ALL=C grep -a -o -m 1 'Linux version [^ ]* ' "$1" | awk '{ print $3; exit }'
}

setup_stock_target() {
	local stock prep
	stock=$(find_tool kpatch-stock-kernel)
	prep=$(find_tool kpatch-prepare-tree)
	RELEASE=$OPT_ARCHVERSION
	if [[ -z $RELEASE ]]; then
		RELEASE=$(uname -r)
		[[ $RELEASE =~ ^[0-9]+\.[0-9]+\.[0-9]+-[0-9]+-[a-z0-9-]+$ ]] ||
			die "the running kernel $RELEASE is not a Debian stock kernel: name one with -a (e.g. -a $("$stock" --print-version 2>/dev/null || echo 6.1.0-56-amd64)) or give a custom kernel with -s/-c/-v"
	fi
	step "Fetching the stock kernel $RELEASE (cached in $CACHE)"
	# The image, then the headers and the symbols (needed only once the
	# objects are built) are fetched in the background while the source is
	# fetched and the tree prepared (the fetcher's lock makes the foreground
	# wait for the image); in their own process group, so that an interrupt
	# stops all of it.
	if [[ ! -f $CACHE/$RELEASE/.done-dbg || ! -f $CACHE/$RELEASE/.done-headers ]]; then
		setsid "$stock" --cache "$CACHE" -r "$RELEASE" -c image,headers,dbg \
			>"$SCRATCH/dbg.out" 2>&1 &
		DBG_PID=$!
	fi
	KCACHE=$("$stock" --cache "$CACHE" -r "$RELEASE" -c source,image 2>>"$LOG") ||
		die "cannot fetch the stock kernel $RELEASE (kpatch-stock-kernel failed)"
	step_done "$(cat "$KCACHE/VERSION")"
	CONFIG=$KCACHE/boot/config
	VMLINUX=$KCACHE/vmlinux
	KBUILD_DIR=$KCACHE/build
	MODULE_SYMVERS=$KCACHE/build/Module.symvers
	MODULES_DIR=$KCACHE/modules
	SRCDIR=$KCACHE/source
	if [[ $BUILD_MODE == fast ]]; then
		step "Preparing the kernel tree"
		OBJROOT=$("$prep" --cache "$CACHE" -r "$RELEASE" -j "$OPT_JOBS" 2>>"$LOG") ||
			die "cannot prepare the kernel tree of $RELEASE (kpatch-prepare-tree failed)"
		step_done
	fi
}

setup_custom_target() {
	SRCDIR=$(readlink -f "$OPT_SRCDIR") || die "source directory '$OPT_SRCDIR' does not exist"
	[[ -f $SRCDIR/Makefile && -d $SRCDIR/kernel ]] || die "$OPT_SRCDIR is not a kernel source tree"
	CONFIG=${OPT_CONFIG:-$SRCDIR/.config}
	[[ -f $CONFIG ]] || die "kernel config '$CONFIG' does not exist (give it with -c)"
	CONFIG=$(readlink -f "$CONFIG")
	VMLINUX=${OPT_VMLINUX:-$SRCDIR/vmlinux}
	[[ -f $VMLINUX ]] || die "vmlinux '$VMLINUX' does not exist (give the target's with -v)"
	VMLINUX=$(readlink -f "$VMLINUX")
	readelf -S "$VMLINUX" 2>/dev/null | grep -q ' \.symtab ' ||
		die "$VMLINUX has no symbol table: give the unstripped vmlinux of the target"
	RELEASE=$(vmlinux_release "$VMLINUX")
	[[ -n $RELEASE ]] || die "no 'Linux version' banner in $VMLINUX: is it a vmlinux?"
	MODULE_SYMVERS=""
	local f
	for f in "$(dirname "$VMLINUX")/Module.symvers" "$SRCDIR/Module.symvers"; do
		if [[ -f $f ]]; then
			MODULE_SYMVERS=$f
			break
		fi
	done
	if [[ -z $MODULE_SYMVERS ]]; then
		[[ $(config_value MODVERSIONS) == y ]] &&
			die "the target has CONFIG_MODVERSIONS but no Module.symvers is next to $VMLINUX or in $SRCDIR"
		warn "no Module.symvers next to $VMLINUX or in $SRCDIR: every reference is resolved at load time"
		MODULE_SYMVERS=/dev/null
	fi
	MODULES_DIR=""
}

setup_target() {
	if [[ -n $OPT_SRCDIR ]]; then
		TARGET_KIND=custom
	else
		TARGET_KIND=stock
	fi
	choose_build_mode
	if [[ $TARGET_KIND == stock ]]; then
		setup_stock_target
	else
		setup_custom_target
	fi
	[[ $(config_value MODULES) == y ]] || die "the target kernel has no module support (CONFIG_MODULES)"
	if [[ $(config_value CC_IS_CLANG) == y ]]; then
		MAKEVARS+=(LLVM=1)
	fi
	FORMAT=$OPT_FORMAT
	if [[ -z $FORMAT ]]; then
		FORMAT=kpatch
		[[ $(config_value LIVEPATCH) == y ]] && FORMAT=livepatch
	fi
	if [[ $FORMAT == livepatch && $(config_value LIVEPATCH) != y ]]; then
		die "--format livepatch needs CONFIG_LIVEPATCH, which the target does not have"
	fi
	[[ $(config_value DYNAMIC_FTRACE_WITH_REGS) == y || $(config_value DYNAMIC_FTRACE_WITH_ARGS) == y ]] ||
		die "the target kernel cannot be live patched: it has no CONFIG_DYNAMIC_FTRACE_WITH_REGS"
	[[ $FORMAT == kpatch ]] && find_core_symvers
	return 0
}

# The kpatch format links against the exports of the core module kpatch.ko:
# KPATCH_CORE_SYMVERS, the source tree's kmod/core, or the installed core.
find_core_symvers() {
	local f
	for f in "${KPATCH_CORE_SYMVERS:-}" "$PATCH_TEMPLATE/../core/Module.symvers" \
		"$HERE/../lib/kpatch/$RELEASE/kpatch.ko"; do
		if [[ -n $f && -f $f ]]; then
			CORE_SYMVERS=$(readlink -f "$f")
			return 0
		fi
	done
	die "the kpatch format needs the core module kpatch.ko built for $RELEASE (make -C kmod KDIR=...), or KPATCH_CORE_SYMVERS naming its Module.symvers"
}

# Wait for the background fetch of the stock kernel's symbols.
wait_for_symbols() {
	[[ -n $DBG_PID ]] || return 0
	step "Fetching the stock kernel's headers and symbols (dbg vmlinux)"
	if ! wait "$DBG_PID"; then
		DBG_PID=""
		cat "$SCRATCH/dbg.out" >>"$LOG"
		die "cannot fetch the headers or symbols of $RELEASE: $(tail -n 1 "$SCRATCH/dbg.out")"
	fi
	DBG_PID=""
	cat "$SCRATCH/dbg.out" >>"$LOG"
	step_done
}

# Refuse when this machine's compiler is not the one that built the target.
check_compiler() {
	local cc=gcc want have
	[[ $(config_value CC_IS_CLANG) == y ]] && cc=clang
	want=$(comment_strings "$VMLINUX")
	printf 'int kpatch_probe;\n' >"$SCRATCH/cc-probe.c"
	"$cc" -c "$SCRATCH/cc-probe.c" -o "$SCRATCH/cc-probe.o" 2>>"$LOG" ||
		die "the compiler '$cc' that built the target is not installed here"
	have=$(comment_strings "$SCRATCH/cc-probe.o" | head -n 1)
	log "target compiler: $want; this machine: $have"
	grep -qxF -- "$have" <<<"$want" || compiler_mismatch "$(head -n 1 <<<"$want")" "$have" "$cc"
}

# The same check, early and from the config alone (its CC_VERSION_TEXT is
# the first line of `$CC --version` where the target was built), so that a
# wrong compiler is refused before anything is built.
check_compiler_early() {
	local cc=gcc want have
	want=$(config_value CC_VERSION_TEXT)
	[[ -n $want ]] || return 0
	[[ $(config_value CC_IS_CLANG) == y ]] && cc=clang
	have=$("$cc" --version 2>/dev/null | head -n 1) ||
		die "the compiler '$cc' that built the target is not installed here"
	log "target compiler (config): $want; this machine: $have"
	# Compared without the program name (Debian builds with gcc-12).
	[[ ${have#* } == "${want#* }" ]] || compiler_mismatch "$want" "$have" "$cc"
}

compiler_mismatch() {
	local want=$1 have=$2 cc=$3
	if [[ $OPT_SKIP_COMPILER_CHECK -eq 1 ]]; then
		warn "the target was built by '$want', this machine has '$have' (--skip-compiler-check)"
		return 0
	fi
	die "the target was built by '$want' but this machine's $cc is '$have': the objects would not match; install the same compiler or use --skip-compiler-check"
}

comment_strings() {
	readelf -p .comment "$1" 2>/dev/null | sed -n 's/^ *\[ *[0-9a-f]*\] *//p'
}

# The size of one entry of each special section, from the target's BTF or
# else by compiling a probe against its kbuild tree; cached per target.
struct_sizes() {
	local cachefile=$1 var size
	if [[ ! -s $cachefile || $cachefile -ot $VMLINUX ]]; then
		{ struct_sizes_from_btf || struct_sizes_from_headers; } >"$cachefile.tmp"
		mv "$cachefile.tmp" "$cachefile"
	fi
	log "special-section entry sizes: $(tr '\n' ' ' <"$cachefile")"
	while IFS='=' read -r var size; do
		[[ $var =~ ^[A-Z_]+_STRUCT_SIZE$ && $size =~ ^[0-9]+$ ]] || continue
		export "$var=$size"
	done <"$cachefile"
	[[ -n ${EX_STRUCT_SIZE:-} && -n ${ALT_STRUCT_SIZE:-} ]] ||
		die "cannot find the special-section entry sizes of the target (see the log)"
}

struct_sizes_from_btf() {
	local var st size
	local -a table=(
		PARA:paravirt_patch_site EX:exception_table_entry BUG:bug_entry
		ALT:alt_instr JUMP:jump_entry ORC:orc_entry
		STATIC_CALL:static_call_site PRINTK_INDEX:pi_entry
	)
	readelf -S "$VMLINUX" 2>/dev/null | grep -q ' \.BTF ' || return 1
	for var in "${table[@]}"; do
		st=${var#*:}
		size=$(pahole -F btf -C "$st" "$VMLINUX" 2>/dev/null |
			sed -n 's|^[[:space:]]*/\* size: \([0-9]*\),.*|\1|p' | tail -n 1)
		[[ -n $size ]] && echo "${var%%:*}_STRUCT_SIZE=$size"
	done
	return 0
}

# sizeof() of each entry type, compiled with the target's headers and config.
struct_sizes_from_headers() {
	local dir=$SCRATCH/sizes
	mkdir -p "$dir"
	echo 'obj-m := kpatch_sizes.o' >"$dir/Kbuild"
	cat >"$dir/kpatch_sizes.c" <<'EOF'
#include <linux/module.h>
#include <linux/bug.h>
#include <linux/jump_label.h>
#include <linux/static_call_types.h>
#include <linux/printk.h>
#include <asm/extable.h>
#include <asm/alternative.h>
#include <asm/orc_types.h>
#ifdef CONFIG_PARAVIRT
#include <asm/paravirt_types.h>
#endif
/* Each array's symbol size is the size of one entry. */
#define SIZE(var, type) char kpatch_size_##var[sizeof(type)];
SIZE(EX, struct exception_table_entry)
SIZE(ALT, struct alt_instr)
SIZE(ORC, struct orc_entry)
SIZE(STATIC_CALL, struct static_call_site)
#ifdef CONFIG_GENERIC_BUG
SIZE(BUG, struct bug_entry)
#endif
#ifdef CONFIG_JUMP_LABEL
SIZE(JUMP, struct jump_entry)
#endif
#ifdef CONFIG_PARAVIRT
SIZE(PARA, struct paravirt_patch_site)
#endif
#ifdef CONFIG_PRINTK_INDEX
SIZE(PRINTK_INDEX, struct pi_entry)
#endif
EOF
	run make -C "$KBUILD_DIR" M="$dir" "${MAKEVARS[@]}" kpatch_sizes.o ||
		die "cannot compile the struct size probe against $KBUILD_DIR"
	readelf -s --wide "$dir/kpatch_sizes.o" |
		awk '$8 ~ /^kpatch_size_/ { sub(/^kpatch_size_/, "", $8); print $8 "_STRUCT_SIZE=" $3 }'
}

struct_sizes_cache() {
	if [[ $TARGET_KIND == stock ]]; then
		echo "$KCACHE/struct-sizes"
	else
		mkdir -p "$CACHE/custom"
		echo "$CACHE/custom/struct-sizes-$(sha1sum <<<"$VMLINUX" | cut -c1-12)"
	fi
}
