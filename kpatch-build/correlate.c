// SPDX-License-Identifier: GPL-2.0
/*
 * correlate.c: pair the sections and symbols of ORIG and PATCHED.
 *
 * 1. Symbols whose names carry no compiler number pair by exact name.
 * 2. Sections pair through the symbol they hold, or by name.
 * 3. Numbered symbols (static locals "x.N", clones "foo.isra.N") pair by
 *    use: walking the relocations of each pair of sections in step, the
 *    k-th distinct "x.*" referenced in ORIG goes with the k-th in PATCHED.
 *    A symbol proposed two different partners stays unpaired.
 * 4. What is left pairs by exact name, then by number-less name when that
 *    name is unique on both sides.
 * Steps 2-4 repeat once so clones referenced only by clones pair too.
 * Special statics (setup.c) pair by use only, fresh ones never.
 */
#include <stdlib.h>
#include <string.h>

#include "cdo.h"
#include "log.h"
#include "target.h"

static bool pairable(const struct symbol *sym)
{
	return sym->index && sym->type != STT_SECTION &&
	       sym->type != STT_FILE && *sym->name && !sym->fresh;
}

static bool numbered(const struct symbol *sym)
{
	return sym->strip != sym->name && strcmp(sym->strip, sym->name);
}

static bool compatible(const struct symbol *a, const struct symbol *b)
{
	if (a->type != b->type && a->sec && b->sec)
		return false;
	return !a->twin && !b->twin && pairable(a) && pairable(b);
}

static void pair_symbols(struct symbol *o, struct symbol *p, const char *how)
{
	o->twin = p;
	p->twin = o;
	if (strcmp(o->name, p->name))
		log_debug("correlate: %s <-> %s (%s)", o->name, p->name, how);
}

/* Count symbols per name so duplicated names are paired in order only. */
static struct symbol *unique_by_name(struct kelf *kelf, const char *name)
{
	struct symbol *first = kelf_find_symbol(kelf, name);

	return first && !first->dup_name ? first : NULL;
}

static void pair_duplicates(struct kelf *orig, struct kelf *patched,
			    struct symbol *p)
{
	size_t i = 1, j = 1;

	/* k-th "name" of PATCHED with the k-th of ORIG */
	for (;;) {
		while (i < orig->nr_syms && (orig->syms[i].twin ||
		       orig->syms[i].type == STT_SECTION ||
		       strcmp(orig->syms[i].name, p->name)))
			i++;
		while (j < patched->nr_syms && (patched->syms[j].twin ||
		       patched->syms[j].type == STT_SECTION ||
		       strcmp(patched->syms[j].name, p->name)))
			j++;
		if (i >= orig->nr_syms || j >= patched->nr_syms)
			return;
		if (!compatible(&orig->syms[i], &patched->syms[j]))
			return;
		pair_symbols(&orig->syms[i], &patched->syms[j], "same name");
	}
}

static void pair_exact(struct kelf *orig, struct kelf *patched,
		       bool with_numbers)
{
	size_t i;

	for (i = 1; i < patched->nr_syms; i++) {
		struct symbol *p = &patched->syms[i], *o;

		if (p->twin || !pairable(p) || numbered(p) != with_numbers)
			continue;
		/* renumbered macro statics pair by use only */
		if (with_numbers && p->special_static)
			continue;
		o = unique_by_name(orig, p->name);
		if (o && unique_by_name(patched, p->name) == p) {
			if (compatible(o, p))
				pair_symbols(o, p, "same name");
		} else if (kelf_find_symbol(orig, p->name)) {
			pair_duplicates(orig, patched, p);
		}
	}
}

/* The symbol a section exists for: its only function or object. */
static struct symbol *section_owner(struct section *sec)
{
	struct symbol *owner = NULL;
	size_t i;

	for (i = 0; i < sec->nr_syms; i++) {
		struct symbol *sym = sec->syms[i];

		if (sym->type != STT_FUNC && sym->type != STT_OBJECT)
			continue;
		if (sym->type == STT_FUNC && sym->group != sym &&
		    sym->group->sec == sec)
			continue;	/* __pfx_foo goes with foo */
		if (owner)
			return NULL;
		owner = sym;
	}
	return owner;
}

static void pair_sections(struct section *o, struct section *p)
{
	o->twin = p;
	p->twin = o;
	if (o->secsym && p->secsym) {
		o->secsym->twin = p->secsym;
		p->secsym->twin = o->secsym;
	}
	if (o->relasec && p->relasec) {
		o->relasec->twin = p->relasec;
		p->relasec->twin = o->relasec;
	}
}

static struct section *section_by_stripped_name(struct kelf *kelf,
						const char *strip)
{
	struct section *found = NULL;
	size_t i;

	for (i = 1; i < kelf->nr_secs; i++) {
		struct section *sec = &kelf->secs[i];
		const char *s;
		bool same;

		if (sec->twin || sec_is_rela(sec))
			continue;
		s = strip_name(sec->name);
		same = !strcmp(s, strip);
		if (s != sec->name)
			free((char *)s);
		if (!same)
			continue;
		if (found)
			return NULL;
		found = sec;
	}
	return found;
}

static void correlate_sections(struct kelf *orig, struct kelf *patched)
{
	size_t i;

	for (i = 1; i < patched->nr_secs; i++) {
		struct section *p = &patched->secs[i], *o = NULL;
		struct symbol *owner;

		if (p->twin || sec_is_rela(p) || p->sh.sh_type == SHT_NULL)
			continue;
		owner = section_owner(p);
		if (owner && owner->twin && owner->twin->sec &&
		    section_owner(owner->twin->sec) == owner->twin) {
			o = owner->twin->sec;
		} else if (owner && (owner->fresh || !owner->twin)) {
			continue;	/* a new or unpaired symbol's section */
		} else {
			o = kelf_find_section(orig, p->name);
			if (o && (o->twin || kelf_find_section(patched,
							       p->name) != p))
				o = NULL;	/* duplicates: see below */
		}
		if (!o && !owner) {
			const char *s = strip_name(p->name);

			if (s != p->name) {
				o = section_by_stripped_name(orig, s);
				free((char *)s);
			}
		}
		if (o && !o->twin && o->sh.sh_type == p->sh.sh_type)
			pair_sections(o, p);
	}
	/* Sections sharing a name (rare) pair in order. */
	for (i = 1; i < patched->nr_secs; i++) {
		struct section *p = &patched->secs[i];
		size_t j;

		if (p->twin || sec_is_rela(p) || section_owner(p))
			continue;
		for (j = 1; j < orig->nr_secs; j++) {
			struct section *o = &orig->secs[j];

			if (!o->twin && !sec_is_rela(o) && !section_owner(o) &&
			    o->sh.sh_type == p->sh.sh_type &&
			    !strcmp(o->name, p->name)) {
				pair_sections(o, p);
				break;
			}
		}
	}
}

/* ---- pairing numbered symbols by use ---- */

struct vote_list {
	struct symbol **syms;
	size_t nr, alloc;
};

static void vote_add(struct vote_list *l, struct symbol *sym)
{
	size_t i;

	for (i = 0; i < l->nr; i++)
		if (l->syms[i] == sym)
			return;
	if (l->nr == l->alloc) {
		size_t n = l->alloc ? l->alloc * 2 : 16;
		struct symbol **s = realloc(l->syms, n * sizeof(*s));

		if (!s)
			return;
		l->syms = s;
		l->alloc = n;
	}
	l->syms[l->nr++] = sym;
}

static void numbered_refs(struct section *sec, struct vote_list *l)
{
	size_t i;

	l->nr = 0;
	for (i = 0; i < sec->nr_relas; i++) {
		struct target t;

		resolve_target(sec, &sec->relas[i], &t);
		if (t.sym && pairable(t.sym) && numbered(t.sym) &&
		    t.sym->bind == STB_LOCAL)
			vote_add(l, t.sym);
	}
}

/* proposals: partner[i] for PATCHED symbol i; conflicts become NULL */
static void propose(struct symbol **partner, bool *conflict,
		    struct symbol *o, struct symbol *p)
{
	if (conflict[p->index])
		return;
	if (partner[p->index] && partner[p->index] != o) {
		conflict[p->index] = true;
		partner[p->index] = NULL;
		return;
	}
	partner[p->index] = o;
}

static void vote_section(struct section *osec, struct section *psec,
			 struct vote_list *lo, struct vote_list *lp,
			 struct symbol **partner, bool *conflict)
{
	size_t i, j;

	numbered_refs(osec, lo);
	numbered_refs(psec, lp);
	for (i = 0; i < lp->nr; i++) {
		struct symbol *p = lp->syms[i];
		size_t kp = 0, ko = 0;

		if (p->twin)
			continue;
		/* rank of p among PATCHED refs with its stripped name */
		for (j = 0; j < i; j++)
			if (!strcmp(lp->syms[j]->key, p->key))
				kp++;
		for (j = 0; j < lo->nr; j++) {
			if (strcmp(lo->syms[j]->key, p->key))
				continue;
			if (ko++ == kp) {
				if (compatible(lo->syms[j], p))
					propose(partner, conflict,
						lo->syms[j], p);
				break;
			}
		}
	}
}

static int pair_by_use(struct kelf *orig, struct kelf *patched)
{
	struct symbol **partner = calloc(patched->nr_syms, sizeof(*partner));
	bool *conflict = calloc(patched->nr_syms, sizeof(*conflict));
	bool *taken = calloc(orig->nr_syms, sizeof(*taken));
	struct vote_list lo = { NULL, 0, 0 }, lp = { NULL, 0, 0 };
	size_t i;

	if (!partner || !conflict || !taken) {
		free(partner);
		free(conflict);
		free(taken);
		log_error(patched->path, NULL, "out of memory");
		return -1;
	}
	for (i = 1; i < patched->nr_secs; i++) {
		struct section *psec = &patched->secs[i];

		if (psec->twin && psec->nr_relas && !psec->ignore &&
		    !sec_is_debug(psec))
			vote_section(psec->twin, psec, &lo, &lp, partner,
				     conflict);
	}
	/* An ORIG symbol proposed for two PATCHED symbols is not paired. */
	for (i = 1; i < patched->nr_syms; i++) {
		size_t j;

		if (!partner[i])
			continue;
		for (j = i + 1; j < patched->nr_syms; j++)
			if (partner[j] == partner[i])
				taken[partner[i]->index] = true;
	}
	for (i = 1; i < patched->nr_syms; i++)
		if (partner[i] && !taken[partner[i]->index] &&
		    compatible(partner[i], &patched->syms[i]))
			pair_symbols(partner[i], &patched->syms[i], "by use");
	free(lo.syms);
	free(lp.syms);
	free(partner);
	free(conflict);
	free(taken);
	return 0;
}

/* Last resort: the stripped name is unique on both sides. */
static void pair_unique_stripped(struct kelf *orig, struct kelf *patched)
{
	size_t i, j;

	for (i = 1; i < patched->nr_syms; i++) {
		struct symbol *p = &patched->syms[i], *o = NULL;
		bool unique = true;

		if (p->twin || !pairable(p) || !numbered(p) || p->special_static)
			continue;
		for (j = 1; j < patched->nr_syms && unique; j++)
			if (j != i && pairable(&patched->syms[j]) &&
			    !patched->syms[j].twin &&
			    !strcmp(patched->syms[j].key, p->key))
				unique = false;
		for (j = 1; j < orig->nr_syms && unique; j++) {
			struct symbol *c = &orig->syms[j];

			if (c->twin || !pairable(c) || strcmp(c->key, p->key))
				continue;
			if (o)
				unique = false;
			o = c;
		}
		if (unique && o && compatible(o, p))
			pair_symbols(o, p, "unique stripped name");
	}
}

static void log_unpaired(struct kelf *kelf, const char *what)
{
	size_t i;

	if (!log_debug_enabled)
		return;
	for (i = 1; i < kelf->nr_syms; i++) {
		struct symbol *sym = &kelf->syms[i];

		if (!sym->twin && pairable(sym) && sym->sec &&
		    (sym->type == STT_FUNC || sym->type == STT_OBJECT))
			log_debug("correlate: %s %s has no twin", what,
				  sym->name);
	}
}

int correlate(struct kelf *orig, struct kelf *patched)
{
	int round;

	pair_exact(orig, patched, false);
	for (round = 0; round < 2; round++) {
		correlate_sections(orig, patched);
		if (pair_by_use(orig, patched))
			return -1;
		pair_exact(orig, patched, true);
		pair_unique_stripped(orig, patched);
	}
	correlate_sections(orig, patched);
	log_unpaired(orig, "ORIG");
	log_unpaired(patched, "PATCHED");
	return 0;
}
