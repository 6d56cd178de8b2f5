// SPDX-License-Identifier: GPL-2.0
/*
 * kpt_conflict: a kpatch patch of version_proc_show and then
 * cmdline_proc_show, so that a conflict on the second leaves the first
 * one queued when the patch is refused.
 */
#include <linux/module.h>
#include <linux/seq_file.h>
#include "kpt.h"

static struct kpatch_module kpmod;
static struct kpatch_object vmlinux_obj;
static struct kpatch_func version_func, cmdline_func;

static int kpt_conflict_version_show(struct seq_file *m, void *v)
{
	seq_puts(m, "kpatch-conflict version\n");
	return 0;
}

static int kpt_conflict_cmdline_show(struct seq_file *m, void *v)
{
	seq_puts(m, "kpatch-conflict cmdline\n");
	return 0;
}

static int __init kpt_conflict_init(void)
{
	kpt_init(&kpmod);
	kpt_object(&kpmod, &vmlinux_obj, "vmlinux");
	kpt_func(&vmlinux_obj, &version_func, "version_proc_show", 0,
		 kpt_conflict_version_show);
	kpt_func(&vmlinux_obj, &cmdline_func, "cmdline_proc_show", 0,
		 kpt_conflict_cmdline_show);
	return kpatch_register(&kpmod, false);
}

static void __exit kpt_conflict_exit(void)
{
	kpatch_unregister(&kpmod);
}

module_init(kpt_conflict_init);
module_exit(kpt_conflict_exit);
MODULE_LICENSE("GPL");
