// SPDX-License-Identifier: GPL-2.0
/*
 * kpt_late: a patch for two stock modules, meant to be loaded before them.
 *   joydev:      joydev_match (bad_joydev=1 adds a function joydev lacks,
 *                so loading joydev must be refused)
 *   binfmt_misc: bm_status_read prints "kpatch-late enabled=N at=ADDR",
 *                where ADDR and N come from a data dynrela to
 *                binfmt_misc's static 'enabled', resolved in that module.
 */
#include <linux/module.h>
#include <linux/fs.h>
#include <linux/input.h>
#include "kpt.h"

static bool bad_joydev;
module_param(bad_joydev, bool, 0);

static struct kpatch_module kpmod;
static struct kpatch_object joydev_obj, binfmt_obj;
static struct kpatch_func joydev_match_func, joydev_bad_func, bm_status_func;
static struct kpatch_dynrela bm_enabled_rela;

int *kpt_bm_enabled;	/* written by the dynrela */

static bool kpt_joydev_match(struct input_handler *handler,
			     struct input_dev *dev)
{
	return false;
}

static ssize_t kpt_bm_status_read(struct file *file, char __user *buf,
				  size_t nbytes, loff_t *ppos)
{
	int *enabled = READ_ONCE(kpt_bm_enabled);
	char s[64];
	int len;

	len = scnprintf(s, sizeof(s), "kpatch-late enabled=%d at=%lx\n",
			*enabled, (unsigned long)enabled);
	return simple_read_from_buffer(buf, nbytes, ppos, s, len);
}

static int __init kpt_late_init(void)
{
	kpt_init(&kpmod);
	kpt_object(&kpmod, &joydev_obj, "joydev");
	kpt_func(&joydev_obj, &joydev_match_func, "joydev_match", 0,
		 kpt_joydev_match);
	if (bad_joydev)
		kpt_func(&joydev_obj, &joydev_bad_func, "joydev_no_such_function",
			 0, kpt_joydev_match);
	kpt_object(&kpmod, &binfmt_obj, "binfmt_misc");
	kpt_func(&binfmt_obj, &bm_status_func, "bm_status_read", 0,
		 kpt_bm_status_read);
	kpt_dynrela(&binfmt_obj, &bm_enabled_rela, &kpt_bm_enabled,
		    R_X86_64_64, "enabled", 0, 0);
	return kpatch_register(&kpmod, false);
}

static void __exit kpt_late_exit(void)
{
	kpatch_unregister(&kpmod);
}

module_init(kpt_late_init);
module_exit(kpt_late_exit);
MODULE_LICENSE("GPL");
