#!/bin/bash
# What create-klp-module and create-kpatch-module write, checked with readelf
# on the hand-made create-diff-object output test/unit/gen/fixture.S linked
# by kbuild against the stock headers.
set -euo pipefail
TOP=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=../lib/result.sh
source "$TOP/test/lib/result.sh"

TOOLS=$TOP/kpatch-build
BUILD=$TOP/kmod/patch/build-patch-module
WORK=$(mktemp -d "${TMPDIR:-/tmp}/gen-layout.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

if [[ ! -x $TOOLS/create-klp-module || ! -x $TOOLS/create-kpatch-module ]]; then
	fail "setup" "generators not built (make -C kpatch-build)"
	exit 0
fi
if ! KCACHE=$("$TOP/kpatch-build/kpatch-stock-kernel" -c headers 2>"$WORK/err"); then
	fail "setup" "no stock kernel headers: $(tail -n 1 "$WORK/err")"
	exit 0
fi
gcc -c -o "$WORK/fixture.o" "$TOP/test/unit/gen/fixture.S"

# build NAME FORMAT [OBJ]: the finished module $WORK/NAME.ko and its
# readelf dumps.
build() {
	local name=$1 format=$2 obj=${3:-$WORK/fixture.o}
	"$BUILD" -n "$name" -f "$format" -k "$KCACHE/build" -t "$TOOLS" \
		-s "$TOP/kmod/core/Module.symvers" -o "$WORK/$name.ko" \
		"$obj" >"$WORK/$name.log" 2>&1 || return 1
	readelf -SW "$WORK/$name.ko" >"$WORK/$name.sections"
	readelf -sW "$WORK/$name.ko" >"$WORK/$name.symbols"
	readelf -rW "$WORK/$name.ko" >"$WORK/$name.relocs"
}

# section_line NAME SECTION: the readelf -S line of SECTION.
section_line() {
	grep -E "\] $2 " "$WORK/$1.sections"
}

has_section() { section_line "$1" "$2" >/dev/null; }

# section_index NAME SECTION
section_index() {
	section_line "$1" "$2" | sed 's/^ *\[ *\([0-9]*\)\].*/\1/'
}

# klp_rela_ok: flags AIo, link = .symtab, info = the patched function's section.
klp_rela_ok() {
	local line text symtab
	line=$(section_line klp '\.klp\.rela\.vmlinux\.\.text\.cmdline_proc_show') || {
		echo "no .klp.rela.vmlinux..text.cmdline_proc_show"
		return 1
	}
	text=$(section_index klp '\.text\.cmdline_proc_show')
	symtab=$(section_index klp '\.symtab')
	read -r -a f <<<"${line#*]}"
	# name type addr off size es flg lk inf al
	[[ ${f[1]} == RELA && ${f[6]} == AIo && ${f[7]} == "$symtab" &&
		${f[8]} == "$text" ]] || {
		echo "got: $line (symtab $symtab, text $text)"
		return 1
	}
}

klp_rela_entry_ok() {
	grep -A3 "'\.klp\.rela\.vmlinux\.\.text\.cmdline_proc_show'" "$WORK/klp.relocs" |
		grep -qE '^0+13 .* R_X86_64_PC32 .* \.klp\.sym\.vmlinux\.saved_command_line,0 - 4$'
}

# marker_in NAME SYMBOL SECTION VALUE: SYMBOL is defined in SECTION at VALUE.
marker_in() {
	local idx
	idx=$(section_index "$1" "$3")
	grep -qE "^ *[0-9]+: 0*$4 +0 NOTYPE +GLOBAL +DEFAULT +$idx $2\$" \
		"$WORK/$1.symbols"
}

if build klp livepatch; then
	pass "livepatch module builds"
	check "klp: .klp.rela section has SHF_ALLOC|SHF_INFO_LINK|SHF_RELA_LIVEPATCH, links .symtab and the function's section" klp_rela_ok
	check "klp: relocation at the zeroed displacement against the .klp.sym symbol" klp_rela_entry_ok
	check "klp: .klp.sym symbol is GLOBAL with st_shndx SHN_LIVEPATCH" \
		grep -qE 'NOTYPE +GLOBAL +DEFAULT +OS \[0xff20\] \.klp\.sym\.vmlinux\.saved_command_line,0$' "$WORK/klp.symbols"
	check_not "klp: .kpatch.relocations is dropped" has_section klp '\.kpatch\.relocations'
	check_not "klp: .kpatch.symbols is dropped" has_section klp '\.kpatch\.symbols'
	check "klp: __kpatch_funcs marks the start of .kpatch.funcs" \
		marker_in klp __kpatch_funcs '\.kpatch\.funcs' 0
	check "klp: __kpatch_funcs_end marks its end (one 56-byte entry)" \
		marker_in klp __kpatch_funcs_end '\.kpatch\.funcs' 38
	check "klp: callback markers delimit .kpatch.callbacks.post_patch" \
		marker_in klp __kpatch_callbacks_post_patch_end '\.kpatch\.callbacks\.post_patch' 10
	check "klp: .kpatch.funcs is allocated" sh -c "grep -E '\] \.kpatch\.funcs ' '$WORK/klp.sections' | grep -q ' A '"
	check "klp: exported seq_puts stays an ordinary undefined symbol" \
		grep -qE 'NOTYPE +GLOBAL +DEFAULT +UND seq_puts$' "$WORK/klp.symbols"
	check "klp: modversions CRC for seq_puts" sh -c "modprobe --dump-modversions '$WORK/klp.ko' | grep -qw seq_puts"
	check "klp: readelf finds no problem" sh -c "! readelf -a '$WORK/klp.ko' 2>&1 >/dev/null | grep -q ."
else
	fail "livepatch module builds" "$(tail -n 3 "$WORK/klp.log")"
fi

dynrelas_ok() {
	local line
	line=$(section_line kp '\.kpatch\.dynrelas') || return 1
	read -r -a f <<<"${line#*]}"
	# one 56-byte entry, allocated
	[[ ${f[4]} == 000038 && ${f[6]} == A ]] || { echo "got: $line"; return 1; }
}

dynrela_relocs_ok() {
	local r
	r=$(grep -A5 "'\.rela\.kpatch\.dynrelas'" "$WORK/kp.relocs")
	grep -qE '^0+0 .* R_X86_64_64 .* \.text\.cmdline_proc_show \+ 13$' <<<"$r" &&
		grep -qE '^0+20 .* R_X86_64_64 .* \.kpatch\.strings \+ 1a$' <<<"$r" &&
		grep -qE '^0+28 .* R_X86_64_64 .* \.kpatch\.strings \+ 12$' <<<"$r"
}

if build kp kpatch; then
	pass "kpatch-format module builds"
	check "kpatch: .kpatch.dynrelas holds one allocated entry" dynrelas_ok
	check "kpatch: dest, name and objname are relocated to the location and the strings" dynrela_relocs_ok
	check "kpatch: dynrela markers" marker_in kp __kpatch_dynrelas_end '\.kpatch\.dynrelas' 38
	check_not "kpatch: no .klp.rela section" grep -q '\.klp\.rela' "$WORK/kp.sections"
	check_not "kpatch: .kpatch.relocations is dropped" has_section kp '\.kpatch\.relocations'
	check "kpatch: depends on kpatch" sh -c "modinfo -F depends '$WORK/kp.ko' | grep -qx kpatch"
	check "kpatch: readelf finds no problem" sh -c "! readelf -a '$WORK/kp.ko' 2>&1 >/dev/null | grep -q ."
else
	fail "kpatch-format module builds" "$(tail -n 3 "$WORK/kp.log")"
fi

force_reloc_ok() {
	grep -A2 "'\.rela\.kpatch\.force'" "$WORK/force.relocs" |
		grep -qE 'R_X86_64_64 .* \.text\.cmdline_proc_show \+ 0$'
}

# KPATCH_FORCE_UNSAFE in the kpatch format: the hook finds .kpatch.force.
gcc -c -DFORCE -o "$WORK/force.o" "$TOP/test/unit/gen/fixture.S"
if build force kpatch "$WORK/force.o"; then
	pass "kpatch-format module with KPATCH_FORCE_UNSAFE builds"
	check "kpatch: force markers delimit .kpatch.force (one entry)" \
		marker_in force __kpatch_force_end '\.kpatch\.force' 8
	check "kpatch: the force entry is relocated to the patched function" \
		force_reloc_ok
else
	fail "kpatch-format module with KPATCH_FORCE_UNSAFE builds" "$(tail -n 3 "$WORK/force.log")"
fi
