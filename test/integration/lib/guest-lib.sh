#!/bin/bash
# Helpers for guest scripts, loaded in the guest after test/lib/result.sh.

# wait_until SECONDS CMD...: poll CMD every 0.1 s until it succeeds; returns 1
# if it still fails after SECONDS.
wait_until() {
	local secs=${1:?wait_until: missing SECONDS} tries
	shift
	tries=$((secs * 10))
	until "$@" >/dev/null 2>&1; do
		tries=$((tries - 1))
		[[ $tries -gt 0 ]] || return 1
		sleep 0.1
	done
}

klp__settled() {
	local dir=/sys/kernel/livepatch/$1
	[[ ! -d $dir ]] || [[ $(cat "$dir/transition" 2>/dev/null) == 0 ]]
}

# klp_wait_transition NAME [SECONDS]: wait until livepatch NAME has no
# transition in progress (or is gone); default 60 s.
klp_wait_transition() {
	wait_until "${2:-60}" klp__settled "${1:?klp_wait_transition: missing NAME}"
}
