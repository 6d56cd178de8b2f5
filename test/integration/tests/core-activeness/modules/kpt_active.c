// SPDX-License-Identifier: GPL-2.0
/*
 * kpt_active: patches kpt_sleeper_target in module kpt_sleeper with a
 * version that also sleeps and counts its calls in new_calls.
 * force=1 marks it KPATCH_FORCE_UNSAFE.
 */
#include <linux/module.h>
#include <linux/kthread.h>
#include <linux/delay.h>
#include "kpt.h"

static bool force;
module_param(force, bool, 0);
static int new_calls;
module_param(new_calls, int, 0444);

static struct kpatch_module kpmod;
static struct kpatch_object sleeper_obj;
static struct kpatch_func target_func;

static noinline int kpt_active_target(void)
{
	int i;

	for (i = 0; i < 10 && !kthread_should_stop(); i++)
		msleep(50);
	WRITE_ONCE(new_calls, new_calls + 1);
	return i;
}

static int __init kpt_active_init(void)
{
	kpt_init(&kpmod);
	kpt_object(&kpmod, &sleeper_obj, "kpt_sleeper");
	kpt_func(&sleeper_obj, &target_func, "kpt_sleeper_target", 0,
		 kpt_active_target);
	target_func.force = force;
	return kpatch_register(&kpmod, false);
}

static void __exit kpt_active_exit(void)
{
	kpatch_unregister(&kpmod);
}

module_init(kpt_active_init);
module_exit(kpt_active_exit);
MODULE_LICENSE("GPL");
