#!/bin/bash
# Helpers of the build-* suites: run kpatch-build for the stock kernel and
# check what it leaves behind.  Sourced after test/lib/result.sh (host-only
# suites) or after test/integration/lib/vm.sh (VM suites).

KB_TOPDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../../.." && pwd)
KB=$KB_TOPDIR/kpatch-build/kpatch-build
KB_CACHE=${KPATCH_CACHE:-$HOME/.kpatch}

# kb_init: the stock kernel release and cache dir (KB_REL, KB_KCACHE) and a
# scratch dir for outputs (KB_OUT).
kb_init() {
	KB_KCACHE=$("$KB_TOPDIR/kpatch-build/kpatch-stock-kernel" --cache "$KB_CACHE" -c image,source) || {
		fail "stock kernel" "kpatch-stock-kernel failed"
		exit 1
	}
	KB_REL=$(basename "$KB_KCACHE")
	KB_OUT=$(mktemp -d "${TMPDIR:-/tmp}/kpatch-build-test.XXXXXX")
	# shellcheck disable=SC2064
	trap "rm -rf '$KB_OUT'; ${KB_EXTRA_TRAP:-:}" EXIT
}

# kb_run ARGS...: run kpatch-build for the stock kernel with output in
# $KB_OUT; its status in KB_STATUS, its output in $KB_OUT/kb.out.
kb_run() {
	KB_STATUS=0
	(cd "$KB_OUT" && "$KB" -a "$KB_REL" "$@") >"$KB_OUT/kb.out" 2>&1 || KB_STATUS=$?
}

# kb_show: kpatch-build's output, on stderr (after a failed check).
kb_show() {
	sed 's/^/kpatch-build| /' "$KB_OUT/kb.out" >&2
}

# kb_build CHECK-NAME ARGS...: kb_run, PASS if it succeeded and made
# exactly one .ko in $KB_OUT; KB_KO names it.
kb_build() {
	local name=$1 kos
	shift
	rm -f "$KB_OUT"/*.ko
	kb_run "$@"
	kos=$(find "$KB_OUT" -maxdepth 1 -name '*.ko' | wc -l)
	if [[ $KB_STATUS -ne 0 ]]; then
		fail "$name" "kpatch-build $* exited $KB_STATUS: $(grep -m1 'error:' "$KB_OUT/kb.out" || tail -n 1 "$KB_OUT/kb.out")"
		kb_show
		return 1
	fi
	if [[ $kos -ne 1 ]]; then
		fail "$name" "kpatch-build $* made $kos .ko files in $KB_OUT"
		kb_show
		return 1
	fi
	KB_KO=$(find "$KB_OUT" -maxdepth 1 -name '*.ko')
	pass "$name"
}

# kb_refused CHECK-NAME REGEX ARGS...: kpatch-build must fail, say REGEX
# (extended, on one of its error lines), point to the full log (unless
# KB_USAGE_ERROR is set: command line errors come before any log) and leave
# no module.
kb_refused() {
	local name=$1 re=$2
	shift 2
	rm -f "$KB_OUT"/*.ko
	kb_run "$@"
	local before=$RESULT_FAILURES
	if [[ $KB_STATUS -eq 0 ]]; then
		fail "$name" "kpatch-build $* succeeded but should have refused"
	elif ! grep -qE -- "$re" "$KB_OUT/kb.out"; then
		fail "$name" "kpatch-build exited $KB_STATUS without saying /$re/: $(grep -m1 'error:' "$KB_OUT/kb.out" || tail -n 1 "$KB_OUT/kb.out")"
	elif compgen -G "$KB_OUT/*.ko" >/dev/null; then
		fail "$name" "a failed build left $(ls "$KB_OUT"/*.ko)"
	elif [[ -z ${KB_USAGE_ERROR:-} ]] && ! grep -q "full log: " "$KB_OUT/kb.out"; then
		fail "$name" "the error does not point to the full log"
	else
		pass "$name"
	fi
	[[ $RESULT_FAILURES -eq $before ]] || kb_show
	return 0
}

# kb_tree_clean CHECK-NAME PATCH...: the prepared tree's copies of the files
# the patches touch are the pristine source's, and no .orig/.rej is there.
kb_tree_clean() {
	local name=$1 tree=$KB_KCACHE/tree f bad=""
	shift
	while IFS= read -r f; do
		[[ -n $f ]] || continue
		cmp -s "$tree/$f" "$KB_KCACHE/source/$f" || bad="$bad $f"
		[[ -e $tree/$f.orig || -e $tree/$f.rej ]] && bad="$bad $f.orig/.rej"
	done < <(sed -n 's|^+++ [^/]*/\([^[:space:]]*\).*|\1|p' "$@" | sort -u)
	if [[ -n $bad ]]; then
		fail "$name" "the prepared tree differs from the source:$bad"
	else
		pass "$name"
	fi
}

# kb_vm_init: vm_init plus the guest helpers in /usr/lib/kpatch-test/build.sh.
kb_vm_init() {
	vm_init
	vm_add_file "$KB_TOPDIR/test/integration/tests/build-lib/guest.sh" /usr/lib/kpatch-test/build.sh
	KB_EXTRA_TRAP=vm__cleanup
	kb_init
	[[ $KB_REL == "$VM_KREL" ]] || {
		fail "stock kernel" "kpatch-stock-kernel gives $KB_REL, the harness boots $VM_KREL"
		exit 1
	}
}

# kb_add_ko: put the module kb_build made into the guest's /test.
kb_add_ko() {
	vm_add_file "$KB_KO" "$(basename "$KB_KO")"
}
