/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One stacking test patch, named by KPT_LETTER: its cmdline_proc_show
 * prints "kpatch-stack KPT_LETTER"; with KPT_VERSION it also replaces
 * version_proc_show; with KPT_REPLACE it is a replace (cumulative) patch.
 */
#include <linux/module.h>
#include <linux/seq_file.h>
#include "kpt.h"

static struct kpatch_module kpmod;
static struct kpatch_object vmlinux_obj;
static struct kpatch_func cmdline_func;
#ifdef KPT_VERSION
static struct kpatch_func version_func;

static int kpt_version_show(struct seq_file *m, void *v)
{
	seq_puts(m, "kpatch-stack " KPT_LETTER " version\n");
	return 0;
}
#endif

static int kpt_cmdline_show(struct seq_file *m, void *v)
{
	seq_puts(m, "kpatch-stack " KPT_LETTER "\n");
	return 0;
}

static int __init kpt_stack_init(void)
{
	kpt_init(&kpmod);
	kpt_object(&kpmod, &vmlinux_obj, "vmlinux");
	kpt_func(&vmlinux_obj, &cmdline_func, "cmdline_proc_show", 0,
		 kpt_cmdline_show);
#ifdef KPT_VERSION
	kpt_func(&vmlinux_obj, &version_func, "version_proc_show", 0,
		 kpt_version_show);
#endif
#ifdef KPT_REPLACE
	return kpatch_register(&kpmod, true);
#else
	return kpatch_register(&kpmod, false);
#endif
}

static void __exit kpt_stack_exit(void)
{
	kpatch_unregister(&kpmod);
}

module_init(kpt_stack_init);
module_exit(kpt_stack_exit);
MODULE_LICENSE("GPL");
