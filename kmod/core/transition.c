// SPDX-License-Identifier: GPL-2.0
/*
 * transition.c: switch all pending functions at once under stop_machine,
 * after checking that no task is executing code about to be replaced.
 *
 * The caller marks funcs with a pending op (see ftrace.c).  Inside
 * stop_machine every task's kernel stack is walked; if a return address
 * lies in code that the switch retires (the active version of a function
 * being patched, or the replacement being removed), nothing changes and
 * the switch is retried a few times after a short sleep outside
 * stop_machine, then fails with -EBUSY naming the function and the task.
 */
#define pr_fmt(fmt) "kpatch: " fmt

#include <linux/kernel.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/stop_machine.h>
#include <linux/stacktrace.h>
#include <linux/delay.h>
#include <linux/slab.h>
#include <linux/ktime.h>
#include "core.h"

#define KPATCH_SWITCH_TRIES	5
#define KPATCH_SWITCH_RETRY_MS	20
#define KPATCH_STACK_DEPTH	128

/* Code that must not be on any stack for the switch to happen. */
struct kpatch_range {
	unsigned long start;
	unsigned long end;
	const char *func;
	const char *objname;
	const char *patch;
	const char *version;	/* which code of func: for the log */
};

struct kpatch_switch_data {
	struct kpatch_range *ranges;
	unsigned int nranges;
	/* results, filled inside stop_machine */
	const struct kpatch_range *busy;
	char comm[TASK_COMM_LEN];
	pid_t pid;
	unsigned int ntasks;
	u64 check_ns;
};

/* Only used inside stop_machine, where a single CPU runs our code. */
static unsigned long kpatch_stack[KPATCH_STACK_DEPTH];

static unsigned int kpatch_save_stack(struct task_struct *t)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(5, 2, 0)
	return kph.stack_trace_save_tsk(t, kpatch_stack, KPATCH_STACK_DEPTH, 0);
#else
	struct stack_trace trace = {
		.max_entries = KPATCH_STACK_DEPTH,
		.entries = kpatch_stack,
	};

	save_stack_trace_tsk(t, &trace);
	return trace.nr_entries;
#endif
}

static const struct kpatch_range *
kpatch_stack_hit(struct kpatch_switch_data *d, unsigned int depth)
{
	unsigned int i, r;

	for (i = 0; i < depth; i++) {
		for (r = 0; r < d->nranges; r++) {
			const struct kpatch_range *range = &d->ranges[r];

			if (kpatch_stack[i] >= range->start &&
			    kpatch_stack[i] < range->end)
				return range;
		}
	}
	return NULL;
}

static int kpatch_check_stacks(struct kpatch_switch_data *d)
{
	struct task_struct *g, *t;
	const struct kpatch_range *hit;

	int ret = 0;

	d->ntasks = 0;
	rcu_read_lock();
	for_each_process_thread(g, t) {
		d->ntasks++;
		/* Tasks on other CPUs are the stop_machine threads. */
		if (t != current && READ_ONCE(t->on_cpu))
			continue;
		hit = kpatch_stack_hit(d, kpatch_save_stack(t));
		if (hit) {
			d->busy = hit;
			/* No task_lock here: every other CPU is stopped. */
			strscpy(d->comm, t->comm, sizeof(d->comm));
			d->pid = task_pid_nr(t);
			ret = -EBUSY;
			break;
		}
	}
	rcu_read_unlock();
	return ret;
}

static int kpatch_switch_cb(void *data)
{
	struct kpatch_switch_data *d = data;
	u64 t0 = ktime_get_ns();
	int ret;

	ret = kpatch_check_stacks(d);
	if (!ret)
		WRITE_ONCE(kpatch_switch_committed, true);
	d->check_ns = ktime_get_ns() - t0;
	return ret;
}

static void kpatch_add_range(struct kpatch_switch_data *d,
			     struct kpatch_func *func, const char *version,
			     unsigned long start, unsigned long size)
{
	struct kpatch_range *r = &d->ranges[d->nranges++];

	r->version = version;
	r->start = start;
	r->end = start + (size ?: 1);
	r->func = func->name;
	r->objname = func->obj->name;
	r->patch = kpatch_name(func->obj->kpmod);
}

/* What a pending func retires: the active version, or its replacement. */
static void kpatch_func_range(struct kpatch_switch_data *d,
			      struct kpatch_func *func)
{
	struct kpatch_func *active;

	if (func->force)
		return;
	if (func->op == KPATCH_OP_UNPATCH) {
		kpatch_add_range(d, func, "its replacement", func->new_addr,
				 func->new_size);
		return;
	}
	rcu_read_lock();
	active = kpatch_ftrace_active_func(func->ftrace_ip);
	if (active)
		kpatch_add_range(d, func, "its current replacement",
				 active->new_addr, active->new_size);
	else
		kpatch_add_range(d, func, "the original", func->old_addr,
				 func->old_size);
	rcu_read_unlock();
}

static int kpatch_collect_ranges(struct kpatch_switch_data *d,
				 unsigned int nfuncs)
{
	struct kpatch_module *kpmod;
	struct kpatch_object *obj;
	struct kpatch_func *func;

	d->ranges = kcalloc(nfuncs ?: 1, sizeof(*d->ranges), GFP_KERNEL);
	if (!d->ranges)
		return -ENOMEM;
	list_for_each_entry(kpmod, &kpatch_patches, list) {
		list_for_each_entry(obj, &kpmod->objects, list) {
			list_for_each_entry(func, &obj->funcs, list) {
				if (func->op == KPATCH_OP_NONE)
					continue;
				if (d->nranges >= nfuncs) {
					pr_err("internal error: more pending functions than counted (%u)\n",
					       nfuncs);
					return -EINVAL;
				}
				kpatch_func_range(d, func);
			}
		}
	}
	return 0;
}

/*
 * kpatch_switch - commit the NFUNCS pending funcs of all patches at once.
 * WHAT names the operation for the log ("enable", "disable").  Returns 0
 * with kpatch_switch_committed set, or an error with nothing switched.
 * The caller then settles the ops and calls kpatch_ftrace_sync().
 */
int kpatch_switch(struct kpatch_module *kpmod, const char *what,
		  unsigned int nfuncs)
{
	struct kpatch_switch_data d = { };
	unsigned int try;
	u64 t0, pause = 0;
	int ret;

	ret = kpatch_collect_ranges(&d, nfuncs);
	if (ret)
		goto out;

	for (try = 1; try <= KPATCH_SWITCH_TRIES; try++) {
		d.busy = NULL;
		t0 = ktime_get_ns();
		ret = stop_machine(kpatch_switch_cb, &d, NULL);
		pause = ktime_get_ns() - t0;
		if (ret != -EBUSY)
			break;
		if (try < KPATCH_SWITCH_TRIES)
			msleep(KPATCH_SWITCH_RETRY_MS);
	}

	if (ret == -EBUSY && d.busy) {
		pr_err("%s: cannot %s: function %s (%s, %s, patch %s) is in use by task %s (pid %d), %u tries; mark the function KPATCH_FORCE_UNSAFE only if running the old and new code together is safe\n",
		       kpatch_name(kpmod), what, d.busy->func, d.busy->objname,
		       d.busy->version, d.busy->patch, d.comm, d.pid,
		       KPATCH_SWITCH_TRIES);
	} else if (ret) {
		pr_err("%s: cannot %s: stop_machine failed (%d)\n",
		       kpatch_name(kpmod), what, ret);
	} else {
		kpmod->pause_ns = pause;
		pr_info("%s: %s: switched %u functions; stop_machine pause %llu us (stack check of %u tasks %llu us)\n",
			kpatch_name(kpmod), what, nfuncs, pause / 1000,
			d.ntasks, d.check_ns / 1000);
	}
out:
	kfree(d.ranges);
	return ret;
}
