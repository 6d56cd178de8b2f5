// SPDX-License-Identifier: GPL-2.0
/*
 * report.c: the changed/new function report, and the refusals that follow
 * from the comparison alone (what can never be live-patched).
 *
 * A changed function is patched by redirecting the running kernel's copy,
 * which needs its ftrace call site; its new code must also be movable out
 * of the section it shares, if any.  __init code has run and is gone.
 * Existing data keeps its current contents in the running kernel, so a
 * changed initial value cannot take effect; registration tables (exports,
 * initcalls, parameters, trace events) have been processed at boot.
 */
#include <string.h>

#include "cdo.h"
#include "log.h"
#include "parent-symtab.h"
#include "special.h"

static bool starts_with(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

static bool is_init_section(const struct section *sec)
{
	return starts_with(sec->name, ".init.") ||
	       starts_with(sec->name, ".head.text") ||
	       !strcmp(sec->name, ".init.text") ||
	       starts_with(sec->name, ".meminit.") ||
	       starts_with(sec->name, ".cpuinit.") ||
	       starts_with(sec->name, ".devinit.");
}

static bool is_noinstr_section(const struct section *sec)
{
	return !strcmp(sec->name, ".noinstr.text") ||
	       !strcmp(sec->name, ".entry.text") ||
	       !strcmp(sec->name, ".cpuidle.text") ||
	       starts_with(sec->name, ".text.__x86.") ||
	       !strcmp(sec->name, ".vsyscall_page");
}

/* May the running kernel's copy of this function be redirected? */
static int check_patchable_function(struct cdo *cdo, struct symbol *sym)
{
	struct symbol *old = sym->twin;
	const char *obj = cdo->orig->base;

	if (is_init_section(sym->sec)) {
		log_unsafe(obj, old->name,
			   "changes to __init code (section %s) cannot be patched: it has already run",
			   sym->sec->name);
		return -1;
	}
	if (!strcmp(sym->sec->name, ".exit.text") &&
	    !strcmp(cdo->parent_name, "vmlinux")) {
		log_unsafe(obj, old->name,
			   "changes to __exit code of built-in code cannot be patched: it is discarded");
		return -1;
	}
	if (is_noinstr_section(sym->sec)) {
		log_unsafe(obj, old->name,
			   "function is in %s (noinstr or entry code), which ftrace cannot trace: it cannot be patched",
			   sym->sec->name);
		return -1;
	}
	if (!old->has_fentry || !old->mcount) {
		log_unsafe(obj, old->name,
			   "function cannot be traced (%s): it cannot be patched",
			   old->has_fentry ?
			   "its __fentry__ call is not in __mcount_loc" :
			   "no __fentry__ call: notrace or noinstr");
		return -1;
	}
	if (sym->unsplittable || old->unsplittable) {
		log_unsafe(obj, old->name,
			   "function shares section %s and has short jumps to its neighbours or undecodable code: it cannot be taken out of it",
			   sym->sec->name);
		return -1;
	}
	return 0;
}

static bool is_piece_follower(const struct symbol *sym)
{
	/* .cold pieces and prefixes are reached by jumps, not calls */
	return sym->group != sym &&
	       (strstr(sym->name, ".cold") || !strncmp(sym->name, "__pfx_", 6) ||
		!strncmp(sym->name, "__cfi_", 6));
}

/* A weak function the parent overrides: the kernel never runs this copy. */
static bool overridden_weak(struct cdo *cdo, struct symbol *sym)
{
	const struct psym *ps;

	if (sym->twin->bind != STB_WEAK)
		return false;
	ps = parent_find_global(cdo->parent, sym->twin->name);
	return ps && ps->bind != STB_WEAK;
}

/* Another name of the same code, already patched. */
static struct symbol *patched_alias(struct symbol *sym)
{
	size_t i;

	for (i = 0; i < sym->sec->nr_syms; i++) {
		struct symbol *other = sym->sec->syms[i];

		if (other != sym && other->patched &&
		    other->sym.st_value == sym->sym.st_value)
			return other;
	}
	return NULL;
}

static int check_function(struct cdo *cdo, struct symbol *sym)
{
	struct symbol *alias;

	if (sym->ignore) {
		log_debug("report: %s is ignored (KPATCH_IGNORE_FUNCTION)",
			  sym->name);
		sym->status = ST_SAME;
		return 0;
	}
	if (sym->status == ST_NEW) {
		if (!is_piece_follower(sym)) {
			log_report(cdo->orig->base, "new function: %s",
				   sym->name);
			cdo->nr_new++;
		}
		return 0;
	}
	if (is_piece_follower(sym))
		return 0;
	if (overridden_weak(cdo, sym)) {
		log_warn(cdo->orig->base, sym->twin->name,
			 "changed weak function is overridden in %s: the change has no effect",
			 cdo->parent_name);
		sym->status = sym->twin->status = ST_SAME;
		return 0;
	}
	alias = patched_alias(sym);
	if (alias) {
		log_debug("report: %s is an alias of %s, patched once",
			  sym->name, alias->name);
		return 0;
	}
	if (check_patchable_function(cdo, sym))
		return -1;
	sym->patched = true;
	log_report(cdo->orig->base, "changed function: %s", sym->twin->name);
	cdo->nr_changed++;
	return 0;
}

static int check_object(struct cdo *cdo, struct symbol *sym)
{
	const struct special_section *s = special_find(sym->sec);
	const char *obj = cdo->orig->base;

	if (sym->status != ST_CHANGED || sym->special_static ||
	    !sec_is_alloc(sym->sec) || (s && s->kind != SK_REGISTRY))
		return 0;
	if (s) {
		log_unsafe(obj, sym->twin->name,
			   "changes to %s (section %s) cannot be patched",
			   s->what, sym->sec->name);
		return -1;
	}
	if (is_init_section(sym->sec)) {
		log_unsafe(obj, sym->twin->name,
			   "changes to __initdata (section %s) cannot be patched: it has already been used",
			   sym->sec->name);
		return -1;
	}
	log_unsafe(obj, sym->twin->name,
		   "the contents of existing data (section %s) changed; the running kernel keeps the old contents. Use shadow variables or a callback instead",
		   sym->sec->name);
	return -1;
}

/* Registration tables without symbols: new or changed entries. */
static int check_registries(struct cdo *cdo)
{
	struct kelf *kelf = cdo->patched;
	int ret = 0;
	size_t i;

	for (i = 1; i < kelf->nr_secs; i++) {
		struct section *sec = &kelf->secs[i];
		const struct special_section *s = special_find(sec);

		if (!s || s->kind != SK_REGISTRY || sec->ignore ||
		    sec->status == ST_SAME)
			continue;
		if (is_init_section(sec) && sec->status == ST_CHANGED &&
		    !sec->nr_relas)
			continue;
		log_unsafe(cdo->orig->base, sec->name,
			   "%s %s: a patch cannot add or change them",
			   sec->status == ST_NEW ? "new" : "changed", s->what);
		ret = -1;
	}
	return ret;
}

/* vDSO code runs in user space from a copy mapped at exec time. */
static bool is_vdso(struct kelf *kelf)
{
	size_t i;

	if (strstr(kelf->path, "/vdso/") || !strncmp(kelf->path, "vdso/", 5))
		return true;
	for (i = 1; i < kelf->nr_syms; i++) {
		const struct symbol *sym = &kelf->syms[i];

		if (sym->sec && (!strncmp(sym->name, "__vdso_", 7) ||
				 !strncmp(sym->name, "vdso_image_", 11)))
			return true;
	}
	return false;
}

int report_and_check(struct cdo *cdo)
{
	struct kelf *kelf = cdo->patched;
	int ret = 0;
	size_t i;

	if (is_vdso(cdo->orig)) {
		for (i = 1; i < kelf->nr_syms; i++)
			if (kelf->syms[i].sec && !kelf->syms[i].sec->ignore &&
			    (kelf->syms[i].status == ST_CHANGED ||
			     kelf->syms[i].status == ST_NEW))
				break;
		if (i == kelf->nr_syms)
			return 0;
		log_unsafe(cdo->orig->base, kelf->syms[i].name,
			   "vDSO code cannot be live-patched: processes run their own copy of it, mapped at exec time");
		return -1;
	}

	for (i = 1; i < kelf->nr_syms; i++) {
		struct symbol *sym = &kelf->syms[i];

		if (!sym->sec || sym->sec->ignore || sym->status == ST_SAME ||
		    sym->status == ST_NONE)
			continue;
		if (symbol_is_function(sym)) {
			if (check_function(cdo, sym))
				ret = -1;
		} else if (sym->type == STT_OBJECT) {
			if (check_object(cdo, sym))
				ret = -1;
		}
	}
	if (check_registries(cdo))
		ret = -1;
	return ret;
}
