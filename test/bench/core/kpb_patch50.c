// SPDX-License-Identifier: GPL-2.0
/* kpb_patch50: kpatch-format patch of kpb_fn_00..kpb_fn_49. */
#include <linux/module.h>
#include "kpt.h"
#include "kpb.h"

static struct kpatch_module kpmod;
static struct kpatch_object obj;

#define KPB_NEW(n) \
	static KPB_NOIPA int kpb_fn_##n##_new(int x) { return x + 2##n; } \
	static struct kpatch_func func_##n;
KPB_FOR_50(KPB_NEW)

#define KPB_ADD(n) kpt_func(&obj, &func_##n, "kpb_fn_" #n, 0, kpb_fn_##n##_new);

static int __init kpb_patch50_init(void)
{
	kpt_init(&kpmod);
	kpt_object(&kpmod, &obj, "kpb_target");
	KPB_FOR_50(KPB_ADD)
	return kpatch_register(&kpmod, false);
}

static void __exit kpb_patch50_exit(void)
{
	kpatch_unregister(&kpmod);
}

module_init(kpb_patch50_init);
module_exit(kpb_patch50_exit);
MODULE_LICENSE("GPL");
