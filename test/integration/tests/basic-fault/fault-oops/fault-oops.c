// SPDX-License-Identifier: GPL-2.0
/* Deliberately dereferences NULL while loading: the kernel oopses. */
#include <linux/module.h>

/* volatile so the compiler cannot see the store is to NULL and drop it */
static int *volatile fault_oops_target;

static int __init fault_oops_init(void)
{
	*fault_oops_target = 1;
	return 0;
}

static void __exit fault_oops_exit(void)
{
}

module_init(fault_oops_init);
module_exit(fault_oops_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kpatch test: NULL dereference on load (harness self-test)");
