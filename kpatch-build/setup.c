// SPDX-License-Identifier: GPL-2.0
/*
 * setup.c: per-object facts the later stages rely on.
 *
 * - strip names: "foo.isra.0" -> "foo.isra", "__key.12" -> "__key" (the
 *   numbers gcc appends change between builds);
 * - special statics: static locals made by kernel macros whose identity
 *   does not matter (WARN_ONCE flags, lockdep keys, __func__ strings...);
 *   they are never correlated and patched code gets fresh copies;
 * - compiler-piece groups: foo, foo.cold, foo.part.N, foo.isra.N,
 *   foo.constprop.N, __pfx_foo, __cfi_foo are patched together;
 * - which functions call __fentry__ at their entry and have __mcount_loc
 *   entries (so ftrace can redirect them);
 * - KPATCH_IGNORE_FUNCTION / KPATCH_IGNORE_SECTION / KPATCH_FORCE_UNSAFE.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "cdo.h"
#include "log.h"

/*
 * Static locals made by kernel macros.  Their numbers are not stable and
 * their names repeat, so they pair by kind; when they cannot be paired,
 * or their contents changed, patched code gets fresh copies, which is
 * harmless for them.  The constant ones (and dynamic debug descriptors,
 * whose keys a module patch could not reach early enough) are always
 * fresh.
 */
struct special_static {
	const char *name;
	bool fresh;
};

static const struct special_static special_statics[] = {
	{ "__already_done", false },	/* WARN_ONCE, printk_once */
	{ "__warned", false },		/* WARN_ON_ONCE (old), RCU */
	{ "__print_once", false },
	{ "__key", false },		/* lockdep class keys */
	{ "_rs", false },		/* ratelimit state */
	{ "__func__", true },
	{ "__FUNCTION__", true },
	{ "__msg", true },		/* netlink extack messages */
	/* dynamic debug (__dyndbg): fresh for modules (see setup_object) */
	{ "descriptor", false },
	{ "__UNIQUE_ID_ddebug", false },
	{ "_entry", true },		/* printk index */
	{ "_entry_ptr", true },
	{ "__compound_literal", true },
	{ "CSWTCH", true },		/* gcc switch-conversion tables */
	{ NULL, false },
};

static bool is_number(const char *s, size_t len)
{
	size_t i;

	if (!len)
		return false;
	for (i = 0; i < len; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return true;
}

/* Name without its ".<digits>" components; a new string or name itself. */
const char *strip_name(const char *name)
{
	const char *p = strchr(name, '.');
	char *out, *o;

	if (!p || name[0] == '.')
		return name;
	out = malloc(strlen(name) + 1);
	if (!out)
		return name;
	memcpy(out, name, (size_t)(p - name));
	o = out + (p - name);
	while (*p) {
		const char *next = strchr(p + 1, '.');
		size_t len = next ? (size_t)(next - p) : strlen(p);

		if (!is_number(p + 1, len - 1)) {
			memcpy(o, p, len);
			o += len;
		}
		p += len;
	}
	*o = '\0';
	return out;
}

static bool name_is(const char *name, const char *word)
{
	size_t len = strlen(word);

	/* gcc: word or word.N; clang: function.word */
	if (!strncmp(name, word, len) && (!name[len] || name[len] == '.'))
		return true;
	name = strrchr(name, '.');
	return name && !strcmp(name + 1, word);
}

static const struct special_static *find_special(const struct symbol *sym)
{
	const struct special_static *w;

	if (sym->type != STT_OBJECT || sym->bind != STB_LOCAL)
		return NULL;
	for (w = special_statics; w->name; w++)
		if (name_is(sym->name, w->name) ||
		    (!strcmp(w->name, "__UNIQUE_ID_ddebug") &&
		     !strncmp(sym->name, w->name, strlen(w->name))))
			return w;
	return NULL;
}

const char *special_static_kind(const struct symbol *sym)
{
	const struct special_static *w = find_special(sym);

	return w ? w->name : NULL;
}

static const char *const piece_words[] = {
	"cold", "part", "isra", "constprop", "lto_priv", "localalias", NULL,
};

/* Length of the group base of a function name, 0 if it is no piece. */
static size_t group_base_len(const char *name)
{
	const char *p = name;

	while ((p = strchr(p + 1, '.'))) {
		const char *const *w;

		for (w = piece_words; *w; w++) {
			size_t len = strlen(*w);

			if (!strncmp(p + 1, *w, len) &&
			    (!p[len + 1] || p[len + 1] == '.'))
				return (size_t)(p - name);
		}
	}
	return 0;
}

static const char *prefix_base(const char *name)
{
	if (!strncmp(name, "__pfx_", 6))
		return name + 6;
	if (!strncmp(name, "__cfi_", 6))
		return name + 6;
	return NULL;
}

bool is_group_follower(const struct symbol *sym)
{
	return group_base_len(sym->name) || prefix_base(sym->name);
}

static struct symbol *find_leader(struct kelf *kelf, struct symbol *sym)
{
	const char *base = prefix_base(sym->name);
	struct symbol *leader;
	char *name;
	size_t len;

	if (base) {
		leader = kelf_find_symbol(kelf, base);
		return leader && leader->type == STT_FUNC ? leader : sym;
	}
	len = group_base_len(sym->name);
	if (!len)
		return sym;
	name = strndup(sym->name, len);
	if (!name)
		return sym;
	leader = kelf_find_symbol(kelf, name);
	free(name);
	return leader && leader->type == STT_FUNC ? leader : sym;
}

static void set_groups(struct kelf *kelf)
{
	size_t i;

	for (i = 1; i < kelf->nr_syms; i++) {
		struct symbol *sym = &kelf->syms[i];

		sym->group = sym;
		if (sym->type == STT_FUNC && sym->sec)
			sym->group = find_leader(kelf, sym);
	}
	/* One level: a leader found through a follower name is a leader. */
	for (i = 1; i < kelf->nr_syms; i++) {
		struct symbol *sym = &kelf->syms[i];

		while (sym->group->group != sym->group)
			sym->group = sym->group->group;
	}
}

/* call __fentry__ at the entry, after an endbr64 or a __pfx_ area. */
static void mark_fentry(struct kelf *kelf)
{
	size_t i, j;

	for (i = 1; i < kelf->nr_syms; i++) {
		struct symbol *sym = &kelf->syms[i];
		uint64_t entry;

		if (sym->type != STT_FUNC || !sym->sec || !sym->sec->data)
			continue;
		entry = sym->sym.st_value;
		if (entry + 4 <= sym->sec->size &&
		    !memcmp(sym->sec->data + entry, "\xf3\x0f\x1e\xfa", 4))
			entry += 4;
		for (j = kelf_rela_index(sym->sec, entry + 1);
		     j < sym->sec->nr_relas &&
		     sym->sec->relas[j].offset == entry + 1; j++) {
			const char *target = sym->sec->relas[j].sym->name;

			if (!strcmp(target, "__fentry__") ||
			    !strcmp(target, "mcount") ||
			    !strcmp(target, "__mcount"))
				sym->has_fentry = true;
		}
	}
}

static void mark_mcount(struct kelf *kelf)
{
	struct section *sec = kelf_find_section(kelf, "__mcount_loc");
	size_t i;

	if (!sec)
		return;
	for (i = 0; i < sec->nr_relas; i++) {
		struct rela *rela = &sec->relas[i];
		struct section *target = rela->sym->sec;
		struct symbol *func;
		uint64_t at;

		if (!target)
			continue;
		at = rela->sym->sym.st_value + (uint64_t)rela->addend;
		func = kelf_symbol_at(target, at);
		if (!func)
			continue;
		if (func->type == STT_FUNC)
			func->mcount = true;
	}
}

/* Symbol a marker entry points at (function or section start). */
static struct symbol *marker_target(struct rela *rela)
{
	struct symbol *sym = rela->sym;

	if (sym->type == STT_SECTION && sym->sec)
		return kelf_symbol_at(sym->sec, (uint64_t)rela->addend);
	return sym;
}

static int read_marker_funcs(struct kelf *kelf, const char *secname,
			     bool force)
{
	struct section *sec = kelf_find_section(kelf, secname);
	size_t i;

	if (!sec)
		return 0;
	sec->ignore = true;
	for (i = 0; i < sec->nr_relas; i++) {
		struct symbol *sym = marker_target(&sec->relas[i]);

		if (!sym || sym->type != STT_FUNC) {
			log_error(kelf->path, secname,
				  "entry at 0x%lx does not point to a function",
				  (unsigned long)sec->relas[i].offset);
			return -1;
		}
		if (force)
			sym->force = true;
		else
			sym->ignore = true;
		log_debug("%s: %s marks %s", kelf->base, secname, sym->name);
	}
	return 0;
}

static int read_ignored_sections(struct kelf *kelf)
{
	struct section *sec = kelf_find_section(kelf, ".kpatch.ignore.sections");
	size_t i;

	if (!sec)
		return 0;
	sec->ignore = true;
	for (i = 0; i < sec->nr_relas; i++) {
		struct rela *rela = &sec->relas[i];
		struct section *str = rela->sym->sec;
		uint64_t at = rela->sym->sym.st_value + (uint64_t)rela->addend;
		struct section *target;
		const char *name;

		if (!str || !str->data || at >= str->size ||
		    !memchr(str->data + at, '\0', str->size - at)) {
			log_error(kelf->path, ".kpatch.ignore.sections",
				  "entry at 0x%lx does not point to a string",
				  (unsigned long)rela->offset);
			return -1;
		}
		name = (const char *)str->data + at;
		target = kelf_find_section(kelf, name);
		if (!target) {
			log_error(kelf->path, name,
				  "KPATCH_IGNORE_SECTION names a section that does not exist");
			return -1;
		}
		target->ignore = true;
		if (target->relasec)
			target->relasec->ignore = true;
		log_debug("%s: ignoring section %s", kelf->base, name);
	}
	return 0;
}

static void mark_ignored_sections(struct kelf *kelf)
{
	size_t i;

	for (i = 1; i < kelf->nr_secs; i++) {
		struct section *sec = &kelf->secs[i];

		if (sec_is_debug(sec) || sec->sh.sh_type == SHT_NULL ||
		    !strcmp(sec->name, ".comment") ||
		    !strncmp(sec->name, ".note", 5) ||
		    !strcmp(sec->name, ".llvm_addrsig") ||
		    sec->sh.sh_type == SHT_GROUP)
			sec->ignore = true;
	}
}

/*
 * A module's dynamic debug descriptors are static keys of jump labels the
 * patch cannot reach before livepatch resolves module symbols: patched code
 * of a module gets fresh descriptors.
 */
static bool fresh_for_module(const struct special_static *w)
{
	return !strcmp(w->name, "descriptor") ||
	       !strcmp(w->name, "__UNIQUE_ID_ddebug");
}

int setup_object(struct kelf *kelf, bool module_parent)
{
	size_t i;

	for (i = 1; i < kelf->nr_syms; i++) {
		struct symbol *sym = &kelf->syms[i];

		const struct special_static *w = find_special(sym);

		sym->strip = strip_name(sym->name);
		sym->special_static = w ? w->name : NULL;
		sym->fresh = w && (w->fresh ||
				   (module_parent && fresh_for_module(w)));
		sym->key = w ? w->name : sym->strip;
	}
	mark_ignored_sections(kelf);
	set_groups(kelf);
	mark_fentry(kelf);
	mark_mcount(kelf);
	if (read_marker_funcs(kelf, ".kpatch.ignore.functions", false) ||
	    read_marker_funcs(kelf, ".kpatch.force", true) ||
	    read_ignored_sections(kelf))
		return -1;
	return 0;
}
