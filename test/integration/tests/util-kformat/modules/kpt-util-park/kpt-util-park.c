// SPDX-License-Identifier: GPL-2.0
/*
 * kpt-util-park: a hand-written kpatch-format patch of util_target_park()
 * (module util_target), where a kthread sleeps: the core's activeness
 * check refuses it as long as that kthread is there.
 */
#include <linux/module.h>
#include "kpt.h"

static struct kpatch_module kpmod;
static struct kpatch_object target_obj;
static struct kpatch_func park_func;

static void kpt_util_target_park(void)
{
	pr_info("kpt_util_park: new util_target_park\n");
}

static int __init kpt_util_park_init(void)
{
	kpt_init(&kpmod);
	kpt_object(&kpmod, &target_obj, "util_target");
	kpt_func(&target_obj, &park_func, "util_target_park", 0, kpt_util_target_park);
	return kpatch_register(&kpmod, false);
}

static void __exit kpt_util_park_exit(void)
{
	kpatch_unregister(&kpmod);
}

module_init(kpt_util_park_init);
module_exit(kpt_util_park_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kpatch utility test: a kpatch-format patch the core finds in use");
