// SPDX-License-Identifier: GPL-2.0
/*
 * notifier.c: patches for modules that are not loaded when the patch is
 * enabled.  When such a module is coming (its code cannot run yet) its
 * objects are linked and redirected at once, oldest patch first so the
 * newest wins; if that fails the module load is refused.  When it goes
 * away they are unlinked.
 *
 * kpatch_find_loaded_module() must not link a coming module that our
 * notifier has not seen (the notifier will), nor one it may never hear of
 * again: coming modules we have seen are kept in kpatch_coming_mods until
 * they are live or going.
 */
#define pr_fmt(fmt) "kpatch: " fmt

#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/notifier.h>
#include <linux/slab.h>
#include "core.h"

struct kpatch_coming_mod {
	struct list_head list;
	struct module *mod;
};

static LIST_HEAD(kpatch_coming_mods);

static struct kpatch_coming_mod *kpatch_coming_find(struct module *mod)
{
	struct kpatch_coming_mod *c;

	list_for_each_entry(c, &kpatch_coming_mods, list)
		if (c->mod == mod)
			return c;
	return NULL;
}

static void kpatch_coming_forget(struct module *mod)
{
	struct kpatch_coming_mod *c = kpatch_coming_find(mod);

	if (c) {
		list_del(&c->list);
		kfree(c);
	}
}

/* Called with module_mutex and kpatch_mutex held. */
bool kpatch_module_is_ready(struct module *mod)
{
	if (mod->state == MODULE_STATE_LIVE)
		return true;
	return mod->state == MODULE_STATE_COMING && kpatch_coming_find(mod);
}

static void kpatch_module_going(struct module *mod)
{
	struct kpatch_module *kpmod;
	struct kpatch_object *obj;
	bool found = false;

	list_for_each_entry_reverse(kpmod, &kpatch_patches, list) {
		list_for_each_entry(obj, &kpmod->objects, list) {
			if (!obj->linked || obj->mod != mod)
				continue;
			kpatch_unlink_object_start(obj);
			found = true;
		}
	}
	if (!found)
		return;
	kpatch_ftrace_sync();
	list_for_each_entry_reverse(kpmod, &kpatch_patches, list) {
		list_for_each_entry(obj, &kpmod->objects, list) {
			if (!obj->linked || obj->mod != mod)
				continue;
			kpatch_unlink_object_finish(obj);
			pr_info("%s: module %s is going: unpatched\n",
				kpatch_name(kpmod), mod->name);
		}
	}
}

static int kpatch_module_coming(struct module *mod)
{
	struct kpatch_coming_mod *c;
	struct kpatch_module *kpmod;
	struct kpatch_object *obj;
	int ret;

	c = kzalloc(sizeof(*c), GFP_KERNEL);
	if (!c)
		return -ENOMEM;
	c->mod = mod;
	list_add(&c->list, &kpatch_coming_mods);

	list_for_each_entry(kpmod, &kpatch_patches, list) {
		if (!kpmod->enabled)
			continue;
		list_for_each_entry(obj, &kpmod->objects, list) {
			if (obj->linked || strcmp(obj->name, mod->name))
				continue;
			ret = kpatch_link_object(obj, mod, KPATCH_OP_NONE);
			if (ret) {
				pr_err("%s: cannot patch module %s (%d): refusing to load %s\n",
				       kpatch_name(kpmod), mod->name, ret,
				       mod->name);
				goto err;
			}
			kpatch_object_patched(obj);
			pr_info("%s: patched module %s as it loads\n",
				kpatch_name(kpmod), mod->name);
		}
	}
	return 0;

err:
	kpatch_module_going(mod);
	kpatch_ftrace_sync();
	kpatch_coming_forget(mod);
	return ret;
}

/*
 * A patch module going away while still registered: its init failed after
 * kpatch_register() succeeded, or it was removed by force.  Its memory is
 * about to go, so take the patch down now.  Returns the patch whose sysfs
 * the caller removes (outside kpatch_mutex), or NULL.
 */
static struct kpatch_module *kpatch_patch_module_going(struct module *mod)
{
	struct kpatch_module *kpmod;

	list_for_each_entry(kpmod, &kpatch_patches, list) {
		if (kpmod->mod != mod)
			continue;
		pr_warn("%s: the patch module is going away while registered\n",
			mod->name);
		if (kpatch_unregister_locked(kpmod)) {
			pr_err("%s: cannot disable the patch of a module going away: expect a crash\n",
			       mod->name);
			return NULL;
		}
		return kpmod;
	}
	return NULL;
}

static int kpatch_module_notify(struct notifier_block *nb,
				unsigned long action, void *data)
{
	struct module *mod = data;
	struct kpatch_module *gone = NULL;
	int ret = 0;

	mutex_lock(&kpatch_mutex);
	switch (action) {
	case MODULE_STATE_COMING:
		ret = kpatch_module_coming(mod);
		break;
	case MODULE_STATE_LIVE:
		kpatch_coming_forget(mod);
		break;
	case MODULE_STATE_GOING:
		kpatch_module_going(mod);
		kpatch_coming_forget(mod);
		gone = kpatch_patch_module_going(mod);
		break;
	}
	mutex_unlock(&kpatch_mutex);
	if (gone)
		kpatch_sysfs_del(gone);
	return notifier_from_errno(ret);
}

static struct notifier_block kpatch_module_nb = {
	.notifier_call = kpatch_module_notify,
	.priority = INT_MIN,	/* after the kernel's own coming work */
};

int kpatch_notifier_init(void)
{
	return register_module_notifier(&kpatch_module_nb);
}

void kpatch_notifier_exit(void)
{
	struct kpatch_coming_mod *c, *next;

	unregister_module_notifier(&kpatch_module_nb);
	list_for_each_entry_safe(c, next, &kpatch_coming_mods, list) {
		list_del(&c->list);
		kfree(c);
	}
}
