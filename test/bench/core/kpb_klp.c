// SPDX-License-Identifier: GPL-2.0
/* kpb_klp: the same patch, of kpb_call_klp, in livepatch format. */
#include <linux/module.h>
#include <linux/livepatch.h>
#include "kpb.h"

static KPB_NOIPA int kpb_call_klp_new(int x)
{
	return x + 2;
}

static struct klp_func kpb_klp_funcs[] = {
	{ .old_name = "kpb_call_klp", .new_func = kpb_call_klp_new },
	{ }
};

static struct klp_object kpb_klp_objs[] = {
	{ .name = "kpb_target", .funcs = kpb_klp_funcs },
	{ }
};

static struct klp_patch kpb_klp_patch = {
	.mod = THIS_MODULE,
	.objs = kpb_klp_objs,
};

static int __init kpb_klp_init(void)
{
	return klp_enable_patch(&kpb_klp_patch);
}

static void __exit kpb_klp_exit(void)
{
}

module_init(kpb_klp_init);
module_exit(kpb_klp_exit);
MODULE_LICENSE("GPL");
MODULE_INFO(livepatch, "Y");
