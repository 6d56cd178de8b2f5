// SPDX-License-Identifier: GPL-2.0
/*
 * Livepatch of util_target_park() (module util_target), where a kthread
 * sleeps for good: the transition cannot finish.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/livepatch.h>

static void livepatch_util_target_park(void)
{
	pr_info("livepatch_util_stall: new util_target_park\n");
}

static struct klp_func funcs[] = {
	{
		.old_name = "util_target_park",
		.new_func = livepatch_util_target_park,
	}, { }
};

static struct klp_object objs[] = {
	{
		.name = "util_target",
		.funcs = funcs,
	}, { }
};

static struct klp_patch patch = {
	.mod = THIS_MODULE,
	.objs = objs,
};

static int __init livepatch_util_stall_init(void)
{
	return klp_enable_patch(&patch);
}

static void __exit livepatch_util_stall_exit(void)
{
}

module_init(livepatch_util_stall_init);
module_exit(livepatch_util_stall_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kpatch utility test: a transition that cannot finish");
MODULE_INFO(livepatch, "Y");
