#!/bin/bash
# Guest helpers for the core-* suites (sourced in the guest as /test/core-guest.sh).

KP_SYSFS=/sys/kernel/kpatch

# kallsyms_addr NAME [POS [MODULE]]: the POS-th (default 1) symbol NAME of
# vmlinux, or of MODULE, in /proc/kallsyms order (the order sympos counts).
kallsyms_addr() {
	local name=$1 pos=${2:-1} mod=${3:-}
	if [[ -z $mod ]]; then
		awk -v n="$name" -v p="$pos" \
			'$3 == n && NF == 3 { if (++c == p) { print $1; exit } }' /proc/kallsyms
	else
		awk -v n="$name" -v p="$pos" -v m="[$mod]" \
			'$3 == n && $4 == m { if (++c == p) { print $1; exit } }' /proc/kallsyms
	fi
}

# kp_addr_is FILE NAME [POS [MODULE]]: a sysfs address file holds that symbol.
kp_addr_is() {
	local file=$1 want
	shift
	want=$(kallsyms_addr "$@")
	[[ -n $want ]] || { echo "no symbol $* in /proc/kallsyms"; return 1; }
	[[ $(cat "$file") == "0x$want" ]] || { echo "$file: $(cat "$file"), want 0x$want"; return 1; }
}

# kp_unload NAME: disable a kpatch patch and remove its module.
kp_unload() {
	echo 0 >"$KP_SYSFS/$1/enabled" && rmmod "$1"
}

# log_has REGEX: the kernel log (since the last `dmesg -c`) matches.
log_has() {
	dmesg | grep -qE -- "$1" || { echo "no '$1' in the kernel log"; return 1; }
}

# log_order REGEX1 REGEX2: both are logged, the first one before the second.
log_order() {
	local a b
	a=$(dmesg | grep -nE -- "$1" | head -n 1 | cut -d: -f1)
	b=$(dmesg | grep -nE -- "$2" | tail -n 1 | cut -d: -f1)
	[[ -n $a && -n $b && $a -lt $b ]] || { echo "'$1' (line ${a:-none}) not before '$2' (line ${b:-none})"; return 1; }
}

# kp_refcnt_is N: kpatch.ko's module reference count.
kp_refcnt_is() {
	[[ $(cat /sys/module/kpatch/refcnt) == "$1" ]] ||
		{ echo "kpatch refcnt $(cat /sys/module/kpatch/refcnt), want $1"; return 1; }
}

tainted_livepatch() {
	[[ $(( $(cat /proc/sys/kernel/tainted) & 32768 )) -ne 0 ]]
}
