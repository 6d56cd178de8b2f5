// SPDX-License-Identifier: GPL-2.0
/*
 * Hand-written livepatch test module for the kpatch utility: /proc/cmdline
 * reads "kpatch-util-cmdline".  It also carries a .kpatch.funcs section laid
 * out as generated patch modules have it (kpatch-intermediate.h), so that
 * 'kpatch info' can list its functions from the file alone.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/livepatch.h>
#include <linux/seq_file.h>

static int livepatch_cmdline_proc_show(struct seq_file *m, void *v)
{
	seq_puts(m, "kpatch-util-cmdline\n");
	return 0;
}

struct kpatch_patch_func {
	unsigned long new_addr;
	unsigned long new_size;
	unsigned long old_addr;
	unsigned long old_size;
	unsigned long sympos;
	char *name;
	char *objname;
};

static struct kpatch_patch_func kpatch_funcs[] __used __section(".kpatch.funcs") = {
	{
		.new_addr = (unsigned long)livepatch_cmdline_proc_show,
		.name = "cmdline_proc_show",
		.objname = "vmlinux",
	},
};

static struct klp_func funcs[] = {
	{
		.old_name = "cmdline_proc_show",
		.new_func = livepatch_cmdline_proc_show,
	}, { }
};

static struct klp_object objs[] = {
	{
		/* name NULL: vmlinux */
		.funcs = funcs,
	}, { }
};

static struct klp_patch patch = {
	.mod = THIS_MODULE,
	.objs = objs,
};

static int __init livepatch_util_cmdline_init(void)
{
	return klp_enable_patch(&patch);
}

static void __exit livepatch_util_cmdline_exit(void)
{
}

module_init(livepatch_util_cmdline_init);
module_exit(livepatch_util_cmdline_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kpatch utility test: /proc/cmdline patch");
MODULE_INFO(livepatch, "Y");
