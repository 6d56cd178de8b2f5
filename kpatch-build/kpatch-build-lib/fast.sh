# shellcheck shell=bash
# kpatch-build: the fast path: compile only the touched .c files in the
# prepared stock tree.
# Sourced by kpatch-build; uses its globals and messages (die, step, log).

# --- fast path: only the touched .c files ----------------------------------------

# Prints y, m or nothing: is OBJ in the real-obj-y/lib-y or real-obj-m lists of
# its directory's kbuild Makefile?
kbuild_membership() {
	local tree=$1 obj=$2 dir out
	dir=$(dirname "$obj")
	while [[ $dir != . ]]; do
		if [[ -f $tree/$dir/Makefile || -f $tree/$dir/Kbuild ]]; then
			out=$(make -s -C "$tree" -f "$SCRATCH/probe.mk" obj="$dir" srctree=. \
				"${MAKEVARS[@]}" kpatch-probe 2>/dev/null) || true
			if grep -q "^y:.* $obj\( \|\$\)" <<<"$out"; then
				echo y
				return 0
			fi
			if grep -q "^m:.* $obj\( \|\$\)" <<<"$out"; then
				echo m
				return 0
			fi
		fi
		dir=$(dirname "$dir")
	done
}

write_probe_makefile() {
	cat >"$SCRATCH/probe.mk" <<'EOF'
include scripts/Makefile.build
kpatch-probe:
	@echo "y: $(real-obj-y) $(lib-y) "
	@echo "m: $(real-obj-m) "
EOF
}

# The object a touched .c file is compiled into: its own, or the one of a
# file of the same directory (or the tree) that #includes it.
object_of_source() {
	local tree=$1 src=$2 obj base includer
	obj=${src%.c}.o
	if [[ -n $(kbuild_membership "$tree" "$obj") ]]; then
		echo "$obj"
		return 0
	fi
	base=$(basename "$src")
	while IFS= read -r includer; do
		includer=${includer#./}
		[[ $includer == "$src" ]] && continue
		obj=${includer%.c}.o
		if [[ -n $(kbuild_membership "$tree" "$obj") ]]; then
			log "$src is #included by $includer"
			echo "$obj"
			return 0
		fi
		if is_vdso_path "$includer"; then
			echo "vdso:$includer"
			return 0
		fi
	done < <(cd "$tree" && for d in "$(dirname "$src")" arch/x86 lib kernel; do
		grep -rlE --include='*.c' "^#[[:space:]]*include[[:space:]]+\"([^\"]*/)?$base\"" "$d" 2>/dev/null
	done | awk '!seen[$0]++')
	if is_vdso_path "$src"; then
		echo "vdso:$src"
		return 0
	fi
	return 1
}

is_vdso_path() {
	[[ $1 =~ (^|/)vdso[0-9]*/ ]]
}

fast_path_objects() {
	local tree=$1 f obj
	local -A seen=()
	write_probe_makefile
	CHANGED_OBJS=()
	for f in "${TOUCHED_FILES[@]}"; do
		not_built_file "$f" && continue
		[[ -f $tree/$f ]] || die "$f is not in the kernel source (a new file needs a Makefile change)"
		obj=$(object_of_source "$tree" "$f") ||
			die "$f is not built with the target's config (no object of the kernel or its modules is compiled from it)"
		if [[ $obj == vdso:* ]]; then
			die "$f is vDSO code: it runs in user space and cannot be live patched"
		fi
		[[ -n ${seen[$obj]:-} ]] && continue
		seen[$obj]=1
		CHANGED_OBJS+=("$obj")
	done
	[[ ${#CHANGED_OBJS[@]} -gt 0 ]] || die "the patches change no file that is compiled"
}

# Compile OBJS in the prepared tree and copy them to DEST.
compile_objects() {
	local tree=$1 dest=$2 what=$3 obj
	shift 3
	mark_log
	if ! run make -C "$tree" -j"$OPT_JOBS" "${MAKEVARS[@]}" KCFLAGS="$(kcflags)" "$@"; then
		die "compiling the $what objects failed:"$'\n'"$(make_errors)"
	fi
	for obj in "$@"; do
		[[ -f $tree/$obj ]] || die "make produced no $obj"
		mkdir -p "$dest/$(dirname "$obj")"
		cp -p "$tree/$obj" "$dest/$obj"
	done
}

# Keep the tree's original objects (and their kbuild command files) aside, to
# put them back over the patched ones: the next build of the same file finds
# its original object up to date, and no later build of the shared tree can
# pick up a patched object as an original.
save_original_objects() {
	local tree=$1 obj cmd
	for obj in "${CHANGED_OBJS[@]}"; do
		cmd=$(dirname "$obj")/.$(basename "$obj").cmd
		install -D -p "$tree/$obj" "$SCRATCH/tree-orig/$obj"
		[[ -f $tree/$cmd ]] && install -D -p "$tree/$cmd" "$SCRATCH/tree-orig/$cmd"
	done
	TREE_OBJECTS_SAVED=$tree
}

restore_original_objects() {
	local tree=$TREE_OBJECTS_SAVED obj cmd
	[[ -n $tree ]] || return 0
	for obj in "${CHANGED_OBJS[@]}"; do
		cmd=$(dirname "$obj")/.$(basename "$obj").cmd
		rm -f "$tree/$obj" "$tree/$cmd"
		if [[ -f $SCRATCH/tree-orig/$obj && -f $SCRATCH/tree-orig/$cmd ]]; then
			cp -p "$SCRATCH/tree-orig/$obj" "$tree/$obj"
			cp -p "$SCRATCH/tree-orig/$cmd" "$tree/$cmd"
		fi
	done
	TREE_OBJECTS_SAVED=""
}

# The prepared tree is shared: if a tool that patched it under the lock was
# killed before it restored it, put the pristine sources back.
repair_tree_sources() {
	local tree=$1 f
	for f in "${TOUCHED_FILES[@]}"; do
		if [[ -f $SRCDIR/$f ]]; then
			cmp -s "$SRCDIR/$f" "$tree/$f" && continue
			warn "$tree/$f differs from the pristine source (left patched by an interrupted tool?): restored"
			rm -f "$tree/$f"
			cp -p "$SRCDIR/$f" "$tree/$f"
			rm -f "$tree/${f%.c}.o"
		elif [[ -e $tree/$f ]]; then
			warn "$tree/$f is not in the pristine source (left by an interrupted tool?): removed"
			rm -f "$tree/$f"
		fi
	done
}

fast_build() {
	local tree=$OBJROOT obj
	step "Checking that the patches apply"
	lock_tree "$tree"
	repair_tree_sources "$tree"
	apply_patches "$tree" keep-mtime
	restore_sources
	step_done
	fast_path_objects "$tree"
	step "Compiling ${#CHANGED_OBJS[@]} original object(s): ${CHANGED_OBJS[*]}"
	compile_objects "$tree" "$SCRATCH/orig" original "${CHANGED_OBJS[@]}"
	for obj in "${CHANGED_OBJS[@]}"; do
		object_is_vdso "$tree" "$obj" &&
			die "$obj is vDSO code: it runs in user space and cannot be live patched"
		PARENT[$obj]=$(object_parent "$tree" "$obj")
	done
	step_done
	step "Compiling the patched objects"
	save_original_objects "$tree"
	apply_patches "$tree" keep-mtime
	compile_objects "$tree" "$SCRATCH/patched" patched "${CHANGED_OBJS[@]}"
	restore_sources
	restore_original_objects
	unlock_tree
	step_done
}
