// SPDX-License-Identifier: GPL-2.0
/*
 * ftrace.c: the redirection.  One ftrace_ops (IPMODIFY) is attached to
 * every patched address; its handler looks the address up and sends the
 * caller to the newest applicable replacement.
 *
 * Each patched address has a stack of kpatch_funcs, newest patch first.
 * A func being switched carries a pending op: KPATCH_OP_PATCH funcs are
 * ignored and KPATCH_OP_UNPATCH funcs still used until the stop_machine
 * callback sets kpatch_switch_committed.  That single store flips every
 * function of the patch at once, even for NMIs that run during the
 * switch.  The pending ops are cleared after the switch and the flag
 * reset only after an RCU grace period, when no handler can still see
 * them (the handler runs with preemption disabled).
 */
#define pr_fmt(fmt) "kpatch: " fmt

#include <linux/kernel.h>
#include <linux/ftrace.h>
#include <linux/hashtable.h>
#include <linux/rculist.h>
#include <linux/slab.h>
#include "core.h"

struct kpatch_loc {
	unsigned long ip;
	struct hlist_node hnode;
	struct list_head funcs;		/* kpatch_func.stack_node, newest first */
	bool filtered;			/* ip is in the ftrace_ops filter */
	struct list_head dead;		/* on the way out */
};

static DEFINE_HASHTABLE(kpatch_loc_table, 7);
static unsigned int kpatch_num_filtered;
bool kpatch_switch_committed;

static notrace struct kpatch_loc *kpatch_loc_find(unsigned long ip)
{
	struct kpatch_loc *loc;

	hash_for_each_possible_rcu_notrace(kpatch_loc_table, loc, hnode, ip)
		if (loc->ip == ip)
			return loc;
	return NULL;
}

/*
 * The func whose replacement runs at IP now; NULL: the original.  notrace:
 * the handler calls it, and it must work from any context, NMIs included.
 */
notrace struct kpatch_func *kpatch_ftrace_active_func(unsigned long ip)
{
	struct kpatch_loc *loc = kpatch_loc_find(ip);
	struct kpatch_func *func;

	if (!loc)
		return NULL;
	list_for_each_entry_rcu(func, &loc->funcs, stack_node) {
		switch (READ_ONCE(func->op)) {
		case KPATCH_OP_NONE:
			return func;
		case KPATCH_OP_PATCH:
			if (READ_ONCE(kpatch_switch_committed))
				return func;
			break;
		case KPATCH_OP_UNPATCH:
			if (!READ_ONCE(kpatch_switch_committed))
				return func;
			break;
		}
	}
	return NULL;
}

/*
 * How the handler changes the return address: through ftrace_regs where
 * the architecture provides a setter (x86 with DYNAMIC_FTRACE_WITH_ARGS),
 * else through the full pt_regs, which then must be saved.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(5, 11, 0)
#define KPATCH_NEED_SAVE_REGS 1
#define kpatch_set_ip(regs, addr) ((regs)->ip = (addr))
#elif defined(ftrace_regs_set_instruction_pointer)
#define KPATCH_NEED_SAVE_REGS 0
#define kpatch_set_ip(fregs, addr) ftrace_regs_set_instruction_pointer(fregs, addr)
#elif defined(ftrace_instruction_pointer_set) && \
	defined(CONFIG_HAVE_DYNAMIC_FTRACE_WITH_ARGS)
#define KPATCH_NEED_SAVE_REGS 0
#define kpatch_set_ip(fregs, addr) ftrace_instruction_pointer_set(fregs, addr)
#else
#define KPATCH_NEED_SAVE_REGS 1
#define kpatch_set_ip(fregs, addr) (ftrace_get_regs(fregs)->ip = (addr))
#endif

#if LINUX_VERSION_CODE >= KERNEL_VERSION(5, 11, 0)
static void notrace kpatch_ftrace_handler(unsigned long ip,
					  unsigned long parent_ip,
					  struct ftrace_ops *ops,
					  struct ftrace_regs *fregs)
#else
static void notrace kpatch_ftrace_handler(unsigned long ip,
					  unsigned long parent_ip,
					  struct ftrace_ops *ops,
					  struct pt_regs *regs)
#endif
{
	struct kpatch_func *func;

	preempt_disable_notrace();
	func = kpatch_ftrace_active_func(ip);
	if (func) {
#if LINUX_VERSION_CODE >= KERNEL_VERSION(5, 11, 0)
		kpatch_set_ip(fregs, func->new_addr);
#else
		kpatch_set_ip(regs, func->new_addr);
#endif
	}
	preempt_enable_notrace();
}

static struct ftrace_ops kpatch_ftrace_ops __read_mostly = {
	.func = kpatch_ftrace_handler,
	.flags = FTRACE_OPS_FL_IPMODIFY |
#if KPATCH_NEED_SAVE_REGS
		 FTRACE_OPS_FL_SAVE_REGS |
#endif
#if LINUX_VERSION_CODE >= KERNEL_VERSION(5, 5, 0)
		 FTRACE_OPS_FL_PERMANENT |
#endif
		 0,
};

/* One code update for many addresses where ftrace_set_filter_ips exists. */
static int kpatch_set_filter_ips(unsigned long *ips, unsigned int cnt,
				 int remove)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(5, 18, 0)
	return ftrace_set_filter_ips(&kpatch_ftrace_ops, ips, cnt, remove, 0);
#else
	unsigned int i;
	int ret;

	for (i = 0; i < cnt; i++) {
		ret = ftrace_set_filter_ip(&kpatch_ftrace_ops, ips[i], remove, 0);
		if (ret && !remove) {
			while (i--)
				ftrace_set_filter_ip(&kpatch_ftrace_ops, ips[i], 1, 0);
			return ret;
		}
	}
	return 0;
#endif
}

/* Filter CNT more addresses; the first ones also register the handler. */
static int kpatch_filter_add(unsigned long *ips, unsigned int cnt)
{
	int ret;

	ret = kpatch_set_filter_ips(ips, cnt, 0);
	if (ret)
		return ret;
	if (!kpatch_num_filtered) {
		ret = register_ftrace_function(&kpatch_ftrace_ops);
		if (ret) {
			kpatch_set_filter_ips(ips, cnt, 1);
			return ret;
		}
	}
	kpatch_num_filtered += cnt;
	return 0;
}

static void kpatch_filter_del(unsigned long *ips, unsigned int cnt)
{
	int ret;

	/* An empty filter means "every function": unregister first. */
	if (kpatch_num_filtered == cnt) {
		ret = unregister_ftrace_function(&kpatch_ftrace_ops);
		if (ret)
			pr_err("cannot unregister the ftrace handler (%d)\n", ret);
	}
	ret = kpatch_set_filter_ips(ips, cnt, 1);
	if (ret)
		pr_err("cannot remove %u addresses from the ftrace filter (%d)\n",
		       cnt, ret);
	kpatch_num_filtered -= cnt;
}

static void kpatch_filter_failed(struct kpatch_func *func, int ret)
{
	if (ret == -EBUSY)
		pr_err("%s: cannot redirect %s (%s): the function is already redirected by livepatch or another ftrace IPMODIFY user; refusing to patch it\n",
		       kpatch_name(func->obj->kpmod), func->name, func->obj->name);
	else
		pr_err("%s: ftrace cannot redirect %s (%s) at %px (%d)\n",
		       kpatch_name(func->obj->kpmod), func->name,
		       func->obj->name, (void *)func->ftrace_ip, ret);
}

/* After a failed batch: one by one, so the log names the culprit. */
static int kpatch_filter_new_one_by_one(void)
{
	struct kpatch_func *func;
	struct kpatch_loc *loc;
	int bkt, ret;

	hash_for_each(kpatch_loc_table, bkt, loc, hnode) {
		if (loc->filtered || list_empty(&loc->funcs))
			continue;
		ret = kpatch_filter_add(&loc->ip, 1);
		if (ret) {
			func = list_first_entry(&loc->funcs, struct kpatch_func,
						stack_node);
			kpatch_filter_failed(func, ret);
			return ret;
		}
		loc->filtered = true;
	}
	return 0;
}

/*
 * kpatch_ftrace_filter_new - attach the handler to the addresses funcs
 * were added at since the last call, with one code update.  On error
 * some may be attached; kpatch_ftrace_sync() detaches them once their
 * funcs are gone.
 */
int kpatch_ftrace_filter_new(void)
{
	struct kpatch_loc *loc;
	unsigned long *ips;
	unsigned int n = 0;
	int bkt, ret;

	hash_for_each(kpatch_loc_table, bkt, loc, hnode)
		if (!loc->filtered && !list_empty(&loc->funcs))
			n++;
	if (!n)
		return 0;
	ips = kmalloc_array(n, sizeof(*ips), GFP_KERNEL);
	if (!ips)
		return -ENOMEM;
	n = 0;
	hash_for_each(kpatch_loc_table, bkt, loc, hnode)
		if (!loc->filtered && !list_empty(&loc->funcs))
			ips[n++] = loc->ip;
	ret = kpatch_filter_add(ips, n);
	kfree(ips);
	if (ret)
		return kpatch_filter_new_one_by_one() ?: ret;
	hash_for_each(kpatch_loc_table, bkt, loc, hnode)
		if (!list_empty(&loc->funcs))
			loc->filtered = true;
	return 0;
}

static struct kpatch_loc *kpatch_loc_get(unsigned long ip)
{
	struct kpatch_loc *loc = kpatch_loc_find(ip);

	if (loc)
		return loc;
	loc = kzalloc(sizeof(*loc), GFP_KERNEL);
	if (!loc)
		return ERR_PTR(-ENOMEM);
	loc->ip = ip;
	INIT_LIST_HEAD(&loc->funcs);
	/* Not filtered yet: kpatch_ftrace_filter_new() does that. */
	hash_add_rcu(kpatch_loc_table, &loc->hnode, ip);
	return loc;
}

/*
 * kpatch_ftrace_add_func - put FUNC (op already set) on the stack of its
 * address, in patch order.  The handler reaches a new address only after
 * kpatch_ftrace_filter_new().
 */
int kpatch_ftrace_add_func(struct kpatch_func *func)
{
	u64 seq = func->obj->kpmod->seq;
	struct kpatch_func *pos;
	struct kpatch_loc *loc;
	unsigned long ip;

	ip = kph.ftrace_location(func->old_addr);
	if (!ip) {
		pr_err("%s: %s (%s) cannot be patched: ftrace does not trace it (notrace, inlined or no fentry call)\n",
		       kpatch_name(func->obj->kpmod), func->name, func->obj->name);
		return -EINVAL;
	}
	loc = kpatch_loc_get(ip);
	if (IS_ERR(loc))
		return PTR_ERR(loc);
	func->ftrace_ip = ip;

	list_for_each_entry(pos, &loc->funcs, stack_node) {
		if (pos->obj->kpmod->seq < seq) {
			list_add_tail_rcu(&func->stack_node, &pos->stack_node);
			return 0;
		}
	}
	list_add_tail_rcu(&func->stack_node, &loc->funcs);
	return 0;
}

/*
 * kpatch_ftrace_del_func - take FUNC off its stack.  Handlers may still
 * see it until the next RCU grace period: the caller runs
 * kpatch_ftrace_sync() before relying on it being gone.
 */
void kpatch_ftrace_del_func(struct kpatch_func *func)
{
	/* No re-init: a handler may still be walking through the node. */
	list_del_rcu(&func->stack_node);
	func->ftrace_ip = 0;
}

/*
 * kpatch_ftrace_sync - after funcs left their stacks or had their pending
 * ops cleared: wait until no handler can still see them, reset the switch
 * flag, and detach the handler from addresses nobody patches any more
 * (one grace period for both).
 */
void kpatch_ftrace_sync(void)
{
	struct kpatch_loc *loc, *next;
	struct hlist_node *tmp;
	unsigned long *ips;
	unsigned int n = 0;
	LIST_HEAD(dead);
	int bkt;

	hash_for_each_safe(kpatch_loc_table, bkt, tmp, loc, hnode) {
		if (!list_empty(&loc->funcs))
			continue;
		hash_del_rcu(&loc->hnode);
		list_add(&loc->dead, &dead);
		n += loc->filtered;
	}
	synchronize_rcu();
	WRITE_ONCE(kpatch_switch_committed, false);
	if (list_empty(&dead))
		return;

	ips = n ? kmalloc_array(n, sizeof(*ips), GFP_KERNEL) : NULL;
	n = 0;
	list_for_each_entry_safe(loc, next, &dead, dead) {
		if (loc->filtered && ips)
			ips[n++] = loc->ip;
		else if (loc->filtered)
			kpatch_filter_del(&loc->ip, 1);	/* no memory: slowly */
		kfree(loc);
	}
	if (n)
		kpatch_filter_del(ips, n);
	kfree(ips);
}
