// SPDX-License-Identifier: GPL-2.0
/*
 * livepatch-patch-hook.c: init and exit of a livepatch-format patch module.
 *
 * At init it builds one klp_patch from the metadata create-klp-module left
 * in the module (kpatch-patch.h): one klp_object per patched object
 * (vmlinux has name NULL), its klp_funcs and callbacks, and enables it.
 * The kernel resolves the .klp.rela sections itself.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/livepatch.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "patch-hook-common.h"

/* Defined by create-klp-module; NULL when it did not run. */

static struct klp_patch patch;
static struct klp_object *objs;	/* terminated by an all-zero entry */
static size_t nr_objs;

static const char *klp_name(const char *objname)
{
	return strcmp(objname, KPATCH_META_VMLINUX) ? objname : NULL;
}

static struct klp_object *get_object(const char *objname)
{
	const char *name = klp_name(objname);
	size_t i;

	for (i = 0; i < nr_objs; i++)
		if ((!name && !objs[i].name) ||
		    (name && objs[i].name && !strcmp(name, objs[i].name)))
			return &objs[i];
	objs[nr_objs].name = name;
	return &objs[nr_objs++];
}

static size_t count_funcs(const char *objname)
{
	const struct kpatch_meta_func *f;
	size_t n = 0;

	for (f = __kpatch_funcs; f < __kpatch_funcs_end; f++)
		if (!strcmp(f->objname, objname))
			n++;
	return n;
}

static int add_funcs(void)
{
	const struct kpatch_meta_func *f;

	for (f = __kpatch_funcs; f < __kpatch_funcs_end; f++) {
		struct klp_object *obj = get_object(f->objname);
		struct klp_func *func;

		if (!obj->funcs) {
			/* One more for the zero terminator. */
			obj->funcs = kcalloc(count_funcs(f->objname) + 1,
					     sizeof(*obj->funcs), GFP_KERNEL);
			if (!obj->funcs)
				return -ENOMEM;
		}
		for (func = obj->funcs; func->old_name; func++)
			;
		func->old_name = f->name;
		func->new_func = (void *)f->new_addr;
		func->old_sympos = f->sympos;
	}
	return 0;
}

static int set_callback(const struct kpatch_meta_callback *cb, int kind)
{
	struct klp_object *obj = get_object(cb->objname);
	struct klp_callbacks *c = &obj->callbacks;

	if (kpatch_set_callback(c, kind, cb->fn)) {
		pr_err("two callbacks of one kind for %s\n", cb->objname);
		return -EINVAL;
	}
	/* klp_enable_patch() wants a function list, even an empty one. */
	if (!obj->funcs)
		obj->funcs = kcalloc(1, sizeof(*obj->funcs), GFP_KERNEL);
	return obj->funcs ? 0 : -ENOMEM;
}

static void free_objects(void)
{
	size_t i;

	for (i = 0; objs && i < nr_objs; i++)
		kfree(objs[i].funcs);
	kfree(objs);
	objs = NULL;
	nr_objs = 0;
}

static size_t count_entries(void)
{
	return (__kpatch_funcs_end - __kpatch_funcs) +
	       (__kpatch_callbacks_pre_patch_end - __kpatch_callbacks_pre_patch) +
	       (__kpatch_callbacks_post_patch_end - __kpatch_callbacks_post_patch) +
	       (__kpatch_callbacks_pre_unpatch_end - __kpatch_callbacks_pre_unpatch) +
	       (__kpatch_callbacks_post_unpatch_end - __kpatch_callbacks_post_unpatch);
}

static int __init patch_init(void)
{
	int ret;

	if (!__kpatch_funcs) {
		pr_err("no patch metadata: the module was not processed by create-klp-module\n");
		return -EINVAL;
	}
	/* At most one object per entry, plus the terminator. */
	objs = kcalloc(count_entries() + 1, sizeof(*objs), GFP_KERNEL);
	if (!objs)
		return -ENOMEM;
	ret = add_funcs();
	if (!ret)
		ret = kpatch_for_each_callback(set_callback);
	if (ret)
		goto fail;
	patch.mod = THIS_MODULE;
	patch.objs = objs;
	patch.replace = KPATCH_REPLACE;
	ret = klp_enable_patch(&patch);
	if (ret)
		goto fail;
	return 0;
fail:
	free_objects();
	return ret;
}

/* livepatch holds a module reference until the patch is disabled and freed. */
static void __exit patch_exit(void)
{
	free_objects();
}

module_init(patch_init);
module_exit(patch_exit);
MODULE_LICENSE("GPL");
MODULE_INFO(livepatch, "Y");
