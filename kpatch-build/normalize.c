// SPDX-License-Identifier: GPL-2.0
/*
 * normalize.c: relocations for branches between functions that share a
 * section.
 *
 * Functions placed in a named section (__sched, __init, noinstr, assembly)
 * share it even with -ffunction-sections, and the assembler resolves calls
 * and jumps between them without relocations.  To compare such a function
 * and to take it out of its section, every rel32 branch or RIP-relative
 * operand that leaves the function gets a synthetic relocation against the
 * symbol it reaches, and the displacement bytes are zeroed as a relocation
 * site would be.  A rel8 branch leaving the function, or code that cannot be
 * decoded, makes the function "unsplittable": it is refused if it changes.
 */
#include <stdlib.h>
#include <string.h>

#include "cdo.h"
#include "insn.h"
#include "log.h"

struct pending {
	struct rela *relas;
	size_t nr, alloc;
};

static int add_pending(struct pending *p, struct rela *rela)
{
	if (p->nr == p->alloc) {
		size_t n = p->alloc ? p->alloc * 2 : 16;
		struct rela *r = realloc(p->relas, n * sizeof(*r));

		if (!r)
			return -1;
		p->relas = r;
		p->alloc = n;
	}
	p->relas[p->nr++] = *rela;
	return 0;
}

/* Does sec hold more than one function (a prefix symbol goes with its
   function)? */
static bool is_shared_text(struct section *sec)
{
	size_t i, funcs = 0;

	if (!sec_is_text(sec) || !sec->data)
		return false;
	for (i = 0; i < sec->nr_syms; i++) {
		struct symbol *sym = sec->syms[i];

		if (sym->type == STT_FUNC && sym->group == sym)
			funcs++;
		else if (sym->type == STT_FUNC && sym->group->sec != sec)
			funcs++;
	}
	return funcs > 1;
}

static int branch_target(struct section *sec, struct symbol *func,
			 const struct insn *insn, uint64_t at,
			 struct pending *out)
{
	uint64_t field = insn->rel_branch ? insn->imm_off : insn->disp_off;
	unsigned int size = insn->rel_branch ? insn->imm_size : insn->disp_size;
	const unsigned char *p = sec->data + at + field;
	uint64_t end = func->sym.st_value + func->sym.st_size;
	int64_t disp;
	uint64_t target;
	struct symbol *to;
	struct rela rela;

	if (kelf_rela_at(sec, at + field))
		return 0;	/* already relocated */
	if (size == 1)
		disp = (int8_t)p[0];
	else
		disp = (int32_t)(p[0] | p[1] << 8 | p[2] << 16 |
				 (uint32_t)p[3] << 24);
	target = at + insn->len + (uint64_t)disp;
	if (target >= func->sym.st_value && target < end)
		return 0;
	if (size != 4) {
		func->unsplittable = true;
		return 0;
	}
	to = kelf_symbol_at(sec, target);
	rela.offset = at + field;
	rela.type = insn->is_call || (insn->map == MAP_ONE &&
				      insn->opcode == 0xe9) ?
		    R_X86_64_PLT32 : R_X86_64_PC32;
	if (to && to->type != STT_SECTION) {
		rela.sym = to;
		rela.addend = (int64_t)(target - to->sym.st_value) -
			      (int64_t)(insn->len - field);
	} else if (sec->secsym) {
		rela.sym = sec->secsym;
		rela.addend = (int64_t)target - (int64_t)(insn->len - field);
	} else {
		func->unsplittable = true;
		return 0;
	}
	return add_pending(out, &rela);
}

static int scan_function(struct section *sec, struct symbol *func,
			 struct pending *out)
{
	uint64_t at = func->sym.st_value, end = at + func->sym.st_size;

	while (at < end) {
		struct insn insn;

		if (insn_decode(sec->data + at, end - at, &insn)) {
			log_debug("%s: %s+0x%lx: cannot decode; %s is unsplittable",
				  sec->kelf->base, func->name,
				  (unsigned long)(at - func->sym.st_value),
				  func->name);
			func->unsplittable = true;
			return 0;
		}
		if (((insn.rel_branch && insn.imm_size) || insn.rip_relative) &&
		    branch_target(sec, func, &insn, at, out))
			return -1;
		at += insn.len;
	}
	return 0;
}

static int cmp_rela(const void *a, const void *b)
{
	const struct rela *x = a, *y = b;

	return x->offset < y->offset ? -1 : x->offset > y->offset;
}

static int apply(struct section *sec, struct pending *p)
{
	struct rela *relas;
	size_t i;

	if (!p->nr)
		return 0;
	if (!sec->owned_data) {
		sec->owned_data = malloc(sec->size);
		if (!sec->owned_data)
			return -1;
		memcpy(sec->owned_data, sec->data, sec->size);
		sec->data = sec->owned_data;
	}
	relas = realloc(sec->relas, (sec->nr_relas + p->nr) * sizeof(*relas));
	if (!relas)
		return -1;
	for (i = 0; i < p->nr; i++) {
		memset(sec->owned_data + p->relas[i].offset, 0, 4);
		relas[sec->nr_relas + i] = p->relas[i];
	}
	sec->relas = relas;
	sec->nr_relas += p->nr;
	qsort(sec->relas, sec->nr_relas, sizeof(*relas), cmp_rela);
	log_debug("%s: %s: %zu synthetic relocations for branches between functions",
		  sec->kelf->base, sec->name, p->nr);
	return 0;
}

int normalize_shared_text(struct kelf *kelf)
{
	size_t i, j;

	for (i = 1; i < kelf->nr_secs; i++) {
		struct section *sec = &kelf->secs[i];
		struct pending p = { NULL, 0, 0 };
		int ret = 0;

		if (!is_shared_text(sec))
			continue;
		for (j = 0; j < sec->nr_syms && !ret; j++)
			if (sec->syms[j]->type == STT_FUNC &&
			    sec->syms[j]->sym.st_size)
				ret = scan_function(sec, sec->syms[j], &p);
		if (!ret)
			ret = apply(sec, &p);
		free(p.relas);
		if (ret) {
			log_error(kelf->path, sec->name, "out of memory");
			return -1;
		}
	}
	return 0;
}
