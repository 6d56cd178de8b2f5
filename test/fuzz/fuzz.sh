#!/bin/bash
# fuzz.sh build|seeds|run: fuzz create-diff-object's ELF reader (and what
# follows it) with AFL++, ASan and UBSan.  Driven by test/fuzz/Makefile.
#
#   build  compile the differ's sources (the CDO_OBJS of kpatch-build/Makefile)
#          with afl-clang-fast, AFL_USE_ASAN and AFL_USE_UBSAN, into
#          $OUT/build/create-diff-object
#   seeds  small seed objects: debug-stripped ORIG/PATCHED pairs of corpus
#          cases (test/unit/cdo/gen) and of a tiny C file, each with a parent
#          symtab and Module.symvers cut down to what the pair uses
#   run    fuzz for FUZZ_SECONDS: half with the mutated file as ORIG.o
#          (PATCHED.o fixed), half as PATCHED.o (ORIG.o fixed); then print
#          the crash and hang counts and fail if there is any
set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
OUT=${FUZZ_OUT:-$TOP/test/fuzz/out}
FUZZ_SECONDS=${FUZZ_SECONDS:-600}
# Corpus cases whose objects seed the fuzzer (small objects, varied
# special sections); the first one is the fixed pair.
read -r -a SEED_CASES <<<"${FUZZ_SEED_CASES:-cmdline-string bug-table ex-table jump-table static-call cold-parent consoles-sympos}"

die() {
	echo "fuzz: error: $*" >&2
	exit 1
}

# compile_differ DIR CC CFLAGS...: the differ's objects (CDO_OBJS of
# kpatch-build/Makefile) built into DIR/create-diff-object.
compile_differ() {
	local dir=$1 cc=$2 src=$TOP/kpatch-build obj
	local -a objs
	shift 2
	# shellcheck disable=SC2016 # a make expression, expanded by make
	read -r -a objs <<<"$(make -s -C "$src" --no-print-directory \
		--eval='fuzz-print-objs: ; @echo $(CDO_OBJS)' fuzz-print-objs)"
	[[ ${#objs[@]} -gt 0 ]] || die "no CDO_OBJS in $src/Makefile"
	mkdir -p "$dir"
	for obj in "${objs[@]}"; do
		"$cc" "$@" -O1 -g -std=gnu11 -fno-omit-frame-pointer -I"$src" \
			-c -o "$dir/$obj" "$src/${obj%.o}.c" || die "compiling $src/${obj%.o}.c failed"
	done
	(cd "$dir" && "$cc" "$@" -g -o create-diff-object "${objs[@]}" -lelf) || die "linking failed"
}

# FUZZ_SANITIZE_EXTRA: extra flags for both builds (e.g. to silence a known
# report while looking for others: -fno-sanitize=nonnull-attribute).
build() {
	local -a extra
	read -r -a extra <<<"${FUZZ_SANITIZE_EXTRA:-}"
	command -v afl-clang-fast >/dev/null || die "afl-clang-fast not found (Debian package afl++)"
	# UBSan by hand rather than AFL_USE_UBSAN, so that FUZZ_SANITIZE_EXTRA
	# comes after it on the command line.
	AFL_USE_ASAN=1 AFL_QUIET=1 compile_differ "$OUT/build" afl-clang-fast \
		-fsanitize=undefined -fsanitize-undefined-trap-on-error -fno-sanitize-recover=all \
		"${extra[@]}"
	echo "fuzz: built $OUT/build/create-diff-object (AFL++, ASan, UBSan)"
	# The same sources with sanitizers that print what they found, to
	# explain the crashes (the AFL build traps without a message).
	compile_differ "$OUT/triage" clang -fsanitize=address,undefined "${extra[@]}"
	echo "fuzz: built $OUT/triage/create-diff-object (ASan, UBSan with reports)"
}

# First sanitizer or error line of running the triage build on a case.
triage() {
	local msg
	msg=$( (ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=print_stacktrace=0 timeout 10 \
		"$OUT/triage/create-diff-object" "$@" 2>&1 >/dev/null) 2>&1 || true)
	local what where
	what=$(grep -m 1 -E 'runtime error|ERROR: [A-Za-z]*Sanitizer' <<<"$msg" |
		sed -e 's/^==[0-9]*==//' -e 's/ (pc 0x.*//')
	where=$(grep -m 1 -E '#[0-9]+ .* in .*kpatch-build/' <<<"$msg" | sed 's/.* in /in /')
	echo "${what:-(no sanitizer message; see the input)}${where:+ $where}"
}

# Hangs AFL saw under load may not be hangs: keep those that still take
# more than 10 s.  Args: NAME ORIG PATCHED (one of them @@).
real_hangs() {
	local name=$1 orig=$2 patched=$3 f n=0
	for f in "$OUT/$name"/default/hangs/id:*; do
		[[ -f $f ]] || continue
		if [[ $(status_of_timed "${orig/@@/$f}" "${patched/@@/$f}") -eq 124 ]]; then
			n=$((n + 1))
			echo "fuzz: $name hang $(basename "$f" | cut -d, -f1): still running after 10 s" >&2
		else
			echo "fuzz: $name hang $(basename "$f" | cut -d, -f1) did not reproduce (load?)" >&2
		fi
	done
	echo "$n"
}

status_of_timed() {
	local rc
	rc=$( (timeout 10 "$OUT/build/create-diff-object" "$1" "$2" vmlinux "$OUT/fixed/parent.symtab" \
		"$OUT/fixed/Module.symvers" kpatch_fuzz "$OUT/tmp/output.o" >/dev/null 2>&1; echo $?) 2>/dev/null)
	echo "${rc:-255}"
}

# Exit status of the AFL build on a case; a death by signal is reported
# here, not by bash.
status_of() {
	local rc
	rc=$( ("$OUT/build/create-diff-object" "$@" >/dev/null 2>&1; echo $?) 2>/dev/null)
	echo "${rc:-255}"
}

# The seeds must run clean, or afl-fuzz refuses to start.
check_seeds() {
	local fixed=$OUT/fixed f bad=0 rc
	for f in "$OUT"/seeds-orig/*.o; do
		rc=$(status_of "$f" "$fixed/patched.o" vmlinux "$fixed/parent.symtab" \
			"$fixed/Module.symvers" kpatch_fuzz "$OUT/tmp/output.o")
		if [[ $rc -ge 128 ]]; then
			echo "fuzz: seed $(basename "$f") crashes the differ: $(triage "$f" "$fixed/patched.o" \
				vmlinux "$fixed/parent.symtab" "$fixed/Module.symvers" kpatch_fuzz "$OUT/tmp/output.o")" >&2
			bad=1
		fi
	done
	return $bad
}

# Cut PARENT_SYMTAB and Module.symvers down to the pair's names: a run
# takes milliseconds instead of parsing 130000 symbols.
small_parent_files() {
	local orig=$1 patched=$2 source=$3 dir=$4 stock names
	stock=$("$TOP/kpatch-build/kpatch-stock-kernel" -c image,headers,dbg)
	names=$( (readelf -sW "$orig"; readelf -sW "$patched") |
		awk '$8 != "" && $4 != "FILE" && $4 != "SECTION" { print $8 }' | sort -u)
	readelf -s --wide "$stock/vmlinux" | awk -v f="$(basename "$source")" '
		NR <= 3 { print; next }
		$4 == "FILE" { inb = ($8 == f); if (inb) print; next }
		inb { print }' >"$dir/parent.symtab"
	readelf -s --wide "$stock/vmlinux" | grep -v ' LOCAL ' | grep -wFf <(echo "$names") \
		>>"$dir/parent.symtab" || true
	grep -wFf <(echo "$names") "$stock/build/Module.symvers" >"$dir/Module.symvers" || true
}

tiny_pair() {
	local dir=$1
	local -a cflags=(-O1 -fno-inline -fno-PIE -mcmodel=kernel -ffunction-sections
		-fdata-sections -pg -mfentry -mrecord-mcount -c)
	cat >"$dir/tiny.c" <<'EOF'
int tiny_counter;
static int tiny_helper(int x) { return x * 3 + tiny_counter; }
int tiny_func(int x) { return tiny_helper(x) + 1; }
EOF
	gcc "${cflags[@]}" -o "$dir/orig.o" "$dir/tiny.c"
	sed -i 's/+ 1;/+ 2;/' "$dir/tiny.c"
	gcc "${cflags[@]}" -o "$dir/patched.o" "$dir/tiny.c"
	readelf -s --wide "$dir/orig.o" >"$dir/parent.symtab"
	: >"$dir/Module.symvers"
}

seeds() {
	local case pdir obj dir first=""
	rm -rf "$OUT/pairs" "$OUT/seeds-orig" "$OUT/seeds-patched"
	mkdir -p "$OUT/pairs" "$OUT/seeds-orig" "$OUT/seeds-patched"
	while read -r case pdir; do
		dir=$OUT/pairs/$case
		mkdir -p "$dir"
		obj=$(sed -n 's/^object=//p' "$pdir/info")
		objcopy --strip-debug "$pdir/orig.o" "$dir/orig.o"
		objcopy --strip-debug "$pdir/patched.o" "$dir/patched.o"
		small_parent_files "$dir/orig.o" "$dir/patched.o" "${obj%.o}.c" "$dir"
		[[ -n $first ]] || first=$case
	done < <("$TOP/test/unit/cdo/gen" "${SEED_CASES[@]}" || true)
	mkdir -p "$OUT/pairs/tiny"
	tiny_pair "$OUT/pairs/tiny"
	[[ -n $first ]] || { first=tiny; echo "fuzz: no corpus pairs; seeding with the tiny pair only" >&2; }
	ln -sfn "pairs/$first" "$OUT/fixed"
	for dir in "$OUT"/pairs/*/; do
		case=$(basename "$dir")
		cp "$dir/orig.o" "$OUT/seeds-orig/$case.o"
		cp "$dir/patched.o" "$OUT/seeds-patched/$case.o"
	done
	echo "fuzz: seeds: $(find "$OUT/seeds-orig" -name '*.o' | wc -l) objects per side, fixed pair $first"
}

# fuzz_one NAME SECONDS SEEDS ARGS...: one afl-fuzz session.
fuzz_one() {
	local name=$1 seconds=$2 seeds=$3
	shift 3
	rm -rf "${OUT:?}/$name"
	mkdir -p "$OUT/$name" "$OUT/tmp"
	echo "fuzz: $name for ${seconds}s"
	AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1 \
		AFL_NO_AFFINITY=1 AFL_SKIP_CRASHES=0 AFL_QUIET=1 \
		ASAN_OPTIONS=abort_on_error=1:symbolize=0:detect_leaks=0:allocator_may_return_null=1 \
		UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1 \
		afl-fuzz -i "$seeds" -o "$OUT/$name" -m none -t 5000 -V "$seconds" -- \
		"$OUT/build/create-diff-object" "$@" >"$OUT/$name.log" 2>&1 ||
		{ tail -n 20 "$OUT/$name.log" >&2; die "afl-fuzz $name failed (log: $OUT/$name.log)"; }
}

count_files() {
	find "$1" -maxdepth 1 -type f -name 'id:*' 2>/dev/null | wc -l
}

stat_of() {
	sed -n "s/^$2 *: *//p" "$1/default/fuzzer_stats" 2>/dev/null || echo 0
}

# report_crashes NAME ORIG PATCHED (one of them @@): what each crash is.
report_crashes() {
	local name=$1 orig=$2 patched=$3 f
	for f in "$OUT/$name"/default/crashes/id:*; do
		[[ -f $f ]] || continue
		echo "fuzz: $name crash $(basename "$f" | cut -d, -f1): $(triage "${orig/@@/$f}" \
			"${patched/@@/$f}" vmlinux "$OUT/fixed/parent.symtab" "$OUT/fixed/Module.symvers" \
			kpatch_fuzz "$OUT/tmp/output.o")"
	done | awk '{ key = $0; sub(/^fuzz: [^ ]* crash id:[0-9]*: /, "", key) } !seen[key]++' | head -n 20
	echo "fuzz: inputs in $OUT/$name/default/{crashes,hangs}"
}

run() {
	local half fixed=$OUT/fixed crashes=0 hangs=0 execs=0 name c h e
	[[ -x $OUT/build/create-diff-object && -x $OUT/triage/create-diff-object ]] || build
	[[ -e $fixed/orig.o ]] || seeds
	mkdir -p "$OUT/tmp"
	if ! check_seeds; then
		echo "fuzz: total 0s, 0 execs, the seeds themselves crash: fix those first" >&2
		return 1
	fi
	half=$((FUZZ_SECONDS / 2))
	[[ $half -ge 1 ]] || half=1
	fuzz_one as-orig "$half" "$OUT/seeds-orig" @@ "$fixed/patched.o" vmlinux \
		"$fixed/parent.symtab" "$fixed/Module.symvers" kpatch_fuzz "$OUT/tmp/output.o"
	fuzz_one as-patched "$((FUZZ_SECONDS - half))" "$OUT/seeds-patched" "$fixed/orig.o" @@ \
		vmlinux "$fixed/parent.symtab" "$fixed/Module.symvers" kpatch_fuzz "$OUT/tmp/output.o"
	for name in as-orig as-patched; do
		c=$(count_files "$OUT/$name/default/crashes")
		if [[ $name == as-orig ]]; then
			h=$(real_hangs "$name" @@ "$fixed/patched.o")
		else
			h=$(real_hangs "$name" "$fixed/orig.o" @@)
		fi
		e=$(stat_of "$OUT/$name" execs_done)
		printf 'fuzz: %-10s %s execs, %s paths, %s crashes, %s hangs (reproduced)\n' "$name" "$e" \
			"$(stat_of "$OUT/$name" corpus_count)" "$c" "$h"
		crashes=$((crashes + c)) hangs=$((hangs + h)) execs=$((execs + e))
	done
	echo "fuzz: total ${FUZZ_SECONDS}s, $execs execs, $crashes crashes, $hangs hangs"
	if [[ $crashes -gt 0 || $hangs -gt 0 ]]; then
		report_crashes as-orig @@ "$fixed/patched.o"
		report_crashes as-patched "$fixed/orig.o" @@
		return 1
	fi
}

case ${1:-run} in
build) build ;;
seeds) seeds ;;
run) run ;;
*) die "usage: fuzz.sh build|seeds|run" ;;
esac
