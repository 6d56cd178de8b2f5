// SPDX-License-Identifier: GPL-2.0
/*
 * create-kpatch-module: turn a linked patch module into a kpatch-format
 * module for kpatch.ko.
 *
 *	create-kpatch-module INPUT.ko OUTPUT.ko
 *
 * INPUT.ko is what kbuild linked from kpatch-patch-hook.c and the
 * create-diff-object outputs.  The relocations create-diff-object listed
 * in .kpatch.relocations become .kpatch.dynrelas entries
 * (kmod/patch/kpatch-patch.h), which kpatch.ko resolves and writes when
 * the object defining each symbol is present.  Their dest and name fields
 * are filled by ordinary R_X86_64_64 relocations that the module loader
 * applies, so the hook sees addresses and strings.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gen-common.h"
#include "log.h"
#include "../kmod/patch/kpatch-patch.h"

/* KPATCH_FORCE_UNSAFE must name a function the patch replaces. */
static int check_forces(struct gen *gen)
{
	const struct meta *m = &gen->meta;
	size_t i, j;

	for (i = 0; i < m->nr_forces; i++) {
		const struct meta_force *f = &m->forces[i];
		bool found = false;

		for (j = 0; j < m->nr_funcs && !found; j++)
			found = m->funcs[j].new_func.sec == f->fn.sec &&
				m->funcs[j].new_func.offset == f->fn.offset;
		if (found)
			continue;
		log_error(gen->in_path, ".kpatch.force",
			  "KPATCH_FORCE_UNSAFE(%s): not a function this patch replaces",
			  f->fn_name);
		return -1;
	}
	return 0;
}

static struct out_rela field_rela(uint64_t entry, size_t field,
				  struct out_sym *sym, int64_t addend)
{
	return (struct out_rela){
		.offset = entry + field,
		.type = R_X86_64_64,
		.addend = addend,
		.sym = sym,
	};
}

static int fill_dynrela(struct gen *gen, const struct meta_reloc *r,
			size_t i, struct kpatch_meta_dynrela *d,
			struct out_rela *relas)
{
	uint64_t off = i * sizeof(*d);
	struct out_sym *dest = gen_section_symbol(gen, r->dest_sec);
	struct out_sym *name = genelf_sym(gen->g, r->name_ref.sym);
	struct out_sym *obj = genelf_sym(gen->g, r->sym_objname_ref.sym);

	if (!dest || !name || !obj) {
		log_error(gen->in_path, r->sym_name, "out of memory");
		return -1;
	}
	d->type = r->type;
	d->sympos = r->sympos;
	d->addend = r->addend;
	d->external = r->external;
	relas[0] = field_rela(off, offsetof(struct kpatch_meta_dynrela, dest),
			      dest, (int64_t)r->dest_offset);
	relas[1] = field_rela(off, offsetof(struct kpatch_meta_dynrela, name),
			      name, r->name_ref.addend);
	relas[2] = field_rela(off, offsetof(struct kpatch_meta_dynrela,
					    objname),
			      obj, r->sym_objname_ref.addend);
	return 0;
}

static int write_dynrelas(struct gen *gen)
{
	size_t n = gen->meta.nr_relocs, i;
	struct kpatch_meta_dynrela *table;
	struct out_rela *relas;
	struct out_sec *sec;

	if (!n)
		return 0;
	table = calloc(n, sizeof(*table));
	relas = calloc(3 * n, sizeof(*relas));
	if (!table || !relas) {
		log_error(gen->in_path, NULL, "out of memory");
		goto fail;
	}
	for (i = 0; i < n; i++)
		if (fill_dynrela(gen, &gen->meta.relocs[i], i, &table[i],
				 &relas[3 * i]))
			goto fail;
	sec = genelf_add_section(gen->g, ".kpatch.dynrelas", SHT_PROGBITS,
				 SHF_ALLOC, table, n * sizeof(*table), 8,
				 sizeof(*table));
	free(table);
	if (!sec) {
		free(relas);
		return -1;
	}
	return genelf_add_rela_section(gen->g, ".rela.kpatch.dynrelas", 0,
				       sec, relas, 3 * n) ? 0 : -1;
fail:
	free(table);
	free(relas);
	return -1;
}

int main(int argc, char **argv)
{
	struct gen gen;
	int ret = 1;

	if (gen_open(&gen, GEN_KPATCH, argc, argv) || check_forces(&gen) ||
	    write_dynrelas(&gen) || gen_finish(&gen))
		goto out;
	ret = 0;
out:
	/* Never leave an output behind that a failed run did not write. */
	if (ret && gen.out_path && strcmp(gen.out_path, gen.in_path))
		unlink(gen.out_path);
	gen_close(&gen);
	return ret;
}
