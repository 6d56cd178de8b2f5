// SPDX-License-Identifier: GPL-2.0
/*
 * kpt_dups: /proc/kpt_dups shows "a=A b=B", the values of the two static
 * kpt_dup_value functions (kpt_dups_a.c's, then kpt_dups_b.c's).
 */
#include <linux/module.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>

int kpt_dups_a(void);
int kpt_dups_b(void);

static int kpt_dups_show(struct seq_file *m, void *v)
{
	seq_printf(m, "a=%d b=%d\n", kpt_dups_a(), kpt_dups_b());
	return 0;
}

static int __init kpt_dups_init(void)
{
	return proc_create_single("kpt_dups", 0444, NULL, kpt_dups_show) ?
		0 : -ENOMEM;
}

static void __exit kpt_dups_exit(void)
{
	remove_proc_entry("kpt_dups", NULL);
}

module_init(kpt_dups_init);
module_exit(kpt_dups_exit);
MODULE_LICENSE("GPL");
