// SPDX-License-Identifier: GPL-2.0
/* A plain module: proves that modules built against the stock headers load. */
#include <linux/module.h>
#include <linux/init.h>
#include <linux/printk.h>

static int __init hello_init(void)
{
	pr_info("kpatch-test hello: loaded\n");
	return 0;
}

static void __exit hello_exit(void)
{
	pr_info("kpatch-test hello: unloaded\n");
}

module_init(hello_init);
module_exit(hello_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kpatch test: loads and unloads");
