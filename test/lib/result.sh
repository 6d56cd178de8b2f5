#!/bin/bash
# Result helpers for test suites (see test/README.md).  Sourced on the host by
# suites and, as a copy, by guest scripts in the VM harness.
#
#   pass NAME              PASS NAME
#   fail NAME REASON...    FAIL NAME: REASON
#   check NAME CMD...      runs CMD (in a subshell);
#                          PASS if it exits 0, else FAIL with its exit status
#                          and the last line it printed
#   check_not NAME CMD...  the opposite: PASS if CMD exits non-zero
#   require NAME CMD...    like check, but exits the script on failure (for
#                          steps later checks cannot do without)
#
# pass/fail/check return 0 so `set -e` scripts go on to their next check; the
# number of failures so far is in RESULT_FAILURES.

RESULT_FAILURES=${RESULT_FAILURES:-0}

# One line, so a result can never be split or forged by what it quotes.
result__oneline() {
	local text="$*"
	text=${text//$'\r'/ }
	text=${text//$'\n'/ | }
	printf '%s' "$text"
}

pass() {
	local name
	name=$(result__oneline "${1:?pass: missing check name}")
	printf 'PASS %s\n' "$name"
}

fail() {
	local name reason
	name=$(result__oneline "${1:?fail: missing check name}")
	shift
	reason=$(result__oneline "${*:-no reason given}")
	printf 'FAIL %s: %s\n' "$name" "$reason"
	RESULT_FAILURES=$((RESULT_FAILURES + 1))
}

# Runs "$@" in a subshell (one fork: cheap in a TCG guest, unlike temp
# files), leaving its output in RESULT_OUTPUT and its status in RESULT_STATUS.
result__run() {
	RESULT_STATUS=0
	RESULT_OUTPUT=$("$@" 2>&1) || RESULT_STATUS=$?
}

result__why() {
	local last
	last=$(printf '%s\n' "$RESULT_OUTPUT" | sed '/^[[:space:]]*$/d' | tail -n 1)
	printf "\`%s\` exited %s%s" "$*" "$RESULT_STATUS" "${last:+: $last}"
}

check() {
	local name=${1:?check: missing check name}
	shift
	[[ $# -gt 0 ]] || { fail "$name" "check: no command given"; return 0; }
	result__run "$@"
	if [[ $RESULT_STATUS -eq 0 ]]; then
		pass "$name"
	else
		fail "$name" "$(result__why "$@")"
	fi
	return 0
}

check_not() {
	local name=${1:?check_not: missing check name}
	shift
	[[ $# -gt 0 ]] || { fail "$name" "check_not: no command given"; return 0; }
	result__run "$@"
	if [[ $RESULT_STATUS -ne 0 ]]; then
		pass "$name"
	else
		fail "$name" "\`$*\` succeeded but should have failed${RESULT_OUTPUT:+: $(printf '%s\n' "$RESULT_OUTPUT" | tail -n 1)}"
	fi
	return 0
}

require() {
	local name=${1:?require: missing check name}
	local before=$RESULT_FAILURES
	check "$@"
	[[ $RESULT_FAILURES -eq $before ]] || exit 1
}
