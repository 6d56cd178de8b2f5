// SPDX-License-Identifier: GPL-2.0
/*
 * main.c: kpatch.ko init and exit.  The module can be removed once no
 * patch module uses it (patch modules hold it through their symbol
 * references to kpatch_register).
 */
#define pr_fmt(fmt) "kpatch: " fmt

#include <linux/kernel.h>
#include <linux/module.h>
#include "core.h"

static int __init kpatch_init(void)
{
	int ret;

	ret = kpatch_helpers_init();
	if (ret)
		return ret;
	ret = kpatch_sysfs_init();
	if (ret)
		return ret;
	ret = kpatch_notifier_init();
	if (ret) {
		kpatch_sysfs_exit();
		return ret;
	}
	pr_info("core module loaded\n");
	return 0;
}

static void __exit kpatch_exit(void)
{
	kpatch_notifier_exit();
	kpatch_sysfs_exit();
	kpatch_shadow_exit();
	pr_info("core module unloaded\n");
}

module_init(kpatch_init);
module_exit(kpatch_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kpatch core: live kernel patching with ftrace and stop_machine");
