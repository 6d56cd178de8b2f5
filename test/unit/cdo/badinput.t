#!/bin/bash
# badinput.t: create-diff-object and kpatch-inspect on broken objects.
# Each broken file is made from a small valid object (compiled here) and
# given as ORIG.o and as PATCHED.o: the tool must exit 1 with a message that
# names the file, leave no OUTPUT.o, and not crash or hang.
set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
# shellcheck source=test/lib/result.sh
source "$TOP/test/lib/result.sh"

CDO=${CDO:-$TOP/kpatch-build/create-diff-object}
INSPECT=${INSPECT:-$TOP/kpatch-build/kpatch-inspect}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# --- byte-level editing of ELF64 little-endian files ------------------------

peek() {
	local file=$1 off=$2 size=$3
	od -An -t "u$size" -j "$off" -N "$size" "$file" | tr -d ' '
}

# poke FILE OFFSET SIZE VALUE: write VALUE as a SIZE-byte little-endian int.
poke() {
	local file=$1 off=$2 size=$3 value=$4 i bytes=""
	for ((i = 0; i < size; i++)); do
		bytes+=$(printf '\\%03o' $(((value >> (8 * i)) & 255)))
	done
	# shellcheck disable=SC2059
	printf "$bytes" | dd of="$file" bs=1 seek="$off" conv=notrunc status=none
}

section_index() {
	local file=$1 name=$2
	readelf -SW "$file" | sed -n "s/^ *\\[ *\\([0-9]*\\)\\] $name .*/\\1/p" | head -n 1
}

# Offset of a field of section NAME's header (sh_type 4, sh_offset 24,
# sh_size 32, sh_link 40, sh_info 44).
shdr_field() {
	local file=$1 name=$2 field=$3 shoff idx
	shoff=$(peek "$file" 40 8)
	idx=$(section_index "$file" "$name")
	[[ -n $idx ]] || { echo "badinput: no section $name in $file" >&2; return 1; }
	echo $((shoff + idx * 64 + field))
}

# --- the broken inputs -------------------------------------------------------

make_seed() {
	cat >"$WORK/seed.c" <<'EOF'
int seed_counter;
static int seed_helper(int x) { return x * 3 + seed_counter; }
int seed_func(int x) { return seed_helper(x) + 1; }
EOF
	# Compiled like kernel code: fentry calls recorded in __mcount_loc.
	local -a cflags=(-O1 -fno-inline -fno-PIE -mcmodel=kernel -ffunction-sections -fdata-sections
		-pg -mfentry -mrecord-mcount -c)
	gcc "${cflags[@]}" -o "$WORK/seed.o" "$WORK/seed.c"
	sed 's/+ 1;/+ 2;/' "$WORK/seed.c" >"$WORK/seed2.c"
	gcc "${cflags[@]}" -o "$WORK/seed2.o" "$WORK/seed2.c"
	readelf -s --wide "$WORK/seed.o" >"$WORK/parent.symtab"
}

variant() {
	local name=$1
	cp "$WORK/seed.o" "$WORK/$name.o"
	echo "$WORK/$name.o"
}

make_bad_inputs() {
	local f size off
	: >"$WORK/empty.o"
	head -c 100 "$WORK/seed.o" >"$WORK/truncated-header.o"
	size=$(stat -c %s "$WORK/seed.o")
	head -c $((size / 2)) "$WORK/seed.o" >"$WORK/truncated-half.o"
	echo "this is not an ELF object" >"$WORK/not-elf.o"
	f=$(variant wrong-class) && poke "$f" 4 1 1
	f=$(variant wrong-machine) && poke "$f" 18 2 183
	f=$(variant not-relocatable) && poke "$f" 16 2 3
	f=$(variant shstrndx-out-of-range) && poke "$f" 62 2 999
	f=$(variant section-past-eof)
	off=$(shdr_field "$f" .text.seed_func 24) && poke "$f" "$off" 8 $((size + 4096))
	f=$(variant section-size-huge)
	off=$(shdr_field "$f" .text.seed_func 32) && poke "$f" "$off" 8 $((1 << 40))
	f=$(variant missing-symtab)
	off=$(shdr_field "$f" .symtab 4) && poke "$f" "$off" 4 1
	f=$(variant rela-bad-symbol)
	off=$(shdr_field "$f" .rela.text.seed_func 24)
	# r_info of the first relocation: symbol index in the high 32 bits.
	off=$(peek "$f" "$off" 8)
	poke "$f" $((off + 12)) 4 65535
	f=$(variant rela-bad-target)
	off=$(shdr_field "$f" .rela.text.seed_func 44) && poke "$f" "$off" 4 999
	f=$(variant symtab-bad-strtab)
	off=$(shdr_field "$f" .symtab 40) && poke "$f" "$off" 4 999
	f=$(variant symbol-bad-section)
	off=$(shdr_field "$f" .symtab 24)
	off=$(peek "$f" "$off" 8)
	# st_shndx of symbol 1 (symbols are 24 bytes; st_shndx at +6)
	poke "$f" $((off + 24 + 6)) 2 4000
	f=$(variant shoff-past-eof) && poke "$f" 40 8 $((size + 100))
	f=$(variant rela-offset-past-end)
	off=$(shdr_field "$f" .rela.text.seed_func 24)
	off=$(peek "$f" "$off" 8)
	poke "$f" "$off" 8 100000
	f=$(variant symtab-size-odd)
	off=$(shdr_field "$f" .symtab 32)
	poke "$f" "$off" 8 $(($(peek "$f" "$off" 8) - 5))
	f=$(variant symbol-bad-name)
	off=$(shdr_field "$f" .symtab 24)
	off=$(peek "$f" "$off" 8)
	poke "$f" $((off + 24)) 4 $((1 << 30))
}

BAD_INPUTS=(empty truncated-header truncated-half not-elf wrong-class wrong-machine
	not-relocatable shstrndx-out-of-range section-past-eof section-size-huge
	missing-symtab rela-bad-symbol rela-bad-target symtab-bad-strtab
	symbol-bad-section symbol-bad-name shoff-past-eof rela-offset-past-end
	symtab-size-odd)

# --- checks ------------------------------------------------------------------

# expect_rejected NAME FILE CMD...: exit 1, FILE named on stderr, no output.
expect_rejected() {
	local name=$1 file=$2 out=$WORK/output.o rc=0
	shift 2
	rm -f "$out"
	timeout 30 "$@" >"$WORK/stdout" 2>"$WORK/stderr" || rc=$?
	if [[ $rc -eq 124 ]]; then
		fail "$name" "hung (killed after 30 s)"
	elif [[ $rc -ne 1 ]]; then
		fail "$name" "exit status $rc, expected 1: $(head -n 2 "$WORK/stderr")"
	elif ! grep -qF -- "$(basename "$file")" "$WORK/stderr"; then
		fail "$name" "the message does not name $(basename "$file"): $(head -n 2 "$WORK/stderr")"
	elif [[ -e $out ]]; then
		fail "$name" "OUTPUT.o left behind"
	elif grep -qiE 'sanitizer|segmentation|core dumped' "$WORK/stderr"; then
		fail "$name" "crashed: $(grep -m1 -iE 'sanitizer|segmentation' "$WORK/stderr")"
	else
		pass "$name"
	fi
}

# create-diff-object ORIG PATCHED with the seed's symtab as the parent's.
differ() {
	echo "$CDO" "$1" "$2" vmlinux "$WORK/parent.symtab" /dev/null kpatch_bad "$WORK/output.o"
}

main() {
	local bad f
	if [[ -f $TOP/kpatch-build/Makefile ]]; then
		make -s -C "$TOP/kpatch-build" >/dev/null 2>&1 || true
	fi
	make -s -C "$TOP/test/unit/cdo" >/dev/null 2>&1 || true
	require "seed objects compile" make_seed
	require "broken inputs are made" make_bad_inputs
	check "the seed pair itself is accepted by kpatch-inspect" "$INSPECT" "$WORK/seed.o"
	if [[ ! -x $CDO ]]; then
		fail "create-diff-object" "$CDO is not built"
	else
		# The inputs below are broken versions of a pair the differ takes.
		# shellcheck disable=SC2046
		check "create-diff-object accepts the seed pair" $(differ "$WORK/seed.o" "$WORK/seed2.o")
		rm -f "$WORK/output.o"
	fi
	for bad in "${BAD_INPUTS[@]}"; do
		f=$WORK/$bad.o
		if [[ -x $CDO ]]; then
			# shellcheck disable=SC2046
			expect_rejected "create-diff-object: $bad as ORIG.o" "$f" $(differ "$f" "$WORK/seed2.o")
			# shellcheck disable=SC2046
			expect_rejected "create-diff-object: $bad as PATCHED.o" "$f" $(differ "$WORK/seed.o" "$f")
		fi
		expect_rejected "kpatch-inspect: $bad" "$f" "$INSPECT" "$f"
	done
	if [[ -x $CDO ]]; then
		# shellcheck disable=SC2046
		expect_rejected "create-diff-object: missing ORIG.o" "no-such-file.o" \
			$(differ "$WORK/no-such-file.o" "$WORK/seed2.o")
		expect_rejected "create-diff-object: missing PARENT_SYMTAB" "no-such.symtab" \
			"$CDO" "$WORK/seed.o" "$WORK/seed2.o" vmlinux "$WORK/no-such.symtab" /dev/null \
			kpatch_bad "$WORK/output.o"
		echo "garbage" >"$WORK/garbage.symtab"
		expect_rejected "create-diff-object: PARENT_SYMTAB not readelf output" "garbage.symtab" \
			"$CDO" "$WORK/seed.o" "$WORK/seed2.o" vmlinux "$WORK/garbage.symtab" /dev/null \
			kpatch_bad "$WORK/output.o"
	fi
}

main "$@"
