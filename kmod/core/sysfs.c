// SPDX-License-Identifier: GPL-2.0
/*
 * sysfs.c: /sys/kernel/kpatch/
 *
 *   <patch>/enabled                 rw  1/0; write 0 to disable, 1 to enable
 *   <patch>/replace                 ro  1 for a cumulative (replace) patch
 *   <patch>/pause_ns                ro  duration of the last stop_machine()
 *   <patch>/<object>/patched        ro  1 while the object's functions are
 *                                       redirected (0: module not loaded)
 *   <patch>/<object>/<func,pos>/    one dir per function, pos = sympos or 1
 *        old_addr new_addr          0400, hex; old_addr 0 until resolved
 *        old_size new_size sympos force   0400
 *
 * The kobjects are embedded in the patch module's structures, whose memory
 * the patch module owns: release does nothing, and kpatch_sysfs_del() runs
 * outside kpatch_mutex because removing a dir waits for its writers, who
 * take that mutex.
 */
#define pr_fmt(fmt) "kpatch: " fmt

#include <linux/kernel.h>
#include <linux/kobject.h>
#include <linux/sysfs.h>
#include <linux/string.h>
#include <linux/slab.h>
#include "core.h"

static struct kobject *kpatch_root_kobj;

static void kpatch_kobj_release(struct kobject *kobj)
{
	/* The patch module owns the memory. */
}

static struct kobj_type kpatch_ktype = {
	.release = kpatch_kobj_release,
	.sysfs_ops = &kobj_sysfs_ops,
};

#define to_kpmod(k) container_of(k, struct kpatch_module, kobj)
#define to_obj(k) container_of(k, struct kpatch_object, kobj)
#define to_func(k) container_of(k, struct kpatch_func, kobj)

/* --- patch ---------------------------------------------------------------- */

static ssize_t enabled_show(struct kobject *kobj, struct kobj_attribute *attr,
			    char *buf)
{
	return sprintf(buf, "%d\n", READ_ONCE(to_kpmod(kobj)->enabled));
}

static ssize_t enabled_store(struct kobject *kobj, struct kobj_attribute *attr,
			     const char *buf, size_t count)
{
	struct kpatch_module *kpmod = to_kpmod(kobj);
	bool enable;
	int ret;

	ret = kstrtobool(buf, &enable);
	if (ret)
		return ret;

	mutex_lock(&kpatch_mutex);
	if (!kpmod->registered)
		ret = -ENODEV;
	else if (enable == kpmod->enabled)
		ret = 0;
	else if (enable)
		ret = kpatch_enable(kpmod);
	else
		ret = kpatch_disable(kpmod);
	mutex_unlock(&kpatch_mutex);
	return ret ?: count;
}

static ssize_t replace_show(struct kobject *kobj, struct kobj_attribute *attr,
			    char *buf)
{
	return sprintf(buf, "%d\n", to_kpmod(kobj)->replace);
}

static ssize_t pause_ns_show(struct kobject *kobj, struct kobj_attribute *attr,
			     char *buf)
{
	return sprintf(buf, "%llu\n", READ_ONCE(to_kpmod(kobj)->pause_ns));
}

static struct kobj_attribute kpatch_attr_enabled = __ATTR_RW(enabled);
static struct kobj_attribute kpatch_attr_replace = __ATTR_RO(replace);
static struct kobj_attribute kpatch_attr_pause_ns = __ATTR_RO(pause_ns);

static struct attribute *kpatch_patch_attrs[] = {
	&kpatch_attr_enabled.attr,
	&kpatch_attr_replace.attr,
	&kpatch_attr_pause_ns.attr,
	NULL,
};

static const struct attribute_group kpatch_patch_group = {
	.attrs = kpatch_patch_attrs,
};

/* --- object --------------------------------------------------------------- */

static ssize_t patched_show(struct kobject *kobj, struct kobj_attribute *attr,
			    char *buf)
{
	return sprintf(buf, "%d\n", READ_ONCE(to_obj(kobj)->patched));
}

static struct kobj_attribute kpatch_attr_patched = __ATTR_RO(patched);

static struct attribute *kpatch_object_attrs[] = {
	&kpatch_attr_patched.attr,
	NULL,
};

static const struct attribute_group kpatch_object_group = {
	.attrs = kpatch_object_attrs,
};

/* --- function ------------------------------------------------------------- */

#define KPATCH_FUNC_ATTR(field, fmt)					\
static ssize_t field##_show(struct kobject *kobj,			\
			    struct kobj_attribute *attr, char *buf)	\
{									\
	return sprintf(buf, fmt "\n", READ_ONCE(to_func(kobj)->field));	\
}									\
static struct kobj_attribute kpatch_attr_##field = __ATTR_RO_MODE(field, 0400)

KPATCH_FUNC_ATTR(old_addr, "0x%lx");
KPATCH_FUNC_ATTR(new_addr, "0x%lx");
KPATCH_FUNC_ATTR(old_size, "%lu");
KPATCH_FUNC_ATTR(new_size, "%lu");
KPATCH_FUNC_ATTR(sympos, "%lu");
KPATCH_FUNC_ATTR(force, "%d");

static struct attribute *kpatch_func_attrs[] = {
	&kpatch_attr_old_addr.attr,
	&kpatch_attr_new_addr.attr,
	&kpatch_attr_old_size.attr,
	&kpatch_attr_new_size.attr,
	&kpatch_attr_sympos.attr,
	&kpatch_attr_force.attr,
	NULL,
};

static const struct attribute_group kpatch_func_group = {
	.attrs = kpatch_func_attrs,
};

/* --- adding and removing -------------------------------------------------- */

/* On failure the kobject is put and zeroed: kpatch_sysfs_del() skips it. */
static int kpatch_kobj_add(struct kobject *kobj, struct kobject *parent,
			   const struct attribute_group *group,
			   const char *name)
{
	int ret;

	ret = kobject_init_and_add(kobj, &kpatch_ktype, parent, "%s", name);
	if (!ret)
		ret = sysfs_create_group(kobj, group);
	if (ret) {
		kobject_put(kobj);
		memset(kobj, 0, sizeof(*kobj));
	}
	return ret;
}

static void kpatch_sysfs_put_object(struct kpatch_object *obj)
{
	struct kpatch_func *func;

	list_for_each_entry(func, &obj->funcs, list)
		if (func->kobj.state_initialized)
			kobject_put(&func->kobj);
	if (obj->kobj.state_initialized)
		kobject_put(&obj->kobj);
}

static int kpatch_sysfs_add_object(struct kpatch_object *obj)
{
	struct kpatch_func *func;
	char *name;
	int ret;

	ret = kpatch_kobj_add(&obj->kobj, &obj->kpmod->kobj,
			      &kpatch_object_group, obj->name);
	if (ret)
		return ret;
	list_for_each_entry(func, &obj->funcs, list) {
		name = kasprintf(GFP_KERNEL, "%s,%lu", func->name,
				 func->sympos ?: 1);
		if (!name)
			return -ENOMEM;
		ret = kpatch_kobj_add(&func->kobj, &obj->kobj,
				      &kpatch_func_group, name);
		kfree(name);
		if (ret)
			return ret;
	}
	return 0;
}

int kpatch_sysfs_add(struct kpatch_module *kpmod)
{
	struct kpatch_object *obj;
	int ret;

	ret = kpatch_kobj_add(&kpmod->kobj, kpatch_root_kobj,
			      &kpatch_patch_group, kpatch_name(kpmod));
	if (ret)
		goto err;
	list_for_each_entry(obj, &kpmod->objects, list) {
		ret = kpatch_sysfs_add_object(obj);
		if (ret)
			goto err;
	}
	return 0;
err:
	pr_err("%s: cannot create the sysfs entries (%d)\n",
	       kpatch_name(kpmod), ret);
	kpatch_sysfs_del(kpmod);
	return ret;
}

/*
 * Remove what kpatch_sysfs_add() made, children first.  A kobject whose
 * init failed was already put there; its state says so.
 */
void kpatch_sysfs_del(struct kpatch_module *kpmod)
{
	struct kpatch_object *obj;

	list_for_each_entry(obj, &kpmod->objects, list)
		kpatch_sysfs_put_object(obj);
	if (kpmod->kobj.state_initialized)
		kobject_put(&kpmod->kobj);
	memset(&kpmod->kobj, 0, sizeof(kpmod->kobj));
	list_for_each_entry(obj, &kpmod->objects, list) {
		struct kpatch_func *func;

		memset(&obj->kobj, 0, sizeof(obj->kobj));
		list_for_each_entry(func, &obj->funcs, list)
			memset(&func->kobj, 0, sizeof(func->kobj));
	}
}

int kpatch_sysfs_init(void)
{
	kpatch_root_kobj = kobject_create_and_add("kpatch", kernel_kobj);
	return kpatch_root_kobj ? 0 : -ENOMEM;
}

void kpatch_sysfs_exit(void)
{
	kobject_put(kpatch_root_kobj);
}
