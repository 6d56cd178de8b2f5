#!/bin/bash
# Host checks of the utility's files: shellcheck, man pages render without
# warnings and document every command and option, make install/uninstall
# with DESTDIR and PREFIX, systemd-analyze verify on the installed unit,
# bash completion.
set -euo pipefail
TOP=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=../lib/result.sh
source "$TOP/test/lib/result.sh"

SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/kpatch-util-static.XXXXXX")
trap 'rm -rf "$SCRATCH"' EXIT
cd "$TOP"

need() {
	local tool
	for tool in "$@"; do
		command -v "$tool" >/dev/null 2>&1 && continue
		fail "tool $tool" "not installed (scripts/deps.sh installs it)"
		return 1
	done
}

# --- shellcheck
if need shellcheck; then
	for f in kpatch/kpatch contrib/bash-completion/kpatch contrib/bash-completion/kpatch-build \
		test/integration/tests/util-*.t test/unit/util*.t; do
		check "shellcheck $f" shellcheck -x "$f"
	done
fi
check "bash -n kpatch/kpatch (make -C kpatch)" make -s -C kpatch

# --- man pages
render() {
	LC_ALL=C.UTF-8 MANWIDTH=100 man --warnings -l "$1" 2>"$SCRATCH/man.err"
}
no_output() {
	local out
	out=$("$@" 2>&1 >/dev/null)
	[[ -z $out ]] || { echo "$out"; return 1; }
}
if need groff man; then
	for page in man/kpatch.1 man/kpatch-build.1; do
		check "$page: groff -ww -man -Tutf8 prints no warning" \
			no_output env LC_ALL=C.UTF-8 groff -ww -man -Tutf8 -z "$page"
		check "$page: man -l --warnings prints no warning" no_output render "$page"
	done
	render man/kpatch.1 >"$SCRATCH/kpatch.txt"
	missing=""
	for word in "kpatch load" "kpatch unload" "kpatch install" "kpatch uninstall" "kpatch list" \
		"kpatch info" "kpatch signal" "kpatch version" "kpatch help" -- --all --timeout \
		--kernel-version "-t," "-k," KPATCH_TIMEOUT KPATCH_CORE_MODULE KPATCH_INSTALL_DIR \
		KPATCH_SYSFS kpatch.enable=0 /var/lib/kpatch EXAMPLES "EXIT STATUS"; do
		[[ $word == -- ]] && continue
		grep -qF -- "$word" "$SCRATCH/kpatch.txt" || missing+=" '$word'"
	done
	if [[ -z $missing ]]; then pass "kpatch.1 documents every command, option and variable"; else
		fail "kpatch.1 documents every command, option and variable" "missing:$missing"; fi
	# Every command of 'kpatch help' is in the page.
	missing=""
	while read -r cmd; do
		grep -q "^       $cmd\b" "$SCRATCH/kpatch.txt" || missing+=" $cmd"
	done < <(kpatch/kpatch help | sed -n 's/^  \([a-z]*\) .*/\1/p' | sort -u)
	if [[ -z $missing ]]; then pass "kpatch.1 has a paragraph for each command of 'kpatch help'"; else
		fail "kpatch.1 has a paragraph for each command of 'kpatch help'" "missing:$missing"; fi
	version=$(kpatch/kpatch version)
	check "kpatch.1 names the version 'kpatch version' prints ($version)" grep -q "^\.TH KPATCH 1 .*\"$version\"" man/kpatch.1

	render man/kpatch-build.1 >"$SCRATCH/kpatch-build.txt"
	if [[ -x kpatch-build/kpatch-build ]]; then
		missing=""
		while read -r opt; do
			grep -qF -- "$opt" "$SCRATCH/kpatch-build.txt" || missing+=" $opt"
		done < <(kpatch-build/kpatch-build --help | grep -oE -- '(^|[ ,])--?[a-zA-Z][a-zA-Z-]*' | tr -d ' ,' | sort -u)
		while read -r var; do
			grep -qF -- "$var" "$SCRATCH/kpatch-build.txt" || missing+=" $var"
		done < <(kpatch-build/kpatch-build --help | grep -oE 'KPATCH_[A-Z_]+' | sort -u)
		if [[ -z $missing ]]; then pass "kpatch-build.1 documents every option and variable of 'kpatch-build --help'"; else
			fail "kpatch-build.1 documents every option and variable of 'kpatch-build --help'" "missing:$missing"; fi
	else
		fail "kpatch-build.1 documents every option and variable of 'kpatch-build --help'" "kpatch-build/kpatch-build is missing"
	fi
	check "kpatch-build.1 has examples" grep -q '^EXAMPLES' "$SCRATCH/kpatch-build.txt"
fi

# --- make install / uninstall with DESTDIR and PREFIX
install_tree() {
	local dest=$1 prefix=$2 dir
	for dir in kpatch man contrib; do
		make -s -C "$dir" install DESTDIR="$dest" PREFIX="$prefix" || return 1
	done
}
expect_files() {
	local root=$1 prefix=$2 f missing=""
	for f in sbin/kpatch lib/systemd/system/kpatch.service share/man/man1/kpatch.1 \
		share/man/man1/kpatch-build.1 share/bash-completion/completions/kpatch \
		share/bash-completion/completions/kpatch-build; do
		[[ -f $root$prefix/$f ]] || missing+=" $prefix/$f"
	done
	[[ -z $missing ]] || { echo "missing:$missing"; return 1; }
	[[ -x $root$prefix/sbin/kpatch ]] || { echo "$prefix/sbin/kpatch is not executable"; return 1; }
}
for prefix in /usr /usr/local; do
	dest=$SCRATCH/destdir$prefix
	if ! install_tree "$dest" "$prefix" >"$SCRATCH/install.log" 2>&1; then
		fail "make install DESTDIR PREFIX=$prefix" "$(tail -n 1 "$SCRATCH/install.log")"
		continue
	fi
	check "make install DESTDIR PREFIX=$prefix puts every file under DESTDIR$prefix" expect_files "$dest" "$prefix"
	unit=$dest$prefix/lib/systemd/system/kpatch.service
	check "PREFIX=$prefix: the unit runs $prefix/sbin/kpatch load --all" \
		grep -qx "ExecStart=$prefix/sbin/kpatch load --all" "$unit"
	check_not "PREFIX=$prefix: no placeholder left in the unit" grep -q @ "$unit"
	check "PREFIX=$prefix: nothing installed outside DESTDIR$prefix" \
		test -z "$(find "$dest" -mindepth 1 -path "$dest$prefix" -prune -o -type f -print)"
	if need systemd-analyze; then
		check "PREFIX=$prefix: systemd-analyze verify on the installed unit" \
			env MANPATH="$dest$prefix/share/man" systemd-analyze verify --root="$dest" "$prefix/lib/systemd/system/kpatch.service"
	fi
	for dir in kpatch man contrib; do
		make -s -C "$dir" uninstall DESTDIR="$dest" PREFIX="$prefix" >/dev/null 2>&1 || true
	done
	check "PREFIX=$prefix: make uninstall removes every installed file" \
		test -z "$(find "$dest" -type f)"
done

unit=contrib/kpatch.service
check "unit: skipped with kpatch.enable=0" grep -qx 'ConditionKernelCommandLine=!kpatch.enable=0' $unit
check "unit: ordered before network-pre.target, which it pulls in" \
	sh -c "grep -qx 'Before=network-pre.target shutdown.target' $unit && grep -qx 'Wants=network-pre.target' $unit"
check "unit: oneshot that stays active, no stop action" \
	sh -c "grep -qx 'Type=oneshot' $unit && grep -qx 'RemainAfterExit=yes' $unit && ! grep -q '^ExecStop' $unit"
check "unit: wanted by multi-user.target" grep -qx 'WantedBy=multi-user.target' $unit

# --- bash completion
# complete_words FILE WORD...: the completions bash offers for the words
# (the last one is being completed), one per line.
complete_words() {
	local file=$1
	shift
	bash -c '
		shopt -s extglob
		source "$1"; shift
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		fn=$(complete -p "$1" | sed -n "s/.*-F \([^ ]*\) .*/\1/p")
		"$fn"
		printf "%s\n" "${COMPREPLY[@]}"' _ "$file" "$@" | sort
}
expect_completion() {
	local want=$1 got
	shift
	got=$(complete_words "$@" | tr '\n' ' ')
	[[ $got == "$want" ]] || { echo "got '$got', want '$want'"; return 1; }
}
C=contrib/bash-completion
check "completion: kpatch commands" expect_completion \
	"help info install list load signal uninstall unload version " $C/kpatch kpatch ""
check "completion: kpatch un" expect_completion "uninstall unload " $C/kpatch kpatch un
check "completion: kpatch load --" expect_completion "--all --timeout " $C/kpatch kpatch load --
check "completion: kpatch install -" expect_completion "--kernel-version " $C/kpatch kpatch install -
mkdir -p "$SCRATCH/comp"
touch "$SCRATCH/comp/livepatch-a.ko" "$SCRATCH/comp/notes.txt" "$SCRATCH/comp/fix.patch"
check "completion: kpatch install offers .ko files only" expect_completion \
	"$SCRATCH/comp/livepatch-a.ko " $C/kpatch kpatch install "$SCRATCH/comp/"
check "completion: kpatch-build --f" expect_completion "--format " $C/kpatch-build kpatch-build --f
check "completion: kpatch-build --format" expect_completion "kpatch livepatch " $C/kpatch-build kpatch-build --format ""
check "completion: kpatch-build offers patch files" expect_completion \
	"$SCRATCH/comp/fix.patch " $C/kpatch-build kpatch-build "$SCRATCH/comp/"
missing=""
if [[ -x kpatch-build/kpatch-build ]]; then
	offered=$(complete_words $C/kpatch-build kpatch-build -- | tr '\n' ' ')
	while read -r opt; do
		[[ " $offered " == *" $opt "* ]] || missing+=" $opt"
	done < <(kpatch-build/kpatch-build --help | grep -oE -- '(^|[ ,])--[a-zA-Z][a-zA-Z-]*' | tr -d ' ,' | sort -u)
	if [[ -z $missing ]]; then pass "completion: kpatch-build offers every long option of --help"; else
		fail "completion: kpatch-build offers every long option of --help" "missing:$missing"; fi
else
	fail "completion: kpatch-build offers every long option of --help" "kpatch-build/kpatch-build is missing"
fi
