// SPDX-License-Identifier: GPL-2.0
/*
 * kpatch-patch-hook.c: init and exit of a kpatch-format patch module.
 *
 * At init it builds one struct kpatch_module (kmod/core/kpatch.h) from the
 * metadata create-kpatch-module left in the module (kpatch-patch.h): one
 * kpatch_object per object named by a function, a dynrela or a callback,
 * with its functions, dynrelas and callbacks, and registers it with
 * kpatch.ko, which resolves the dynrelas and redirects the functions.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "kpatch.h"
#include "patch-hook-common.h"

/* Defined by create-kpatch-module; NULL when it did not run. */
extern const struct kpatch_meta_dynrela __kpatch_dynrelas[] __weak;
extern const struct kpatch_meta_dynrela __kpatch_dynrelas_end[] __weak;
extern const unsigned long __kpatch_force[] __weak;
extern const unsigned long __kpatch_force_end[] __weak;

static struct kpatch_module kpmod;

static struct kpatch_object *get_object(const char *name)
{
	struct kpatch_object *obj;

	list_for_each_entry(obj, &kpmod.objects, list)
		if (!strcmp(obj->name, name))
			return obj;
	obj = kzalloc(sizeof(*obj), GFP_KERNEL);
	if (!obj)
		return NULL;
	obj->name = name;
	INIT_LIST_HEAD(&obj->funcs);
	INIT_LIST_HEAD(&obj->dynrelas);
	list_add_tail(&obj->list, &kpmod.objects);
	return obj;
}

static bool is_forced(unsigned long new_addr)
{
	const unsigned long *f;

	for (f = __kpatch_force; f && f < __kpatch_force_end; f++)
		if (*f == new_addr)
			return true;
	return false;
}

static int add_funcs(void)
{
	const struct kpatch_meta_func *f;

	for (f = __kpatch_funcs; f < __kpatch_funcs_end; f++) {
		struct kpatch_object *obj = get_object(f->objname);
		struct kpatch_func *func;

		func = obj ? kzalloc(sizeof(*func), GFP_KERNEL) : NULL;
		if (!func)
			return -ENOMEM;
		func->new_addr = f->new_addr;
		func->new_size = f->new_size;
		func->old_size = f->old_size;
		func->sympos = f->sympos;
		func->name = f->name;
		func->force = is_forced(f->new_addr);
		list_add_tail(&func->list, &obj->funcs);
	}
	return 0;
}

static int add_dynrelas(void)
{
	const struct kpatch_meta_dynrela *d;

	for (d = __kpatch_dynrelas; d && d < __kpatch_dynrelas_end; d++) {
		struct kpatch_object *obj = get_object(d->objname);
		struct kpatch_dynrela *rela;

		rela = obj ? kzalloc(sizeof(*rela), GFP_KERNEL) : NULL;
		if (!rela)
			return -ENOMEM;
		rela->dest = d->dest;
		rela->type = d->type;
		rela->sympos = d->sympos;
		rela->name = d->name;
		rela->external = d->external;
		rela->addend = d->addend;
		list_add_tail(&rela->list, &obj->dynrelas);
	}
	return 0;
}

static int set_callback(const struct kpatch_meta_callback *cb, int kind)
{
	struct kpatch_object *obj = get_object(cb->objname);
	struct kpatch_callbacks *c;

	if (!obj)
		return -ENOMEM;
	c = &obj->callbacks;
	if (kpatch_set_callback(c, kind, cb->fn)) {
		pr_err("two callbacks of one kind for %s\n", cb->objname);
		return -EINVAL;
	}
	return 0;
}

static void free_objects(void)
{
	struct kpatch_object *obj, *tmp_obj;
	struct kpatch_func *func, *tmp_func;
	struct kpatch_dynrela *rela, *tmp_rela;

	list_for_each_entry_safe(obj, tmp_obj, &kpmod.objects, list) {
		list_for_each_entry_safe(func, tmp_func, &obj->funcs, list)
			kfree(func);
		list_for_each_entry_safe(rela, tmp_rela, &obj->dynrelas, list)
			kfree(rela);
		list_del(&obj->list);
		kfree(obj);
	}
}

static int __init patch_init(void)
{
	int ret;

	if (!__kpatch_funcs) {
		pr_err("no patch metadata: the module was not processed by create-kpatch-module\n");
		return -EINVAL;
	}
	kpmod.mod = THIS_MODULE;
	kpmod.replace = KPATCH_REPLACE;
	INIT_LIST_HEAD(&kpmod.objects);
	ret = add_funcs();
	if (!ret)
		ret = add_dynrelas();
	if (!ret)
		ret = kpatch_for_each_callback(set_callback);
	if (!ret)
		ret = kpatch_register(&kpmod, KPATCH_REPLACE);
	if (ret)
		free_objects();
	return ret;
}

static void __exit patch_exit(void)
{
	int ret = kpatch_unregister(&kpmod);

	/* kpatch.ko still uses the structures if it could not let go. */
	if (ret) {
		pr_err("kpatch_unregister failed (%d); keeping its data\n", ret);
		return;
	}
	free_objects();
}

module_init(patch_init);
module_exit(patch_exit);
MODULE_LICENSE("GPL");
