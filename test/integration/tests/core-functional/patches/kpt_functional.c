// SPDX-License-Identifier: GPL-2.0
/*
 * kpt_functional: a hand-written kpatch-format patch of cmdline_proc_show.
 * The new function reports two values that only the core's dynrelas can
 * give it: a call through read-only text to vmlinux's second cmp_range
 * (kernel/range.c: compares starts, 5 vs 3 -> 1; the first one, in
 * mmconf-fam10h_64.c, compares the high 32 bits and would give 0), and the
 * address of the first cmp_range (a data dynrela).  Callbacks log their
 * calls.
 */
#include <linux/module.h>
#include <linux/seq_file.h>
#include <linux/range.h>
#include "kpt.h"

static struct kpatch_module kpmod;
static struct kpatch_object vmlinux_obj;
static struct kpatch_func cmdline_func;
static struct kpatch_dynrela rela_text, rela_data;

/* Written by the data dynrela; volatile reads, so never folded away. */
unsigned long kpt_cmp_range1_addr;

noinline int kpt_cmp_fallback(const void *a, const void *b)
{
	return -1000;	/* the dynrela was not applied */
}
KPT_JMP_STUB(kpt_cmp_range2, kpt_cmp_fallback);
int kpt_cmp_range2(const void *a, const void *b);

static int kpt_cmdline_proc_show(struct seq_file *m, void *v)
{
	struct range a = { .start = 5 }, b = { .start = 3 };

	seq_printf(m, "kpatch-functional cmp=%d first_cmp_range=%lx\n",
		   kpt_cmp_range2(&a, &b), READ_ONCE(kpt_cmp_range1_addr));
	return 0;
}

static int kpt_pre_patch(struct kpatch_object *obj)
{
	pr_info("kpt_functional: callback pre_patch %s\n", obj->name);
	return 0;
}

static void kpt_post_patch(struct kpatch_object *obj)
{
	pr_info("kpt_functional: callback post_patch %s\n", obj->name);
}

static void kpt_pre_unpatch(struct kpatch_object *obj)
{
	pr_info("kpt_functional: callback pre_unpatch %s\n", obj->name);
}

static void kpt_post_unpatch(struct kpatch_object *obj)
{
	pr_info("kpt_functional: callback post_unpatch %s\n", obj->name);
}

static int __init kpt_functional_init(void)
{
	kpt_init(&kpmod);
	kpt_object(&kpmod, &vmlinux_obj, "vmlinux");
	kpt_func(&vmlinux_obj, &cmdline_func, "cmdline_proc_show", 0,
		 kpt_cmdline_proc_show);
	kpt_dynrela(&vmlinux_obj, &rela_text, kpt_cmp_range2_rel,
		    R_X86_64_PC32, "cmp_range", 2, -4);
	kpt_dynrela(&vmlinux_obj, &rela_data, &kpt_cmp_range1_addr,
		    R_X86_64_64, "cmp_range", 1, 0);
	vmlinux_obj.callbacks.pre_patch = kpt_pre_patch;
	vmlinux_obj.callbacks.post_patch = kpt_post_patch;
	vmlinux_obj.callbacks.pre_unpatch = kpt_pre_unpatch;
	vmlinux_obj.callbacks.post_unpatch = kpt_post_unpatch;
	return kpatch_register(&kpmod, false);
}

static void __exit kpt_functional_exit(void)
{
	kpatch_unregister(&kpmod);
}

module_init(kpt_functional_init);
module_exit(kpt_functional_exit);
MODULE_LICENSE("GPL");
