#!/bin/bash
# kpatch-build refuses what it cannot build, with a message that says why,
# points to the full log, leaves no module and leaves the tree as found.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../../lib/result.sh
source "$HERE/../../lib/result.sh"
# shellcheck source=build-lib/common.sh
source "$HERE/build-lib/common.sh"
P=$HERE/build-refuse

kb_init

kb_refused "a patch that does not apply names the file and hunk" \
	'fs/proc/meminfo.c: hunk #1 .*does not apply' "$P/does-not-apply.patch"
kb_tree_clean "tree untouched after a patch that does not apply" "$P/does-not-apply.patch"

kb_refused "an __init change is refused, naming the function" \
	'proc_meminfo_init' "$P/init-code.patch"
kb_tree_clean "tree restored after the __init refusal" "$P/init-code.patch"

kb_refused "a change to existing static data is refused, naming the variable" \
	'lease_break_time' "$P/static-data.patch"
kb_tree_clean "tree restored after the static data refusal" "$P/static-data.patch"

kb_refused "a vDSO change is refused" \
	'vclock_gettime.c is vDSO code.*user space' "$P/vdso.patch"
kb_refused "a change to vDSO code #included from lib/vdso is refused" \
	'lib/vdso/gettimeofday.c is vDSO code' "$P/vdso-lib.patch"

kb_refused "a file the target's config does not build is refused" \
	'i810_dma.c is not built with the target' "$P/not-built.patch"

# Objects built differently from the target (here: -Os instead of -O2) are
# caught by the function size check before anything is diffed.
KPATCH_KCFLAGS=-Os kb_refused "an object that does not match the target is refused, naming function and sizes" \
	'meminfo_proc_show is [0-9]+ bytes here but 2650 bytes in vmlinux' \
	"$KB_TOPDIR/doc/examples/meminfo-string.patch"
kb_tree_clean "tree restored after the mismatch refusal" "$KB_TOPDIR/doc/examples/meminfo-string.patch"

# A compiler whose .comment differs from the target's.
mkdir -p "$KB_OUT/fakecc"
cat >"$KB_OUT/fakecc/gcc" <<'CC'
#!/bin/bash
/usr/bin/gcc "$@" || exit
for a in "$@"; do [[ $prev == -o ]] && out=$a; prev=$a; done
[[ -n ${out:-} && $out == *.o ]] || exit 0
printf 'GCC: (Other) 99.1.0\0' >"$out.comment"
objcopy --update-section .comment="$out.comment" "$out" && rm -f "$out.comment"
CC
chmod +x "$KB_OUT/fakecc/gcc"
PATH=$KB_OUT/fakecc:$PATH kb_refused "a different compiler is refused" \
	"built by 'GCC: \(Debian [^)]*\) [0-9.]+' but this machine's gcc is 'GCC: \(Other\) 99.1.0'" \
	"$KB_TOPDIR/doc/examples/meminfo-string.patch"

KB_USAGE_ERROR=1 kb_refused "a missing patch file is an error" "patch file '.*nothere.patch' does not exist" "$KB_OUT/nothere.patch"
printf 'hello\n' >"$KB_OUT/garbage.patch"
kb_refused "a file that is not a patch is an error" "garbage.patch is not a patch" "$KB_OUT/garbage.patch"
