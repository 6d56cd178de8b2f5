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
BUILD=$TOP/kmod/patch/build-patch-module
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

# linked NAME FORMAT [-DVARIANT...]: the fixture variant linked by kbuild
# (not processed), as $WORK/NAME.ko.
linked() {
	local name=$1 format=$2
	shift 2
	gcc -c "$@" -o "$WORK/$name.o" "$FIXTURE" &&
		"$BUILD" -L -n "$name" -f "$format" -k "$KDIR" \
			-s "$TOP/kmod/core/Module.symvers" \
			-o "$WORK/$name.ko" "$WORK/$name.o" >"$WORK/$name.build" 2>&1
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

if linked good livepatch; then
	pass "fixture links with the livepatch hook"
else
	fail "fixture links with the livepatch hook" "$(tail -n 3 "$WORK/good.build")"
	exit 0
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
	local check=$1 tool=$2 format=$3 define=$4 ere=$5
	if linked "$define" "$format" "-D$define"; then
		refuses "$check" "$tool" "$WORK/$define.ko" "$ere"
	else
		fail "$check" "variant $define does not link: $(tail -n 1 "$WORK/$define.build")"
	fi
}
variant "missing .kpatch.symbols is named" "$KLP" livepatch NO_SYMBOLS \
	"\.kpatch\.symbols: missing section \(needed by \.kpatch\.relocations\)"
variant "missing .kpatch.strings is named" "$KPM" kpatch NO_STRINGS \
	"\.kpatch\.strings: missing section"
variant "entry without relocation is named" "$KLP" livepatch NO_NAME_RELOC \
	"\.kpatch\.funcs: entry 0: field name has no relocation"
variant "bad object name is named" "$KLP" livepatch BAD_OBJNAME \
	"\.kpatch\.funcs: cmdline_proc_show: entry 0: field objname: \"vm-linux\" is not a valid object"
variant "short table is named" "$KLP" livepatch SHORT_FUNCS \
	"\.kpatch\.funcs: size 64 is not a multiple of the entry size 56"
variant "unsupported relocation type is named" "$KLP" livepatch BAD_TYPE \
	"\.kpatch\.relocations: saved_command_line: entry 0: relocation type 24 is not supported"
variant "non-zero relocation target is named" "$KLP" livepatch NONZERO_DEST \
	"\.kpatch\.relocations: saved_command_line: entry 0: location cmdline_proc_show\+0x13 is not zero"
variant "two callbacks of one kind are refused" "$KLP" livepatch TWO_CALLBACKS \
	"\.kpatch\.callbacks\.post_patch: .*both callbacks for vmlinux"
variant "KPATCH_FORCE_UNSAFE is refused by the livepatch format" "$KLP" livepatch FORCE \
	"\.kpatch\.force: KPATCH_FORCE_UNSAFE\(cmdline_proc_show\+0x0\) is not supported by the livepatch format"

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
