#!/bin/bash
# create-klp-module / create-kpatch-module on bad input: exit status 1, an
# error naming the file and the section (or field) at fault, and no output
# file.  Inputs are built from test/unit/gen/fixture.S (a hand-made
# create-diff-object output), each variant breaking one thing, linked by
# kbuild against the stock headers (build-patch-module -L).
set -euo pipefail
TOP=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=../lib/result.sh
source "$TOP/test/lib/result.sh"

KLP=$TOP/kpatch-build/create-klp-module
KPM=$TOP/kpatch-build/create-kpatch-module
FIXTURE=$TOP/test/unit/gen/fixture.S

WORK=$(mktemp -d "${TMPDIR:-/tmp}/gen-errors.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

setup() {
	local kcache
	if [[ ! -x $KLP || ! -x $KPM ]]; then
		fail "setup" "generators not built (make -C kpatch-build)"
		exit 0
	fi
	if ! kcache=$("$TOP/kpatch-build/kpatch-stock-kernel" -c headers 2>"$WORK/kernel.err"); then
		fail "setup" "no stock kernel headers: $(tail -n 1 "$WORK/kernel.err")"
		exit 0
	fi
	KDIR=$kcache/build
}

# link_variants FORMAT NAME[:DEFINE]...: each fixture variant (assembled
# with -DDEFINE) linked by kbuild with the FORMAT hook, as $WORK/NAME.ko, not
# processed.  One kbuild run for all (build-patch-module -L does one module
# per run; its own tests are in gen-layout.t).
link_variants() {
	local format=$1 dir=$WORK/kbuild-$1 spec name define
	local -a extra=()
	shift
	if [[ $format == kpatch ]]; then
		extra=(KBUILD_EXTRA_SYMBOLS="$TOP/kmod/core/Module.symvers")
		[[ -f ${extra[0]#*=} ]] || {
			echo "error: kmod/core/kpatch.ko is not built" >"$WORK/kbuild-$format.log"
			return 1
		}
	fi
	mkdir -p "$dir"
	cp -L "$TOP/kmod/patch/"*.h "$dir/"
	echo "ccflags-y += -DKPATCH_REPLACE=1" >"$dir/Kbuild"
	[[ $format == kpatch ]] && echo "ccflags-y += -D__KPATCH_MODULE__" >>"$dir/Kbuild"
	for spec in "$@"; do
		name=${spec%%:*} define=${spec#*:}
		[[ $define == "$spec" ]] && define=NONE
		gcc -c "-D$define" -o "$dir/$name-out.o" "$FIXTURE" || return 1
		: >"$dir/.$name-out.o.cmd"
		cp "$TOP/kmod/patch/$format-patch-hook.c" "$dir/$name-hook.c"
		printf 'obj-m += %s.o\n%s-y := %s-hook.o %s-out.o\n' \
			"$name" "$name" "$name" "$name" >>"$dir/Kbuild"
	done
	make -C "$KDIR" M="$dir" "${extra[@]}" modules \
		>"$WORK/kbuild-$format.log" 2>&1 || return 1
	for spec in "$@"; do
		cp "$dir/${spec%%:*}.ko" "$WORK/"
	done
}

# refuses CHECK TOOL INPUT ERE: TOOL exits 1 on INPUT, stderr matches ERE
# (and names the input file), no output file is left.
refuses() {
	local name=$1 tool=$2 input=$3 ere=$4 out=$WORK/out.ko status=0 err
	rm -f "$out"
	"$tool" "$input" "$out" 2>"$WORK/err" >/dev/null || status=$?
	err=$(head -n 3 "$WORK/err")
	if [[ $status -ne 1 ]]; then
		fail "$name" "exit status $status, expected 1 (stderr: $err)"
	elif ! grep -qE -- "$ere" "$WORK/err"; then
		fail "$name" "stderr does not match /$ere/: $err"
	elif ! grep -qF -- "$input" "$WORK/err"; then
		fail "$name" "stderr does not name $input: $err"
	elif [[ -e $out ]] || compgen -G "$out.tmp*" >/dev/null; then
		fail "$name" "an output file was left behind"
	else
		pass "$name"
	fi
}

setup
KLP_NAME=$(basename "$KLP")

if link_variants livepatch good no_symbols:NO_SYMBOLS \
	no_name_reloc:NO_NAME_RELOC bad_objname:BAD_OBJNAME \
	short_funcs:SHORT_FUNCS bad_type:BAD_TYPE nonzero_dest:NONZERO_DEST \
	two_callbacks:TWO_CALLBACKS force:FORCE; then
	pass "fixture variants link with the livepatch hook"
else
	fail "fixture variants link with the livepatch hook" "$(grep -m1 -i error "$WORK/kbuild-livepatch.log")"
	exit 0
fi
if link_variants kpatch good_kp no_strings_kp:NO_STRINGS \
	bad_type_kp:BAD_TYPE; then
	pass "fixture variants link with the kpatch hook"
else
	fail "fixture variants link with the kpatch hook" "$(grep -m1 -i error "$WORK/kbuild-kpatch.log")"
fi

# Not a module at all.
echo "not an object" >"$WORK/text.ko"
refuses "text file is refused" "$KLP" "$WORK/text.ko" "$KLP_NAME: ERROR: .*not an ELF"
refuses "missing input is refused" "$KLP" "$WORK/none.ko" "cannot open"
head -c 3000 "$WORK/good.ko" >"$WORK/truncated.ko"
refuses "truncated module is refused (livepatch)" "$KLP" "$WORK/truncated.ko" \
	"ERROR: .*truncated.ko: (section|.*contents|ELF header)"
refuses "truncated module is refused (kpatch)" "$KPM" "$WORK/truncated.ko" \
	"ERROR: .*truncated.ko: (section|.*contents|ELF header)"
gcc -c -o "$WORK/plain.o" "$FIXTURE"
refuses "object that is not a linked module is refused" "$KLP" "$WORK/plain.o" \
	"\.gnu\.linkonce\.this_module: missing section"

# Missing sections.
if objcopy -R .kpatch.funcs -R .rela.kpatch.funcs "$WORK/good.ko" \
	"$WORK/nofuncs.ko"; then
	refuses "missing .kpatch.funcs is named" "$KLP" "$WORK/nofuncs.ko" \
		"\.kpatch\.funcs: missing section"
else
	fail "missing .kpatch.funcs is named" "objcopy failed"
fi
if objcopy -R .rela.kpatch.relocations "$WORK/good.ko" "$WORK/norela.ko"; then
	refuses "missing .rela.kpatch.relocations is named" "$KLP" \
		"$WORK/norela.ko" \
		"ERROR: .*\.kpatch\.relocations: has no relocation section"
else
	fail "missing .rela.kpatch.relocations is named" "objcopy failed"
fi

# Wrong format or already processed.
refuses "livepatch-hook module is refused by create-kpatch-module" "$KPM" \
	"$WORK/good.ko" "\.modinfo: livepatch=Y.*create-klp-module"
if "$KLP" "$WORK/good.ko" "$WORK/done.ko" 2>"$WORK/err"; then
	pass "good module is processed"
	refuses "processed module is refused" "$KLP" "$WORK/done.ko" \
		"already processed"
else
	fail "good module is processed" "$(head -n 1 "$WORK/err")"
fi

# Broken entries.
variant() {
	local check=$1 tool=$2 name=$3 ere=$4
	if [[ -f $WORK/$name.ko ]]; then
		refuses "$check" "$tool" "$WORK/$name.ko" "$ere"
	else
		fail "$check" "variant $name did not link"
	fi
}
variant "missing .kpatch.symbols is named" "$KLP" no_symbols \
	"\.kpatch\.symbols: missing section \(needed by \.kpatch\.relocations\)"
variant "missing .kpatch.strings is named (kpatch)" "$KPM" no_strings_kp \
	"\.kpatch\.strings: missing section"
variant "entry without relocation is named" "$KLP" no_name_reloc \
	"\.kpatch\.funcs: entry 0: field name has no relocation"
variant "bad object name is named" "$KLP" bad_objname \
	"\.kpatch\.funcs: cmdline_proc_show: entry 0: field objname: \"vm-linux\" is not a valid object"
variant "short table is named" "$KLP" short_funcs \
	"\.kpatch\.funcs: size 64 is not a multiple of the entry size 56"
variant "unsupported relocation type is named" "$KLP" bad_type \
	"\.kpatch\.relocations: saved_command_line: entry 0: relocation type 24 is not supported"
variant "unsupported relocation type is named (kpatch)" "$KPM" bad_type_kp \
	"\.kpatch\.relocations: saved_command_line: entry 0: relocation type 24 is not supported"
variant "non-zero relocation target is named" "$KLP" nonzero_dest \
	"\.kpatch\.relocations: saved_command_line: entry 0: location cmdline_proc_show\+0x13 is not zero"
variant "two callbacks of one kind are refused" "$KLP" two_callbacks \
	"\.kpatch\.callbacks\.post_patch: .*both callbacks for vmlinux"
variant "KPATCH_FORCE_UNSAFE is refused by the livepatch format" "$KLP" force \
	"\.kpatch\.force: KPATCH_FORCE_UNSAFE\(cmdline_proc_show\+0x0\) is not supported by the livepatch format"
check "the good kpatch-format variant is processed" "$KPM" "$WORK/good_kp.ko" "$WORK/good_kp.out.ko"

# Output problems: nothing half-written, an old output is not left stale.
mkdir -p "$WORK/ro" && chmod 555 "$WORK/ro"
if [[ $(id -u) -ne 0 ]]; then
	status=0
	"$KLP" "$WORK/good.ko" "$WORK/ro/out.ko" 2>"$WORK/err" || status=$?
	check "unwritable output directory is an error" test "$status" -eq 1
fi
echo stale >"$WORK/out.ko"
status=0
"$KLP" "$WORK/text.ko" "$WORK/out.ko" 2>/dev/null || status=$?
check_not "a failed run removes an old output file" test -e "$WORK/out.ko"
check "usage error exits 1" sh -c "! \"$KLP\" 2>/dev/null"

# Corrupted metadata, symbols or section headers: an error (1) or an output
# (0), never a crash.  Fixed seed, bytes flipped in the sections that matter.
corrupt_never_crashes() {
	local tool=$1 input=$WORK/good.ko n=150 i shoff regions=() region off size status
	shoff=$(readelf -hW "$input" | awk '/Start of section headers/ { print $5 }')
	regions+=("$shoff:$(($(readelf -hW "$input" | awk '/Number of section headers/ { print $5 }') * 64))")
	while read -r off size; do
		regions+=("$((0x$off)):$((0x$size))")
	done < <(readelf -SW "$input" | sed -n 's/^ *\[ *[0-9]*\] \(\.kpatch[^ ]*\|\.rela\.kpatch[^ ]*\|\.symtab\|\.strtab\|\.shstrtab\) *[A-Z_]* *[0-9a-f]* \([0-9a-f]*\) \([0-9a-f]*\) .*/\2 \3/p')
	RANDOM=42
	for ((i = 0; i < n; i++)); do
		cp "$input" "$WORK/fuzz.ko"
		region=${regions[RANDOM % ${#regions[@]}]}
		off=${region%%:*} size=${region#*:}
		printf '%b' "\\x$(printf %02x $((RANDOM % 256)))" |
			dd of="$WORK/fuzz.ko" bs=1 seek=$((off + RANDOM % size)) conv=notrunc status=none
		status=0
		"$tool" "$WORK/fuzz.ko" "$WORK/fuzz-out.ko" >/dev/null 2>&1 || status=$?
		if [[ $status -gt 1 ]]; then
			cp "$WORK/fuzz.ko" "${TMPDIR:-/tmp}/gen-errors-crash.ko"
			echo "status $status on input ${TMPDIR:-/tmp}/gen-errors-crash.ko"
			return 1
		fi
	done
}
check "create-klp-module survives corrupted input" corrupt_never_crashes "$KLP"
check "create-kpatch-module survives corrupted input" corrupt_never_crashes "$KPM"
