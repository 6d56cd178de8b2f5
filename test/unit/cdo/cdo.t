#!/bin/bash
# cdo.t [CASE...]: run create-diff-object on every ORIG/PATCHED pair of the
# corpus (cases/*, built by lib/corpus.sh) and check the case's `expect`.
# One PASS/FAIL line per case.
#
# expect: one assertion per line, `#` starts a comment.
#   changed F            F is patched: a .kpatch.funcs entry and a
#                        "changed function: F" line.  The changed set is
#                        exact: no other function may be patched.
#   new F                F is a new function in the output (reported; no
#                        .kpatch.funcs entry).  The new set is exact too.
#   not-included F       no code of F in the output, no entry, not reported
#   func F k=v...        the .kpatch.funcs entry of F has these fields
#                        (objname, sympos, old_size, new_size, new)
#   reloc OBJ:S [count=N] [k=v...]
#                        .kpatch.relocations has (exactly N) entries for
#                        symbol S of object OBJ with these fields
#                        (in, type, addend, objname, sympos, external, ...)
#   no-reloc S           no .kpatch.relocations entry for S
#   undef S              S stays a normal undefined symbol (exported)
#   symbol KIND NAME     a symbol of KIND (func, object, undef) is present
#   no-symbol NAME       no function or object NAME is defined
#   special SEC OWNER N  N entries of SEC belong to OWNER; N may be `all`:
#                        as many as OWNER has in PATCHED.o (at least one)
#   special-total SEC N  SEC has N entries in all (0: absent or empty)
#   section SEC / no-section SEC
#   force F / callback KIND F / modinfo "K=V" / ksym NAME k=v...
#   refuse N "text"      exit status N and "text" in the error message
#   error "text"         exit status 1 and "text" in the error message
#   nochange             exit status 3, nothing written
#   stdout "text" / stderr "text"
# Besides patch/expect/config/parent/object/kcflags (lib/corpus.sh), a case
# may have `symtab` = synth: PARENT_SYMTAB is the stock one with the
# object's FILE block made to match ORIG (for the ibt and clang trees, which
# no running kernel matches), and `env`: VAR=VALUE lines for the differ.
# Implicit checks on every written output: entries' new code is defined
# with new_size bytes, entries and relocations carry the parent's name,
# every special-section entry belongs to a function that is in the output
# and has as many relocations as in PATCHED.o, the functions in the output
# keep all their entries, every function keeps all its
# relocated places, undefined symbols are exported, .orc_unwind and
# .orc_unwind_ip match.  On refusals: no OUTPUT.o.
set -euo pipefail

CDO_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
# shellcheck source=test/unit/cdo/lib/corpus.sh
source "$CDO_TOP/test/unit/cdo/lib/corpus.sh"
# shellcheck source=test/unit/cdo/lib/synth-symtab.sh
source "$CDO_TOP/test/unit/cdo/lib/synth-symtab.sh"
# shellcheck source=test/lib/result.sh
source "$CDO_TOP/test/lib/result.sh"

CDO=${CDO:-$CDO_TOP/kpatch-build/create-diff-object}
INSPECT=${INSPECT:-$CDO_TOP/kpatch-build/kpatch-inspect}
PATCH_MODULE=kpatch_cdo_test

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# Per-case state.
REASONS=()
RC=0
OUT_DUMP=""
PATCHED_DUMP=""
STDOUT=""
STDERR=""
PARENT=""
SYMVERS=""

bad() {
	REASONS+=("$*")
}

# Does a dump line (key=value tokens) carry all of the given key=value pairs?
kv_match() {
	local line=$1 kv
	shift
	for kv in "$@"; do
		[[ " $line " == *" $kv "* ]] || return 1
	done
}

# Lines of the output dump starting with WORD whose tokens include all
# key=value pairs given.
dump_lines() {
	local word=$1 line
	shift
	while IFS= read -r line; do
		kv_match "$line" "$@" && printf '%s\n' "$line"
	done < <(grep "^$word " "$OUT_DUMP" || true)
}

count_lines() {
	dump_lines "$@" | grep -c . || true
}

func_names() {
	sed -n 's/^func name=\([^ ]*\) .*/\1/p' "$OUT_DUMP" | sort -u
}

# Names reported on stdout as KIND ("changed" or "new"), .cold pieces folded
# into their parent.
reported() {
	local kind=$1
	sed -n "s/^.*: $kind function: \\(.*\\)\$/\\1/p" "$STDOUT" |
		sed -E 's/\.cold(\.[0-9]+)?$//' | sort -u
}

has_func_symbol() {
	grep -q "^symbol func $1 " "$OUT_DUMP"
}

special_count() {
	local dump=$1 sec=$2 owner=$3
	grep -c "^entry $sec [0-9]* owner=$owner refs=" "$dump" || true
}

quoted() {
	local text=$1
	if [[ $text == *\"*\"* ]]; then
		text=${text#*\"}
		printf '%s' "${text%\"*}"
	else
		printf '%s' "$text"
	fi
}

assert_special() {
	local sec=$1 owner=$2 want=$3 got
	if [[ $want == all ]]; then
		want=$(special_count "$PATCHED_DUMP" "$sec" "$owner")
		[[ $want -gt 0 ]] || { bad "special $sec $owner all: PATCHED.o has no such entry"; return; }
	fi
	got=$(special_count "$OUT_DUMP" "$sec" "$owner")
	[[ $got -eq $want ]] || bad "special $sec $owner: $got entries, expected $want"
}

assert_reloc() {
	local target=$1 obj sym want="" got kv
	local -a kvs=()
	shift
	obj=${target%%:*}
	sym=${target#*:}
	for kv in "$@"; do
		if [[ $kv == count=* ]]; then
			want=${kv#count=}
		else
			kvs+=("$kv")
		fi
	done
	got=$(count_lines reloc "name=$sym" "symobj=$obj" "${kvs[@]}")
	if [[ -n $want ]]; then
		[[ $got -eq $want ]] || bad "reloc $target ${kvs[*]}: $got entries, expected $want$(reloc_hint "$sym")"
	else
		[[ $got -gt 0 ]] || bad "reloc $target ${kvs[*]}: none$(reloc_hint "$sym")"
	fi
}

reloc_hint() {
	local line
	line=$(grep -m1 "^reloc .* name=$1 " "$OUT_DUMP" || true)
	[[ -n $line ]] && printf ' (have: %s)' "${line#reloc }"
	return 0
}

# One assertion of an expect file, for a written output.
assert_output() {
	local kind=$1 line=$2 name got
	local -a args
	read -r -a args <<<"$line"
	name=${args[0]:-}
	case $kind in
	changed)
		[[ -n $(dump_lines func "name=$name") ]] || bad "changed $name: no .kpatch.funcs entry" ;;
	new)
		has_func_symbol "$name" || bad "new $name: not in the output"
		[[ -z $(dump_lines func "name=$name") ]] || bad "new $name: has a .kpatch.funcs entry" ;;
	not-included)
		! has_func_symbol "$name" || bad "not-included $name: its code is in the output"
		[[ -z $(dump_lines func "name=$name") ]] || bad "not-included $name: has a .kpatch.funcs entry" ;;
	func)
		[[ -n $(dump_lines func "name=$name" "${args[@]:1}") ]] ||
			bad "func $line: entry is '$(grep -m1 "^func name=$name " "$OUT_DUMP" || echo none)'" ;;
	reloc) assert_reloc "${args[@]}" ;;
	no-reloc)
		[[ -z $(dump_lines reloc "name=$name") ]] || bad "no-reloc $name: $(reloc_hint "$name")" ;;
	undef)
		grep -q "^symbol undef $name " "$OUT_DUMP" || bad "undef $name: no undefined symbol"
		[[ -z $(dump_lines reloc "name=$name") ]] || bad "undef $name: also a .kpatch.relocations entry" ;;
	symbol)
		grep -q "^symbol $name ${args[1]:-} " "$OUT_DUMP" || bad "symbol $line: absent" ;;
	no-symbol)
		! grep -qE "^symbol (func|object) $name " "$OUT_DUMP" || bad "no-symbol $name: defined in the output" ;;
	special) assert_special "${args[@]}" ;;
	special-total)
		got=$(sed -n "s/^special $name entries=\\([0-9]*\\) .*/\\1/p" "$OUT_DUMP")
		[[ ${got:-0} -eq ${args[1]} ]] || bad "special-total $name: ${got:-0} entries, expected ${args[1]}" ;;
	section)
		grep -q "^section $name " "$OUT_DUMP" || bad "section $name: absent" ;;
	no-section)
		! grep -q "^section $name " "$OUT_DUMP" || bad "no-section $name: present" ;;
	force)
		grep -qx "force $name" "$OUT_DUMP" || bad "force $name: no .kpatch.force entry" ;;
	callback)
		[[ -n $(dump_lines callback "$name" "fn=${args[1]}" "objname=$PARENT") ]] ||
			bad "callback $line: absent" ;;
	modinfo)
		grep -qxF "modinfo $(quoted "$line")" "$OUT_DUMP" || bad "modinfo $line: absent" ;;
	ksym)
		[[ -n $(dump_lines ksym "name=$name" "${args[@]:1}") ]] || bad "ksym $line: absent" ;;
	*) return 1 ;;
	esac
}

# Checks every written output must pass.
implicit_output_checks() {
	local line name newsym size sec owner n_ip n_orc
	while IFS= read -r line; do
		name=${line#func name=}
		name=${name%% *}
		newsym=$(sed -n 's/.* new=\([^ ]*\).*/\1/p' <<<"$line")
		size=$(sed -n 's/.* new_size=\([0-9]*\).*/\1/p' <<<"$line")
		grep -q "^symbol func $newsym .* size=$size\$" "$OUT_DUMP" ||
			bad "$name: new code '$newsym' is not a defined function of $size bytes"
		kv_match "$line" "objname=$PARENT" || bad "$name: entry's objname is not $PARENT"
	done < <(grep '^func ' "$OUT_DUMP" || true)
	while IFS= read -r line; do
		kv_match "$line" "objname=$PARENT" || bad "relocation for another object: ${line#reloc }"
		[[ $line != *" dest=.text"*" in=- "* ]] || bad "relocation in code outside any function: ${line#reloc }"
	done < <(grep '^reloc ' "$OUT_DUMP" || true)
	while read -r sec owner; do
		case $owner in
		-) ;;
		.*) bad "$sec entry points into $owner outside any function" ;;
		*) has_func_symbol "$owner" || bad "$sec entry kept for $owner, which is not in the output" ;;
		esac
	done < <(sed -n 's/^entry \([^ ]*\) [0-9]* owner=\([^ ]*\) .*/\1 \2/p' "$OUT_DUMP" | sort -u)
	check_entry_relocations
	check_sites
	check_entries_complete
	check_undefined_exported
	n_ip=$(sed -n 's/^special .orc_unwind_ip entries=\([0-9]*\).*/\1/p' "$OUT_DUMP")
	n_orc=$(sed -n 's/^special .orc_unwind entries=\([0-9]*\).*/\1/p' "$OUT_DUMP")
	[[ ${n_ip:-0} -eq ${n_orc:-0} ]] ||
		bad ".orc_unwind has ${n_orc:-0} entries but .orc_unwind_ip ${n_ip:-0}"
}

# Every special-section entry kept must have as many relocations (normal or
# loader ones) as the same entry in PATCHED.o: same section, owner and first
# reference (the function offset, which copying code does not change).
check_entry_relocations() {
	local -A want=()
	local sec owner refs first key n
	while read -r sec owner refs; do
		want["$sec|$owner|${refs%%,*}"]=$(awk -F, '{ print NF }' <<<"$refs")
	done < <(sed -n 's/^entry \([^ ]*\) [0-9]* owner=\([^ -][^ ]*\) refs=\(.*\)/\1 \2 \3/p' "$PATCHED_DUMP")
	while read -r sec owner refs; do
		[[ $sec == .orc_unwind ]] && continue
		first=${refs%%,*}
		key="$sec|$owner|$first"
		n=$(awk -F, '{ print NF }' <<<"$refs")
		if [[ -z ${want[$key]:-} ]]; then
			bad "$sec entry of $owner at $first is not in PATCHED.o"
		elif [[ ${want[$key]} -ne $n ]]; then
			bad "$sec entry of $owner at $first has $n relocations ($refs), PATCHED.o has ${want[$key]}"
		fi
	done < <(sed -n 's/^entry \([^ ]*\) [0-9]* owner=\([^ -][^ ]*\) refs=\(.*\)/\1 \2 \3/p' "$OUT_DUMP")
}

# Each function in the output is relocated at as many places as in
# PATCHED.o (normal relocations plus loader ones): none lost.
check_sites() {
	local -A want=()
	local name n
	while read -r name n; do
		want[$name]=$n
	done < <(sed -n 's/^sites //p' "$PATCHED_DUMP")
	while read -r name n; do
		if [[ -z ${want[$name]:-} ]]; then
			bad "function $name of the output is not in PATCHED.o"
		elif [[ ${want[$name]} -ne $n ]]; then
			bad "$name: $n relocated places in the output, ${want[$name]} in PATCHED.o"
		fi
	done < <(sed -n 's/^sites //p' "$OUT_DUMP")
}

# Every special-section entry of PATCHED.o that belongs to a function in
# the output is kept (.discard.* excepted: the linker drops them anyway;
# .static_call_sites only when its key is exported: a key the loader
# resolves would still be unrelocated when static_call_add_module() reads
# it, so the differ drops such sites and the call goes through the
# trampoline).
check_entries_complete() {
	local -A have=() want=()
	local sec owner refs key
	while read -r sec owner; do
		have["$sec $owner"]=$((${have["$sec $owner"]:-0} + 1))
	done < <(sed -n 's/^entry \([^ ]*\) [0-9]* owner=\([^ ]*\) .*/\1 \2/p' "$OUT_DUMP")
	while read -r sec owner refs; do
		[[ $sec == .discard.* || $owner == - ]] && continue
		has_func_symbol "$owner" || continue
		if [[ $sec == .static_call_sites ]]; then
			key=${refs#*,}
			key=${key%%[+,-]*}
			symbol_exported "$key" || continue
		fi
		want["$sec $owner"]=$((${want["$sec $owner"]:-0} + 1))
	done < <(sed -n 's/^entry \([^ ]*\) [0-9]* owner=\([^ ]*\) refs=\([^ ]*\).*/\1 \2 \3/p' "$PATCHED_DUMP")
	for key in "${!want[@]}"; do
		[[ ${have[$key]:-0} -eq ${want[$key]} ]] ||
			bad "${key% *} entries of ${key#* }: ${have[$key]:-0} in the output, ${want[$key]} in PATCHED.o"
	done
}

symbol_exported() {
	awk -v s="$1" '$2 == s { found = 1; exit } END { exit !found }' "$SYMVERS"
}

# A normal undefined symbol must be exported (Module.symvers), or the
# module could not load; everything else goes through the loader.
check_undefined_exported() {
	local name
	while read -r name; do
		symbol_exported "$name" ||
			bad "undefined symbol $name is not exported (needs a loader relocation)"
	done < <(sed -n 's/^symbol undef \([^ ]*\) .*/\1/p' "$OUT_DUMP")
}

compare_sets() {
	local what=$1 expected=$2 actual=$3
	[[ $expected == "$actual" ]] ||
		bad "$what: expected {$(tr '\n' ' ' <<<"$expected" | sed 's/ $//')}, got {$(tr '\n' ' ' <<<"$actual" | sed 's/ $//')}"
}

# Expected exit status and messages, from the expect file.
expected_status() {
	local expect=$1
	awk '$1 == "refuse" { print $2; exit } $1 == "nochange" { print 3; exit }
	     $1 == "error" { print 1; exit } END { }' "$expect" | grep . || echo 0
}

run_case() {
	local case=$1 pair expect dir want_rc kind rest symtab symvers obj
	local -a envs=()
	REASONS=()
	dir="$WORK/$case"
	mkdir -p "$dir"
	expect="$CDO_CASES/$case/expect"
	if [[ ! -s $expect ]]; then
		fail "$case" "no assertions: $expect is missing"
		return
	fi
	PARENT=$(cdo_case_parent "$case")
	if ! pair=$(cdo_pair "$case" 2>"$dir/gen.err"); then
		fail "$case" "building the objects failed: $(tail -n 3 "$dir/gen.err")"
		return
	fi
	if ! symtab=$(cdo_parent_symtab "$PARENT" 2>"$dir/gen.err") || ! symvers=$(cdo_symvers); then
		fail "$case" "no parent symtab for $PARENT: $(tail -n 1 "$dir/gen.err")"
		return
	fi
	obj=$(cdo_case_object "$case")
	if [[ $(cdo_case_file "$case" symtab stock) == synth ]]; then
		# Variant trees have no matching kernel: describe ORIG in the
		# stock symtab (lib/synth-symtab.sh).
		if [[ ! -s $pair/parent-synth.symtab ]] &&
			! cdo_synth_symtab "$pair/orig.o" "${obj%.o}.c" "$symtab" "$pair/parent-synth.symtab"; then
			fail "$case" "cannot make a synthetic parent symtab"
			return
		fi
		symtab=$pair/parent-synth.symtab
	fi
	[[ -f $CDO_CASES/$case/env ]] && mapfile -t envs < <(grep -E '^[A-Za-z_][A-Za-z0-9_]*=' "$CDO_CASES/$case/env")
	STDOUT="$dir/stdout"
	STDERR="$dir/stderr"
	RC=0
	# Named as kpatch-build names them: orig/<object>, patched/<object>.
	mkdir -p "$dir/orig/$(dirname "$obj")" "$dir/patched/$(dirname "$obj")"
	ln -s "$pair/orig.o" "$dir/orig/$obj"
	ln -s "$pair/patched.o" "$dir/patched/$obj"
	SYMVERS=$symvers
	(cd "$dir" && env "${envs[@]}" "$CDO" "$dir/orig/$obj" "$dir/patched/$obj" "$PARENT" \
		"$symtab" "$symvers" "$PATCH_MODULE" "$dir/output.o") >"$STDOUT" 2>"$STDERR" || RC=$?
	want_rc=$(expected_status "$expect")
	if [[ $RC -ne $want_rc ]]; then
		bad "exit status $RC, expected $want_rc${RC:+: $(grep -m1 . "$STDERR" || true)}"
	fi
	if [[ $want_rc -eq 0 && $RC -eq 0 ]]; then
		OUT_DUMP="$dir/output.dump"
		PATCHED_DUMP="$dir/patched.dump"
		if ! "$INSPECT" "$dir/output.o" >"$OUT_DUMP" 2>"$dir/inspect.err"; then
			bad "kpatch-inspect rejects the output: $(head -n 1 "$dir/inspect.err")"
		elif ! "$INSPECT" "$pair/patched.o" >"$PATCHED_DUMP" 2>"$dir/inspect.err"; then
			bad "kpatch-inspect rejects PATCHED.o: $(head -n 1 "$dir/inspect.err")"
		else
			implicit_output_checks
			compare_sets "patched functions" \
				"$(awk '$1 == "changed" { print $2 }' "$expect" | sort -u)" "$(func_names)"
			compare_sets "reported changed functions" \
				"$(awk '$1 == "changed" { print $2 }' "$expect" | sed -E 's/\.cold(\.[0-9]+)?$//' | sort -u)" \
				"$(reported changed)"
			compare_sets "reported new functions" \
				"$(awk '$1 == "new" { print $2 }' "$expect" | sed -E 's/\.cold(\.[0-9]+)?$//' | sort -u)" \
				"$(reported new)"
		fi
	elif [[ $want_rc -ne 0 && -e $dir/output.o ]]; then
		bad "OUTPUT.o left behind after exit status $RC"
	fi
	while read -r kind rest; do
		case $kind in
		'' | \#*) continue ;;
		refuse | error)
			[[ $kind == error ]] || rest=${rest#* }
			grep -qF -- "$(quoted "$rest")" "$STDERR" ||
				bad "$kind: message lacks '$(quoted "$rest")': $(head -n 2 "$STDERR")" ;;
		nochange) ;;
		stdout | stderr)
			local f=$STDOUT
			[[ $kind == stdout ]] || f=$STDERR
			grep -qF -- "$(quoted "$rest")" "$f" || bad "$kind lacks '$(quoted "$rest")'" ;;
		*)
			if [[ $want_rc -ne 0 || $RC -ne 0 || ! -s ${OUT_DUMP:-} ]]; then
				continue
			fi
			assert_output "$kind" "$rest" || bad "unknown assertion '$kind'"
			;;
		esac
	done < <(sed 's/[[:space:]]#.*//' "$expect")
	if [[ ${#REASONS[@]} -eq 0 ]]; then
		pass "$case"
	else
		local IFS=';'
		fail "$case" "${REASONS[*]}"
		{
			echo "--- $case: create-diff-object exited $RC; stderr:"
			head -n 5 "$STDERR"
		} | sed 's/^/# /'
	fi
	OUT_DUMP=""
}

build_tools() {
	local log="$WORK/build.log"
	if [[ -f $CDO_TOP/kpatch-build/Makefile ]]; then
		make -s -C "$CDO_TOP/kpatch-build" >"$log" 2>&1 || true
	fi
	make -s -C "$CDO_TOP/test/unit/cdo" >>"$log" 2>&1 || true
	if [[ ! -x $INSPECT ]]; then
		fail "build kpatch-inspect" "$(tail -n 1 "$log")"
		return 1
	fi
	if [[ ! -x $CDO ]]; then
		fail "create-diff-object" "$CDO is not built: $(tail -n 1 "$log")"
		return 1
	fi
}

main() {
	local -a cases
	local case
	if [[ $# -gt 0 ]]; then
		cases=("$@")
	else
		mapfile -t cases < <(cdo_list_cases)
	fi
	build_tools || exit 1
	# Build every missing object pair first (shared make runs); a case
	# whose objects could not be built fails below with the reason.
	if cdo_stock_dir >/dev/null; then
		cdo_generate "${cases[@]}" || true
	fi
	for case in "${cases[@]}"; do
		run_case "$case"
	done
}

main "$@"
