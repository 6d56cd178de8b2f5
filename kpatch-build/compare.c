// SPDX-License-Identifier: GPL-2.0
/*
 * compare.c: SAME, CHANGED or NEW for every function, object and section
 * of PATCHED.
 *
 * Two extents are the same when their bytes are equal outside relocation
 * sites and their relocations are equivalent: same offset and type, and
 * targets that are the same thing, whatever the layout:
 *   - twin symbols (or two special statics of the same kind and contents)
 *     at the same offset;
 *   - the same string in a mergeable string section, the same constant in
 *     a constant pool, the same piece of .altinstr_replacement-like code;
 *   - undefined symbols of the same name.
 * Code whose only difference is the line number passed to might_sleep()
 * and friends (lines.c) is the same too.
 */
#include <stdio.h>
#include <string.h>

#include "cdo.h"
#include "log.h"
#include "special.h"
#include "target.h"

#define COMPARE_DEPTH 3

/* Why the last top-level comparison failed, for --debug. */
static char why[256];

#define WHY(depth, ...) do {						\
		if ((depth) == COMPARE_DEPTH && log_debug_enabled)	\
			snprintf(why, sizeof(why), __VA_ARGS__);	\
	} while (0)

static bool ranges_equal(struct section *osec, uint64_t ostart, uint64_t oend,
			 struct section *psec, uint64_t pstart, uint64_t pend,
			 int depth, uint64_t mask_off, uint64_t mask_len);

bool symbol_is_function(const struct symbol *sym)
{
	return sym->type == STT_FUNC ||
	       (sym->type == STT_NOTYPE && sym->bind != STB_LOCAL && sym->sec &&
		sec_is_text(sym->sec));
}

/* Does sym stand for its whole section (-ffunction/-fdata-sections)? */
static bool owns_section(const struct symbol *sym)
{
	struct section *sec = sym->sec;
	size_t i;

	for (i = 0; i < sec->nr_syms; i++) {
		const struct symbol *other = sec->syms[i];

		if (other == sym || (other->type != STT_FUNC &&
				     other->type != STT_OBJECT))
			continue;
		if (other->group == sym || sym->group == other)
			continue;	/* __pfx_foo with foo */
		if (other->sym.st_value == sym->sym.st_value &&
		    other->sym.st_size == sym->sym.st_size)
			continue;	/* alias */
		return false;
	}
	return true;
}

void symbol_extent(const struct symbol *sym, uint64_t *start, uint64_t *end)
{
	if (owns_section(sym)) {
		*start = 0;
		*end = sym->sec->size;
	} else {
		*start = sym->sym.st_value;
		*end = sym->sym.st_value + sym->sym.st_size;
	}
}

/* Skips "<file>.c:" followed by digits: __FILE__ ":" __stringify(__LINE__) */
static size_t skip_line(const char *s, size_t i, size_t len)
{
	if (i < 3 || s[i - 1] != ':' || (s[i - 2] != 'c' && s[i - 2] != 'h') ||
	    s[i - 3] != '.')
		return i;
	while (i < len && s[i] >= '0' && s[i] <= '9')
		i++;
	return i;
}

static bool strings_equal_but_lines(const char *a, size_t alen,
				    const char *b, size_t blen)
{
	size_t i = 0, j = 0;

	while (i < alen && j < blen) {
		size_t ni = skip_line(a, i, alen), nj = skip_line(b, j, blen);

		if (ni != i || nj != j) {
			i = ni;
			j = nj;
			continue;
		}
		if (a[i++] != b[j++])
			return false;
	}
	return i == alen && j == blen;
}

static bool strings_equal(struct section *o, uint64_t oloc,
			  struct section *p, uint64_t ploc)
{
	const char *a, *b;
	size_t alen, blen;

	if (!o->data || !p->data || oloc >= o->size || ploc >= p->size)
		return oloc == ploc && o->size == p->size;
	a = (const char *)o->data + oloc;
	b = (const char *)p->data + ploc;
	alen = sec_string_end(o, oloc) - oloc;
	blen = sec_string_end(p, ploc) - ploc;
	if (alen == blen && !memcmp(a, b, alen))
		return true;
	return strings_equal_but_lines(a, alen, b, blen);
}

static bool constants_equal(struct section *o, uint64_t oloc,
			    struct section *p, uint64_t ploc)
{
	uint64_t size = o->sh.sh_entsize;

	if (size != p->sh.sh_entsize || !size || oloc % size != ploc % size ||
	    !o->data || !p->data)
		return false;
	oloc -= oloc % size;
	ploc -= ploc % size;
	if (oloc + size > o->size || ploc + size > p->size)
		return false;
	return !memcmp(o->data + oloc, p->data + ploc, size);
}

static bool anonymous_equal(struct target *o, struct target *p, int depth)
{
	uint64_t ostart, oend, pstart, pend, mask_off, mask_len;

	/* merged by the linker: which section holds them does not matter */
	if (sec_is_string(o->sec) && sec_is_string(p->sec))
		return strings_equal(o->sec, o->loc, p->sec, p->loc);
	if ((o->sec->sh.sh_flags & SHF_MERGE) &&
	    (p->sec->sh.sh_flags & SHF_MERGE))
		return constants_equal(o->sec, o->loc, p->sec, p->loc);
	if (p->sec->twin != o->sec)
		return false;
	if (!special_is_piecewise(p->sec))
		return o->loc == p->loc && o->addend == p->addend;
	/* a piece of shared code or data: same contents, same place in it */
	if (depth <= 0)
		return true;
	special_piece(o->sec, o->loc, &ostart, &oend, &mask_off, &mask_len);
	special_piece(p->sec, p->loc, &pstart, &pend, &mask_off, &mask_len);
	if (o->loc - ostart != p->loc - pstart)
		return false;
	return ranges_equal(o->sec, ostart, oend, p->sec, pstart, pend,
			    depth - 1, mask_off, mask_len);
}

static bool special_statics_equal(struct symbol *o, struct symbol *p,
				  int depth)
{
	uint64_t os, oe, ps, pe, mask_off = 0, mask_len = 0;

	if (!o->special_static || o->special_static != p->special_static)
		return false;
	if (depth <= 0)
		return true;
	symbol_extent(o, &os, &oe);
	symbol_extent(p, &ps, &pe);
	if (special_is_piecewise(p->sec))
		special_piece(p->sec, ps, &ps, &pe, &mask_off, &mask_len);
	return ranges_equal(o->sec, os, oe, p->sec, ps, pe, depth - 1,
			    mask_off, mask_len);
}

bool targets_equal(struct section *osec, const struct rela *orela,
		   struct section *psec, const struct rela *prela, int depth)
{
	struct target o, p;

	resolve_target(osec, orela, &o);
	resolve_target(psec, prela, &p);
	if (!o.sec || !p.sec) {
		if (o.sec || p.sec || !o.sym || !p.sym)
			return false;
		if (o.sym->sym.st_shndx == SHN_ABS &&
		    o.sym->sym.st_value != p.sym->sym.st_value)
			return false;
		return !strcmp(o.sym->name, p.sym->name) &&
		       o.addend == p.addend;
	}
	if (o.sym && p.sym) {
		if (o.addend != p.addend)
			return false;
		if (p.sym->twin == o.sym)
			return true;
		return special_statics_equal(o.sym, p.sym, depth);
	}
	if (o.sym || p.sym)
		return false;
	return anonymous_equal(&o, &p, depth);
}

static bool relas_equal(struct section *osec, uint64_t ostart, uint64_t oend,
			struct section *psec, uint64_t pstart, uint64_t pend,
			int depth)
{
	size_t i = kelf_rela_index(osec, ostart);
	size_t j = kelf_rela_index(psec, pstart);

	for (;;) {
		bool oin = i < osec->nr_relas && osec->relas[i].offset < oend;
		bool pin = j < psec->nr_relas && psec->relas[j].offset < pend;
		const struct rela *orela, *prela;

		if (!oin || !pin) {
			if (oin != pin)
				WHY(depth, "relocation count differs");
			return oin == pin;
		}
		orela = &osec->relas[i];
		prela = &psec->relas[j];
		if (orela->offset - ostart != prela->offset - pstart ||
		    orela->type != prela->type) {
			WHY(depth, "relocation at +0x%lx differs in place or type",
			    (unsigned long)(prela->offset - pstart));
			return false;
		}
		if (!targets_equal(osec, orela, psec, prela, depth)) {
			WHY(depth, "relocation at +0x%lx: %s%+ld vs %s%+ld",
			    (unsigned long)(prela->offset - pstart),
			    orela->sym->name, (long)orela->addend,
			    prela->sym->name, (long)prela->addend);
			return false;
		}
		i++;
		j++;
	}
}

static bool bytes_equal(const unsigned char *a, const unsigned char *b,
			uint64_t len, uint64_t mask_off, uint64_t mask_len)
{
	if (!len)
		return true;
	if (!mask_len || mask_off >= len)
		return !memcmp(a, b, len);
	if (mask_off + mask_len > len)
		mask_len = len - mask_off;
	return !memcmp(a, b, mask_off) &&
	       !memcmp(a + mask_off + mask_len, b + mask_off + mask_len,
		       len - mask_off - mask_len);
}

static bool ranges_equal(struct section *osec, uint64_t ostart, uint64_t oend,
			 struct section *psec, uint64_t pstart, uint64_t pend,
			 int depth, uint64_t mask_off, uint64_t mask_len)
{
	bool onobits = osec->sh.sh_type == SHT_NOBITS;
	bool pnobits = psec->sh.sh_type == SHT_NOBITS;

	if (oend - ostart != pend - pstart || onobits != pnobits) {
		WHY(depth, "size 0x%lx vs 0x%lx", (unsigned long)(oend - ostart),
		    (unsigned long)(pend - pstart));
		return false;
	}
	if ((osec->sh.sh_flags ^ psec->sh.sh_flags) &
	    (SHF_WRITE | SHF_EXECINSTR | SHF_ALLOC)) {
		WHY(depth, "section flags differ");
		return false;
	}
	if (!onobits && oend > ostart && (!osec->data || !psec->data))
		return false;
	if (!onobits && oend > ostart &&
	    !bytes_equal(osec->data + ostart, psec->data + pstart,
				     oend - ostart, mask_off, mask_len) &&
	    !(sec_is_text(psec) &&
	      lines_only_change(osec, ostart, psec, pstart, oend - ostart))) {
		WHY(depth, "contents differ");
		return false;
	}
	return relas_equal(osec, ostart, oend, psec, pstart, pend, depth);
}

static enum status compare_symbol(struct symbol *p)
{
	struct symbol *o = p->twin;
	uint64_t os, oe, ps, pe;

	why[0] = '\0';
	if (p->fresh || !o)
		return ST_NEW;
	if (!o->sec)
		return ST_CHANGED;	/* was external, now defined here */
	symbol_extent(o, &os, &oe);
	symbol_extent(p, &ps, &pe);
	if (!ranges_equal(o->sec, os, oe, p->sec, ps, pe, COMPARE_DEPTH, 0, 0))
		return ST_CHANGED;
	if (symbol_is_function(p) && !special_owned_equal(o, p)) {
		WHY(COMPARE_DEPTH, "its special section entries differ");
		return ST_CHANGED;
	}
	return ST_SAME;
}

static enum status compare_section(struct section *p)
{
	struct section *o = p->twin;

	if (!o)
		return ST_NEW;
	if (o->sh.sh_type != p->sh.sh_type)
		return ST_CHANGED;
	return ranges_equal(o, 0, o->size, p, 0, p->size, COMPARE_DEPTH, 0, 0) ?
	       ST_SAME : ST_CHANGED;
}

/* A group changes as one: foo.cold changed means foo is patched too. */
static void propagate_groups(struct kelf *patched)
{
	size_t i;

	for (i = 1; i < patched->nr_syms; i++) {
		struct symbol *sym = &patched->syms[i];

		if (sym->group != sym && sym->status != ST_SAME &&
		    sym->group->status == ST_SAME) {
			log_debug("compare: %s changes with %s", sym->group->name,
				  sym->name);
			sym->group->status = ST_CHANGED;
		}
	}
	for (i = 1; i < patched->nr_syms; i++) {
		struct symbol *sym = &patched->syms[i];

		if (sym->group != sym && sym->status == ST_SAME &&
		    sym->group->status != ST_SAME) {
			log_debug("compare: %s changes with %s", sym->name,
				  sym->group->name);
			sym->status = ST_CHANGED;
		}
	}
}

/* A macro static whose contents changed gets a fresh copy instead. */
static void unpair_special(struct symbol *sym)
{
	log_debug("compare: %s differs from %s: fresh copy", sym->name,
		  sym->twin->name);
	sym->twin->twin = NULL;
	sym->twin = NULL;
	sym->status = ST_NEW;
}

static void compare_one(struct symbol *sym)
{
	if (!sym->sec || sym->sec->ignore ||
	    (sym->type != STT_FUNC && sym->type != STT_OBJECT &&
	     !symbol_is_function(sym)))
		return;
	sym->status = compare_symbol(sym);
	if (sym->status == ST_CHANGED && sym->special_static)
		unpair_special(sym);
	if (sym->twin)
		sym->twin->status = sym->status;
	if (sym->status == ST_NEW && !sym->special_static)
		log_debug("compare: %s %s is new", sym->sec->name, sym->name);
	else if (sym->status == ST_CHANGED)
		log_debug("compare: %s %s is changed: %s", sym->sec->name,
			  sym->name, why);
}

int compare(struct kelf *orig, struct kelf *patched)
{
	size_t i;

	(void)orig;
	for (i = 1; i < patched->nr_secs; i++) {
		struct section *sec = &patched->secs[i];

		if (sec->ignore || sec_is_rela(sec) ||
		    sec->sh.sh_type == SHT_NULL ||
		    sec->sh.sh_type == SHT_SYMTAB ||
		    sec->sh.sh_type == SHT_STRTAB)
			continue;
		sec->status = compare_section(sec);
		if (sec->twin)
			sec->twin->status = sec->status;
	}
	/* data first: functions compare their references to it */
	for (i = 1; i < patched->nr_syms; i++)
		if (patched->syms[i].type == STT_OBJECT)
			compare_one(&patched->syms[i]);
	for (i = 1; i < patched->nr_syms; i++)
		if (patched->syms[i].type != STT_OBJECT)
			compare_one(&patched->syms[i]);
	propagate_groups(patched);
	return 0;
}
