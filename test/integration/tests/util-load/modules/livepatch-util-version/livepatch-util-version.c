// SPDX-License-Identifier: GPL-2.0
/* Hand-written livepatch test module: /proc/version reads "kpatch-util-version". */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/livepatch.h>
#include <linux/seq_file.h>

static int livepatch_version_proc_show(struct seq_file *m, void *v)
{
	seq_puts(m, "kpatch-util-version\n");
	return 0;
}

static struct klp_func funcs[] = {
	{
		.old_name = "version_proc_show",
		.new_func = livepatch_version_proc_show,
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
};

static int __init livepatch_util_version_init(void)
{
	return klp_enable_patch(&patch);
}

static void __exit livepatch_util_version_exit(void)
{
}

module_init(livepatch_util_version_init);
module_exit(livepatch_util_version_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kpatch utility test: /proc/version patch");
MODULE_INFO(livepatch, "Y");
