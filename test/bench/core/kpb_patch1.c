// SPDX-License-Identifier: GPL-2.0
/* kpb_patch1: kpatch-format patch of kpb_call_kpatch (returns x + 2). */
#include <linux/module.h>
#include "kpt.h"
#include "kpb.h"

static struct kpatch_module kpmod;
static struct kpatch_object obj;
static struct kpatch_func func;

static KPB_NOIPA int kpb_call_kpatch_new(int x)
{
	return x + 2;
}

static int __init kpb_patch1_init(void)
{
	kpt_init(&kpmod);
	kpt_object(&kpmod, &obj, "kpb_target");
	kpt_func(&obj, &func, "kpb_call_kpatch", 0, kpb_call_kpatch_new);
	return kpatch_register(&kpmod, false);
}

static void __exit kpb_patch1_exit(void)
{
	kpatch_unregister(&kpmod);
}

module_init(kpb_patch1_init);
module_exit(kpb_patch1_exit);
MODULE_LICENSE("GPL");
