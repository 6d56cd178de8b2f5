// SPDX-License-Identifier: GPL-2.0
/*
 * kpt_sleeper: a kthread named kpt_sleeper that spends its life sleeping
 * inside kpt_sleeper_target(), the function kpt_active patches.
 */
#include <linux/module.h>
#include <linux/kthread.h>
#include <linux/delay.h>

static struct task_struct *sleeper;
static int calls;
module_param(calls, int, 0444);

noinline int kpt_sleeper_target(void)
{
	int i;

	for (i = 0; i < 10 && !kthread_should_stop(); i++)
		msleep(50);
	WRITE_ONCE(calls, calls + 1);
	return i;
}

static int kpt_sleeper_fn(void *unused)
{
	while (!kthread_should_stop())
		kpt_sleeper_target();
	return 0;
}

static int __init kpt_sleeper_init(void)
{
	sleeper = kthread_run(kpt_sleeper_fn, NULL, "kpt_sleeper");
	return PTR_ERR_OR_ZERO(sleeper);
}

static void __exit kpt_sleeper_exit(void)
{
	kthread_stop(sleeper);
}

module_init(kpt_sleeper_init);
module_exit(kpt_sleeper_exit);
MODULE_LICENSE("GPL");
