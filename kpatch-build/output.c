// SPDX-License-Identifier: GPL-2.0
/*
 * output.c: build OUTPUT.o from the included pieces.
 *
 * Pieces are laid out in output sections named like their input sections
 * (a function taken out of a shared section gets its own .text.<name>).
 * Every relocation of an included piece is translated:
 *   - to an included location: against the output section;
 *   - to an exported symbol (MODULE_SYMVERS): an undefined symbol;
 *   - to anything else of the running kernel: removed, and described in
 *     .kpatch.relocations for the loader (meta.c), with the symbol's
 *     position among same-named ones;
 *   - to an undefined symbol the parent does not define: an undefined
 *     symbol (another object of the patch defines it).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "elfwrite.h"
#include "include.h"
#include "log.h"
#include "meta.h"
#include "parent-symtab.h"
#include "special.h"
#include "target.h"

/* Does sec hold more than one function (ignoring __pfx_ with its own)? */
static bool shared_text(struct section *sec)
{
	size_t i, funcs = 0;

	if (!sec_is_text(sec))
		return false;
	for (i = 0; i < sec->nr_syms; i++)
		if (sec->syms[i]->type == STT_FUNC &&
		    sec->syms[i]->group == sec->syms[i])
			funcs++;
	return funcs > 1;
}

static const char *output_name(struct output *out, struct piece *p)
{
	struct section *sec = p->sec;
	struct symbol *func;
	char *name;
	const char *copy;

	if (!sec_is_text(sec) || special_find(sec) ||
	    (!shared_text(sec) && strcmp(sec->name, ".exit.text")))
		return sec->name;
	func = kelf_symbol_at(sec, p->start);
	if (!func || func->type != STT_FUNC)
		return sec->name;
	name = malloc(strlen(func->name) + 7);
	if (!name)
		return NULL;
	sprintf(name, ".text.%s", func->name);
	copy = oelf_strdup(out->o, name);
	free(name);
	return copy;
}

static int cmp_piece(const void *a, const void *b)
{
	const struct piece *x = *(struct piece * const *)a;
	const struct piece *y = *(struct piece * const *)b;

	if (x->sec != y->sec)
		return x->sec->index < y->sec->index ? -1 : 1;
	return x->start < y->start ? -1 : x->start > y->start;
}

/* The output section of an earlier piece of the same input section. */
static struct osec *same_input_osec(struct pieces *all, size_t i)
{
	struct section *sec = all->all[i]->sec;

	while (i-- > 0 && all->all[i]->sec == sec)
		if (!all->all[i]->dead)
			return all->all[i]->osec;
	return NULL;
}

static int layout(struct output *out)
{
	struct pieces *all = out->cdo->pieces;
	size_t i;

	if (all->nr > 1)
		qsort(all->all, all->nr, sizeof(*all->all), cmp_piece);
	for (i = 0; i < all->nr; i++) {
		struct piece *p = all->all[i];
		struct section *sec = p->sec;
		const char *name;
		int64_t off;

		if (p->dead)
			continue;
		name = output_name(out, p);
		if (!name)
			return -1;
		/* SHF_LINK_ORDER sections stay one per linked section */
		if (sec->sh.sh_flags & SHF_LINK_ORDER)
			p->osec = same_input_osec(all, i);
		else
			p->osec = osec_find(out->o, name);
		if (!p->osec)
			p->osec = osec_new(out->o, name, sec->sh.sh_type,
					   sec->sh.sh_flags &
					   ~(uint64_t)(SHF_GROUP |
						       SHF_LINK_ORDER),
					   sec->sh.sh_addralign,
					   sec->sh.sh_entsize);
		if (!p->osec)
			return -1;
		off = osec_append(p->osec, sec->data ? sec->data + p->start :
				  NULL, p->end - p->start,
				  sec->sh.sh_addralign,
				  p->start % (sec->sh.sh_addralign ?
					      sec->sh.sh_addralign : 1));
		if (off < 0)
			return -1;
		p->out_off = (uint64_t)off;
	}
	return 0;
}

/* Output symbols for the symbols of PATCHED inside included pieces. */
static int define_symbols(struct output *out)
{
	struct kelf *kelf = out->cdo->patched;
	size_t i;

	out->defined = calloc(kelf->nr_syms, sizeof(*out->defined));
	if (!out->defined)
		return -1;
	for (i = 1; i < kelf->nr_syms; i++) {
		struct symbol *sym = &kelf->syms[i];
		uint64_t v = sym->sym.st_value;
		struct piece *p;

		if (!sym->sec || !*sym->name || sym->type == STT_SECTION ||
		    sym->type == STT_FILE ||
		    (sym->bind == STB_LOCAL && sym->type == STT_NOTYPE))
			continue;
		p = piece_at(sym->sec, v);
		if (!p || v < p->start || v + sym->sym.st_size > p->end)
			continue;
		out->defined[i] = osym_new(out->o, sym->name, sym->bind,
					   sym->type, p->osec,
					   p->out_off + v - p->start,
					   sym->sym.st_size);
		if (!out->defined[i])
			return -1;
	}
	return 0;
}

/* A reference to the running kernel's symbol called name. */
static int external(struct output *out, struct osec *osec, uint64_t off,
		    const struct rela *rela, int64_t addend, const char *name,
		    struct symbol *orig)
{
	struct cdo *cdo = out->cdo;
	const struct export *e = NULL;
	struct ksym_desc k;
	const struct psym *ps;
	unsigned long pos;
	struct osym *u;

	if (!orig || orig->bind != STB_LOCAL)
		e = parent_export(cdo->parent, name);
	if (e && strcmp(e->module, "vmlinux")) {
		/* another module's export: no link-time dependency on it */
		const char *mod = strrchr(e->module, '/');
		struct ksym_desc k = { name, 0, STB_GLOBAL, STT_NOTYPE,
				       mod ? mod + 1 : e->module, true };

		if (*e->ns && meta_import_ns(out, e->ns))
			return -1;
		return meta_add_relocation(out, osec, off, rela->type, addend,
					   &k);
	}
	if (e) {
		if (*e->ns && meta_import_ns(out, e->ns))
			return -1;
		u = osym_undef(out->o, name);
		return u ? osec_add_rela(osec, off, rela->type, addend, u) : -1;
	}
	if (orig)
		ps = parent_lookup(cdo->parent, cdo->orig, orig, &pos);
	else
		ps = parent_lookup_global(cdo->parent, name, &pos);
	if (!ps && orig)
		return -1;	/* reported */
	if (!ps) {
		/* defined by another object of the patch, or an export
		   MODULE_SYMVERS does not list: left to the linker */
		log_debug("output: %s is not in %s: left undefined", name,
			  cdo->parent->path);
		u = osym_undef(out->o, name);
		return u ? osec_add_rela(osec, off, rela->type, addend, u) : -1;
	}
	k.name = ps->name;
	k.sympos = pos;
	k.bind = ps->bind;
	k.type = ps->type;
	k.objname = cdo->parent_name;
	k.external = false;
	return meta_add_relocation(out, osec, off, rela->type, addend, &k);
}

static int translate(struct output *out, struct piece *p, struct rela *rela)
{
	struct osec *osec = p->osec;
	uint64_t off = p->out_off + rela->offset - p->start;
	struct target t;
	struct piece *tp;

	resolve_target(p->sec, rela, &t);
	if (!t.sec)
		return external(out, osec, off, rela, rela->addend,
				rela->sym->name, NULL);
	if (t.sym && !t.sym->included && t.sym->twin)
		return external(out, osec, off, rela, t.addend,
				t.sym->twin->name, t.sym->twin);
	tp = piece_at(t.sec, t.loc);
	if (!tp) {
		log_error(out->cdo->patched->path, p->sec->name,
			  "internal error: relocation at 0x%lx points to %s+0x%lx, which is not included",
			  (unsigned long)rela->offset, t.sec->name,
			  (unsigned long)t.loc);
		return -1;
	}
	return osec_add_rela(osec, off, rela->type,
			     (int64_t)(rela->sym->sym.st_value - tp->start +
				       tp->out_off) + rela->addend,
			     tp->osec->secsym);
}

static int translate_all(struct output *out)
{
	struct pieces *all = out->cdo->pieces;
	size_t i, j;

	for (i = 0; i < all->nr; i++) {
		struct piece *p = all->all[i];

		if (p->dead)
			continue;
		for (j = kelf_rela_index(p->sec, p->start);
		     j < p->sec->nr_relas && p->sec->relas[j].offset < p->end;
		     j++)
			if (translate(out, p, &p->sec->relas[j]))
				return -1;
	}
	return 0;
}

/* SHF_LINK_ORDER sections (__patchable_function_entries) follow code. */
static void link_orders(struct output *out)
{
	struct pieces *all = out->cdo->pieces;
	size_t i, n;

	for (i = 0; i < all->nr; i++) {
		struct piece *p = all->all[i];
		struct section *to;
		struct piece **tp;

		if (p->dead || !(p->sec->sh.sh_flags & SHF_LINK_ORDER) ||
		    p->osec->link || p->sec->sh.sh_link >= p->sec->kelf->nr_secs)
			continue;
		to = &p->sec->kelf->secs[p->sec->sh.sh_link];
		tp = section_pieces(to, &n);
		if (n) {
			p->osec->link = tp[0]->osec;
			p->osec->flags |= SHF_LINK_ORDER;
		}
	}
}

static const char *file_name(struct kelf *kelf)
{
	size_t i;

	for (i = 1; i < kelf->nr_syms; i++)
		if (kelf->syms[i].type == STT_FILE)
			return kelf->syms[i].name;
	return NULL;
}

int write_output(struct cdo *cdo)
{
	struct output out;
	const char *file = file_name(cdo->patched);
	int ret = -1;

	memset(&out, 0, sizeof(out));
	out.cdo = cdo;
	out.o = oelf_new();
	if (!out.o || meta_init(&out))
		goto oom;
	if (file && !osym_new(out.o, file, STB_LOCAL, STT_FILE, NULL, 0, 0))
		goto oom;
	if (layout(&out) || define_symbols(&out))
		goto oom;
	link_orders(&out);
	if (translate_all(&out) || meta_finish(&out))
		goto out;
	ret = oelf_write(out.o, cdo->output_path,
			 cdo->orig->ehdr.e_ident[EI_OSABI]);
	goto out;
oom:
	if (!log_error_count())
		log_error(cdo->orig->base, cdo->output_path, "out of memory");
out:
	meta_free(&out);
	free(out.defined);
	oelf_free(out.o);
	return ret;
}
