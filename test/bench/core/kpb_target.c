// SPDX-License-Identifier: GPL-2.0
/*
 * kpb_target: what the core benchmark patches.  Three identical functions
 * return x + 1: kpb_call_plain stays unpatched, kpb_call_kpatch gets a
 * kpatch patch and kpb_call_klp a livepatch (both return x + 2), so the
 * three can be measured in turns in one boot.  Reading /proc/kpb_<which>
 * calls kpb_call_<which> `iterations` times in a tight loop and prints
 * "<iterations> <elapsed ns> <sum of results>".  kpb_fn_00..49 are the
 * targets of the 50-function patch.
 */
#include <linux/module.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/ktime.h>
#include "kpb.h"

static int iterations = 200000;
module_param(iterations, int, 0644);

KPB_NOIPA int kpb_call_plain(int x)
{
	return x + 1;
}

KPB_NOIPA int kpb_call_kpatch(int x)
{
	return x + 1;
}

KPB_NOIPA int kpb_call_klp(int x)
{
	return x + 1;
}

#define KPB_TARGET(n) KPB_NOIPA int kpb_fn_##n(int x) { return x + 1##n; }
KPB_FOR_50(KPB_TARGET)

#define KPB_BENCH_SHOW(which)						\
static int kpb_##which##_show(struct seq_file *m, void *v)		\
{									\
	long long sum = 0;						\
	u64 t0, ns;							\
	int i;								\
									\
	t0 = ktime_get_ns();						\
	for (i = 0; i < iterations; i++)				\
		sum += kpb_call_##which(i);				\
	ns = ktime_get_ns() - t0;					\
	seq_printf(m, "%d %llu %lld\n", iterations, ns, sum);		\
	return 0;							\
}
KPB_BENCH_SHOW(plain)
KPB_BENCH_SHOW(kpatch)
KPB_BENCH_SHOW(klp)

static void kpb_remove_proc(void)
{
	remove_proc_entry("kpb_plain", NULL);
	remove_proc_entry("kpb_kpatch", NULL);
	remove_proc_entry("kpb_klp", NULL);
}

static int __init kpb_target_init(void)
{
	if (!proc_create_single("kpb_plain", 0444, NULL, kpb_plain_show) ||
	    !proc_create_single("kpb_kpatch", 0444, NULL, kpb_kpatch_show) ||
	    !proc_create_single("kpb_klp", 0444, NULL, kpb_klp_show)) {
		kpb_remove_proc();
		return -ENOMEM;
	}
	return 0;
}

static void __exit kpb_target_exit(void)
{
	kpb_remove_proc();
}

module_init(kpb_target_init);
module_exit(kpb_target_exit);
MODULE_LICENSE("GPL");
