# shellcheck shell=bash
# kpatch-build: the full path (whole build with kpatch-cc, cached) and
# out-of-tree modules.
# Sourced by kpatch-build; uses its globals and messages (die, step, log).

# --- full path: whole build with kpatch-cc, cached ---------------------------------

# The private build of a kernel: a copy of its source (patched in place under
# the lock) and an object tree, reused by the next patch of the same kernel.
full_cache_dir() {
	local key
	if [[ $TARGET_KIND == stock ]]; then
		echo "$CACHE/full/$RELEASE"
	else
		key=$( { echo "$SRCDIR"; cat "$CONFIG"; } | sha1sum | cut -c1-12)
		echo "$CACHE/full/custom-$RELEASE-$key"
	fi
}

# Bring the private source copy up to date with the target's source.
sync_source_copy() {
	local src=$1 copy=$2 stamp=$2/.kpatch-synced
	if [[ ! -f $stamp ]]; then
		rm -rf "$copy"
		mkdir -p "$copy"
		run cp -a "$src/." "$copy/" || die "cannot copy $src to $copy"
		# An in-place build of the original leaves objects and a config there.
		run make -C "$copy" -s mrproper || die "make mrproper failed in $copy"
		touch "$stamp"
		return 0
	fi
	# Later edits of the source (by its owner) are copied with a fresh mtime.
	local f n=0
	while IFS= read -r -d '' f; do
		f=${f#"$src"/}
		mkdir -p "$copy/$(dirname "$f")"
		cp "$src/$f" "$copy/$f"
		n=$((n + 1))
	done < <(find "$src" -type f -newer "$stamp" \( -name '*.[chS]' -o -name 'Makefile*' \
		-o -name 'Kconfig*' -o -name 'Kbuild*' -o -name '*.lds*' -o -name '*.sh' \) \
		-not -path '*/.git/*' -not -path '*/include/generated/*' -not -path '*/include/config/*' -print0)
	log "source copy: $n file(s) refreshed from $src"
	touch "$stamp"
}

# Distribution configs name signing keys that exist only where the distribution
# builds (e.g. Debian's debian/certs/...): build without them.
drop_foreign_keys() {
	local config=$1 src=$2 opt value
	for opt in SYSTEM_TRUSTED_KEYS SYSTEM_REVOCATION_KEYS MODULE_SIG_KEY; do
		value=$(sed -n "s/^CONFIG_$opt=\"\(.*\)\"\$/\1/p" "$config")
		[[ -z $value || $value == certs/signing_key.pem || -f $src/$value || -f $value ]] && continue
		log "config: $opt=\"$value\" does not exist here; building without it"
		if [[ $opt == MODULE_SIG_KEY ]]; then
			"$src/scripts/config" --file "$config" --set-str "$opt" certs/signing_key.pem
		else
			"$src/scripts/config" --file "$config" --set-str "$opt" ""
		fi
	done
}

# The first compiler or make errors in the log since mark_log.
mark_log() {
	LOG_MARK=$(($(wc -l <"$LOG") + 1))
}

make_errors() {
	tail -n "+${LOG_MARK:-1}" "$LOG" | grep -E -m 4 'error:|\*\*\*' | sed 's/^/  /' || true
}

# Objects only (every directory's built-in and module objects, kbuild's
# top directory target `.`): no vmlinux link, no .ko; the target's own vmlinux and modules
# give the symbols.
full_make() {
	local objdir=$1
	shift
	mark_log
	run make -C "$objdir" -j"$OPT_JOBS" "${MAKEVARS[@]}" \
		CC="$objdir/.kpatch-cc" KCFLAGS="$(kcflags)" \
		KERNELRELEASE="$RELEASE" KBUILD_MODULES=1 "$@"
}

full_build() {
	local dir src objdir obj real_cc=gcc
	dir=$(full_cache_dir)
	src=$dir/src
	objdir=$dir/obj
	mkdir -p "$dir"
	step "Updating the private copy of the source ($dir)"
	lock_tree "$dir"
	sync_source_copy "$SRCDIR" "$src"
	step_done
	step "Checking that the patches apply"
	apply_patches "$src" keep-mtime
	restore_sources
	step_done

	[[ $(config_value CC_IS_CLANG) == y ]] && real_cc=clang
	mkdir -p "$objdir"
	# A stable compiler path, so the command lines stay the same across runs.
	install -m 0755 "$(find_tool kpatch-cc)" "$objdir/.kpatch-cc"
	export KPATCH_CC_REAL=$real_cc
	unset KPATCH_CC_RECORD
	if ! cmp -s "$CONFIG" "$objdir/.kpatch-config"; then
		cp "$CONFIG" "$objdir/.config"
		cp "$CONFIG" "$objdir/.kpatch-config"
		drop_foreign_keys "$objdir/.config" "$src"
		run make -C "$src" O="$objdir" "${MAKEVARS[@]}" CC="$objdir/.kpatch-cc" olddefconfig ||
			die "make olddefconfig failed in $objdir"
	fi
	local note="cached"
	[[ -f $objdir/.kpatch-built ]] || note="first time: the whole kernel, this takes a while"
	step "Building the original kernel objects ($note)"
	rm -f "$objdir/.kpatch-built"
	full_make "$objdir" . modules_prepare ||
		die "building the original kernel failed in $objdir:"$'\n'"$(make_errors)"
	touch "$objdir/.kpatch-built"
	step_done

	step "Building the patched kernel objects"
	mkdir -p "$SCRATCH/record"
	apply_patches "$src" full
	rm -f "$objdir/.kpatch-built"
	FULL_OBJDIR=$objdir
	KPATCH_CC_RECORD=$SCRATCH/record full_make "$objdir" . ||
		die "building the patched kernel failed:"$'\n'"$(make_errors)"
	restore_sources
	mapfile -t CHANGED_OBJS < <(sort -u "$SCRATCH/record/changed-objects" 2>/dev/null)
	for obj in "${CHANGED_OBJS[@]}"; do
		mkdir -p "$SCRATCH/patched/$(dirname "$obj")"
		cp -p "$objdir/$obj" "$SCRATCH/patched/$obj"
		[[ -f $SCRATCH/record/orig/$obj ]] &&
			install -D -p "$SCRATCH/record/orig/$obj" "$SCRATCH/orig/$obj"
		PARENT[$obj]=$(object_parent "$objdir" "$obj")
	done
	filter_vdso_objects "$objdir"
	restore_recorded_objects
	touch "$objdir/.kpatch-built"
	step_done "${#CHANGED_OBJS[@]} object(s) changed"
	[[ ${#CHANGED_OBJS[@]} -gt 0 ]] || die "the patches change no kernel object"
	OBJROOT=$objdir
	KBUILD_DIR=${KBUILD_DIR:-$objdir}
	if [[ $TARGET_KIND == custom && ! -f $objdir/Module.symvers ]]; then
		cp "$MODULE_SYMVERS" "$objdir/Module.symvers" 2>/dev/null || : >"$objdir/Module.symvers"
	fi
}

# The objects the patched build compiled (or started to) are patched: put
# back the originals kpatch-cc saved (newer than the restored sources, so
# they stay up to date and what is linked from them is redone), delete the
# others, so the next build of the cached tree has only original objects.
restore_recorded_objects() {
	local objdir=$FULL_OBJDIR obj saved
	[[ -n $objdir && -f $SCRATCH/record/changed-objects ]] || return 0
	while IFS= read -r obj; do
		saved=$SCRATCH/record/orig/$obj
		[[ $obj == /* ]] || obj=$objdir/$obj
		rm -f "$obj"
		if [[ -f $saved ]]; then
			cp "$saved" "$obj.kpatch-tmp" && touch "$obj.kpatch-tmp" &&
				mv "$obj.kpatch-tmp" "$obj"
		fi
	done <"$SCRATCH/record/changed-objects"
	FULL_OBJDIR=""
}

# vDSO objects are rebuilt when their headers change; refuse only when their
# code changed, since it runs in user space.
filter_vdso_objects() {
	local objdir=$1 obj
	local -a keep=()
	for obj in "${CHANGED_OBJS[@]}"; do
		if object_is_vdso "$objdir" "$obj"; then
			if ! same_text "$SCRATCH/orig/$obj" "$SCRATCH/patched/$obj"; then
				die "the patches change the vDSO ($obj): it runs in user space and cannot be live patched"
			fi
			log "$obj: vDSO object rebuilt with the same code; ignored"
			continue
		fi
		keep+=("$obj")
	done
	CHANGED_OBJS=("${keep[@]}")
}

same_text() {
	[[ -f $1 && -f $2 ]] || return 1
	cmp -s <(objcopy -O binary -j .text "$1" /dev/stdout 2>/dev/null) \
		<(objcopy -O binary -j .text "$2" /dev/stdout 2>/dev/null)
}

# --- out-of-tree module -----------------------------------------------------------------

oot_build() {
	local copy=$SCRATCH/oot-src name ko obj kdir real_cc=gcc
	ko=$(readlink -f "$OPT_OOT_MODULE")
	name=$(modinfo -F name "$ko" 2>/dev/null) || true
	[[ -n $name ]] || name=$(basename "$ko" .ko)
	name=${name//-/_}
	if [[ $TARGET_KIND == stock ]]; then
		kdir=$KBUILD_DIR
	else
		kdir=${OPT_SRCDIR}
	fi
	[[ -f $kdir/Makefile ]] || die "no kernel build tree for the out-of-tree module at $kdir"
	[[ $(config_value CC_IS_CLANG) == y ]] && real_cc=clang
	mkdir -p "$copy"
	cp -a "$(readlink -f "$OPT_OOT_SRC")/." "$copy/"
	install -m 0755 "$(find_tool kpatch-cc)" "$SCRATCH/kpatch-cc"
	export KPATCH_CC_REAL=$real_cc
	local -a mk=(make -C "$kdir" M="$copy" -j"$OPT_JOBS" "${MAKEVARS[@]}" CC="$SCRATCH/kpatch-cc"
		KCFLAGS="$(kcflags)" modules)
	step "Checking that the patches apply"
	apply_patches "$copy" keep-mtime
	restore_sources
	step_done
	step "Building the original module $name"
	run "${mk[@]}" || die "building the original out-of-tree module failed"
	step_done
	step "Building the patched module"
	apply_patches "$copy" full
	mkdir -p "$SCRATCH/record"
	KPATCH_CC_RECORD=$SCRATCH/record run "${mk[@]}" || die "building the patched out-of-tree module failed"
	restore_sources
	CHANGED_OBJS=()
	while IFS= read -r obj; do
		[[ $obj == "$copy"/* ]] || continue
		obj=${obj#"$copy"/}
		CHANGED_OBJS+=("$obj")
		install -D -p "$copy/$obj" "$SCRATCH/patched/$obj"
		[[ -f $SCRATCH/record/orig/$copy/$obj ]] &&
			install -D -p "$SCRATCH/record/orig/$copy/$obj" "$SCRATCH/orig/$obj"
		PARENT[$obj]=$name
	done < <(sort -u "$SCRATCH/record/changed-objects" 2>/dev/null)
	PARENT_KO[$name]=$ko
	step_done "${#CHANGED_OBJS[@]} object(s) changed"
	[[ ${#CHANGED_OBJS[@]} -gt 0 ]] || die "the patches change no object of the module"
	OBJROOT=$copy
}
