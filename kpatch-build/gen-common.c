// SPDX-License-Identifier: GPL-2.0
/*
 * gen-common.c: what create-klp-module and create-kpatch-module share
 * (see gen-common.h).
 */
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gen-common.h"
#include "kpatch-intermediate.h"
#include "log.h"
#include "../kmod/patch/kpatch-patch.h"

/* The finished module keeps these intermediate tables as they are. */
_Static_assert(sizeof(struct kpatch_meta_func) ==
	       sizeof(struct kpatch_patch_func), "func layout");
_Static_assert(offsetof(struct kpatch_meta_func, new_addr) ==
	       offsetof(struct kpatch_patch_func, new_addr), "func layout");
_Static_assert(offsetof(struct kpatch_meta_func, new_size) ==
	       offsetof(struct kpatch_patch_func, new_size), "func layout");
_Static_assert(offsetof(struct kpatch_meta_func, old_size) ==
	       offsetof(struct kpatch_patch_func, old_size), "func layout");
_Static_assert(offsetof(struct kpatch_meta_func, sympos) ==
	       offsetof(struct kpatch_patch_func, sympos), "func layout");
_Static_assert(offsetof(struct kpatch_meta_func, name) ==
	       offsetof(struct kpatch_patch_func, name), "func layout");
_Static_assert(offsetof(struct kpatch_meta_func, objname) ==
	       offsetof(struct kpatch_patch_func, objname), "func layout");
_Static_assert(sizeof(struct kpatch_meta_callback) ==
	       sizeof(struct kpatch_callback), "callback layout");
_Static_assert(offsetof(struct kpatch_meta_callback, objname) ==
	       offsetof(struct kpatch_callback, objname), "callback layout");

/* Sections the hooks read, and the symbols that delimit them. */
struct marker {
	const char *section;
	const char *start, *end;
};

static const struct marker markers[] = {
	{ ".kpatch.funcs", KPATCH_SYM_FUNCS, KPATCH_SYM_FUNCS_END },
	{ ".kpatch.callbacks.pre_patch", KPATCH_SYM_PRE_PATCH,
	  KPATCH_SYM_PRE_PATCH_END },
	{ ".kpatch.callbacks.post_patch", KPATCH_SYM_POST_PATCH,
	  KPATCH_SYM_POST_PATCH_END },
	{ ".kpatch.callbacks.pre_unpatch", KPATCH_SYM_PRE_UNPATCH,
	  KPATCH_SYM_PRE_UNPATCH_END },
	{ ".kpatch.callbacks.post_unpatch", KPATCH_SYM_POST_UNPATCH,
	  KPATCH_SYM_POST_UNPATCH_END },
	{ ".kpatch.force", KPATCH_SYM_FORCE, KPATCH_SYM_FORCE_END },
	{ ".kpatch.dynrelas", KPATCH_SYM_DYNRELAS, KPATCH_SYM_DYNRELAS_END },
	{ ".kpatch.strings", NULL, NULL },
};

static const char *const hook_name[] = {
	[GEN_LIVEPATCH] = "livepatch-patch-hook.o",
	[GEN_KPATCH] = "kpatch-patch-hook.o",
};

static const char *const other_tool[] = {
	[GEN_LIVEPATCH] = "create-kpatch-module",
	[GEN_KPATCH] = "create-klp-module",
};

static void usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s INPUT.ko OUTPUT.ko\n"
		"  INPUT.ko: a patch module as kbuild linked it from kmod/patch\n"
		"  and create-diff-object outputs (see kmod/patch/README.md)\n",
		prog);
}

static bool modinfo_has(struct kelf *kelf, const char *entry)
{
	struct section *sec = kelf_find_section(kelf, ".modinfo");
	const char *p, *end;

	if (!sec || !sec->data)
		return false;
	p = (const char *)sec->data;
	end = p + sec->size;
	while (p < end) {
		size_t len = strnlen(p, (size_t)(end - p));

		if (len == strlen(entry) && !memcmp(p, entry, len))
			return true;
		p += len + 1;
	}
	return false;
}

static bool defined(struct kelf *kelf, const char *name)
{
	struct symbol *sym = kelf_find_symbol(kelf, name);

	return sym && sym->sym.st_shndx != SHN_UNDEF;
}

/* A kbuild module of our format that no generator has touched. */
static int check_module(struct gen *gen)
{
	struct kelf *kelf = gen->kelf;
	bool klp = modinfo_has(kelf, "livepatch=Y");

	if (!kelf_find_section(kelf, ".gnu.linkonce.this_module")) {
		log_error(kelf->path, ".gnu.linkonce.this_module",
			  "missing section: not a kernel module (run on the .ko that kbuild linked)");
		return -1;
	}
	if (gen->format == GEN_LIVEPATCH && !klp) {
		log_error(kelf->path, ".modinfo",
			  "no livepatch=Y: the module was not linked with %s (use %s for the kpatch format)",
			  hook_name[GEN_LIVEPATCH], other_tool[GEN_LIVEPATCH]);
		return -1;
	}
	if (gen->format == GEN_KPATCH && klp) {
		log_error(kelf->path, ".modinfo",
			  "livepatch=Y: the module was linked with %s; use %s",
			  hook_name[GEN_LIVEPATCH], other_tool[GEN_KPATCH]);
		return -1;
	}
	if (defined(kelf, KPATCH_SYM_FUNCS)) {
		log_error(kelf->path, KPATCH_SYM_FUNCS,
			  "already defined: the module was already processed by a generator");
		return -1;
	}
	if (!kelf_find_symbol(kelf, KPATCH_SYM_FUNCS)) {
		log_error(kelf->path, KPATCH_SYM_FUNCS,
			  "not referenced: the module was not linked with %s",
			  hook_name[gen->format]);
		return -1;
	}
	return 0;
}

/*
 * A generator's output has sections kelf refuses (two relocation sections
 * for one section); say what happened before kelf_open() complains.
 */
static int check_not_processed(const char *path)
{
	int fd = open(path, O_RDONLY), ret = 0;
	Elf *elf = fd >= 0 && elf_version(EV_CURRENT) != EV_NONE ?
		   elf_begin(fd, ELF_C_READ_MMAP, NULL) : NULL;
	Elf_Scn *scn = NULL;
	size_t shstrndx;

	if (elf && !elf_getshdrstrndx(elf, &shstrndx)) {
		while (!ret && (scn = elf_nextscn(elf, scn))) {
			GElf_Shdr sh;
			const char *name = gelf_getshdr(scn, &sh) ?
				elf_strptr(elf, shstrndx, sh.sh_name) : NULL;

			if (name && (!strncmp(name, ".klp.rela.", 10) ||
				     !strcmp(name, ".kpatch.dynrelas"))) {
				log_error(path, name,
					  "the module was already processed by a generator");
				ret = -1;
			}
		}
	}
	if (elf)
		elf_end(elf);
	if (fd >= 0)
		close(fd);
	return ret;
}

int gen_open(struct gen *gen, enum gen_format format, int argc, char **argv)
{
	memset(gen, 0, sizeof(*gen));
	gen->format = format;
	if (argc != 3 || argv[1][0] == '-') {
		usage(argv[0]);
		return -1;
	}
	gen->in_path = argv[1];
	gen->out_path = argv[2];
	if (check_not_processed(gen->in_path))
		return -1;
	gen->kelf = kelf_open(gen->in_path);
	if (!gen->kelf || check_module(gen) ||
	    meta_read(gen->kelf, &gen->meta) ||
	    meta_check_callbacks(&gen->meta))
		return -1;
	gen->g = genelf_new(gen->kelf);
	return gen->g ? 0 : -1;
}

static struct out_sec *find_out(struct genelf *g, const char *name)
{
	size_t i;

	for (i = 0; i < g->nr_secs; i++)
		if (!g->secs[i]->drop && !strcmp(g->secs[i]->name, name))
			return g->secs[i];
	return NULL;
}

static int define_marker(struct gen *gen, const char *name,
			 struct out_sec *sec, uint64_t value)
{
	struct out_sym *sym;

	sym = genelf_sym(gen->g, kelf_find_symbol(gen->kelf, name));
	if (!sym) {
		if (!sec->size)
			return 0;	/* the hook does not need an empty one */
		log_error(gen->in_path, sec->name,
			  "%s does not reference %s: was the module linked with it?",
			  hook_name[gen->format], name);
		return -1;
	}
	sym->sym.st_info = GELF_ST_INFO(STB_GLOBAL, STT_NOTYPE);
	sym->sym.st_value = value;
	sym->sec = sec;
	return 0;
}

/* Allocate the sections the hook reads and point the markers at them. */
static int define_markers(struct gen *gen)
{
	size_t i;

	for (i = 0; i < sizeof(markers) / sizeof(markers[0]); i++) {
		struct out_sec *sec = find_out(gen->g, markers[i].section);

		if (!sec)
			continue;
		sec->sh.sh_flags |= SHF_ALLOC;
		if (!markers[i].start)
			continue;
		if (define_marker(gen, markers[i].start, sec, 0) ||
		    define_marker(gen, markers[i].end, sec, sec->size))
			return -1;
	}
	return 0;
}

struct out_sym *gen_section_symbol(struct gen *gen, struct section *sec)
{
	struct out_sec *out = genelf_sec(gen->g, sec);
	size_t i;

	for (i = 0; i < gen->g->nr_syms; i++) {
		struct out_sym *sym = gen->g->syms[i];

		if (sym->sec == out && !sym->drop &&
		    GELF_ST_TYPE(sym->sym.st_info) == STT_SECTION)
			return sym;
	}
	return genelf_add_symbol(gen->g, "", STB_LOCAL, STT_SECTION, 0, out,
				 0, 0);
}

int gen_finish(struct gen *gen)
{
	struct meta *m = &gen->meta;

	if (m->relocs_sec)
		genelf_drop_section(gen->g, genelf_sec(gen->g, m->relocs_sec));
	if (m->symbols_sec)
		genelf_drop_section(gen->g, genelf_sec(gen->g, m->symbols_sec));
	if (define_markers(gen))
		return -1;
	return genelf_write(gen->g, gen->out_path);
}

void gen_close(struct gen *gen)
{
	genelf_free(gen->g);
	meta_free(&gen->meta);
	kelf_close(gen->kelf);
	memset(gen, 0, sizeof(*gen));
}
