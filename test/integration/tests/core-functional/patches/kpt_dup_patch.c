// SPDX-License-Identifier: GPL-2.0
/*
 * kpt_dup_patch: patches the second kpt_dup_value of module kpt_dups
 * (position 2) to return 20, and reads the address of the first one
 * through a dynrela (position 1), shown in /sys/module/.../first_addr.
 */
#include <linux/module.h>
#include "kpt.h"

static struct kpatch_module kpmod;
static struct kpatch_object dups_obj;
static struct kpatch_func dup_func;
static struct kpatch_dynrela dup_rela;

unsigned long kpt_dup_first;	/* written by the dynrela */

static int kpt_dup_first_get(char *buf, const struct kernel_param *kp)
{
	return sprintf(buf, "%lx\n", READ_ONCE(kpt_dup_first));
}

static const struct kernel_param_ops kpt_dup_first_ops = {
	.get = kpt_dup_first_get,
};
module_param_cb(first_addr, &kpt_dup_first_ops, NULL, 0444);

static noinline int kpt_dup_value_new(void)
{
	return 20;
}

static int __init kpt_dup_patch_init(void)
{
	kpt_init(&kpmod);
	kpt_object(&kpmod, &dups_obj, "kpt_dups");
	kpt_func(&dups_obj, &dup_func, "kpt_dup_value", 2, kpt_dup_value_new);
	kpt_dynrela(&dups_obj, &dup_rela, &kpt_dup_first, R_X86_64_64,
		    "kpt_dup_value", 1, 0);
	return kpatch_register(&kpmod, false);
}

static void __exit kpt_dup_patch_exit(void)
{
	kpatch_unregister(&kpmod);
}

module_init(kpt_dup_patch_init);
module_exit(kpt_dup_patch_exit);
MODULE_LICENSE("GPL");
