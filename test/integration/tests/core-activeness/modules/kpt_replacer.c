// SPDX-License-Identifier: GPL-2.0
/*
 * kpt_replacer: a replace (cumulative) patch of cmdline_proc_show only.
 * Loading it disables every other patch in the same switch, so a task
 * sleeping in another patch's replacement must block it.
 */
#include <linux/module.h>
#include <linux/seq_file.h>
#include "kpt.h"

static struct kpatch_module kpmod;
static struct kpatch_object vmlinux_obj;
static struct kpatch_func cmdline_func;

static int kpt_replacer_show(struct seq_file *m, void *v)
{
	seq_puts(m, "kpatch-replacer\n");
	return 0;
}

static int __init kpt_replacer_init(void)
{
	kpt_init(&kpmod);
	kpt_object(&kpmod, &vmlinux_obj, "vmlinux");
	kpt_func(&vmlinux_obj, &cmdline_func, "cmdline_proc_show", 0,
		 kpt_replacer_show);
	return kpatch_register(&kpmod, true);
}

static void __exit kpt_replacer_exit(void)
{
	kpatch_unregister(&kpmod);
}

module_init(kpt_replacer_init);
module_exit(kpt_replacer_exit);
MODULE_LICENSE("GPL");
