// SPDX-License-Identifier: GPL-2.0
/*
 * kpt_shadow: exercises kpatch_shadow_* at init and refuses to load (with
 * the failed check in the log) if any result is wrong.
 */
#include <linux/module.h>
#include <linux/slab.h>
#include "kpt.h"

static int dtor_calls;
static char obj1, obj2;

static int kpt_ctor(void *obj, void *data, void *arg)
{
	*(int *)data = *(int *)arg;
	return 0;
}

static int kpt_ctor_fails(void *obj, void *data, void *arg)
{
	return -EINVAL;
}

static void kpt_dtor(void *obj, void *data)
{
	dtor_calls++;
}

#define EXPECT(cond)							\
	do {								\
		if (!(cond)) {						\
			pr_err("kpt_shadow: check failed: %s\n", #cond); \
			return -EINVAL;					\
		}							\
	} while (0)

static int __init kpt_shadow_init(void)
{
	int v42 = 42, v7 = 7;
	int *p, *q;

	p = kpatch_shadow_alloc(&obj1, 1, sizeof(int), GFP_KERNEL, kpt_ctor, &v42);
	EXPECT(p && *p == 42);
	EXPECT(kpatch_shadow_get(&obj1, 1) == p);
	EXPECT(!kpatch_shadow_get(&obj1, 2));
	EXPECT(!kpatch_shadow_get(&obj2, 1));
	EXPECT(!kpatch_shadow_alloc(&obj1, 1, sizeof(int), GFP_KERNEL, NULL, NULL));
	EXPECT(kpatch_shadow_get_or_alloc(&obj1, 1, sizeof(int), GFP_KERNEL,
					  kpt_ctor, &v7) == p && *p == 42);
	q = kpatch_shadow_get_or_alloc(&obj2, 1, sizeof(int), GFP_KERNEL,
				       kpt_ctor, &v7);
	EXPECT(q && q != p && *q == 7);
	EXPECT(kpatch_shadow_alloc(&obj1, 2, 64, GFP_KERNEL, NULL, NULL));
	EXPECT(!kpatch_shadow_alloc(&obj2, 3, 8, GFP_KERNEL, kpt_ctor_fails, NULL));
	EXPECT(!kpatch_shadow_get(&obj2, 3));

	kpatch_shadow_free(&obj1, 1, kpt_dtor);
	EXPECT(dtor_calls == 1 && !kpatch_shadow_get(&obj1, 1));
	EXPECT(kpatch_shadow_get(&obj2, 1) == q);
	kpatch_shadow_free_all(1, kpt_dtor);
	EXPECT(dtor_calls == 2 && !kpatch_shadow_get(&obj2, 1));
	EXPECT(kpatch_shadow_get(&obj1, 2));
	kpatch_shadow_free_all(2, NULL);
	EXPECT(!kpatch_shadow_get(&obj1, 2) && dtor_calls == 2);
	pr_info("kpt_shadow: all shadow variable checks passed\n");
	return 0;
}

static void __exit kpt_shadow_exit(void)
{
}

module_init(kpt_shadow_init);
module_exit(kpt_shadow_exit);
MODULE_LICENSE("GPL");
