// SPDX-License-Identifier: GPL-2.0
/*
 * gen-elf.c: editable copy of a kelf object and its writer (see gen-elf.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gen-elf.h"
#include "log.h"

/* ---- growing arrays and string tables ---- */

static int push(void ***array, size_t *nr, void *item)
{
	void **grown;

	if (!(*nr & (*nr + 1)) || !*array) {
		/* *nr + 1 is a power of two: double the room. */
		grown = realloc(*array, (*nr + 1) * 2 * sizeof(void *));
		if (!grown)
			return -1;
		*array = grown;
	}
	(*array)[(*nr)++] = item;
	return 0;
}

struct strtab {
	char *buf;
	size_t len, room;
	struct name_table *offsets;	/* name -> offset + 1 */
};

static int strtab_init(struct strtab *t, size_t hint)
{
	t->room = 4096;
	t->len = 1;
	t->buf = calloc(1, t->room);
	t->offsets = name_table_new(hint);
	return t->buf && t->offsets ? 0 : -1;
}

static void strtab_free(struct strtab *t)
{
	free(t->buf);
	name_table_free(t->offsets);
}

/* Offset of name in the table (added once); 0 for "" ; -1 on ENOMEM. */
static long strtab_add(struct strtab *t, const char *name)
{
	size_t len = strlen(name) + 1;
	uintptr_t known;
	char *grown;

	if (!*name)
		return 0;
	known = (uintptr_t)name_table_get(t->offsets, name);
	if (known)
		return (long)(known - 1);
	while (t->len + len > t->room) {
		grown = realloc(t->buf, t->room * 2);
		if (!grown)
			return -1;
		t->buf = grown;
		t->room *= 2;
	}
	memcpy(t->buf + t->len, name, len);
	/* Keys are the callers' names, which outlive the table. */
	if (name_table_add(t->offsets, name, (void *)(t->len + 1)))
		return -1;
	t->len += len;
	return (long)(t->len - len);
}

/* ---- building the copy ---- */

static struct out_sec *new_sec(struct genelf *g)
{
	struct out_sec *sec = calloc(1, sizeof(*sec));

	if (!sec || push((void ***)&g->secs, &g->nr_secs, sec)) {
		free(sec);
		log_error(g->kelf->path, NULL, "out of memory");
		return NULL;
	}
	return sec;
}

static struct out_sym *new_sym(struct genelf *g)
{
	struct out_sym *sym = calloc(1, sizeof(*sym));

	if (!sym || push((void ***)&g->syms, &g->nr_syms, sym)) {
		free(sym);
		log_error(g->kelf->path, NULL, "out of memory");
		return NULL;
	}
	return sym;
}

/* Resolve the section references in sh_link/sh_info we know how to keep. */
static int link_section(struct genelf *g, struct out_sec *sec)
{
	const GElf_Shdr *sh = &sec->in->sh;
	size_t n = g->kelf->nr_secs;

	switch (sh->sh_type) {
	case SHT_RELA:
	case SHT_SYMTAB:
		if (sh->sh_link >= n || (sh->sh_type == SHT_RELA &&
					 sh->sh_info >= n)) {
			log_error(g->kelf->path, sec->name,
				  "bad section link %u/%u", sh->sh_link,
				  sh->sh_info);
			return -1;
		}
		sec->link = g->sec_of[sh->sh_link];
		if (sh->sh_type == SHT_RELA)
			sec->info = g->sec_of[sh->sh_info];
		return 0;
	case SHT_GROUP:
	case SHT_SYMTAB_SHNDX:
	case SHT_DYNSYM:
	case SHT_DYNAMIC:
	case SHT_HASH:
	case SHT_REL:
		log_error(g->kelf->path, sec->name,
			  "section type %u is not supported in a patch module",
			  sh->sh_type);
		return -1;
	}
	if ((sh->sh_flags & SHF_LINK_ORDER) && sh->sh_link < n)
		sec->link = g->sec_of[sh->sh_link];
	else if (sh->sh_link) {
		log_error(g->kelf->path, sec->name,
			  "unexpected section link %u", sh->sh_link);
		return -1;
	}
	if ((sh->sh_flags & SHF_INFO_LINK) && sh->sh_info < n)
		sec->info = g->sec_of[sh->sh_info];
	return 0;
}

static int copy_sections(struct genelf *g)
{
	struct kelf *kelf = g->kelf;
	size_t i;

	g->sec_of = calloc(kelf->nr_secs, sizeof(*g->sec_of));
	if (!g->sec_of) {
		log_error(kelf->path, NULL, "out of memory");
		return -1;
	}
	for (i = 1; i < kelf->nr_secs; i++) {
		struct section *in = &kelf->secs[i];
		struct out_sec *sec = new_sec(g);

		if (!sec)
			return -1;
		sec->in = in;
		sec->name = in->name;
		sec->sh = in->sh;
		sec->data = in->data;
		sec->size = in->size;
		g->sec_of[i] = sec;
	}
	for (i = 1; i < kelf->nr_secs; i++)
		if (link_section(g, g->sec_of[i]))
			return -1;
	g->symtab = g->sec_of[kelf->symtab->index];
	return 0;
}

static int copy_symbols(struct genelf *g)
{
	struct kelf *kelf = g->kelf;
	size_t i;

	g->sym_of = calloc(kelf->nr_syms, sizeof(*g->sym_of));
	if (!g->sym_of) {
		log_error(kelf->path, NULL, "out of memory");
		return -1;
	}
	for (i = 1; i < kelf->nr_syms; i++) {
		struct symbol *in = &kelf->syms[i];
		struct out_sym *sym = new_sym(g);

		if (!sym)
			return -1;
		sym->in = in;
		/* kelf names section symbols after their section. */
		sym->name = in->type == STT_SECTION ? "" : in->name;
		sym->sym = in->sym;
		sym->sec = in->sec ? g->sec_of[in->sec->index] : NULL;
		g->sym_of[i] = sym;
	}
	return 0;
}

struct genelf *genelf_new(struct kelf *kelf)
{
	struct genelf *g = calloc(1, sizeof(*g));

	if (!g) {
		log_error(kelf->path, NULL, "out of memory");
		return NULL;
	}
	g->kelf = kelf;
	if (copy_sections(g) || copy_symbols(g)) {
		genelf_free(g);
		return NULL;
	}
	return g;
}

void genelf_free(struct genelf *g)
{
	size_t i;

	if (!g)
		return;
	for (i = 0; i < g->nr_secs; i++) {
		if (!g->secs[i]->in) {
			free((void *)g->secs[i]->data);
			free((void *)g->secs[i]->name);
		}
		free(g->secs[i]->relas);
		free(g->secs[i]);
	}
	for (i = 0; i < g->nr_syms; i++) {
		if (!g->syms[i]->in)
			free((void *)g->syms[i]->name);
		free(g->syms[i]);
	}
	free(g->secs);
	free(g->syms);
	free(g->sec_of);
	free(g->sym_of);
	free(g);
}

struct out_sec *genelf_sec(struct genelf *g, const struct section *in)
{
	return in ? g->sec_of[in->index] : NULL;
}

struct out_sym *genelf_sym(struct genelf *g, const struct symbol *in)
{
	return in && in->index ? g->sym_of[in->index] : NULL;
}

void genelf_drop_section(struct genelf *g, struct out_sec *sec)
{
	size_t i;

	sec->drop = true;
	for (i = 0; i < g->nr_secs; i++)
		if (g->secs[i]->sh.sh_type == SHT_RELA &&
		    g->secs[i]->info == sec)
			g->secs[i]->drop = true;
	for (i = 0; i < g->nr_syms; i++)
		if (g->syms[i]->sec == sec)
			g->syms[i]->drop = true;
}

struct out_sec *genelf_add_section(struct genelf *g, const char *name,
				   uint32_t type, uint64_t flags,
				   const void *data, size_t size,
				   uint64_t align, uint64_t entsize)
{
	struct out_sec *sec = new_sec(g);
	void *copy = NULL;

	if (!sec)
		return NULL;
	sec->name = strdup(name);
	if (type != SHT_NOBITS) {
		copy = calloc(1, size ? size : 1);
		if (copy && data)
			memcpy(copy, data, size);
	}
	if (!sec->name || (type != SHT_NOBITS && !copy)) {
		free(copy);
		log_error(g->kelf->path, name, "out of memory");
		return NULL;
	}
	sec->data = copy;
	sec->size = size;
	sec->sh.sh_type = type;
	sec->sh.sh_flags = flags;
	sec->sh.sh_addralign = align;
	sec->sh.sh_entsize = entsize;
	return sec;
}

struct out_sec *genelf_add_rela_section(struct genelf *g, const char *name,
					uint64_t flags, struct out_sec *base,
					struct out_rela *relas, size_t nr)
{
	struct out_sec *sec;

	sec = genelf_add_section(g, name, SHT_RELA, flags | SHF_INFO_LINK,
				 NULL, nr * sizeof(Elf64_Rela), 8,
				 sizeof(Elf64_Rela));
	if (!sec) {
		free(relas);
		return NULL;
	}
	sec->link = g->symtab;
	sec->info = base;
	sec->relas = relas;
	sec->nr_relas = nr;
	return sec;
}

struct out_sym *genelf_add_symbol(struct genelf *g, const char *name,
				  unsigned char bind, unsigned char type,
				  uint16_t shndx, struct out_sec *sec,
				  uint64_t value, uint64_t size)
{
	struct out_sym *sym = new_sym(g);

	if (!sym)
		return NULL;
	sym->name = strdup(name);
	if (!sym->name) {
		log_error(g->kelf->path, name, "out of memory");
		return NULL;
	}
	sym->sym.st_info = GELF_ST_INFO(bind, type);
	sym->sym.st_shndx = shndx;
	sym->sym.st_value = value;
	sym->sym.st_size = size;
	sym->sec = sec;
	return sym;
}

/* ---- writing ---- */

struct tables {
	struct strtab strtab, shstrtab;
	Elf64_Sym *symtab;
	size_t nr_out_syms, first_global;
	void **rela_bufs;		/* per output section, or NULL */
};

static int number_sections(struct genelf *g)
{
	size_t i, n = 1;

	for (i = 0; i < g->nr_secs; i++) {
		struct out_sec *sec = g->secs[i];

		if (sec->drop)
			continue;
		if (!sec->data && sec->size && sec->sh.sh_type != SHT_NOBITS) {
			log_error(g->kelf->path, sec->name,
				  "compressed or unreadable section");
			return -1;
		}
		if ((sec->link && sec->link->drop) ||
		    (sec->info && sec->info->drop)) {
			log_error(g->kelf->path, sec->name,
				  "refers to a dropped section");
			return -1;
		}
		sec->index = n++;
	}
	if (n >= SHN_LORESERVE) {
		log_error(g->kelf->path, NULL, "too many sections (%zu)", n);
		return -1;
	}
	return 0;
}

/* Locals first (ELF requires it), each group in its current order. */
static int number_symbols(struct genelf *g, struct tables *t)
{
	size_t i, n = 1;
	int pass;

	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < g->nr_syms; i++) {
			struct out_sym *sym = g->syms[i];
			bool local = GELF_ST_BIND(sym->sym.st_info) == STB_LOCAL;

			if (sym->drop || local != (pass == 0))
				continue;
			if (sym->sec && sym->sec->drop) {
				log_error(g->kelf->path, sym->name,
					  "defined in dropped section %s",
					  sym->sec->name);
				return -1;
			}
			sym->index = n++;
		}
		if (pass == 0)
			t->first_global = n;
	}
	t->nr_out_syms = n;
	return 0;
}

static int build_symtab(struct genelf *g, struct tables *t)
{
	size_t i;

	t->symtab = calloc(t->nr_out_syms, sizeof(Elf64_Sym));
	if (!t->symtab)
		goto nomem;
	for (i = 0; i < g->nr_syms; i++) {
		struct out_sym *sym = g->syms[i];
		Elf64_Sym *out;
		long name;

		if (sym->drop)
			continue;
		out = &t->symtab[sym->index];
		name = strtab_add(&t->strtab, sym->name);
		if (name < 0)
			goto nomem;
		out->st_name = (Elf64_Word)name;
		out->st_info = sym->sym.st_info;
		out->st_other = sym->sym.st_other;
		out->st_shndx = sym->sec ? (Elf64_Half)sym->sec->index :
					   sym->sym.st_shndx;
		out->st_value = sym->sym.st_value;
		out->st_size = sym->sym.st_size;
	}
	return 0;
nomem:
	log_error(g->kelf->path, ".symtab", "out of memory");
	return -1;
}

/* Symbol index in the output for an input relocation's symbol. */
static long map_rela_sym(struct genelf *g, struct out_sec *sec, size_t i,
			 size_t old)
{
	struct out_sym *sym;

	if (old == 0)
		return 0;
	if (old >= g->kelf->nr_syms) {
		log_error(g->kelf->path, sec->name,
			  "entry %zu: symbol index %zu out of range", i, old);
		return -1;
	}
	sym = g->sym_of[old];
	if (sym->drop) {
		log_error(g->kelf->path, sec->name,
			  "entry %zu refers to symbol %s of dropped section %s",
			  i, *sym->name ? sym->name : "(section)",
			  sym->sec ? sym->sec->name : "?");
		return -1;
	}
	return (long)sym->index;
}

static int build_relas(struct genelf *g, struct out_sec *sec, void **buf)
{
	size_t n = sec->size / sizeof(Elf64_Rela), i;
	Elf64_Rela *out = calloc(n ? n : 1, sizeof(*out));

	*buf = out;
	if (!out) {
		log_error(g->kelf->path, sec->name, "out of memory");
		return -1;
	}
	for (i = 0; i < n; i++) {
		long idx;

		if (sec->in) {
			const Elf64_Rela *in = (const Elf64_Rela *)sec->data + i;

			idx = map_rela_sym(g, sec, i, ELF64_R_SYM(in->r_info));
			out[i] = *in;
			out[i].r_info = ELF64_R_INFO(idx, ELF64_R_TYPE(in->r_info));
		} else {
			struct out_rela *r = &sec->relas[i];

			idx = r->sym ? (long)r->sym->index : 0;
			if (r->sym && r->sym->drop) {
				log_error(g->kelf->path, sec->name,
					  "entry %zu refers to dropped symbol %s",
					  i, r->sym->name);
				return -1;
			}
			out[i].r_offset = r->offset;
			out[i].r_info = ELF64_R_INFO(idx, r->type);
			out[i].r_addend = r->addend;
		}
		if (idx < 0)
			return -1;
	}
	return 0;
}

static int build_tables(struct genelf *g, struct tables *t)
{
	size_t i;

	if (strtab_init(&t->strtab, g->nr_syms) ||
	    strtab_init(&t->shstrtab, g->nr_secs)) {
		log_error(g->kelf->path, NULL, "out of memory");
		return -1;
	}
	t->rela_bufs = calloc(g->nr_secs, sizeof(void *));
	if (!t->rela_bufs) {
		log_error(g->kelf->path, NULL, "out of memory");
		return -1;
	}
	if (number_sections(g) || number_symbols(g, t) || build_symtab(g, t))
		return -1;
	for (i = 0; i < g->nr_secs; i++) {
		struct out_sec *sec = g->secs[i];

		if (sec->drop)
			continue;
		if (strtab_add(&t->shstrtab, sec->name) < 0) {
			log_error(g->kelf->path, NULL, "out of memory");
			return -1;
		}
		if (sec->sh.sh_type == SHT_RELA &&
		    build_relas(g, sec, &t->rela_bufs[i]))
			return -1;
	}
	return 0;
}

static void free_tables(struct genelf *g, struct tables *t)
{
	size_t i;

	if (t->rela_bufs)
		for (i = 0; i < g->nr_secs; i++)
			free(t->rela_bufs[i]);
	free(t->rela_bufs);
	free(t->symtab);
	strtab_free(&t->strtab);
	strtab_free(&t->shstrtab);
}

static const char *elf_msg(void)
{
	const char *msg = elf_errmsg(-1);

	return msg ? msg : "unknown libelf error";
}

static int write_section(struct genelf *g, struct tables *t, Elf *elf,
			 size_t i, struct out_sec *shstrtab)
{
	struct out_sec *sec = g->secs[i];
	Elf_Scn *scn = elf_newscn(elf);
	Elf_Data *data = scn ? elf_newdata(scn) : NULL;
	GElf_Shdr sh = sec->sh;

	if (!data) {
		log_error(g->kelf->path, sec->name, "%s", elf_msg());
		return -1;
	}
	data->d_type = ELF_T_BYTE;
	data->d_version = EV_CURRENT;
	data->d_align = sh.sh_addralign ? sh.sh_addralign : 1;
	data->d_buf = (void *)sec->data;
	data->d_size = sec->size;
	if (sec == g->symtab) {
		data->d_buf = t->symtab;
		data->d_size = t->nr_out_syms * sizeof(Elf64_Sym);
		sh.sh_info = (Elf64_Word)t->first_global;
	} else if (sec == g->symtab->link) {
		data->d_buf = t->strtab.buf;
		data->d_size = t->strtab.len;
	} else if (sec == shstrtab) {
		data->d_buf = t->shstrtab.buf;
		data->d_size = t->shstrtab.len;
	} else if (t->rela_bufs[i]) {
		data->d_buf = t->rela_bufs[i];
	}
	sh.sh_name = (Elf64_Word)strtab_add(&t->shstrtab, sec->name);
	sh.sh_addr = 0;
	sh.sh_offset = 0;
	sh.sh_size = data->d_size;
	sh.sh_link = sec->link ? (Elf64_Word)sec->link->index : 0;
	if (sec->info)
		sh.sh_info = (Elf64_Word)sec->info->index;
	if (!gelf_update_shdr(scn, &sh)) {
		log_error(g->kelf->path, sec->name, "%s", elf_msg());
		return -1;
	}
	return 0;
}

static int write_elf(struct genelf *g, struct tables *t, int fd,
		     const char *path)
{
	struct out_sec *shstrtab = NULL;
	GElf_Ehdr eh;
	size_t shstrndx, i;
	Elf *elf = NULL;
	int ret = -1;

	if (elf_getshdrstrndx(g->kelf->elf, &shstrndx) == 0)
		shstrtab = g->sec_of[shstrndx];
	if (!shstrtab || shstrtab == g->symtab->link) {
		log_error(g->kelf->path, NULL,
			  "needs separate section and symbol string tables");
		goto out;
	}
	elf = elf_begin(fd, ELF_C_WRITE, NULL);
	if (!elf || !gelf_newehdr(elf, ELFCLASS64) ||
	    !gelf_getehdr(elf, &eh)) {
		log_error(path, NULL, "%s", elf_msg());
		goto out;
	}
	memcpy(eh.e_ident, g->kelf->ehdr.e_ident, EI_NIDENT);
	eh.e_type = g->kelf->ehdr.e_type;
	eh.e_machine = g->kelf->ehdr.e_machine;
	eh.e_version = g->kelf->ehdr.e_version;
	eh.e_flags = g->kelf->ehdr.e_flags;
	eh.e_shstrndx = shstrtab && !shstrtab->drop ?
			(Elf64_Half)shstrtab->index : 0;
	for (i = 0; i < g->nr_secs; i++)
		if (!g->secs[i]->drop &&
		    write_section(g, t, elf, i, shstrtab))
			goto out;
	if (!gelf_update_ehdr(elf, &eh) || elf_update(elf, ELF_C_WRITE) < 0) {
		log_error(path, NULL, "cannot write: %s", elf_msg());
		goto out;
	}
	ret = 0;
out:
	if (elf)
		elf_end(elf);
	return ret;
}

int genelf_write(struct genelf *g, const char *path)
{
	struct tables t = { 0 };
	char *tmp = NULL;
	int fd = -1, ret = -1;

	if (build_tables(g, &t))
		goto out;
	if (asprintf(&tmp, "%s.tmpXXXXXX", path) < 0) {
		tmp = NULL;
		log_error(path, NULL, "out of memory");
		goto out;
	}
	fd = mkstemp(tmp);
	if (fd < 0) {
		log_error(path, NULL, "cannot create: %s", strerror(errno));
		goto out;
	}
	if (write_elf(g, &t, fd, path))
		goto out;
	if (fchmod(fd, 0644) || fsync(fd) || close(fd)) {
		fd = -1;
		log_error(path, NULL, "cannot write: %s", strerror(errno));
		goto out;
	}
	fd = -1;
	if (rename(tmp, path)) {
		log_error(path, NULL, "cannot rename %s: %s", tmp,
			  strerror(errno));
		goto out;
	}
	ret = 0;
out:
	if (fd >= 0)
		close(fd);
	if (ret && tmp)
		unlink(tmp);
	free(tmp);
	free_tables(g, &t);
	return ret;
}
