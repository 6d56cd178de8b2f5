// SPDX-License-Identifier: GPL-2.0
/*
 * A hand-written livepatch: replaces cmdline_proc_show() so /proc/cmdline
 * shows a fixed text.  Proves that the stock kernel's livepatch core works in
 * the test bed before any generated patch module is tried there.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/livepatch.h>
#include <linux/seq_file.h>

static int patched_cmdline_proc_show(struct seq_file *m, void *v)
{
	seq_puts(m, "kpatch-test: cmdline replaced by livepatch-cmdline\n");
	return 0;
}

static struct klp_func cmdline_funcs[] = {
	{
		.old_name = "cmdline_proc_show",
		.new_func = patched_cmdline_proc_show,
	},
	{ }
};

static struct klp_object cmdline_objs[] = {
	{
		/* name NULL: the function is in vmlinux */
		.funcs = cmdline_funcs,
	},
	{ }
};

static struct klp_patch cmdline_patch = {
	.mod = THIS_MODULE,
	.objs = cmdline_objs,
};

static int __init livepatch_cmdline_init(void)
{
	return klp_enable_patch(&cmdline_patch);
}

static void __exit livepatch_cmdline_exit(void)
{
}

module_init(livepatch_cmdline_init);
module_exit(livepatch_cmdline_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kpatch test: livepatch replacing cmdline_proc_show");
MODULE_INFO(livepatch, "Y");
