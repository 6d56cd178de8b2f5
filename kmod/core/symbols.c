// SPDX-License-Identifier: GPL-2.0
/*
 * symbols.c: resolve a symbol by name and position (sympos) in vmlinux or
 * in one module, the way livepatch does: positions count same-named
 * symbols in kallsyms order.
 */
#define pr_fmt(fmt) "kpatch: " fmt

#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/kallsyms.h>
#include <linux/rcupdate.h>
#include <linux/string.h>
#include "core.h"

struct kpatch_sym_search {
	const char *name;
	unsigned long sympos;
	unsigned long count;
	unsigned long addr;
	unsigned long size;
};

/* One more symbol with the wanted name: remember the one we want. */
static int kpatch_sym_found(struct kpatch_sym_search *s, unsigned long addr,
			    unsigned long size)
{
	s->count++;
	if (s->sympos ? s->count == s->sympos : s->count == 1) {
		s->addr = addr;
		s->size = size;
	}
	/* The wanted position is found; uniqueness needs a full count. */
	return s->sympos && s->count == s->sympos;
}

static int kpatch_match_cb(void *data, unsigned long addr)
{
	return kpatch_sym_found(data, addr, 0);
}

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 4, 0)
static int kpatch_vmlinux_cb(void *data, const char *name, unsigned long addr)
#else
static int kpatch_vmlinux_cb(void *data, const char *name, struct module *mod,
			     unsigned long addr)
#endif
{
	struct kpatch_sym_search *s = data;

#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 4, 0)
	/* Before 6.1 the walk continues into the modules. */
	if (mod)
		return 1;
#endif
	if (strcmp(name, s->name))
		return 0;
	return kpatch_sym_found(s, addr, 0);
}

static void kpatch_search_vmlinux(struct kpatch_sym_search *s)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 4, 0)
	int (*walk)(int (*fn)(void *, const char *, unsigned long), void *) =
		kph.kallsyms_on_each_symbol;
#else
	int (*walk)(int (*fn)(void *, const char *, struct module *,
			      unsigned long), void *) =
		kph.kallsyms_on_each_symbol;
#endif

	if (kph.kallsyms_on_each_match_symbol) {
		kph.kallsyms_on_each_match_symbol(kpatch_match_cb, s->name, s);
		return;
	}
	mutex_lock(kph.module_mutex);
	walk(kpatch_vmlinux_cb, s);
	mutex_unlock(kph.module_mutex);
}

/* Walk the module's own symbol table: stable while the module is live. */
static void kpatch_search_module(struct module *mod, struct kpatch_sym_search *s)
{
	struct mod_kallsyms *ks;
	unsigned int i;

	preempt_disable();
	ks = rcu_dereference_sched(mod->kallsyms);
	for (i = 0; i < ks->num_symtab; i++) {
		const Elf_Sym *sym = &ks->symtab[i];

		if (sym->st_shndx == SHN_UNDEF)
			continue;
		if (strcmp(ks->strtab + sym->st_name, s->name))
			continue;
		if (kpatch_sym_found(s, sym->st_value, sym->st_size))
			break;
	}
	preempt_enable();
}

/*
 * kpatch_find_symbol - address and size of symbol NAME at position SYMPOS
 * in object OBJNAME (MOD is its module, NULL for vmlinux).
 */
int kpatch_find_symbol(const char *objname, struct module *mod,
		       const char *name, unsigned long sympos,
		       unsigned long *addr, unsigned long *size)
{
	struct kpatch_sym_search s = { .name = name, .sympos = sympos };
	unsigned long offset;

	if (mod)
		kpatch_search_module(mod, &s);
	else
		kpatch_search_vmlinux(&s);

	if (!s.count) {
		pr_err("symbol '%s' not found in %s\n", name, objname);
		return -ENOENT;
	}
	if (!sympos && s.count > 1) {
		pr_err("symbol '%s' is ambiguous in %s (%lu symbols of that name) and no position was given\n",
		       name, objname, s.count);
		return -EINVAL;
	}
	if (sympos && !s.addr) {
		pr_err("symbol '%s' position %lu not found in %s (only %lu of that name)\n",
		       name, sympos, objname, s.count);
		return -ENOENT;
	}
	if (!mod && !kph.kallsyms_lookup_size_offset(s.addr, &s.size, &offset))
		s.size = 0;
	*addr = s.addr;
	*size = s.size;
	return 0;
}

/* A symbol exported by another module (or vmlinux): by name only. */
int kpatch_find_exported(const char *name, unsigned long *addr)
{
	*addr = kph.kallsyms_lookup_name(name);
	if (!*addr) {
		pr_err("external symbol '%s' not found (is its module loaded?)\n",
		       name);
		return -ENOENT;
	}
	return 0;
}

/*
 * The loaded module NAME, or NULL.  A module counts as loaded only when it
 * is live, or coming and already seen by our notifier: otherwise our
 * notifier has yet to run for it (and will patch it), or it is going.
 */
struct module *kpatch_find_loaded_module(const char *name)
{
	struct module *mod;

	mutex_lock(kph.module_mutex);
	mod = kph.find_module(name);
	if (mod && !kpatch_module_is_ready(mod))
		mod = NULL;
	mutex_unlock(kph.module_mutex);
	return mod;
}
