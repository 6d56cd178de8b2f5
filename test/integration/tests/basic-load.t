#!/bin/bash
# A module built against the stock headers loads and unloads in the guest.
set -euo pipefail
# shellcheck source=../lib/vm.sh
source "$(dirname "$0")/../lib/vm.sh"

vm_init
vm_build_module "$VM_TESTDIR/hello"
vm_run <<'GUEST'
check "insmod is kmod's" test "$(readlink /usr/bin/insmod)" = kmod
check "sh is bash" test "$(readlink /usr/bin/sh)" = bash
check "modinfo shows the stock release" sh -c "modinfo -F vermagic /test/hello.ko | grep -q \"^$(uname -r) \""
require "insmod hello.ko" insmod /test/hello.ko
check "hello is in /proc/modules" grep -q '^hello ' /proc/modules
check "hello logged its init" sh -c "dmesg | grep -q 'kpatch-test hello: loaded'"
require "rmmod hello" rmmod hello
check_not "hello is gone from /proc/modules" grep -q '^hello ' /proc/modules
check "hello logged its exit" sh -c "dmesg | grep -q 'kpatch-test hello: unloaded'"
GUEST
