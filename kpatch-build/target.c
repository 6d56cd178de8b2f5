// SPDX-License-Identifier: GPL-2.0
/*
 * target.c: what a relocation points at (see target.h).
 */
#include <stdlib.h>

#include "insn.h"
#include "special.h"
#include "target.h"

static int add_end(struct section *sec, size_t *alloc, uint64_t end)
{
	if (sec->nr_insns == *alloc) {
		size_t n = *alloc ? *alloc * 2 : 256;
		uint32_t *p = realloc(sec->insn_ends, n * sizeof(*p));

		if (!p)
			return -1;
		sec->insn_ends = p;
		*alloc = n;
	}
	sec->insn_ends[sec->nr_insns++] = (uint32_t)end;
	return 0;
}

/*
 * Instruction ends of a code section, decoded once.  After an undecodable
 * byte, decoding restarts at the next symbol.
 */
static void decode_section(struct section *sec)
{
	size_t alloc = 0, next_sym = 0;
	uint64_t at = 0;

	sec->insns_done = true;
	if (!sec->data || sec->size > UINT32_MAX)
		return;
	while (at < sec->size) {
		struct insn insn;

		if (!insn_decode(sec->data + at, sec->size - at, &insn)) {
			at += insn.len;
			if (add_end(sec, &alloc, at))
				return;
			continue;
		}
		while (next_sym < sec->nr_syms &&
		       sec->syms[next_sym]->sym.st_value <= at)
			next_sym++;
		if (next_sym == sec->nr_syms)
			return;
		at = sec->syms[next_sym]->sym.st_value;
	}
}

uint64_t rela_pc_bias(struct section *from, const struct rela *rela)
{
	size_t lo = 0, hi;
	int width = kelf_rela_width(rela->type);

	if (!kelf_rela_is_pcrel(rela->type) || width <= 0)
		return 0;
	if (!sec_is_text(from))
		return 0;
	if (!from->insns_done)
		decode_section(from);
	/* first instruction ending after the relocated field starts */
	hi = from->nr_insns;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (from->insn_ends[mid] <= rela->offset)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < from->nr_insns &&
	    from->insn_ends[lo] >= rela->offset + (uint64_t)width &&
	    from->insn_ends[lo] - rela->offset <= 15)
		return from->insn_ends[lo] - rela->offset;
	return (uint64_t)width;
}

void resolve_target(struct section *from, const struct rela *rela,
		    struct target *t)
{
	struct symbol *sym = rela->sym;
	bool label = sym->type == STT_SECTION ||
		     (sym->type == STT_NOTYPE && sym->bind == STB_LOCAL);
	uint64_t bias;

	t->sym = NULL;
	t->sec = sym->sec;
	t->addend = rela->addend;
	t->loc = 0;
	if (!sym->sec) {
		t->sym = sym;
		return;
	}
	bias = rela_pc_bias(from, rela);
	t->loc = sym->sym.st_value + (uint64_t)rela->addend + bias;
	if (!label) {
		t->sym = sym;
		return;
	}
	/* section symbols and local labels (.LC0): what is at loc */
	t->addend = rela->addend + (int64_t)sym->sym.st_value;
	t->sym = kelf_symbol_at(sym->sec, t->loc);
	if (t->sym && t->sym->type != STT_FUNC && t->sym->type != STT_OBJECT &&
	    t->sym->bind == STB_LOCAL)
		t->sym = NULL;
	/* the end of a function (ORC terminators, end labels) is its own */
	if (!t->sym && t->loc && sec_is_text(sym->sec)) {
		struct symbol *before = kelf_symbol_at(sym->sec, t->loc - 1);

		if (before && before->type == STT_FUNC &&
		    before->sym.st_value + before->sym.st_size == t->loc)
			t->sym = before;
	}
	if (t->sym)
		t->addend -= (int64_t)t->sym->sym.st_value;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Counts (fill == false) or records every reference into a section. */
static void for_each_ref(struct kelf *kelf, bool fill)
{
	size_t i, j;

	for (i = 1; i < kelf->nr_secs; i++) {
		struct section *from = &kelf->secs[i];

		if (from->ignore || !special_defines_pieces(from))
			continue;
		for (j = 0; j < from->nr_relas; j++) {
			struct section *to = from->relas[j].sym->sec;
			struct target t;

			if (!to || !sec_is_alloc(to) || (fill && !to->ref_offs))
				continue;
			resolve_target(from, &from->relas[j], &t);
			if (t.loc > to->size)
				continue;
			if (fill)
				to->ref_offs[to->nr_ref_offs++] = t.loc;
			else
				to->nr_ref_offs++;
		}
	}
}

static void collect_refs(struct kelf *kelf)
{
	size_t i, j;

	for (i = 1; i < kelf->nr_secs; i++)
		kelf->secs[i].refs_done = true;
	for_each_ref(kelf, false);
	for (i = 1; i < kelf->nr_secs; i++) {
		struct section *sec = &kelf->secs[i];

		if (sec->nr_ref_offs)
			sec->ref_offs = malloc(sec->nr_ref_offs *
					       sizeof(uint64_t));
		sec->nr_ref_offs = 0;
	}
	for_each_ref(kelf, true);
	for (i = 1; i < kelf->nr_secs; i++) {
		struct section *sec = &kelf->secs[i];
		size_t n = 0;

		if (!sec->nr_ref_offs)
			continue;
		qsort(sec->ref_offs, sec->nr_ref_offs, sizeof(uint64_t),
		      cmp_u64);
		for (j = 0; j < sec->nr_ref_offs; j++)
			if (!n || sec->ref_offs[n - 1] != sec->ref_offs[j])
				sec->ref_offs[n++] = sec->ref_offs[j];
		sec->nr_ref_offs = n;
	}
}

size_t section_ref_offsets(struct section *sec, const uint64_t **offs)
{
	if (!sec->refs_done)
		collect_refs(sec->kelf);
	*offs = sec->ref_offs;
	return sec->nr_ref_offs;
}

/* Index of the first referenced offset above loc. */
static size_t ref_after(struct section *sec, uint64_t loc,
			const uint64_t **offs, size_t *n)
{
	size_t lo = 0, hi;

	*n = section_ref_offsets(sec, offs);
	hi = *n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if ((*offs)[mid] <= loc)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

uint64_t section_piece_end(struct section *sec, uint64_t loc)
{
	const uint64_t *offs;
	size_t n, i = ref_after(sec, loc, &offs, &n);

	return i < n ? offs[i] : sec->size;
}

uint64_t section_piece_start(struct section *sec, uint64_t loc)
{
	const uint64_t *offs;
	size_t n, i = ref_after(sec, loc, &offs, &n);

	return i ? offs[i - 1] : 0;
}
