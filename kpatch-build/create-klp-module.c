// SPDX-License-Identifier: GPL-2.0
/*
 * create-klp-module: turn a linked patch module into a livepatch module.
 *
 *	create-klp-module INPUT.ko OUTPUT.ko
 *
 * INPUT.ko is what kbuild linked from livepatch-patch-hook.c and the
 * create-diff-object outputs.  The relocations create-diff-object listed
 * in .kpatch.relocations (references to symbols the module loader cannot
 * resolve: non-exported and local symbols of vmlinux and modules) become
 * livepatch relocation sections, as Documentation/livepatch/
 * module-elf-format.rst describes:
 *
 *   .klp.rela.OBJ..SECTION   SHT_RELA, SHF_ALLOC | SHF_INFO_LINK |
 *                            SHF_RELA_LIVEPATCH, sh_info = SECTION
 *   .klp.sym.OBJ.NAME,POS    STB_GLOBAL, st_shndx = SHN_LIVEPATCH
 *
 * OBJ is the object that defines the symbol.  The kernel writes the
 * vmlinux ones when the patch module loads and the ones of a module when
 * that module is (or becomes) loaded, and since 5.8 refuses a module's
 * section that names a vmlinux symbol; so grouping by the symbol's object
 * is what both rules need.  The sections are added after the kbuild link,
 * so neither ld nor modpost see the symbols.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gen-common.h"
#include "log.h"

#ifndef SHF_RELA_LIVEPATCH
#define SHF_RELA_LIVEPATCH	0x00100000
#endif
#ifndef SHN_LIVEPATCH
#define SHN_LIVEPATCH		0xff20
#endif

/* The relocations of one .klp.rela section. */
struct klp_group {
	const char *objname;
	struct section *dest;
	struct out_rela *relas;
	size_t nr;
};

struct klp_state {
	struct klp_group *groups;
	size_t nr_groups;
	struct name_table *klp_syms;	/* ".klp.sym..." -> out_sym */
};

/* livepatch has no per-function bypass of its consistency model. */
static int check_force(struct gen *gen)
{
	size_t i;

	for (i = 0; i < gen->meta.nr_forces; i++)
		log_error(gen->in_path, ".kpatch.force",
			  "KPATCH_FORCE_UNSAFE(%s) is not supported by the livepatch format: build a kpatch-format module, or remove it",
			  gen->meta.forces[i].fn_name);
	return gen->meta.nr_forces ? -1 : 0;
}

static bool patches_object(const struct meta *m, const char *objname)
{
	size_t i;

	for (i = 0; i < m->nr_funcs; i++)
		if (!strcmp(m->funcs[i].objname, objname))
			return true;
	for (i = 0; i < m->nr_callbacks; i++)
		if (!strcmp(m->callbacks[i].objname, objname))
			return true;
	return false;
}

/*
 * livepatch writes a module's relocations only for the objects of the
 * patch; one whose module the patch does not touch would stay unwritten.
 */
static int check_objects(struct gen *gen)
{
	const struct meta *m = &gen->meta;
	size_t i;

	for (i = 0; i < m->nr_relocs; i++) {
		const struct meta_reloc *r = &m->relocs[i];

		if (meta_is_vmlinux(r->sym_objname) ||
		    patches_object(m, r->sym_objname))
			continue;
		log_error(gen->in_path, r->sym_name,
			  "code patched in %s refers to this symbol of module %s, which the patch does not change: livepatch would never resolve it",
			  r->objname, r->sym_objname);
		return -1;
	}
	return 0;
}

static struct klp_group *find_group(struct klp_state *st,
				    const struct meta_reloc *r)
{
	struct klp_group *grown;
	size_t i;

	for (i = 0; i < st->nr_groups; i++)
		if (st->groups[i].dest == r->dest_sec &&
		    !strcmp(st->groups[i].objname, r->sym_objname))
			return &st->groups[i];
	grown = realloc(st->groups, (st->nr_groups + 1) * sizeof(*grown));
	if (!grown)
		return NULL;
	st->groups = grown;
	memset(&grown[st->nr_groups], 0, sizeof(*grown));
	grown[st->nr_groups].objname = r->sym_objname;
	grown[st->nr_groups].dest = r->dest_sec;
	return &grown[st->nr_groups++];
}

static struct out_sym *klp_symbol(struct gen *gen, struct klp_state *st,
				  const struct meta_reloc *r)
{
	struct out_sym *sym;
	char *name;

	if (asprintf(&name, ".klp.sym.%s.%s,%lu", r->sym_objname, r->sym_name,
		     r->sympos) < 0)
		return NULL;
	sym = name_table_get(st->klp_syms, name);
	if (!sym) {
		sym = genelf_add_symbol(gen->g, name, STB_GLOBAL, STT_NOTYPE,
					SHN_LIVEPATCH, NULL, 0, 0);
		if (sym && name_table_add(st->klp_syms, sym->name, sym))
			sym = NULL;
	}
	free(name);
	return sym;
}

static int add_rela(struct gen *gen, struct klp_state *st,
		    const struct meta_reloc *r)
{
	struct klp_group *grp = find_group(st, r);
	struct out_sym *sym = klp_symbol(gen, st, r);
	struct out_rela *grown;

	if (!grp || !sym)
		goto nomem;
	grown = realloc(grp->relas, (grp->nr + 1) * sizeof(*grown));
	if (!grown)
		goto nomem;
	grp->relas = grown;
	grown[grp->nr++] = (struct out_rela){
		.offset = r->dest_offset,
		.type = r->type,
		.addend = r->addend,
		.sym = sym,
	};
	return 0;
nomem:
	log_error(gen->in_path, r->sym_name, "out of memory");
	return -1;
}

static int add_sections(struct gen *gen, struct klp_state *st)
{
	size_t i;

	for (i = 0; i < st->nr_groups; i++) {
		struct klp_group *grp = &st->groups[i];
		struct out_sec *sec;
		char *name;

		if (asprintf(&name, ".klp.rela.%s.%s", grp->objname,
			     grp->dest->name) < 0) {
			log_error(gen->in_path, grp->dest->name, "out of memory");
			return -1;
		}
		sec = genelf_add_rela_section(gen->g, name,
					      SHF_ALLOC | SHF_RELA_LIVEPATCH,
					      genelf_sec(gen->g, grp->dest),
					      grp->relas, grp->nr);
		grp->relas = NULL;	/* owned by the section now */
		free(name);
		if (!sec)
			return -1;
	}
	return 0;
}

static int write_klp_relas(struct gen *gen)
{
	struct klp_state st = { 0 };
	size_t i;
	int ret = -1;

	st.klp_syms = name_table_new(gen->meta.nr_relocs);
	if (!st.klp_syms) {
		log_error(gen->in_path, NULL, "out of memory");
		return -1;
	}
	for (i = 0; i < gen->meta.nr_relocs; i++)
		if (add_rela(gen, &st, &gen->meta.relocs[i]))
			goto out;
	ret = add_sections(gen, &st);
out:
	for (i = 0; i < st.nr_groups; i++)
		free(st.groups[i].relas);
	free(st.groups);
	name_table_free(st.klp_syms);
	return ret;
}

int main(int argc, char **argv)
{
	struct gen gen;
	int ret = 1;

	if (gen_open(&gen, GEN_LIVEPATCH, argc, argv) || check_force(&gen) ||
	    check_objects(&gen) || write_klp_relas(&gen) || gen_finish(&gen))
		goto out;
	ret = 0;
out:
	/* Never leave an output behind that a failed run did not write. */
	if (ret && gen.out_path && strcmp(gen.out_path, gen.in_path))
		unlink(gen.out_path);
	gen_close(&gen);
	return ret;
}
