// SPDX-License-Identifier: GPL-2.0
/*
 * meta.c: the metadata sections of OUTPUT.o, laid out as the structures of
 * kpatch-intermediate.h, with R_X86_64_64 relocations for every pointer.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "include.h"
#include "kpatch-intermediate.h"
#include "log.h"
#include "meta.h"

#define META_FLAGS SHF_ALLOC

int meta_init(struct output *out)
{
	struct oelf *o = out->o;

	out->funcs = osec_new(o, ".kpatch.funcs", SHT_PROGBITS, META_FLAGS, 8,
			      sizeof(struct kpatch_patch_func));
	out->ksyms = osec_new(o, ".kpatch.symbols", SHT_PROGBITS, META_FLAGS,
			      8, sizeof(struct kpatch_symbol));
	out->relocs = osec_new(o, ".kpatch.relocations", SHT_PROGBITS,
			       META_FLAGS, 8, sizeof(struct kpatch_relocation));
	out->strings = osec_new(o, ".kpatch.strings", SHT_PROGBITS, META_FLAGS,
				1, 0);
	if (out->ksyms && out->relocs)
		out->ksyms->omit_if_empty = out->relocs->omit_if_empty = true;
	out->string_offs = name_table_new(64);
	out->ksym_index = name_table_new(64);
	if (!out->funcs || !out->ksyms || !out->relocs || !out->strings ||
	    !out->string_offs || !out->ksym_index)
		return -1;
	return 0;
}

void meta_free(struct output *out)
{
	size_t i;

	for (i = 0; i < out->nr_keys; i++)
		free(out->keys[i]);
	free(out->keys);
	free(out->namespaces);
	name_table_free(out->string_offs);
	name_table_free(out->ksym_index);
}

/* Offset of s in .kpatch.strings, adding it once. */
static int64_t string_offset(struct output *out, const char *s)
{
	uintptr_t known = (uintptr_t)name_table_get(out->string_offs, s);
	int64_t off;
	const char *copy;

	if (known)
		return (int64_t)(known - 1);
	off = osec_append(out->strings, s, strlen(s) + 1, 1, 0);
	copy = oelf_strdup(out->o, s);
	if (off < 0 || !copy ||
	    name_table_add(out->string_offs, copy,
			   (void *)(uintptr_t)(off + 1)))
		return -1;
	return off;
}

/* A pointer field at sec+off pointing to string s. */
static int string_ref(struct output *out, struct osec *sec, uint64_t off,
		      const char *s)
{
	int64_t str = string_offset(out, s);

	if (str < 0)
		return -1;
	return osec_add_rela(sec, off, R_X86_64_64, str,
			     out->strings->secsym);
}

static int64_t ksym_entry(struct output *out, const struct ksym_desc *k)
{
	struct kpatch_symbol entry;
	uintptr_t known;
	int64_t off;
	char *key;

	key = malloc(strlen(k->name) + strlen(k->objname) + 24);
	if (!key)
		return -1;
	sprintf(key, "%s,%lu,%s", k->name, k->sympos, k->objname);
	known = (uintptr_t)name_table_get(out->ksym_index, key);
	if (known) {
		free(key);
		return (int64_t)(known - 1) *
		       (int64_t)sizeof(struct kpatch_symbol);
	}
	if (out->nr_keys == out->alloc_keys) {
		size_t n = out->alloc_keys ? out->alloc_keys * 2 : 16;
		char **k = realloc(out->keys, n * sizeof(*k));

		if (!k) {
			free(key);
			return -1;
		}
		out->keys = k;
		out->alloc_keys = n;
	}
	out->keys[out->nr_keys++] = key;
	memset(&entry, 0, sizeof(entry));
	entry.sympos = k->sympos;
	entry.bind = k->bind;
	entry.type = k->type;
	off = osec_append(out->ksyms, &entry, sizeof(entry), 8, 0);
	if (off < 0 ||
	    name_table_add(out->ksym_index, key,
			   (void *)(uintptr_t)(++out->nr_ksyms)) ||
	    string_ref(out, out->ksyms,
		       (uint64_t)off + offsetof(struct kpatch_symbol, name),
		       k->name) ||
	    string_ref(out, out->ksyms,
		       (uint64_t)off + offsetof(struct kpatch_symbol, objname),
		       k->objname))
		return -1;
	log_debug("output: loader resolves %s (sympos %lu) in %s%s", k->name,
		  k->sympos, k->objname, k->external ? " (external)" : "");
	return off;
}

int meta_add_relocation(struct output *out, struct osec *osec, uint64_t off,
			uint32_t type, int64_t addend,
			const struct ksym_desc *k)
{
	struct kpatch_relocation entry;
	int64_t ksym = ksym_entry(out, k), at;

	if (ksym < 0)
		return -1;
	memset(&entry, 0, sizeof(entry));
	entry.type = type;
	entry.external = k->external;
	entry.addend = addend;
	at = osec_append(out->relocs, &entry, sizeof(entry), 8, 0);
	if (at < 0 ||
	    osec_add_rela(out->relocs, (uint64_t)at +
			  offsetof(struct kpatch_relocation, dest),
			  R_X86_64_64, (int64_t)off, osec->secsym) ||
	    string_ref(out, out->relocs, (uint64_t)at +
		       offsetof(struct kpatch_relocation, objname),
		       out->cdo->parent_name) ||
	    osec_add_rela(out->relocs, (uint64_t)at +
			  offsetof(struct kpatch_relocation, ksym),
			  R_X86_64_64, ksym, out->ksyms->secsym))
		return -1;
	return 0;
}

int meta_import_ns(struct output *out, const char *ns)
{
	size_t i;

	for (i = 0; i < out->nr_namespaces; i++)
		if (!strcmp(out->namespaces[i], ns))
			return 0;
	if (out->nr_namespaces == out->alloc_namespaces) {
		size_t n = out->alloc_namespaces ? out->alloc_namespaces * 2 : 4;
		const char **v = realloc(out->namespaces, n * sizeof(*v));

		if (!v)
			return -1;
		out->namespaces = v;
		out->alloc_namespaces = n;
	}
	out->namespaces[out->nr_namespaces++] = ns;
	return 0;
}

/* ---- .kpatch.funcs ---- */

static int add_func(struct output *out, struct symbol *sym)
{
	struct cdo *cdo = out->cdo;
	struct symbol *old = sym->twin;
	struct kpatch_patch_func entry;
	const struct psym *ps;
	unsigned long pos;
	int64_t at;

	ps = parent_lookup(cdo->parent, cdo->orig, old, &pos);
	if (!ps)
		return -1;
	if (ps->size != old->sym.st_size) {
		log_error(cdo->orig->base, old->name,
			  "is %lu bytes in this object but %lu in %s: the object was not built like the running kernel",
			  (unsigned long)old->sym.st_size,
			  (unsigned long)ps->size, cdo->parent->path);
		return -1;
	}
	if (!out->defined[sym->index]) {
		log_error(cdo->patched->path, sym->name,
			  "internal error: patched function not in the output");
		return -1;
	}
	memset(&entry, 0, sizeof(entry));
	entry.new_size = sym->sym.st_size;
	entry.old_addr = ps->value;
	entry.old_size = ps->size;
	entry.sympos = pos;
	at = osec_append(out->funcs, &entry, sizeof(entry), 8, 0);
	if (at < 0 ||
	    osec_add_rela(out->funcs, (uint64_t)at +
			  offsetof(struct kpatch_patch_func, new_addr),
			  R_X86_64_64, 0, out->defined[sym->index]) ||
	    string_ref(out, out->funcs, (uint64_t)at +
		       offsetof(struct kpatch_patch_func, name), ps->name) ||
	    string_ref(out, out->funcs, (uint64_t)at +
		       offsetof(struct kpatch_patch_func, objname),
		       cdo->parent_name))
		return -1;
	log_debug("output: patch %s (sympos %lu, %s 0x%lx)", ps->name, pos,
		  cdo->parent_name, (unsigned long)ps->value);
	return 0;
}

/* ---- callbacks, force, modinfo ---- */

static int fill_callback_objnames(struct output *out)
{
	struct oelf *o = out->o;
	size_t i, j;

	for (i = 0; i < o->nr_secs; i++) {
		struct osec *sec = o->secs[i];
		uint64_t off, size = sizeof(struct kpatch_callback);

		if (strncmp(sec->name, ".kpatch.callbacks.", 18))
			continue;
		if (sec->size % size) {
			log_error(out->cdo->patched->path, sec->name,
				  "size %lu is not a multiple of struct kpatch_callback",
				  (unsigned long)sec->size);
			return -1;
		}
		for (off = 0; off < sec->size; off += size) {
			uint64_t field = off +
				offsetof(struct kpatch_callback, objname);
			bool has = false;

			for (j = 0; j < sec->nr_relas; j++)
				has |= sec->relas[j].offset == field;
			if (!has && string_ref(out, sec, field,
					       out->cdo->parent_name))
				return -1;
		}
	}
	return 0;
}

static int add_force(struct output *out)
{
	struct kelf *kelf = out->cdo->patched;
	struct section *force = kelf_find_section(kelf, ".kpatch.force");
	struct osec *sec = NULL;
	size_t i;

	for (i = 0; force && i < force->nr_relas; i++) {
		struct symbol *sym = force->relas[i].sym;
		int64_t at;

		if (sym->type == STT_SECTION && sym->sec)
			sym = kelf_symbol_at(sym->sec,
					     (uint64_t)force->relas[i].addend);
		if (!sym || !sym->patched || !out->defined[sym->index]) {
			log_debug("output: KPATCH_FORCE_UNSAFE(%s): not patched",
				  sym ? sym->name : "?");
			continue;
		}
		if (!sec)
			sec = osec_new(out->o, ".kpatch.force", SHT_PROGBITS,
				       META_FLAGS, 8, 8);
		at = sec ? osec_append(sec, NULL, 8, 8, 0) : -1;
		if (at < 0 || osec_add_rela(sec, (uint64_t)at, R_X86_64_64, 0,
					    out->defined[sym->index]))
			return -1;
	}
	return 0;
}

/* Namespaces the parent module imports (its .modinfo import_ns=). */
static int parent_namespaces(struct output *out)
{
	struct section *mi = kelf_find_section(out->cdo->patched, ".modinfo");
	uint64_t off = 0;

	if (!mi || !mi->data)
		return 0;
	while (off < mi->size) {
		const char *s = (const char *)mi->data + off;
		size_t len = strnlen(s, mi->size - off);

		if (!strncmp(s, "import_ns=", 10) && len < mi->size - off &&
		    meta_import_ns(out, s + 10))
			return -1;
		off += len + 1;
	}
	return 0;
}

static int write_modinfo(struct output *out)
{
	struct osec *sec;
	size_t i;

	if (parent_namespaces(out))
		return -1;
	if (!out->nr_namespaces)
		return 0;
	sec = osec_new(out->o, ".modinfo", SHT_PROGBITS, SHF_ALLOC, 1, 0);
	if (!sec)
		return -1;
	for (i = 0; i < out->nr_namespaces; i++) {
		const char *ns = out->namespaces[i];

		if (osec_append(sec, "import_ns=", 10, 1, 0) < 0 ||
		    osec_append(sec, ns, strlen(ns) + 1, 1, 0) < 0)
			return -1;
		log_debug("output: imports namespace %s", ns);
	}
	return 0;
}

int meta_finish(struct output *out)
{
	struct kelf *kelf = out->cdo->patched;
	size_t i;

	for (i = 1; i < kelf->nr_syms; i++)
		if (kelf->syms[i].patched && add_func(out, &kelf->syms[i]))
			return -1;
	if (fill_callback_objnames(out) || add_force(out) ||
	    write_modinfo(out))
		return -1;
	return 0;
}
