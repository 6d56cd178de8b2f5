// SPDX-License-Identifier: GPL-2.0
/*
 * registry.c: the patches kpatch.ko knows, and enabling/disabling them.
 *
 * An object is "linked" once its symbols and dynrelas are resolved, its
 * pre_patch callback ran and its funcs sit on their address stacks; it is
 * "patched" once those funcs are live.  Enabling links every loaded
 * object with pending funcs and switches them all in one stop_machine;
 * disabling does the reverse.  Objects of modules loaded later are linked
 * by the module notifier.
 */
#define pr_fmt(fmt) "kpatch: " fmt

#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/kallsyms.h>
#include "core.h"

DEFINE_MUTEX(kpatch_mutex);
LIST_HEAD(kpatch_patches);
static u64 kpatch_last_seq;

/* --- callbacks --------------------------------------------------------- */

static int kpatch_pre_patch(struct kpatch_object *obj)
{
	struct kpatch_callbacks *cb = &obj->callbacks;
	int ret = 0;

	if (cb->pre_patch)
		ret = cb->pre_patch(obj);
	if (ret) {
		pr_err("%s: pre-patch callback for %s refused (%d)\n",
		       kpatch_name(obj->kpmod), obj->name, ret);
		return ret;
	}
	cb->post_unpatch_enabled = true;
	return 0;
}

static void kpatch_post_patch(struct kpatch_object *obj)
{
	if (obj->callbacks.post_patch)
		obj->callbacks.post_patch(obj);
}

static void kpatch_pre_unpatch(struct kpatch_object *obj)
{
	if (obj->callbacks.pre_unpatch)
		obj->callbacks.pre_unpatch(obj);
}

static void kpatch_post_unpatch(struct kpatch_object *obj)
{
	struct kpatch_callbacks *cb = &obj->callbacks;

	if (cb->post_unpatch_enabled && cb->post_unpatch)
		cb->post_unpatch(obj);
	cb->post_unpatch_enabled = false;
}

/* --- linking objects --------------------------------------------------- */

static int kpatch_resolve_funcs(struct kpatch_object *obj)
{
	struct kpatch_func *func;
	unsigned long addr, size, offset;
	int ret;

	list_for_each_entry(func, &obj->funcs, list) {
		ret = kpatch_find_symbol(obj->name, obj->mod, func->name,
					 func->sympos, &addr, &size);
		if (ret) {
			pr_err("%s: cannot find the function to patch: %s (position %lu) in %s\n",
			       kpatch_name(obj->kpmod), func->name,
			       func->sympos, obj->name);
			return ret;
		}
		/*
		 * kallsyms sizes run to the next symbol, so they include the
		 * alignment padding after the function (up to 15 bytes).
		 */
		if (func->old_size && size && (func->old_size > size ||
					       size - func->old_size >= 16)) {
			pr_err("%s: %s in %s is %lu bytes, the patch expects %lu: built for another kernel?\n",
			       kpatch_name(obj->kpmod), func->name, obj->name,
			       size, func->old_size);
			return -EINVAL;
		}
		func->old_addr = addr;
		if (size)
			func->old_size = size;
		if (!func->new_size &&
		    kph.kallsyms_lookup_size_offset(func->new_addr, &size,
						    &offset))
			func->new_size = size;
	}
	return 0;
}

static void kpatch_detach_funcs(struct kpatch_object *obj)
{
	struct kpatch_func *func;

	list_for_each_entry(func, &obj->funcs, list) {
		if (func->ftrace_ip)
			kpatch_ftrace_del_func(func);
		func->op = KPATCH_OP_NONE;
	}
}

static int kpatch_attach_funcs(struct kpatch_object *obj, enum kpatch_op op)
{
	struct kpatch_func *func;
	int ret;

	list_for_each_entry(func, &obj->funcs, list) {
		func->op = op;
		ret = kpatch_ftrace_add_func(func);
		if (ret) {
			kpatch_detach_funcs(obj);
			return ret;
		}
	}
	return 0;
}

static void kpatch_set_ops(struct kpatch_object *obj, enum kpatch_op op)
{
	struct kpatch_func *func;

	list_for_each_entry(func, &obj->funcs, list)
		WRITE_ONCE(func->op, op);
}

static unsigned int kpatch_count_funcs(struct kpatch_object *obj)
{
	struct kpatch_func *func;
	unsigned int n = 0;

	list_for_each_entry(func, &obj->funcs, list)
		n++;
	return n;
}

/*
 * kpatch_link_object - resolve OBJ in MOD (NULL: vmlinux), run its
 * pre_patch callback and put its funcs on their stacks with OP
 * (KPATCH_OP_PATCH: pending a switch; KPATCH_OP_NONE: live at once, for a
 * module whose code cannot run yet).  On error nothing stays linked; the
 * caller runs kpatch_ftrace_sync() to drop addresses left unused.
 */
int kpatch_link_object(struct kpatch_object *obj, struct module *mod,
		       enum kpatch_op op)
{
	int ret;

	obj->mod = mod;
	ret = kpatch_resolve_funcs(obj);
	if (ret)
		goto err;
	ret = kpatch_write_dynrelas(obj);
	if (ret)
		goto err;
	ret = kpatch_pre_patch(obj);
	if (ret)
		goto err;
	ret = kpatch_attach_funcs(obj, op);
	if (ret)
		goto err_callback;
	ret = kpatch_ftrace_filter_new();
	if (ret) {
		kpatch_detach_funcs(obj);
		goto err_callback;
	}
	obj->linked = true;
	obj->patched = op == KPATCH_OP_NONE;
	return 0;

err_callback:
	synchronize_rcu();
	kpatch_post_unpatch(obj);
err:
	obj->mod = NULL;
	return ret;
}

/* First half of unlinking: stop redirecting.  Wait for RCU before _finish. */
void kpatch_unlink_object_start(struct kpatch_object *obj)
{
	if (obj->patched)
		kpatch_pre_unpatch(obj);
	kpatch_detach_funcs(obj);
}

void kpatch_unlink_object_finish(struct kpatch_object *obj)
{
	obj->patched = false;
	obj->linked = false;
	kpatch_post_unpatch(obj);
	obj->mod = NULL;
}

void kpatch_object_patched(struct kpatch_object *obj)
{
	kpatch_post_patch(obj);
}

/* --- enable / disable -------------------------------------------------- */

static void kpatch_taint(struct kpatch_module *kpmod)
{
	set_bit(TAINT_LIVEPATCH, &kpmod->mod->taints);
	add_taint(TAINT_LIVEPATCH, LOCKDEP_STILL_OK);
}

/* Mark the funcs of every other enabled patch for removal (replace mode). */
static unsigned int kpatch_replace_prepare(struct kpatch_module *kpmod)
{
	struct kpatch_module *old;
	struct kpatch_object *obj;
	unsigned int n = 0;

	list_for_each_entry(old, &kpatch_patches, list) {
		if (old == kpmod || !old->enabled)
			continue;
		list_for_each_entry(obj, &old->objects, list) {
			if (!obj->linked)
				continue;
			kpatch_pre_unpatch(obj);
			kpatch_set_ops(obj, KPATCH_OP_UNPATCH);
			n += kpatch_count_funcs(obj);
		}
	}
	return n;
}

static void kpatch_replace_cancel(struct kpatch_module *kpmod)
{
	struct kpatch_module *old;
	struct kpatch_object *obj;

	list_for_each_entry(old, &kpatch_patches, list) {
		if (old == kpmod || !old->enabled)
			continue;
		list_for_each_entry(obj, &old->objects, list) {
			if (!obj->linked)
				continue;
			kpatch_set_ops(obj, KPATCH_OP_NONE);
			kpatch_post_patch(obj);
		}
	}
}

/* After the switch: the replaced patches are off their stacks... */
static void kpatch_replace_detach(struct kpatch_module *kpmod)
{
	struct kpatch_module *old;
	struct kpatch_object *obj;

	list_for_each_entry(old, &kpatch_patches, list) {
		if (old == kpmod || !old->enabled)
			continue;
		list_for_each_entry(obj, &old->objects, list)
			if (obj->linked)
				kpatch_detach_funcs(obj);
	}
}

/* ...and, after a grace period, disabled. */
static void kpatch_replace_finish(struct kpatch_module *kpmod)
{
	struct kpatch_module *old;
	struct kpatch_object *obj;

	list_for_each_entry(old, &kpatch_patches, list) {
		if (old == kpmod || !old->enabled)
			continue;
		list_for_each_entry(obj, &old->objects, list)
			if (obj->linked)
				kpatch_unlink_object_finish(obj);
		old->enabled = false;
		module_put(old->mod);
		pr_info("%s: replaced by %s and disabled\n", kpatch_name(old),
			kpatch_name(kpmod));
	}
}

static int kpatch_link_loaded_objects(struct kpatch_module *kpmod,
				      unsigned int *nfuncs)
{
	struct kpatch_object *obj;
	struct module *mod;
	int ret;

	list_for_each_entry(obj, &kpmod->objects, list) {
		mod = NULL;
		if (!kpatch_object_is_vmlinux(obj)) {
			mod = kpatch_find_loaded_module(obj->name);
			if (!mod) {
				pr_info("%s: module %s is not loaded; it will be patched when it loads\n",
					kpatch_name(kpmod), obj->name);
				continue;
			}
		}
		ret = kpatch_link_object(obj, mod, KPATCH_OP_PATCH);
		if (ret)
			return ret;
		*nfuncs += kpatch_count_funcs(obj);
	}
	return 0;
}

static void kpatch_unlink_all(struct kpatch_module *kpmod)
{
	struct kpatch_object *obj;

	list_for_each_entry(obj, &kpmod->objects, list)
		if (obj->linked)
			kpatch_unlink_object_start(obj);
	kpatch_ftrace_sync();
	list_for_each_entry(obj, &kpmod->objects, list)
		if (obj->linked)
			kpatch_unlink_object_finish(obj);
}

int kpatch_enable(struct kpatch_module *kpmod)
{
	const char *what = kpmod->replace ? "enable (replace)" : "enable";
	struct kpatch_object *obj;
	unsigned int nfuncs = 0;
	int ret;

	if (!try_module_get(kpmod->mod)) {
		pr_err("%s: the patch module is going away\n", kpatch_name(kpmod));
		return -ENODEV;
	}
	kpmod->seq = ++kpatch_last_seq;
	list_move_tail(&kpmod->list, &kpatch_patches);

	ret = kpatch_link_loaded_objects(kpmod, &nfuncs);
	if (ret)
		goto err_unlink;
	if (kpmod->replace)
		nfuncs += kpatch_replace_prepare(kpmod);
	if (nfuncs)
		ret = kpatch_switch(kpmod, what, nfuncs);
	if (ret)
		goto err_cancel;

	list_for_each_entry(obj, &kpmod->objects, list) {
		if (!obj->linked)
			continue;
		kpatch_set_ops(obj, KPATCH_OP_NONE);
		obj->patched = true;
	}
	if (kpmod->replace)
		kpatch_replace_detach(kpmod);
	kpatch_ftrace_sync();
	if (kpmod->replace)
		kpatch_replace_finish(kpmod);
	list_for_each_entry(obj, &kpmod->objects, list)
		if (obj->patched)
			kpatch_post_patch(obj);

	kpmod->enabled = true;
	kpatch_taint(kpmod);
	pr_info("%s: enabled\n", kpatch_name(kpmod));
	return 0;

err_cancel:
	if (kpmod->replace)
		kpatch_replace_cancel(kpmod);
err_unlink:
	kpatch_unlink_all(kpmod);
	module_put(kpmod->mod);
	return ret;
}

int kpatch_disable(struct kpatch_module *kpmod)
{
	struct kpatch_object *obj;
	unsigned int nfuncs = 0;
	int ret = 0;

	list_for_each_entry(obj, &kpmod->objects, list) {
		if (!obj->linked)
			continue;
		kpatch_pre_unpatch(obj);
		kpatch_set_ops(obj, KPATCH_OP_UNPATCH);
		nfuncs += kpatch_count_funcs(obj);
	}
	if (nfuncs)
		ret = kpatch_switch(kpmod, "disable", nfuncs);
	if (ret) {
		list_for_each_entry(obj, &kpmod->objects, list) {
			if (!obj->linked)
				continue;
			kpatch_set_ops(obj, KPATCH_OP_NONE);
			kpatch_post_patch(obj);
		}
		return ret;
	}

	list_for_each_entry(obj, &kpmod->objects, list)
		if (obj->linked)
			kpatch_detach_funcs(obj);
	kpatch_ftrace_sync();
	list_for_each_entry(obj, &kpmod->objects, list)
		if (obj->linked)
			kpatch_unlink_object_finish(obj);

	kpmod->enabled = false;
	module_put(kpmod->mod);
	pr_info("%s: disabled\n", kpatch_name(kpmod));
	return 0;
}

/* --- registration -------------------------------------------------------- */

static int kpatch_check_funcs(struct kpatch_module *kpmod,
			      struct kpatch_object *obj)
{
	struct kpatch_func *func, *other;

	list_for_each_entry(func, &obj->funcs, list) {
		if (!func->name || !func->new_addr) {
			pr_err("%s: a function of %s has no name or no new address\n",
			       kpatch_name(kpmod), obj->name);
			return -EINVAL;
		}
		if (!within_module(func->new_addr, kpmod->mod)) {
			pr_err("%s: the new %s (%s) is not in the patch module\n",
			       kpatch_name(kpmod), func->name, obj->name);
			return -EINVAL;
		}
		list_for_each_entry(other, &obj->funcs, list) {
			if (other == func)
				break;
			if (!strcmp(other->name, func->name) &&
			    other->sympos == func->sympos) {
				pr_err("%s: %s (%s, position %lu) is patched twice\n",
				       kpatch_name(kpmod), func->name,
				       obj->name, func->sympos);
				return -EINVAL;
			}
		}
	}
	return 0;
}

static int kpatch_check(struct kpatch_module *kpmod)
{
	struct kpatch_object *obj, *other;
	int ret;

	if (list_empty(&kpmod->objects)) {
		pr_err("%s: the patch has no objects\n", kpatch_name(kpmod));
		return -EINVAL;
	}
	list_for_each_entry(obj, &kpmod->objects, list) {
		if (!obj->name || !*obj->name || strchr(obj->name, '/')) {
			pr_err("%s: an object has no valid name\n",
			       kpatch_name(kpmod));
			return -EINVAL;
		}
		list_for_each_entry(other, &kpmod->objects, list) {
			if (other == obj)
				break;
			if (!strcmp(other->name, obj->name)) {
				pr_err("%s: object %s appears twice\n",
				       kpatch_name(kpmod), obj->name);
				return -EINVAL;
			}
		}
		ret = kpatch_check_funcs(kpmod, obj);
		if (ret)
			return ret;
	}
	return 0;
}

static void kpatch_init_core_fields(struct kpatch_module *kpmod)
{
	struct kpatch_object *obj;
	struct kpatch_func *func;

	kpmod->enabled = false;
	kpmod->seq = 0;
	kpmod->pause_ns = 0;
	INIT_LIST_HEAD(&kpmod->list);
	memset(&kpmod->kobj, 0, sizeof(kpmod->kobj));
	list_for_each_entry(obj, &kpmod->objects, list) {
		obj->kpmod = kpmod;
		obj->mod = NULL;
		obj->linked = false;
		obj->patched = false;
		obj->callbacks.post_unpatch_enabled = false;
		memset(&obj->kobj, 0, sizeof(obj->kobj));
		list_for_each_entry(func, &obj->funcs, list) {
			func->obj = obj;
			func->op = KPATCH_OP_NONE;
			func->ftrace_ip = 0;
			INIT_LIST_HEAD(&func->stack_node);
			memset(&func->kobj, 0, sizeof(func->kobj));
		}
	}
}

int kpatch_register(struct kpatch_module *kpmod, bool replace)
{
	int ret;

	if (!kpmod || !kpmod->mod || !kpmod->objects.next) {
		pr_err("kpatch_register: no patch module or objects given\n");
		return -EINVAL;
	}
	if (kpmod->registered) {
		pr_err("%s: already registered\n", kpatch_name(kpmod));
		return -EEXIST;
	}
	ret = kpatch_check(kpmod);
	if (ret)
		return ret;
	kpatch_init_core_fields(kpmod);
	kpmod->replace = kpmod->replace || replace;

	mutex_lock(&kpatch_mutex);
	ret = kpatch_sysfs_add(kpmod);
	if (ret)
		goto out_unlock;
	list_add_tail(&kpmod->list, &kpatch_patches);
	kpmod->registered = true;
	ret = kpatch_enable(kpmod);
	if (ret) {
		list_del(&kpmod->list);
		kpmod->registered = false;
		mutex_unlock(&kpatch_mutex);
		/* Outside the mutex: removal waits for sysfs writers. */
		kpatch_sysfs_del(kpmod);
		return ret;
	}
out_unlock:
	mutex_unlock(&kpatch_mutex);
	return ret;
}
EXPORT_SYMBOL_GPL(kpatch_register);

/* Called with kpatch_mutex held; the caller removes sysfs afterwards. */
int kpatch_unregister_locked(struct kpatch_module *kpmod)
{
	int ret;

	if (kpmod->enabled) {
		pr_warn("%s: unregistering an enabled patch: disabling it\n",
			kpatch_name(kpmod));
		ret = kpatch_disable(kpmod);
		if (ret)
			return ret;
	}
	list_del(&kpmod->list);
	kpmod->registered = false;
	return 0;
}

int kpatch_unregister(struct kpatch_module *kpmod)
{
	int ret;

	if (!kpmod)
		return -EINVAL;
	mutex_lock(&kpatch_mutex);
	if (!kpmod->registered) {
		mutex_unlock(&kpatch_mutex);
		return 0;
	}
	ret = kpatch_unregister_locked(kpmod);
	mutex_unlock(&kpatch_mutex);
	if (ret)
		return ret;
	kpatch_sysfs_del(kpmod);
	pr_info("%s: unregistered\n", kpatch_name(kpmod));
	return 0;
}
EXPORT_SYMBOL_GPL(kpatch_unregister);
