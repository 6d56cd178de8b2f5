# shellcheck shell=bash
# kpatch-build: the objects: which parent they belong to, do they match the
# target.
# Sourced by kpatch-build; uses its globals and messages (die, step, log).

# --- objects: which parent, do they match the target --------------------------

# KBUILD_MODNAME of a built object if it was compiled for a module, else vmlinux.
object_parent() {
	local root=$1 obj=$2 cmd
	cmd=$root/$(dirname "$obj")/.$(basename "$obj").cmd
	[[ -f $cmd ]] || die "no kbuild command file $cmd for $obj"
	if grep -q -- '-DMODULE\b' "$cmd"; then
		sed -n "s/.*-DKBUILD_MODNAME='\"\([^\"]*\)\"'.*/\1/p" "$cmd" | head -n 1
	else
		echo vmlinux
	fi
}

object_is_vdso() {
	local root=$1 obj=$2 cmd
	cmd=$root/$(dirname "$obj")/.$(basename "$obj").cmd
	[[ -f $cmd ]] && grep -q -- '-DBUILD_VDSO' "$cmd"
}

# The .ko of module NAME in the target.
module_ko() {
	local name=${1//-/_} t ko
	for t in "${OPT_TARGETS[@]}"; do
		[[ $t == *.ko && -f $t ]] || continue
		if [[ $(basename "$t" .ko | tr - _) == "$name" ]]; then
			readlink -f "$t"
			return 0
		fi
	done
	if [[ -n $MODULES_DIR ]]; then
		ko=$(find "$MODULES_DIR" -name '*.ko' \( -name "$name.ko" -o -name "${name//_/-}.ko" \) -print -quit)
		[[ -n $ko ]] && { echo "$ko"; return 0; }
	fi
	# A custom kernel's modules are where it was built.
	if [[ $TARGET_KIND == custom ]]; then
		for t in "$(dirname "$VMLINUX")" "$SRCDIR"; do
			ko=$(find "$t" -name '*.ko' \( -name "$name.ko" -o -name "${name//_/-}.ko" \) -print -quit 2>/dev/null)
			[[ -n $ko ]] && { echo "$ko"; return 0; }
		done
	fi
	return 1
}

# The symbol table of a parent, as create-diff-object wants it.
parent_symtab() {
	local parent=$1 file=$SCRATCH/symtab/$1.symtab src
	if [[ ! -s $file ]]; then
		if [[ $parent == vmlinux ]]; then
			src=$VMLINUX
		else
			src=${PARENT_KO[$parent]}
		fi
		readelf -s --wide "$src" >"$file" 2>>"$LOG" || die "cannot read the symbol table of $src"
	fi
	echo "$file"
}

# Names the functions of an original object whose size differs from the
# parent's, and counts those found and missing.  For vmlinux, local functions
# are looked up in the FILE blocks of the object's source file.
compare_function_sizes() {
	local obj=$1 symtab=$2 use_file=$3
	awk -v use_file="$use_file" '
	FNR == 1 { part++ }
	part == 1 && $4 == "FILE" { srcfile = $8; next }
	part == 1 && $4 == "FUNC" && $5 != "WEAK" && $7 != "UND" && $3 > 0 {
		size[$8] = $3; next
	}
	part == 2 && $4 == "FILE" { infile = ($8 == srcfile); next }
	part == 2 && $4 == "FUNC" && ($8 in size) {
		if (use_file && $5 == "LOCAL" && !infile) next
		found[$8] = 1
		if ($3 == size[$8]) ok[$8] = 1
		else {
			sep = (other[$8] == "") ? "" : "/"
			other[$8] = other[$8] sep $3
			addr[$8] = addr[$8] sep $2
		}
	}
	END {
		for (f in size) {
			if (!(f in found)) missing++
			else if (f in ok) matched++
			else print "MISMATCH", f, size[f], other[f], addr[f]
		}
		print "COUNT", matched + 0, missing + 0
	}' <(readelf -s --wide "$obj") "$symtab"
}

# The instructions of a disassembly, without operands and padding: what
# must be equal when only jump encodings differ.
insn_stream() {
	awk -F'\t' '$1 ~ /^ *[0-9a-f]+:$/ && NF >= 2 {
		if ($2 ~ /nop|^xchg +%ax,%ax|^int3/) next
		m = $2; sub(/ .*/, "", m); print m
	}'
}

# Do function FUNC of OBJ and the parent's code (at one of the /-separated
# ADDRS, of the matching SIZES, for vmlinux) have the same instructions?
# Splitting functions into sections turns the assembler's short jumps
# between functions of a file into long ones, so sizes may differ a little
# for the same code.
same_instructions() {
	local obj=$1 func=$2 parent_file=$3 sizes=$4 addrs=$5 mine i
	local -a sz ad
	mine=$(objdump -d --no-show-raw-insn --disassemble="$func" "$obj" 2>/dev/null | insn_stream)
	[[ -n $mine ]] || return 1
	if [[ $parent_file != "$VMLINUX" ]]; then
		[[ $mine == "$(objdump -d --no-show-raw-insn --disassemble="$func" "$parent_file" 2>/dev/null | insn_stream)" ]]
		return
	fi
	IFS=/ read -r -a sz <<<"$sizes"
	IFS=/ read -r -a ad <<<"$addrs"
	for i in "${!ad[@]}"; do
		[[ $mine == "$(objdump -d --no-show-raw-insn --start-address="0x${ad[i]}" \
			--stop-address="$((0x${ad[i]} + sz[i]))" "$parent_file" 2>/dev/null | insn_stream)" ]] && return 0
	done
	return 1
}

# Refuse objects that were not built like the target's.
check_object_matches() {
	local rel=$1 orig=$2 parent=$3 symtab use_file=0 out mism="" matched missing
	local tag func here there addrs parent_file=$VMLINUX
	symtab=$(parent_symtab "$parent")
	[[ $parent == vmlinux ]] && use_file=1
	[[ $parent == vmlinux ]] || parent_file=${PARENT_KO[$parent]}
	out=$(compare_function_sizes "$orig" "$symtab" "$use_file")
	log "size check of $rel against $parent:"$'\n'"$out"
	while read -r tag func here there addrs; do
		[[ $tag == MISMATCH ]] || continue
		if same_instructions "$orig" "$func" "$parent_file" "$there" "$addrs"; then
			log "$rel: $func is $here bytes here, $there in $parent: same instructions (jump encodings)"
			continue
		fi
		mism+="  $func is $here bytes here but $there bytes in $parent"$'\n'
	done <<<"$out"
	mism=$(head -n 5 <<<"${mism%$'\n'}")
	read -r _ matched missing < <(grep '^COUNT' <<<"$out")
	if [[ -n $mism ]]; then
		die "$rel does not match the target kernel (is the compiler or the config different?):"$'\n'"$mism"
	fi
	if [[ $matched -eq 0 && $missing -gt 0 ]]; then
		die "none of the $missing functions of $rel is in $parent: the object is not part of the target kernel (is its config option off?)"
	fi
}

# Flags of every original and patched compilation: one section per function
# and object, the patch-author headers, the format's flavour of them.
kcflags() {
	local flags="$KPATCH_CFLAGS -I$PATCH_TEMPLATE"
	[[ $FORMAT == kpatch ]] && flags+=" -D__KPATCH_MODULE__"
	[[ -n ${KPATCH_KCFLAGS:-} ]] && flags+=" $KPATCH_KCFLAGS"
	echo "$flags"
}
