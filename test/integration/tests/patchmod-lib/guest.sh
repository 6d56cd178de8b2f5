#!/bin/bash
# Guest helpers of the patchmod-*.t suites (copied to /test/patchmod-guest.sh).

# klp_disable NAME: disable livepatch NAME and wait for the transition.
klp_disable() {
	echo 0 >"/sys/kernel/livepatch/$1/enabled" &&
		klp_wait_transition "$1" 60
}

# klp_remove NAME: disable livepatch NAME if enabled, then rmmod it.
klp_remove() {
	local dir=/sys/kernel/livepatch/$1
	if [[ -d $dir ]] && [[ $(cat "$dir/enabled") == 1 ]]; then
		klp_disable "$1" || return 1
	fi
	wait_until 20 test ! -e "$dir" && wait_until 10 rmmod "$1"
}

# kpatch_remove NAME: disable kpatch-format patch NAME, then rmmod it.
kpatch_remove() {
	local dir=/sys/kernel/kpatch/$1
	if [[ -d $dir ]] && [[ $(cat "$dir/enabled") == 1 ]]; then
		echo 0 >"$dir/enabled" || return 1
	fi
	wait_until 10 rmmod "$1"
}

# log_mark: later log_has/log_order only look at kernel messages from now on
# (busybox dmesg cannot clear the log).
LOG_MARK=
log_mark() {
	LOG_MARK="patchmod-log-mark-$RANDOM$RANDOM"
	echo "$LOG_MARK" >/dev/kmsg
}

# log_since_mark: the kernel log after the last log_mark.
log_since_mark() {
	if [[ -n $LOG_MARK ]]; then
		dmesg | sed -n "/$LOG_MARK/,\$p"
	else
		dmesg
	fi
}

# log_has TEXT: the kernel log (since the mark) has a line containing TEXT.
log_has() {
	log_since_mark | grep -qF -- "$1"
}

# log_order TEXT...: the kernel log (since the mark) has lines with each
# TEXT, in this order.
log_order() {
	local last=0 line text
	log_since_mark >/tmp/patchmod-log
	for text in "$@"; do
		line=$(grep -nF -- "$text" /tmp/patchmod-log | head -n 1 | cut -d: -f1)
		[[ -n $line && $line -gt $last ]] || {
			echo "'$text' is missing or out of order"
			return 1
		}
		last=$line
	done
}

# same_vermagic KO STOCKMOD: KO's vermagic is the stock module's.
same_vermagic() {
	local mine stock
	mine=$(modinfo -F vermagic "$1") || return 1
	stock=$(modinfo -F vermagic "$2") || return 1
	if [[ -z $mine || $mine != "$stock" ]]; then
		echo "vermagic '$mine' differs from $2's '$stock'"
		return 1
	fi
}

# patch_file FORMAT NAME: the module file of patch NAME in FORMAT.
patch_file() {
	if [[ $1 == kpatch ]]; then echo "/test/${2}_kp.ko"; else echo "/test/$2.ko"; fi
}

# patch_formats NAME: the formats patch NAME was built in (the host reported
# a failed check for a format it could not build).
patch_formats() {
	local fmt
	for fmt in livepatch kpatch; do
		[[ -f $(patch_file "$fmt" "$1") ]] && echo "$fmt"
	done
}

# patch_load FORMAT NAME: load patch NAME and wait until it is active.
patch_load() {
	local fmt=$1 name=$2
	if [[ $fmt == kpatch ]]; then
		if ! grep -q '^kpatch ' /proc/modules; then
			insmod /test/kpatch.ko || return 1
		fi
		insmod "/test/${name}_kp.ko" &&
			grep -qx 1 "/sys/kernel/kpatch/${name}_kp/enabled"
	else
		insmod "/test/$name.ko" && klp_wait_transition "$name" 60 &&
			grep -qx 1 "/sys/kernel/livepatch/$name/enabled"
	fi
}

# patch_unload FORMAT NAME: disable and unload patch NAME.
patch_unload() {
	if [[ $1 == kpatch ]]; then
		kpatch_remove "${2}_kp"
	else
		klp_remove "$2"
	fi
}

# patch_loaded FORMAT NAME: the patch module is in /proc/modules.
patch_loaded() {
	local mod=$2
	[[ $1 == kpatch ]] && mod=${2}_kp
	grep -q "^$mod " /proc/modules
}
