// SPDX-License-Identifier: GPL-2.0
/* Deliberately WARNs while loading, so the harness has a splat to catch. */
#include <linux/module.h>
#include <linux/bug.h>

static int __init fault_warn_init(void)
{
	WARN(1, "kpatch-test: deliberate warning from fault-warn\n");
	return 0;
}

static void __exit fault_warn_exit(void)
{
}

module_init(fault_warn_init);
module_exit(fault_warn_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kpatch test: WARN on load (harness self-test)");
