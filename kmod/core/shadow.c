// SPDX-License-Identifier: GPL-2.0
/*
 * shadow.c: shadow variables for kpatch-format patches, with the
 * semantics of klp_shadow_*: extra data attached to an existing object
 * (any pointer) under a numeric id.  Lookups are lock-free (RCU); changes
 * take a spinlock, and constructors run under it (they must not sleep).
 */
#define pr_fmt(fmt) "kpatch: " fmt

#include <linux/kernel.h>
#include <linux/hashtable.h>
#include <linux/rculist.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include "core.h"

struct kpatch_shadow {
	struct hlist_node node;
	struct rcu_head rcu;
	void *obj;
	unsigned long id;
	char data[];
};

static DEFINE_HASHTABLE(kpatch_shadow_table, 12);
static DEFINE_SPINLOCK(kpatch_shadow_lock);

static struct kpatch_shadow *kpatch_shadow_find(void *obj, unsigned long id)
{
	struct kpatch_shadow *s;

	hash_for_each_possible_rcu(kpatch_shadow_table, s, node,
				   (unsigned long)obj)
		if (s->obj == obj && s->id == id)
			return s;
	return NULL;
}

void *kpatch_shadow_get(void *obj, unsigned long id)
{
	struct kpatch_shadow *s;
	void *data = NULL;

	rcu_read_lock();
	s = kpatch_shadow_find(obj, id);
	if (s)
		data = s->data;
	rcu_read_unlock();
	return data;
}
EXPORT_SYMBOL_GPL(kpatch_shadow_get);

static void *kpatch_shadow_add(void *obj, unsigned long id, size_t size,
			       gfp_t gfp_flags, kpatch_shadow_ctor_t ctor,
			       void *ctor_data, bool fail_if_exists)
{
	struct kpatch_shadow *s, *old;
	unsigned long flags;
	void *data;
	int ret;

	data = kpatch_shadow_get(obj, id);
	if (data)
		goto exists;

	/* Allocate outside the lock: gfp_flags may allow sleeping. */
	s = kzalloc(sizeof(*s) + size, gfp_flags);
	if (!s)
		return NULL;
	s->obj = obj;
	s->id = id;

	spin_lock_irqsave(&kpatch_shadow_lock, flags);
	old = kpatch_shadow_find(obj, id);
	if (old) {
		spin_unlock_irqrestore(&kpatch_shadow_lock, flags);
		kfree(s);
		data = old->data;
		goto exists;
	}
	if (ctor) {
		ret = ctor(obj, s->data, ctor_data);
		if (ret) {
			spin_unlock_irqrestore(&kpatch_shadow_lock, flags);
			pr_err("shadow variable <%px, %lx>: constructor failed (%d)\n",
			       obj, id, ret);
			kfree(s);
			return NULL;
		}
	}
	hash_add_rcu(kpatch_shadow_table, &s->node, (unsigned long)obj);
	spin_unlock_irqrestore(&kpatch_shadow_lock, flags);
	return s->data;

exists:
	if (fail_if_exists) {
		pr_err("shadow variable <%px, %lx> already exists\n", obj, id);
		return NULL;
	}
	return data;
}

void *kpatch_shadow_alloc(void *obj, unsigned long id, size_t size,
			  gfp_t gfp_flags, kpatch_shadow_ctor_t ctor,
			  void *ctor_data)
{
	return kpatch_shadow_add(obj, id, size, gfp_flags, ctor, ctor_data,
				 true);
}
EXPORT_SYMBOL_GPL(kpatch_shadow_alloc);

void *kpatch_shadow_get_or_alloc(void *obj, unsigned long id, size_t size,
				 gfp_t gfp_flags, kpatch_shadow_ctor_t ctor,
				 void *ctor_data)
{
	return kpatch_shadow_add(obj, id, size, gfp_flags, ctor, ctor_data,
				 false);
}
EXPORT_SYMBOL_GPL(kpatch_shadow_get_or_alloc);

static void kpatch_shadow_remove(struct kpatch_shadow *s,
				 kpatch_shadow_dtor_t dtor)
{
	hash_del_rcu(&s->node);
	if (dtor)
		dtor(s->obj, s->data);
	kfree_rcu(s, rcu);
}

void kpatch_shadow_free(void *obj, unsigned long id, kpatch_shadow_dtor_t dtor)
{
	struct kpatch_shadow *s;
	unsigned long flags;

	spin_lock_irqsave(&kpatch_shadow_lock, flags);
	s = kpatch_shadow_find(obj, id);
	if (s)
		kpatch_shadow_remove(s, dtor);
	spin_unlock_irqrestore(&kpatch_shadow_lock, flags);
}
EXPORT_SYMBOL_GPL(kpatch_shadow_free);

void kpatch_shadow_free_all(unsigned long id, kpatch_shadow_dtor_t dtor)
{
	struct kpatch_shadow *s;
	struct hlist_node *tmp;
	unsigned long flags;
	int bkt;

	spin_lock_irqsave(&kpatch_shadow_lock, flags);
	hash_for_each_safe(kpatch_shadow_table, bkt, tmp, s, node)
		if (s->id == id)
			kpatch_shadow_remove(s, dtor);
	spin_unlock_irqrestore(&kpatch_shadow_lock, flags);
}
EXPORT_SYMBOL_GPL(kpatch_shadow_free_all);

/* Variables left behind by patches: freed with the core module. */
void kpatch_shadow_exit(void)
{
	struct kpatch_shadow *s;
	struct hlist_node *tmp;
	unsigned int left = 0;
	int bkt;

	hash_for_each_safe(kpatch_shadow_table, bkt, tmp, s, node) {
		hash_del(&s->node);
		kfree(s);
		left++;
	}
	if (left)
		pr_info("freed %u shadow variables left by patches\n", left);
}
