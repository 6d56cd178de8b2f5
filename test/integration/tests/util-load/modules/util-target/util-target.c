// SPDX-License-Identifier: GPL-2.0
/*
 * Target module for the kpatch utility's transition tests (not a patch):
 *  - the "util_parker" kthread sleeps in util_target_park() until the module
 *    is removed, so a patch of that function cannot finish its transition;
 *  - the "util_ticker" kthread calls util_target_tick() every 50 ms.
 * Both sleep in TASK_IDLE: not woken by livepatch's fake signals, not
 * reported as hung tasks.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/kthread.h>
#include <linux/sched.h>
#include <linux/wait.h>
#include <linux/err.h>

static DECLARE_WAIT_QUEUE_HEAD(park_wq);
static struct task_struct *parker, *ticker;
static unsigned long ticks;

noinline void util_target_park(void)
{
	wait_event_idle(park_wq, kthread_should_stop());
	pr_info("util_target: parker released\n");
}

noinline void util_target_tick(void)
{
	WRITE_ONCE(ticks, ticks + 1);
}

static int parker_fn(void *data)
{
	util_target_park();
	return 0;
}

static int ticker_fn(void *data)
{
	while (!kthread_should_stop()) {
		util_target_tick();
		schedule_timeout_idle(HZ / 20);
	}
	return 0;
}

static int __init util_target_init(void)
{
	parker = kthread_run(parker_fn, NULL, "util_parker");
	if (IS_ERR(parker))
		return PTR_ERR(parker);
	ticker = kthread_run(ticker_fn, NULL, "util_ticker");
	if (IS_ERR(ticker)) {
		kthread_stop(parker);
		return PTR_ERR(ticker);
	}
	return 0;
}

static void __exit util_target_exit(void)
{
	kthread_stop(ticker);
	kthread_stop(parker);
}

module_init(util_target_init);
module_exit(util_target_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kpatch utility test: kthreads to patch under");
