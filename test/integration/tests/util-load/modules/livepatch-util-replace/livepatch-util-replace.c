// SPDX-License-Identifier: GPL-2.0
/*
 * Hand-written cumulative (atomic replace) livepatch test module: replaces
 * every earlier livepatch; /proc/cmdline reads "kpatch-util-replace".
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/livepatch.h>
#include <linux/seq_file.h>

static int livepatch_cmdline_proc_show(struct seq_file *m, void *v)
{
	seq_puts(m, "kpatch-util-replace\n");
	return 0;
}

static struct klp_func funcs[] = {
	{
		.old_name = "cmdline_proc_show",
		.new_func = livepatch_cmdline_proc_show,
	}, { }
};

static struct klp_object objs[] = {
	{
		.funcs = funcs,
	}, { }
};

static struct klp_patch patch = {
	.mod = THIS_MODULE,
	.objs = objs,
	.replace = true,
};

static int __init livepatch_util_replace_init(void)
{
	return klp_enable_patch(&patch);
}

static void __exit livepatch_util_replace_exit(void)
{
}

module_init(livepatch_util_replace_init);
module_exit(livepatch_util_replace_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kpatch utility test: cumulative /proc/cmdline patch");
MODULE_INFO(livepatch, "Y");
