// SPDX-License-Identifier: GPL-2.0
/*
 * relocs.c: write the patch module's dynamic relocations (dynrelas) once
 * their targets are resolved.  The patch module's text and rodata are
 * read-only by the time its init runs, so every write goes through
 * text_poke() under text_mutex, which maps the page writable elsewhere.
 */
#define pr_fmt(fmt) "kpatch: " fmt

#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/elf.h>
#include <linux/memory.h>
#include "core.h"

#ifndef R_X86_64_PLT32
#define R_X86_64_PLT32 4
#endif

static void kpatch_poke(unsigned long dest, const void *val, size_t len)
{
	mutex_lock(kph.text_mutex);
	kph.text_poke((void *)dest, val, len);
	mutex_unlock(kph.text_mutex);
}

/* The bytes to write for RELA: S + A, or S + A - P, checked for overflow. */
static int kpatch_dynrela_value(struct kpatch_object *obj,
				struct kpatch_dynrela *rela, u64 *val,
				size_t *len)
{
	struct module *pmod = obj->kpmod->mod;
	s64 v = (s64)(rela->src + rela->addend);

	*len = sizeof(u32);
	switch (rela->type) {
	case R_X86_64_64:
		*len = sizeof(u64);
		break;
	case R_X86_64_32:
		if ((u64)v != (u32)v)
			goto overflow;
		break;
	case R_X86_64_32S:
		if (v != (s32)v)
			goto overflow;
		break;
	case R_X86_64_PC32:
	case R_X86_64_PLT32:
		v -= (s64)rela->dest;
		if (v != (s32)v)
			goto overflow;
		break;
	default:
		pr_err("%s: dynrela for '%s' has unsupported type %lu\n",
		       kpatch_name(obj->kpmod), rela->name, rela->type);
		return -EINVAL;
	}

	if (!within_module(rela->dest, pmod) ||
	    !within_module(rela->dest + *len - 1, pmod)) {
		pr_err("%s: dynrela for '%s' writes at %px, outside the patch module\n",
		       kpatch_name(obj->kpmod), rela->name, (void *)rela->dest);
		return -EINVAL;
	}
	*val = (u64)v;
	return 0;

overflow:
	pr_err("%s: dynrela for '%s' (type %lu) overflows: %llx does not fit in 32 bits\n",
	       kpatch_name(obj->kpmod), rela->name, rela->type, (u64)v);
	return -EINVAL;
}

static void kpatch_write_one(struct kpatch_dynrela *rela, u64 val, size_t len)
{
	u32 val32 = (u32)val;

	if (len == sizeof(u64))
		kpatch_poke(rela->dest, &val, len);
	else
		kpatch_poke(rela->dest, &val32, len);
}

static int kpatch_resolve_one(struct kpatch_object *obj,
			      struct kpatch_dynrela *rela)
{
	unsigned long size;

	if (!rela->name) {
		pr_err("%s: dynrela without a symbol name in object %s\n",
		       kpatch_name(obj->kpmod), obj->name);
		return -EINVAL;
	}
	if (rela->external)
		return kpatch_find_exported(rela->name, &rela->src);
	return kpatch_find_symbol(obj->name, obj->mod, rela->name,
				  rela->sympos, &rela->src, &size);
}

/*
 * Resolve and check every dynrela of OBJ first, then write them all, so
 * that a bad one leaves the patch module untouched.
 */
int kpatch_write_dynrelas(struct kpatch_object *obj)
{
	struct kpatch_dynrela *rela;
	size_t len;
	u64 val;
	int ret;

	list_for_each_entry(rela, &obj->dynrelas, list) {
		ret = kpatch_resolve_one(obj, rela);
		if (ret) {
			pr_err("%s: cannot resolve the relocation to '%s' (position %lu) in %s\n",
			       kpatch_name(obj->kpmod), rela->name ?: "?",
			       rela->sympos, obj->name);
			return ret;
		}
		ret = kpatch_dynrela_value(obj, rela, &val, &len);
		if (ret)
			return ret;
	}
	list_for_each_entry(rela, &obj->dynrelas, list) {
		kpatch_dynrela_value(obj, rela, &val, &len);
		kpatch_write_one(rela, val, len);
	}
	return 0;
}
