// SPDX-License-Identifier: GPL-2.0
/* kpt_stress: cmdline_proc_show prints one fixed line. */
#include <linux/module.h>
#include <linux/seq_file.h>
#include "kpt.h"

static struct kpatch_module kpmod;
static struct kpatch_object vmlinux_obj;
static struct kpatch_func cmdline_func;

static int kpt_stress_show(struct seq_file *m, void *v)
{
	seq_puts(m, "kpatch-stress: patched cmdline\n");
	return 0;
}

static int __init kpt_stress_init(void)
{
	kpt_init(&kpmod);
	kpt_object(&kpmod, &vmlinux_obj, "vmlinux");
	kpt_func(&vmlinux_obj, &cmdline_func, "cmdline_proc_show", 0,
		 kpt_stress_show);
	return kpatch_register(&kpmod, false);
}

static void __exit kpt_stress_exit(void)
{
	kpatch_unregister(&kpmod);
}

module_init(kpt_stress_init);
module_exit(kpt_stress_exit);
MODULE_LICENSE("GPL");
