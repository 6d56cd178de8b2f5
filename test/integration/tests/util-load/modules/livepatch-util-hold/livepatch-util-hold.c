// SPDX-License-Identifier: GPL-2.0
/*
 * Livepatch of util_target_tick() (module util_target) whose new version
 * holds its caller, the ticker kthread, while the "hold" parameter is set:
 * unpatching cannot finish until hold is cleared.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/livepatch.h>
#include <linux/moduleparam.h>
#include <linux/sched.h>

static bool hold = true;
module_param(hold, bool, 0644);
MODULE_PARM_DESC(hold, "keep callers of the new util_target_tick() inside it");

static void livepatch_util_target_tick(void)
{
	while (READ_ONCE(hold))
		schedule_timeout_idle(HZ / 10);
}

static struct klp_func funcs[] = {
	{
		.old_name = "util_target_tick",
		.new_func = livepatch_util_target_tick,
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

static int __init livepatch_util_hold_init(void)
{
	return klp_enable_patch(&patch);
}

static void __exit livepatch_util_hold_exit(void)
{
}

module_init(livepatch_util_hold_init);
module_exit(livepatch_util_hold_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kpatch utility test: unpatching that waits for a parameter");
MODULE_INFO(livepatch, "Y");
