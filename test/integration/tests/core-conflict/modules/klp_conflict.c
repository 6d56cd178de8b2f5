// SPDX-License-Identifier: GPL-2.0
/* klp_conflict: a livepatch of cmdline_proc_show. */
#include <linux/module.h>
#include <linux/livepatch.h>
#include <linux/seq_file.h>

static int klp_conflict_cmdline_show(struct seq_file *m, void *v)
{
	seq_puts(m, "klp-conflict cmdline\n");
	return 0;
}

static struct klp_func klp_conflict_funcs[] = {
	{ .old_name = "cmdline_proc_show", .new_func = klp_conflict_cmdline_show },
	{ }
};

static struct klp_object klp_conflict_objs[] = {
	{ .funcs = klp_conflict_funcs },	/* vmlinux */
	{ }
};

static struct klp_patch klp_conflict_patch = {
	.mod = THIS_MODULE,
	.objs = klp_conflict_objs,
};

static int __init klp_conflict_init(void)
{
	return klp_enable_patch(&klp_conflict_patch);
}

static void __exit klp_conflict_exit(void)
{
}

module_init(klp_conflict_init);
module_exit(klp_conflict_exit);
MODULE_LICENSE("GPL");
MODULE_INFO(livepatch, "Y");
