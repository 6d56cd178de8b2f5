# shellcheck shell=bash
# kpatch-build: the patch files: what they touch, applying them, restoring the
# sources.
# Sourced by kpatch-build; uses its globals and messages (die, step, log).

# --- patch files ------------------------------------------------------------------

# Prints the files a patch touches (paths after -p1), one per line.
patch_files() {
	awk '
	function strip(p) {
		sub(/\t.*$/, "", p)
		sub(/^"/, "", p); sub(/"$/, "", p)
		if (p == "/dev/null") return ""
		sub(/^[^\/]*\//, "", p)
		return p
	}
	/^--- / { old = strip(substr($0, 5)); next }
	/^\+\+\+ / {
		new = strip(substr($0, 5))
		f = (new != "") ? new : old
		if (f != "" && !(f in seen)) { seen[f] = 1; print f }
	}' "$1"
}

# Prints the header of hunk N of FILE in PATCH ("@@ -a,b +c,d @@ context").
hunk_header() {
	local patch=$1 file=$2 n=$3
	awk -v file="$file" -v n="$n" '
	/^\+\+\+ / { p = substr($0, 5); sub(/\t.*$/, "", p); sub(/^[^\/]*\//, "", p); infile = (p == file); k = 0; next }
	infile && /^@@ / { k++; if (k == n) { print; exit } }' "$patch"
}

# Explains why PATCH did not apply, from patch(1)'s output in OUT.
patch_failure() {
	local patch=$1 out=$2 file="" line n at hdr
	local -a why=()
	while IFS= read -r line; do
		case $line in
		"checking file "* | "patching file "*) file=${line#* file } ;;
		"Hunk #"*" FAILED at "*)
			n=${line#Hunk #}; n=${n%% *}
			at=${line##* at }; at=${at%.}
			hdr=$(hunk_header "$patch" "$file" "$n")
			why+=("$file: hunk #$n ${hdr:+($hdr) }does not apply (at line $at)") ;;
		*"Reversed (or previously applied) patch detected"*)
			why+=("${file:-a file}: the change is already there (reversed or previously applied patch)") ;;
		"can't find file to patch"*)
			why+=("a file it changes does not exist in the tree") ;;
		*"malformed patch"* | *"Only garbage"*)
			why+=("it is not a valid patch: $line") ;;
		esac
	done <"$out"
	[[ ${#why[@]} -gt 0 ]] || why=("$(tail -n 1 "$out")")
	printf '%s\n' "${why[@]}"
}

# Back up every file the patches touch under ROOT, then apply them there.
# On failure the sources are restored and the failing hunks named.
apply_patches() {
	local root=$1 mode=$2 p f out
	back_up_sources "$root" "$mode"
	PATCHED_ROOT=$root
	out=$SCRATCH/patch.out
	for p in "${PATCHES[@]}"; do
		log "+ patch -p1 -d $root < $p"
		if ! patch -d "$root" -p1 --batch --forward --no-backup-if-mismatch \
			-r - -i "$(readlink -f "$p")" >"$out" 2>&1; then
			cat "$out" >>"$LOG"
			restore_sources
			local msg
			msg=$(patch_failure "$p" "$out" | sed 's/^/  /')
			die "$(basename "$p") does not apply to the $TARGET_KIND kernel source ($root):"$'\n'"$msg"
		fi
		cat "$out" >>"$LOG"
		if grep -q 'with fuzz' "$out"; then
			warn "$(basename "$p") applied with fuzz: check the result ($(grep -m1 'with fuzz' "$out"))"
		fi
	done
	for f in "${TOUCHED_FILES[@]}"; do
		[[ -e $root/$f ]] || continue
		[[ -f $root/$f ]] || die "patch touches $f, which is not a regular file"
	done
}

back_up_sources() {
	local root=$1 mode=$2 f d
	RESTORE_MODE=$mode
	BACKUP_FILES=()
	NEW_FILES=()
	NEW_DIRS=()
	rm -rf "$SCRATCH/backup"
	mkdir -p "$SCRATCH/backup"
	for f in "${TOUCHED_FILES[@]}"; do
		if [[ -e $root/$f ]]; then
			mkdir -p "$SCRATCH/backup/$(dirname "$f")"
			cp -p "$root/$f" "$SCRATCH/backup/$f"
			BACKUP_FILES+=("$f")
		else
			NEW_FILES+=("$f")
			d=$(dirname "$f")
			while [[ $d != . && ! -d $root/$d ]]; do
				NEW_DIRS+=("$d")
				d=$(dirname "$d")
			done
		fi
	done
}

# Put the sources back as they were; safe to call more than once.
restore_sources() {
	local root=$PATCHED_ROOT f d bad=0
	[[ -n $root ]] || return 0
	for f in "${BACKUP_FILES[@]}"; do
		rm -f "$root/$f"
		cp -p "$SCRATCH/backup/$f" "$root/$f" || bad=1
		# After a full build, make must notice what it cannot see through
		# the deleted objects (Kconfig, Makefiles, linker scripts).
		if [[ $RESTORE_MODE == full && $f != *.[chS] ]]; then
			touch "$root/$f"
		fi
		cmp -s "$SCRATCH/backup/$f" "$root/$f" || bad=1
	done
	for f in "${NEW_FILES[@]}"; do
		rm -f "$root/$f"
	done
	for d in "${NEW_DIRS[@]}"; do
		rmdir "$root/$d" 2>/dev/null || true
	done
	PATCHED_ROOT=""
	if [[ $bad -ne 0 ]]; then
		printf '%s: error: could not restore the sources of %s from %s/backup; restore them by hand\n' \
			"$PROG" "$root" "$SCRATCH" >&2
		OPT_SKIP_CLEANUP=1
	fi
	return 0
}

# Files that cannot change an object.
not_built_file() {
	case $1 in
	Documentation/* | *.rst | *.txt | *.md | MAINTAINERS | CREDITS | README* | LICENSES/*) return 0 ;;
	esac
	return 1
}

read_patches() {
	local p f
	local -A seen=()
	TOUCHED_FILES=()
	for p in "${PATCHES[@]}"; do
		local -a files=()
		mapfile -t files < <(patch_files "$p")
		[[ ${#files[@]} -gt 0 ]] || die "$p is not a patch: it names no file (no '+++ ' lines)"
		for f in "${files[@]}"; do
			[[ $f == /* || $f == *..* ]] && die "$p: refusing file path '$f' (absolute or with ..)"
			[[ -n ${seen[$f]:-} ]] && continue
			seen[$f]=1
			TOUCHED_FILES+=("$f")
		done
	done
}

# fast when every built file the patches touch is a .c file.
choose_build_mode() {
	local f
	if [[ -n $OPT_OOT_MODULE ]]; then
		BUILD_MODE=oot
		return 0
	fi
	if [[ $TARGET_KIND == custom ]]; then
		BUILD_MODE=full
		return 0
	fi
	BUILD_MODE=fast
	for f in "${TOUCHED_FILES[@]}"; do
		not_built_file "$f" && continue
		if [[ $f != *.c ]]; then
			BUILD_MODE=full
			log "full build: the patches change $f (not a .c file)"
			return 0
		fi
	done
}
