// SPDX-License-Identifier: GPL-2.0
/*
 * gen-meta.c: read and check the intermediate metadata of a linked patch
 * module (see gen-meta.h and kpatch-intermediate.h).
 */
#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen-meta.h"
#include "kpatch-intermediate.h"
#include "log.h"

/* Kernel limits the names must fit (MODULE_NAME_LEN, KSYM_NAME_LEN). */
#define MODULE_NAME_MAX 55
#define SYMBOL_NAME_MAX 511

const char *const meta_cb_section[NR_CB_KINDS] = {
	[CB_PRE_PATCH] = ".kpatch.callbacks.pre_patch",
	[CB_POST_PATCH] = ".kpatch.callbacks.post_patch",
	[CB_PRE_UNPATCH] = ".kpatch.callbacks.pre_unpatch",
	[CB_POST_UNPATCH] = ".kpatch.callbacks.post_unpatch",
};

/* Context of the entry being read, for messages. */
struct entry {
	struct kelf *kelf;
	struct section *sec;
	size_t index;
	char what[160];
};

static void entry_init(struct entry *e, struct kelf *kelf,
		       struct section *sec, size_t index)
{
	e->kelf = kelf;
	e->sec = sec;
	e->index = index;
	snprintf(e->what, sizeof(e->what), "%s", sec->name);
}

#define entry_error(e, fmt, ...)					\
	log_error((e)->kelf->path, (e)->what, "entry %zu: " fmt,	\
		  (e)->index, ##__VA_ARGS__)

bool meta_is_vmlinux(const char *objname)
{
	return !strcmp(objname, KPATCH_VMLINUX);
}

const char *meta_describe(const struct section *sec, uint64_t offset,
			  char *buf, size_t len)
{
	struct symbol *sym = kelf_symbol_at((struct section *)sec, offset);

	if (sym)
		snprintf(buf, len, "%s+0x%lx", sym->name,
			 (unsigned long)(offset - sym->sym.st_value));
	else
		snprintf(buf, len, "%s+0x%lx", sec->name,
			 (unsigned long)offset);
	return buf;
}

static uint64_t read_u64(const struct section *sec, uint64_t off)
{
	uint64_t v;

	memcpy(&v, (const unsigned char *)sec->data + off, sizeof(v));
	return v;
}

static uint32_t read_u32(const struct section *sec, uint64_t off)
{
	uint32_t v;

	memcpy(&v, (const unsigned char *)sec->data + off, sizeof(v));
	return v;
}

/* Follow the R_X86_64_64 relocation that fills the pointer at off. */
static int read_ref(struct entry *e, uint64_t off, const char *field,
		    bool need_defined, struct meta_ref *ref)
{
	struct rela *rela = kelf_rela_at(e->sec, off);
	int64_t target;

	memset(ref, 0, sizeof(*ref));
	if (!rela) {
		entry_error(e, "field %s has no relocation", field);
		return -1;
	}
	if (rela->type != R_X86_64_64) {
		entry_error(e, "field %s: relocation type %u, not R_X86_64_64",
			    field, rela->type);
		return -1;
	}
	if (read_u64(e->sec, off)) {
		entry_error(e, "field %s is not zero in the file", field);
		return -1;
	}
	ref->sym = rela->sym;
	ref->addend = rela->addend;
	if (!rela->sym->sec) {
		if (!need_defined)
			return 0;
		entry_error(e, "field %s refers to %s, which is not in the module",
			    field, rela->sym->name);
		return -1;
	}
	target = (int64_t)rela->sym->sym.st_value + rela->addend;
	if (target < 0 || (uint64_t)target > rela->sym->sec->size) {
		entry_error(e, "field %s points outside section %s", field,
			    rela->sym->sec->name);
		return -1;
	}
	ref->sec = rela->sym->sec;
	ref->offset = (uint64_t)target;
	return 0;
}

static const char *read_string(struct entry *e, uint64_t off,
			       const char *field, struct meta_ref *ref)
{
	const char *start;

	if (read_ref(e, off, field, true, ref))
		return NULL;
	if (!ref->sec->data || ref->offset >= ref->sec->size) {
		entry_error(e, "field %s points outside the data of %s", field,
			    ref->sec->name);
		return NULL;
	}
	start = (const char *)ref->sec->data + ref->offset;
	if (!memchr(start, '\0', ref->sec->size - ref->offset)) {
		entry_error(e, "field %s: string in %s is not terminated",
			    field, ref->sec->name);
		return NULL;
	}
	return start;
}

static bool valid_symbol_name(const char *name)
{
	size_t len = strlen(name), i;

	if (!len || len > SYMBOL_NAME_MAX)
		return false;
	for (i = 0; i < len; i++)
		if (!isgraph((unsigned char)name[i]) || name[i] == ',')
			return false;
	return true;
}

/* "vmlinux" or a module name as the kernel spells it (no '-', no '.'). */
static bool valid_object_name(const char *name)
{
	size_t len = strlen(name), i;

	if (!len || len > MODULE_NAME_MAX)
		return false;
	for (i = 0; i < len; i++)
		if (!isalnum((unsigned char)name[i]) && name[i] != '_')
			return false;
	return true;
}

static const char *read_name(struct entry *e, uint64_t off, const char *field,
			     bool object, struct meta_ref *ref)
{
	const char *name = read_string(e, off, field, ref);

	if (!name)
		return NULL;
	if (object ? !valid_object_name(name) : !valid_symbol_name(name)) {
		entry_error(e, "field %s: \"%s\" is not a valid %s name", field,
			    name, object ? "object (module)" : "symbol");
		return NULL;
	}
	return name;
}

static const char *func_name(const struct meta_ref *ref, char *buf, size_t len)
{
	return meta_describe(ref->sec, ref->offset, buf, len);
}

static int check_code_ref(struct entry *e, const struct meta_ref *ref,
			  const char *field)
{
	if ((ref->sec->sh.sh_flags & (SHF_ALLOC | SHF_EXECINSTR)) !=
	    (SHF_ALLOC | SHF_EXECINSTR)) {
		entry_error(e, "field %s points into %s, which is not code",
			    field, ref->sec->name);
		return -1;
	}
	return 0;
}

/* The table sections must hold whole entries and be readable. */
static int check_table(struct kelf *kelf, struct section *sec, size_t entsize)
{
	if (sec->sh.sh_type == SHT_NOBITS || (!sec->data && sec->size)) {
		log_error(kelf->path, sec->name, "has no contents");
		return -1;
	}
	if (sec->size % entsize) {
		log_error(kelf->path, sec->name,
			  "size %lu is not a multiple of the entry size %zu",
			  (unsigned long)sec->size, entsize);
		return -1;
	}
	if (sec->size && !sec->relasec) {
		log_error(kelf->path, sec->name,
			  "has no relocation section (.rela%s)", sec->name);
		return -1;
	}
	return 0;
}

static void *alloc_entries(struct kelf *kelf, struct section *sec,
			   size_t entsize, size_t elem, size_t *nr)
{
	void *p;

	*nr = sec->size / entsize;
	p = calloc(*nr ? *nr : 1, elem);
	if (!p)
		log_error(kelf->path, sec->name, "out of memory");
	return p;
}

static int read_func(struct meta *m, struct entry *e, uint64_t off,
		     struct meta_func *f)
{
	const struct section *sec = m->funcs_sec;

	f->offset = off;
	f->sympos = read_u64(sec, off + offsetof(struct kpatch_patch_func,
						 sympos));
	f->name = read_name(e, off + offsetof(struct kpatch_patch_func, name),
			    "name", false, &(struct meta_ref){ 0 });
	if (!f->name)
		return -1;
	snprintf(e->what, sizeof(e->what), "%s: %s", sec->name, f->name);
	f->objname = read_name(e, off + offsetof(struct kpatch_patch_func,
						 objname),
			       "objname", true, &(struct meta_ref){ 0 });
	if (!f->objname ||
	    read_ref(e, off + offsetof(struct kpatch_patch_func, new_addr),
		     "new_addr", true, &f->new_func) ||
	    check_code_ref(e, &f->new_func, "new_addr"))
		return -1;
	return 0;
}

static int check_duplicate_funcs(struct meta *m)
{
	size_t i, j;

	for (i = 0; i < m->nr_funcs; i++)
		for (j = 0; j < i; j++) {
			struct meta_func *a = &m->funcs[i], *b = &m->funcs[j];

			if (strcmp(a->name, b->name) ||
			    strcmp(a->objname, b->objname) ||
			    a->sympos != b->sympos)
				continue;
			log_error(m->kelf->path, m->funcs_sec->name,
				  "function %s (%s, sympos %lu) is patched twice",
				  a->name, a->objname, a->sympos);
			return -1;
		}
	return 0;
}

static int read_funcs(struct meta *m)
{
	size_t sz = sizeof(struct kpatch_patch_func), i;

	if (check_table(m->kelf, m->funcs_sec, sz))
		return -1;
	m->funcs = alloc_entries(m->kelf, m->funcs_sec, sz, sizeof(*m->funcs),
				 &m->nr_funcs);
	if (!m->funcs)
		return -1;
	for (i = 0; i < m->nr_funcs; i++) {
		struct entry e;

		entry_init(&e, m->kelf, m->funcs_sec, i);
		if (read_func(m, &e, i * sz, &m->funcs[i]))
			return -1;
	}
	return check_duplicate_funcs(m);
}

/* The .kpatch.symbols entry a relocation refers to. */
static int read_ksym(struct meta *m, struct entry *e, struct meta_reloc *r)
{
	size_t sz = sizeof(struct kpatch_symbol);
	struct meta_ref ref;
	struct entry se;

	if (read_ref(e, r->offset + offsetof(struct kpatch_relocation, ksym),
		     "ksym", true, &ref))
		return -1;
	if (ref.sec != m->symbols_sec || ref.offset % sz ||
	    ref.offset >= ref.sec->size) {
		entry_error(e, "field ksym does not point to an entry of %s",
			    m->symbols_sec->name);
		return -1;
	}
	entry_init(&se, m->kelf, m->symbols_sec, ref.offset / sz);
	r->sympos = read_u64(ref.sec, ref.offset +
			     offsetof(struct kpatch_symbol, sympos));
	r->sym_name = read_name(&se, ref.offset +
				offsetof(struct kpatch_symbol, name), "name",
				false, &r->name_ref);
	if (!r->sym_name)
		return -1;
	snprintf(se.what, sizeof(se.what), "%s: %s", se.sec->name,
		 r->sym_name);
	r->sym_objname = read_name(&se, ref.offset +
				   offsetof(struct kpatch_symbol, objname),
				   "objname", true, &r->sym_objname_ref);
	return r->sym_objname ? 0 : -1;
}

static bool supported_type(uint32_t type)
{
	switch (type) {
	case R_X86_64_64:
	case R_X86_64_32:
	case R_X86_64_32S:
	case R_X86_64_PC32:
	case R_X86_64_PLT32:
		return true;
	}
	return false;
}

/* The location must be in the module, zero, and not relocated otherwise. */
static int check_dest(struct entry *e, struct meta_reloc *r)
{
	size_t width = r->type == R_X86_64_64 ? 8 : 4;
	const unsigned char *p;
	char where[128];
	size_t i;

	meta_describe(r->dest_sec, r->dest_offset, where, sizeof(where));
	if (!(r->dest_sec->sh.sh_flags & SHF_ALLOC) ||
	    r->dest_sec->sh.sh_type != SHT_PROGBITS) {
		entry_error(e, "location %s is not in loaded code or data",
			    where);
		return -1;
	}
	if (r->dest_offset + width > r->dest_sec->size) {
		entry_error(e, "location %s is past the end of %s", where,
			    r->dest_sec->name);
		return -1;
	}
	p = (const unsigned char *)r->dest_sec->data + r->dest_offset;
	for (i = 0; i < width; i++)
		if (p[i]) {
			entry_error(e, "location %s is not zero", where);
			return -1;
		}
	/* The first normal relocation at or after the location. */
	i = kelf_rela_index(r->dest_sec, r->dest_offset);
	if (i < r->dest_sec->nr_relas &&
	    r->dest_sec->relas[i].offset < r->dest_offset + width) {
		entry_error(e, "location %s also has a normal relocation",
			    where);
		return -1;
	}
	return 0;
}

static int read_reloc(struct meta *m, struct entry *e, uint64_t off,
		      struct meta_reloc *r)
{
	const struct section *sec = m->relocs_sec;
	struct meta_ref dest;

	r->offset = off;
	r->type = read_u32(sec, off + offsetof(struct kpatch_relocation, type));
	r->external = read_u32(sec, off +
			       offsetof(struct kpatch_relocation, external));
	r->addend = (int64_t)read_u64(sec, off +
				      offsetof(struct kpatch_relocation,
					       addend));
	if (read_ksym(m, e, r))
		return -1;
	snprintf(e->what, sizeof(e->what), "%s: %s", sec->name, r->sym_name);
	if (!supported_type(r->type)) {
		entry_error(e, "relocation type %u is not supported", r->type);
		return -1;
	}
	r->objname = read_name(e, off + offsetof(struct kpatch_relocation,
						 objname),
			       "objname", true, &(struct meta_ref){ 0 });
	if (!r->objname ||
	    read_ref(e, off + offsetof(struct kpatch_relocation, dest), "dest",
		     true, &dest))
		return -1;
	r->dest_sec = dest.sec;
	r->dest_offset = dest.offset;
	return check_dest(e, r);
}

static int read_relocs(struct meta *m)
{
	size_t sz = sizeof(struct kpatch_relocation), i;

	if (check_table(m->kelf, m->relocs_sec, sz))
		return -1;
	if (!m->symbols_sec) {
		log_error(m->kelf->path, ".kpatch.symbols",
			  "missing section (needed by %s)",
			  m->relocs_sec->name);
		return -1;
	}
	if (check_table(m->kelf, m->symbols_sec, sizeof(struct kpatch_symbol)))
		return -1;
	m->relocs = alloc_entries(m->kelf, m->relocs_sec, sz,
				  sizeof(*m->relocs), &m->nr_relocs);
	if (!m->relocs)
		return -1;
	for (i = 0; i < m->nr_relocs; i++) {
		struct entry e;

		entry_init(&e, m->kelf, m->relocs_sec, i);
		if (read_reloc(m, &e, i * sz, &m->relocs[i]))
			return -1;
	}
	return 0;
}

static int read_callbacks(struct meta *m)
{
	size_t sz = sizeof(struct kpatch_callback), total = 0, i, n = 0;
	char buf[128];
	int k;

	for (k = 0; k < NR_CB_KINDS; k++)
		if (m->cb_sec[k]) {
			if (check_table(m->kelf, m->cb_sec[k], sz))
				return -1;
			total += m->cb_sec[k]->size / sz;
		}
	m->callbacks = calloc(total ? total : 1, sizeof(*m->callbacks));
	if (!m->callbacks) {
		log_error(m->kelf->path, NULL, "out of memory");
		return -1;
	}
	for (k = 0; k < NR_CB_KINDS; k++) {
		struct section *sec = m->cb_sec[k];

		for (i = 0; sec && i < sec->size / sz; i++) {
			struct meta_callback *cb = &m->callbacks[n++];
			struct entry e;

			m->nr_callbacks = n;
			entry_init(&e, m->kelf, sec, i);
			cb->kind = k;
			cb->offset = i * sz;
			if (read_ref(&e, i * sz, "fn", true, &cb->fn) ||
			    check_code_ref(&e, &cb->fn, "fn"))
				return -1;
			cb->fn_name = strdup(func_name(&cb->fn, buf,
						       sizeof(buf)));
			snprintf(e.what, sizeof(e.what), "%s: %s", sec->name,
				 cb->fn_name ? cb->fn_name : "?");
			cb->objname = read_name(&e, i * sz +
						offsetof(struct kpatch_callback,
							 objname),
						"objname", true,
						&(struct meta_ref){ 0 });
			if (!cb->fn_name || !cb->objname)
				return -1;
		}
	}
	return 0;
}

static int read_forces(struct meta *m)
{
	size_t sz = sizeof(unsigned long), i;
	char buf[128];

	if (check_table(m->kelf, m->force_sec, sz))
		return -1;
	m->forces = alloc_entries(m->kelf, m->force_sec, sz, sizeof(*m->forces),
				  &m->nr_forces);
	if (!m->forces)
		return -1;
	for (i = 0; i < m->nr_forces; i++) {
		struct meta_force *f = &m->forces[i];
		struct entry e;

		entry_init(&e, m->kelf, m->force_sec, i);
		if (read_ref(&e, i * sz, "fn", true, &f->fn) ||
		    check_code_ref(&e, &f->fn, "fn"))
			return -1;
		f->fn_name = strdup(func_name(&f->fn, buf, sizeof(buf)));
		if (!f->fn_name) {
			log_error(m->kelf->path, NULL, "out of memory");
			return -1;
		}
	}
	return 0;
}

static int find_sections(struct kelf *kelf, struct meta *m)
{
	int k;

	m->funcs_sec = kelf_find_section(kelf, ".kpatch.funcs");
	m->strings_sec = kelf_find_section(kelf, ".kpatch.strings");
	m->relocs_sec = kelf_find_section(kelf, ".kpatch.relocations");
	m->symbols_sec = kelf_find_section(kelf, ".kpatch.symbols");
	m->force_sec = kelf_find_section(kelf, ".kpatch.force");
	for (k = 0; k < NR_CB_KINDS; k++)
		m->cb_sec[k] = kelf_find_section(kelf, meta_cb_section[k]);
	if (!m->funcs_sec) {
		log_error(kelf->path, ".kpatch.funcs",
			  "missing section: not a create-diff-object output linked into a module");
		return -1;
	}
	if (!m->strings_sec) {
		log_error(kelf->path, ".kpatch.strings", "missing section");
		return -1;
	}
	if (m->strings_sec->sh.sh_type == SHT_NOBITS || !m->strings_sec->data) {
		log_error(kelf->path, ".kpatch.strings", "has no contents");
		return -1;
	}
	return 0;
}

int meta_read(struct kelf *kelf, struct meta *m)
{
	memset(m, 0, sizeof(*m));
	m->kelf = kelf;
	if (find_sections(kelf, m) || read_funcs(m) ||
	    (m->relocs_sec && read_relocs(m)) || read_callbacks(m) ||
	    (m->force_sec && read_forces(m)))
		return -1;
	return 0;
}

void meta_free(struct meta *m)
{
	size_t i;

	for (i = 0; i < m->nr_callbacks; i++)
		free((void *)m->callbacks[i].fn_name);
	for (i = 0; i < m->nr_forces; i++)
		free((void *)m->forces[i].fn_name);
	free(m->funcs);
	free(m->relocs);
	free(m->callbacks);
	free(m->forces);
	memset(m, 0, sizeof(*m));
}

int meta_check_callbacks(const struct meta *m)
{
	size_t i, j;

	for (i = 0; i < m->nr_callbacks; i++)
		for (j = 0; j < i; j++) {
			const struct meta_callback *a = &m->callbacks[i];
			const struct meta_callback *b = &m->callbacks[j];

			if (a->kind != b->kind || strcmp(a->objname, b->objname))
				continue;
			log_error(m->kelf->path, meta_cb_section[a->kind],
				  "%s and %s are both callbacks for %s; one per kind and object",
				  b->fn_name, a->fn_name, a->objname);
			return -1;
		}
	return 0;
}
