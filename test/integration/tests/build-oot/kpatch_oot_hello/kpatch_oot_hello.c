// SPDX-License-Identifier: GPL-2.0
/* An out-of-tree module for the build-oot suite: /proc/kpatch_oot_hello. */
#include <linux/module.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>

static int kpatch_oot_hello_show(struct seq_file *m, void *v)
{
	seq_puts(m, "hello from an out-of-tree module\n");
	return 0;
}

static int __init kpatch_oot_hello_init(void)
{
	if (!proc_create_single("kpatch_oot_hello", 0444, NULL, kpatch_oot_hello_show))
		return -ENOMEM;
	return 0;
}

static void __exit kpatch_oot_hello_exit(void)
{
	remove_proc_entry("kpatch_oot_hello", NULL);
}

module_init(kpatch_oot_hello_init);
module_exit(kpatch_oot_hello_exit);
MODULE_LICENSE("GPL");
