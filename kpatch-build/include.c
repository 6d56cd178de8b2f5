// SPDX-License-Identifier: GPL-2.0
/*
 * include.c: choose what OUTPUT.o holds.
 *
 * Seeds: changed functions (with their compiler pieces), new global
 * functions and objects, patch callbacks.  Then, following the relocations
 * of everything included:
 *   - a changed or new function is included; an unchanged one stays a
 *     reference to the running kernel;
 *   - a new object or a special static gets a fresh copy; an existing one
 *     is referenced (the patched code shares the running kernel's state);
 *   - an anonymous location (a string, a constant, an alternative
 *     replacement, a jump table) is included as the piece holding it.
 * Last, entries of special sections whose owner was included are kept,
 * which may include more pieces, until nothing changes.
 */
#include <stdlib.h>
#include <string.h>

#include "include.h"
#include "log.h"
#include "parent-symtab.h"
#include "special.h"
#include "target.h"

struct sec_pieces {
	struct piece **v;	/* sorted by start, no dead ones */
	size_t nr, alloc;
};

static struct sec_pieces *sec_pieces_of(struct section *sec)
{
	if (!sec->priv)
		sec->priv = calloc(1, sizeof(struct sec_pieces));
	return sec->priv;
}

struct piece **section_pieces(struct section *sec, size_t *nr)
{
	struct sec_pieces *sp = sec->priv;

	*nr = sp ? sp->nr : 0;
	return sp ? sp->v : NULL;
}

static bool contains(const struct piece *p, uint64_t loc)
{
	return (loc >= p->start && loc < p->end) ||
	       (p->start == p->end && loc == p->start);
}

/* Index of the first piece of sp starting after loc. */
static size_t after(struct sec_pieces *sp, uint64_t loc)
{
	size_t lo = 0, hi = sp->nr;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (sp->v[mid]->start <= loc)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

struct piece *piece_at(struct section *sec, uint64_t loc)
{
	struct sec_pieces *sp = sec->priv;
	size_t i;

	if (!sp || !sp->nr)
		return NULL;
	i = after(sp, loc);
	if (i && contains(sp->v[i - 1], loc))
		return sp->v[i - 1];
	/* a reference to the end of a piece (label after its last byte) */
	if (i && sp->v[i - 1]->end == loc)
		return sp->v[i - 1];
	return NULL;
}

bool symbol_is_included(struct symbol *sym)
{
	return sym->sec && piece_at(sym->sec, sym->sym.st_value) &&
	       sym->included;
}

static int remember(struct pieces *all, struct piece *p)
{
	if (all->nr == all->alloc) {
		size_t n = all->alloc ? all->alloc * 2 : 64;
		struct piece **v = realloc(all->all, n * sizeof(*v));

		if (!v)
			return -1;
		all->all = v;
		all->alloc = n;
	}
	all->all[all->nr++] = p;
	return 0;
}

static bool overlaps(const struct piece *p, uint64_t start, uint64_t end)
{
	if (start == end)
		return contains(p, start);
	if (p->start == p->end)
		return p->start >= start && p->start < end;
	return p->start < end && start < p->end;
}

/* Adds [start, end) of sec, merging what it overlaps; NULL on error. */
static struct piece *add_range(struct cdo *cdo, struct section *sec,
			       uint64_t start, uint64_t end, const char *why)
{
	struct sec_pieces *sp = sec_pieces_of(sec);
	struct piece *p;
	size_t i, first, n = 0;

	if (!sp || !cdo->pieces)
		goto oom;
	/* pieces overlapping [start, end) are contiguous in sp->v */
	first = after(sp, start);
	if (first && overlaps(sp->v[first - 1], start, end))
		first--;
	while (first + n < sp->nr && overlaps(sp->v[first + n], start, end))
		n++;
	if (n == 1 && sp->v[first]->start <= start && sp->v[first]->end >= end)
		return sp->v[first];	/* already there */
	p = calloc(1, sizeof(*p));
	if (!p || remember(cdo->pieces, p))
		goto oom;
	p->sec = sec;
	p->start = start;
	p->end = end;
	for (i = first; i < first + n; i++) {
		if (sp->v[i]->start < p->start)
			p->start = sp->v[i]->start;
		if (sp->v[i]->end > p->end)
			p->end = sp->v[i]->end;
		sp->v[i]->dead = true;
	}
	if (!n) {
		if (sp->nr == sp->alloc) {
			size_t a = sp->alloc ? sp->alloc * 2 : 4;
			struct piece **v = realloc(sp->v, a * sizeof(*v));

			if (!v)
				goto oom;
			sp->v = v;
			sp->alloc = a;
		}
		memmove(sp->v + first + 1, sp->v + first,
			(sp->nr - first) * sizeof(*sp->v));
		sp->nr++;
	} else {
		memmove(sp->v + first + 1, sp->v + first + n,
			(sp->nr - first - n) * sizeof(*sp->v));
		sp->nr -= n - 1;
	}
	sp->v[first] = p;
	log_debug("include: %s [0x%lx, 0x%lx): %s", sec->name,
		  (unsigned long)p->start, (unsigned long)p->end, why);
	return p;
oom:
	log_error(cdo->patched->path, sec->name, "out of memory");
	return NULL;
}

/* Gone after boot (or after the module's init); __exit code of built-in
   code is discarded too. */
static bool is_init_section(struct cdo *cdo, const struct section *sec)
{
	return !strncmp(sec->name, ".init.", 6) ||
	       !strcmp(sec->name, ".head.text") ||
	       (!strncmp(sec->name, ".exit.", 6) && cdo->parent->is_vmlinux);
}

static int include_symbol(struct cdo *cdo, struct symbol *sym, const char *why);

/* Compiler pieces of a function go with it. */
static int include_group(struct cdo *cdo, struct symbol *sym)
{
	struct kelf *kelf = cdo->patched;
	size_t i;

	for (i = 1; i < kelf->nr_syms; i++) {
		struct symbol *m = &kelf->syms[i];

		if (m != sym && m->group == sym->group && m->sec &&
		    m->status != ST_SAME && !m->included &&
		    include_symbol(cdo, m, sym->name))
			return -1;
	}
	return 0;
}

static int include_symbol(struct cdo *cdo, struct symbol *sym, const char *why)
{
	uint64_t start, end, mask_off, mask_len;

	if (sym->included)
		return 0;
	if (sym->sec->ignore) {
		log_error(cdo->orig->base, sym->name,
			  "needed by %s but in ignored section %s", why,
			  sym->sec->name);
		return -1;
	}
	if (is_init_section(cdo, sym->sec)) {
		log_unsafe(cdo->orig->base, sym->name,
			   "needed by %s but in %s, which a patch module frees after loading",
			   why, sym->sec->name);
		return -1;
	}
	sym->included = true;
	symbol_extent(sym, &start, &end);
	if (special_is_piecewise(sym->sec))
		special_piece(sym->sec, start, &start, &end, &mask_off,
			      &mask_len);
	if (!add_range(cdo, sym->sec, start, end, why))
		return -1;
	if (symbol_is_function(sym))
		return include_group(cdo, sym);
	return 0;
}

/* Code or data between symbols (labels, clang's .rodata): the gap holding
   loc, so the objects around it stay the kernel's. */
static void symbol_gap(struct section *sec, uint64_t loc, uint64_t *start,
		     uint64_t *end)
{
	size_t i;

	*start = 0;
	*end = sec->size;
	for (i = 0; i < sec->nr_syms; i++) {
		struct symbol *sym = sec->syms[i];
		uint64_t s = sym->sym.st_value, e = s + sym->sym.st_size;

		if (sym->type != STT_FUNC && sym->type != STT_OBJECT)
			continue;
		if (e <= loc && e > *start)
			*start = e;
		if (s > loc && s < *end)
			*end = s;
	}
}

static int include_location(struct cdo *cdo, struct section *sec,
			    uint64_t loc, const char *why)
{
	uint64_t start = 0, end = sec->size, mask_off, mask_len;

	if (sec->ignore) {
		log_error(cdo->orig->base, sec->name,
			  "needed by %s but ignored", why);
		return -1;
	}
	if (loc > sec->size) {
		log_error(cdo->patched->path, sec->name,
			  "reference from %s to offset 0x%lx past its end", why,
			  (unsigned long)loc);
		return -1;
	}
	if (sec_is_string(sec) && sec->data && loc < sec->size) {
		start = sec_string_start(sec, loc);
		end = sec_string_end(sec, loc);
	} else if ((sec->sh.sh_flags & SHF_MERGE) && sec->sh.sh_entsize) {
		start = loc - loc % sec->sh.sh_entsize;
		end = start + sec->sh.sh_entsize;
		end = end > sec->size ? sec->size : end;
	} else if (special_is_piecewise(sec)) {
		special_piece(sec, loc, &start, &end, &mask_off, &mask_len);
	} else if (sec->nr_syms) {
		symbol_gap(sec, loc, &start, &end);
	}
	if ((sec->sh.sh_flags & SHF_WRITE) && !sec_is_text(sec) &&
	    sec->twin && !piece_at(sec, loc)) {
		/* no symbol to reach the kernel's copy by */
		log_warn(cdo->orig->base, why,
			 "uses data without a symbol in %s: the patch gets its own copy",
			 sec->name);
	}
	return add_range(cdo, sec, start, end, why) ? 0 : -1;
}

static bool wanted_function(const struct symbol *sym)
{
	return (sym->status == ST_CHANGED || sym->status == ST_NEW) &&
	       !sym->ignore;
}

static int refuse_init_ref(struct cdo *cdo, const char *from,
			   struct symbol *sym)
{
	if (!sym->sec || !is_init_section(cdo, sym->sec))
		return 0;
	log_unsafe(cdo->orig->base, from,
		   "patched code refers to %s in %s, which is gone after boot",
		   sym->name, sym->sec->name);
	return -1;
}

/*
 * A static local ("x.3") that could not be paired while the running
 * kernel has an unpaired "x.N" in this file: a fresh copy would silently
 * drop the kernel's state.
 */
static bool lost_static(struct cdo *cdo, struct symbol *sym, const char *why)
{
	struct kelf *orig = cdo->orig;
	size_t i;

	if (sym->bind != STB_LOCAL || sym->special_static ||
	    sym->strip == sym->name || !strcmp(sym->strip, sym->name) ||
	    !(sym->sec->sh.sh_flags & SHF_WRITE))
		return false;
	for (i = 1; i < orig->nr_syms; i++) {
		struct symbol *o = &orig->syms[i];

		if (o->twin || o->type != STT_OBJECT || o->bind != STB_LOCAL ||
		    strcmp(o->strip, sym->strip))
			continue;
		log_unsafe(cdo->orig->base, sym->name,
			   "static variable used by %s cannot be matched to the running kernel's (%s is unmatched): a fresh copy would lose its state",
			   why, o->name);
		return true;
	}
	return false;
}

/* Follows one relocation of included code or data. */
static int follow(struct cdo *cdo, struct section *from, struct rela *rela,
		  const char *why)
{
	struct target t;

	resolve_target(from, rela, &t);
	if (!t.sec)
		return 0;	/* undefined: resolved by name */
	if (!t.sym)
		return include_location(cdo, t.sec, t.loc, why);
	if (symbol_is_function(t.sym)) {
		if (wanted_function(t.sym))
			return include_symbol(cdo, t.sym, why);
		return refuse_init_ref(cdo, why, t.sym);
	}
	if (t.sym->type == STT_OBJECT) {
		if ((!t.sym->twin || t.sym->status == ST_NEW) &&
		    lost_static(cdo, t.sym, why))
			return -1;
		if (!t.sym->twin || t.sym->status == ST_NEW)
			return include_symbol(cdo, t.sym, why);
		return refuse_init_ref(cdo, why, t.sym);
	}
	if (!t.sym->twin)
		return include_location(cdo, t.sec, t.loc, why);
	return 0;
}

static const char *piece_name(struct piece *p)
{
	struct symbol *sym = kelf_symbol_at(p->sec, p->start);

	return sym ? sym->name : p->sec->name;
}

/* The relocation of a special entry pointing at its owner (included). */
static bool is_owner_rela(struct section *sec, const struct rela *rela)
{
	const struct special_section *s = special_find(sec);
	uint64_t size;

	if (!s || s->kind != SK_ENTRIES || s->owner != OWNER_CODE)
		return false;
	size = special_entry_size(sec, s);
	return size && rela->offset % size == s->owner_off;
}

static int scan_pieces(struct cdo *cdo)
{
	size_t i, j;

	for (i = 0; i < cdo->pieces->nr; i++) {
		struct piece *p = cdo->pieces->all[i];
		struct section *sec = p->sec;

		if (p->scanned || p->dead)
			continue;
		p->scanned = true;
		for (j = kelf_rela_index(sec, p->start);
		     j < sec->nr_relas && sec->relas[j].offset < p->end; j++)
			if (!is_owner_rela(sec, &sec->relas[j]) &&
			    follow(cdo, sec, &sec->relas[j], piece_name(p)))
				return -1;
	}
	return 0;
}

static int seed(struct cdo *cdo)
{
	struct kelf *kelf = cdo->patched;
	size_t i;

	for (i = 1; i < kelf->nr_syms; i++) {
		struct symbol *sym = &kelf->syms[i];

		if (!sym->sec || sym->sec->ignore)
			continue;
		if (symbol_is_function(sym) && sym->status == ST_CHANGED &&
		    !sym->ignore && include_symbol(cdo, sym, "changed"))
			return -1;
		if (sym->status == ST_NEW && sym->bind != STB_LOCAL &&
		    (symbol_is_function(sym) || sym->type == STT_OBJECT) &&
		    include_symbol(cdo, sym, "new global"))
			return -1;
	}
	for (i = 1; i < kelf->nr_secs; i++) {
		struct section *sec = &kelf->secs[i];

		if (!strncmp(sec->name, ".kpatch.callbacks.", 18) &&
		    !sec_is_rela(sec) &&
		    !add_range(cdo, sec, 0, sec->size, "patch callbacks"))
			return -1;
	}
	return 0;
}

/* ---- special section entries ---- */

static struct symbol *function_named(struct kelf *kelf, struct section *sec,
				     uint64_t loc)
{
	struct symbol *sym;
	const char *name;

	if (!sec || !sec->data || loc >= sec->size)
		return NULL;
	name = (const char *)sec->data + loc;
	if (!memchr(name, '\0', sec->size - loc))
		return NULL;
	sym = kelf_find_symbol(kelf, name);
	return sym && sym->type == STT_FUNC ? sym : NULL;
}

/* Where the owner of an entry is: (sec, loc); false if nowhere here. */
static bool entry_owner(struct section *sec, const struct special_section *s,
			uint64_t off, struct section **osec, uint64_t *oloc)
{
	struct rela *rela = kelf_rela_at(sec, off + s->owner_off);
	struct target t;

	if (!rela)
		return false;
	resolve_target(sec, rela, &t);
	if (s->owner == OWNER_FUNC_NAME && t.sec) {
		/* .printk_index -> struct pi_entry -> func (a __func__) */
		struct rela *func = kelf_rela_at(t.sec, t.loc + 8);
		struct symbol *owner;

		if (!func)
			return false;
		resolve_target(t.sec, func, &t);
		owner = function_named(sec->kelf, t.sec, t.loc);
		if (!owner)
			return false;
		t.sec = owner->sec;
		t.loc = owner->sym.st_value;
	}
	*osec = t.sec;
	*oloc = t.loc;
	return t.sec != NULL;
}

/* Name the running kernel knows a relocation target by, if it must
   resolve it (NULL: the target is in the patch or undefined-exported). */
static const char *loader_resolved(struct cdo *cdo, struct section *sec,
				   struct rela *rela)
{
	struct target t;
	const char *name;

	resolve_target(sec, rela, &t);
	if (t.sec && (!t.sym || t.sym->included || !t.sym->twin))
		return NULL;
	name = t.sym->twin ? t.sym->twin->name : t.sym->name;
	if (t.sym->bind != STB_LOCAL) {
		const struct export *e = parent_export(cdo->parent, name);

		/* vmlinux exports are link-time; other modules' are not */
		if (e && !strcmp(e->module, "vmlinux"))
			return NULL;
	}
	return name;
}

/* false: drop the entry; -1 in *err: refused. */
static bool entry_allowed(struct cdo *cdo, struct section *sec,
			  const struct special_section *s, uint64_t off,
			  struct symbol *owner, int *err)
{
	struct rela *key;
	const char *name;

	if (s->filter == FILTER_NONE)
		return true;
	key = kelf_rela_at(sec, off + s->key_off);
	if (!key)
		return true;
	name = loader_resolved(cdo, sec, key);
	if (!name)
		return true;
	/*
	 * static_call_add_module() reads the key when the patch module
	 * goes COMING: only livepatch's vmlinux relocations are applied by
	 * then, kpatch dynrelas are not.  Without the site the call goes
	 * through the trampoline, which is always right.
	 */
	if (s->filter == FILTER_STATIC_CALL_KEY) {
		log_debug("include: %s: dropping static call site at 0x%lx (key %s is resolved by the loader)",
			  sec->name, (unsigned long)off, name);
		return false;
	}
	/* vmlinux klp relocations are applied at module load (5.8+) */
	if (cdo->parent->is_vmlinux)
		return true;
	log_unsafe(cdo->orig->base, owner ? owner->name : sec->name,
		   "jump label uses key %s of %s, which is not exported: livepatch cannot resolve it before the jump label is set up; use static_key_enabled() instead",
		   name, cdo->parent_name);
	*err = -1;
	return false;
}

static int keep_entries(struct cdo *cdo, struct section *sec,
			const struct special_section *s, bool *changed)
{
	uint64_t size = special_entry_size(sec, s), off;
	struct section *comp = special_companion(sec, s);
	uint64_t csize = 0;
	int err = 0;

	if (!size)
		return -1;
	if (comp && !(csize = special_entry_size(comp, special_find(comp))))
		return -1;
	if (comp && comp->size / csize != sec->size / size) {
		log_error(cdo->patched->path, comp->name,
			  "%lu entries but %s has %lu",
			  (unsigned long)(comp->size / csize), sec->name,
			  (unsigned long)(sec->size / size));
		return -1;
	}
	for (off = 0; off < sec->size; off += size) {
		struct section *osec;
		uint64_t oloc;
		struct piece *owner;

		if (piece_at(sec, off) && piece_at(sec, off)->end > off)
			continue;
		if (!entry_owner(sec, s, off, &osec, &oloc))
			continue;
		owner = piece_at(osec, oloc);
		if (!owner || !entry_allowed(cdo, sec, s, off,
					     kelf_symbol_at(osec, oloc), &err)) {
			if (err)
				return -1;
			continue;
		}
		if (!add_range(cdo, sec, off, off + size, piece_name(owner)))
			return -1;
		if (comp && !add_range(cdo, comp, off / size * csize,
				       (off / size + 1) * csize, sec->name))
			return -1;
		*changed = true;
	}
	return 0;
}

static int include_entries(struct cdo *cdo)
{
	struct kelf *kelf = cdo->patched;
	bool changed = true;
	size_t i;

	while (changed) {
		changed = false;
		for (i = 1; i < kelf->nr_secs; i++) {
			struct section *sec = &kelf->secs[i];
			const struct special_section *s = special_find(sec);

			if (s && s->kind == SK_ENTRIES && !sec->ignore &&
			    keep_entries(cdo, sec, s, &changed))
				return -1;
		}
		if (scan_pieces(cdo))
			return -1;
	}
	return 0;
}

/*
 * A section we do not know that points inside included code (not at a
 * function entry, like a function pointer would) is a special section the
 * patch would silently lose.
 */
static int check_unknown_references(struct cdo *cdo)
{
	struct kelf *kelf = cdo->patched;
	size_t i, j;
	int ret = 0;

	for (i = 1; i < kelf->nr_secs; i++) {
		struct section *sec = &kelf->secs[i];
		const struct special_section *s = special_find(sec);

		if (sec->ignore || sec->priv || s || !sec->nr_relas ||
		    !sec_is_alloc(sec))
			continue;
		for (j = 0; j < sec->nr_relas; j++) {
			struct target t;

			resolve_target(sec, &sec->relas[j], &t);
			if (!t.sec || !sec_is_text(t.sec) ||
			    !piece_at(t.sec, t.loc) ||
			    (t.sym && t.loc == t.sym->sym.st_value))
				continue;
			log_unsafe(cdo->orig->base, sec->name,
				   "unsupported section refers inside patched code (%s+0x%lx)",
				   t.sym ? t.sym->name : t.sec->name,
				   (unsigned long)(t.sym ? t.loc -
						   t.sym->sym.st_value : t.loc));
			ret = -1;
			break;
		}
	}
	return ret;
}

/* Changed sections nothing in the patch uses: say so, the change is lost. */
static void warn_left_out(struct cdo *cdo)
{
	struct kelf *kelf = cdo->patched;
	size_t i, j;

	for (i = 1; i < kelf->nr_secs; i++) {
		struct section *sec = &kelf->secs[i];
		bool symbols = false;

		if (sec->ignore || sec->priv || !sec_is_alloc(sec) ||
		    sec_is_rela(sec) || special_find(sec) ||
		    (sec->sh.sh_flags & SHF_MERGE) ||
		    (sec->status != ST_CHANGED && sec->status != ST_NEW))
			continue;
		for (j = 0; j < sec->nr_syms; j++)
			symbols |= sec->syms[j]->type == STT_FUNC ||
				   sec->syms[j]->type == STT_OBJECT;
		if (!symbols)
			log_warn(cdo->orig->base, sec->name,
				 "%s section is not used by the patch: its contents will not change in the running kernel",
				 sec->status == ST_NEW ? "new" : "changed");
	}
}

int include_all(struct cdo *cdo)
{
	cdo->pieces = calloc(1, sizeof(*cdo->pieces));
	if (!cdo->pieces) {
		log_error(cdo->patched->path, NULL, "out of memory");
		return -1;
	}
	if (seed(cdo) || scan_pieces(cdo) || include_entries(cdo))
		return -1;
	warn_left_out(cdo);
	return check_unknown_references(cdo);
}

void pieces_free(struct cdo *cdo)
{
	size_t i;

	if (!cdo->pieces)
		return;
	for (i = 0; i < cdo->pieces->nr; i++)
		free(cdo->pieces->all[i]);
	free(cdo->pieces->all);
	free(cdo->pieces);
	for (i = 1; cdo->patched && i < cdo->patched->nr_secs; i++) {
		struct sec_pieces *sp = cdo->patched->secs[i].priv;

		if (sp)
			free(sp->v);
		free(sp);
		cdo->patched->secs[i].priv = NULL;
	}
}
