// SPDX-License-Identifier: GPL-2.0
/*
 * kpt_bad: patches the core must refuse, chosen with mode=:
 *   nosym      a function that does not exist
 *   ambiguous  cmp_range without a position (there are two)
 *   badpos     cmp_range at position 3
 *   size       cmdline_proc_show with a wrong expected size
 *   notrace    cmdline_proc_show, then do_syscall_64 (noinstr: no fentry),
 *              so the first function is already queued when it fails
 *   relatype   a dynrela of an unsupported type
 *   relasym    a dynrela to a missing symbol
 *   prepatch   a pre_patch callback that refuses
 * Every mode's new cmdline_proc_show would print "kpatch-bad".
 */
#include <linux/module.h>
#include <linux/seq_file.h>
#include "kpt.h"

static char *mode = "";
module_param(mode, charp, 0);

static struct kpatch_module kpmod;
static struct kpatch_object vmlinux_obj;
static struct kpatch_func func1, func2;
static struct kpatch_dynrela rela;
unsigned long kpt_bad_slot;

static int kpt_bad_show(struct seq_file *m, void *v)
{
	seq_puts(m, "kpatch-bad\n");
	return 0;
}

static int kpt_bad_pre_patch(struct kpatch_object *obj)
{
	pr_info("kpt_bad: pre_patch refuses\n");
	return -EPERM;
}

static void kpt_bad_post_unpatch(struct kpatch_object *obj)
{
	pr_info("kpt_bad: post_unpatch called\n");
}

static int kpt_bad_setup(void)
{
	if (!strcmp(mode, "nosym")) {
		kpt_func(&vmlinux_obj, &func1, "kpt_no_such_function", 0,
			 kpt_bad_show);
	} else if (!strcmp(mode, "ambiguous")) {
		kpt_func(&vmlinux_obj, &func1, "cmp_range", 0, kpt_bad_show);
	} else if (!strcmp(mode, "badpos")) {
		kpt_func(&vmlinux_obj, &func1, "cmp_range", 3, kpt_bad_show);
	} else if (!strcmp(mode, "size")) {
		kpt_func(&vmlinux_obj, &func1, "cmdline_proc_show", 0,
			 kpt_bad_show);
		func1.old_size = 1;
	} else if (!strcmp(mode, "notrace")) {
		kpt_func(&vmlinux_obj, &func1, "cmdline_proc_show", 0,
			 kpt_bad_show);
		kpt_func(&vmlinux_obj, &func2, "do_syscall_64", 0,
			 kpt_bad_show);
	} else if (!strcmp(mode, "relatype")) {
		kpt_func(&vmlinux_obj, &func1, "cmdline_proc_show", 0,
			 kpt_bad_show);
		kpt_dynrela(&vmlinux_obj, &rela, &kpt_bad_slot, 99,
			    "cmp_range", 1, 0);
	} else if (!strcmp(mode, "relasym")) {
		kpt_func(&vmlinux_obj, &func1, "cmdline_proc_show", 0,
			 kpt_bad_show);
		kpt_dynrela(&vmlinux_obj, &rela, &kpt_bad_slot, R_X86_64_64,
			    "kpt_no_such_symbol", 0, 0);
	} else if (!strcmp(mode, "prepatch")) {
		kpt_func(&vmlinux_obj, &func1, "cmdline_proc_show", 0,
			 kpt_bad_show);
		vmlinux_obj.callbacks.pre_patch = kpt_bad_pre_patch;
		vmlinux_obj.callbacks.post_unpatch = kpt_bad_post_unpatch;
	} else {
		pr_err("kpt_bad: unknown mode '%s'\n", mode);
		return -EINVAL;
	}
	return 0;
}

static int __init kpt_bad_init(void)
{
	int ret;

	kpt_init(&kpmod);
	kpt_object(&kpmod, &vmlinux_obj, "vmlinux");
	ret = kpt_bad_setup();
	if (ret)
		return ret;
	ret = kpatch_register(&kpmod, false);
	pr_info("kpt_bad: mode %s: kpatch_register returned %d\n", mode, ret);
	return ret;
}

static void __exit kpt_bad_exit(void)
{
	kpatch_unregister(&kpmod);
}

module_init(kpt_bad_init);
module_exit(kpt_bad_exit);
MODULE_LICENSE("GPL");
