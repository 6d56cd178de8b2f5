// SPDX-License-Identifier: GPL-2.0
/*
 * elfwrite.c: build and write the output object (see elfwrite.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "elfwrite.h"
#include "kelf.h"
#include "log.h"

static bool grow(void **v, size_t *alloc, size_t nr, size_t size)
{
	size_t n;
	void *p;

	if (nr < *alloc)
		return true;
	n = *alloc ? *alloc * 2 : 16;
	p = realloc(*v, n * size);
	if (!p)
		return false;
	*v = p;
	*alloc = n;
	return true;
}

struct oelf *oelf_new(void)
{
	struct oelf *o = calloc(1, sizeof(*o));

	if (!o)
		return NULL;
	o->undef = name_table_new(64);
	o->by_name = name_table_new(64);
	if (!o->undef || !o->by_name) {
		oelf_free(o);
		return NULL;
	}
	return o;
}

void oelf_free(struct oelf *o)
{
	size_t i;

	if (!o)
		return;
	for (i = 0; i < o->nr_secs; i++) {
		free(o->secs[i]->data);
		free(o->secs[i]->relas);
		free(o->secs[i]);
	}
	for (i = 0; i < o->nr_syms; i++)
		free(o->syms[i]);
	for (i = 0; i < o->nr_strings; i++)
		free(o->strings[i]);
	free(o->strings);
	free(o->secs);
	free(o->syms);
	name_table_free(o->undef);
	name_table_free(o->by_name);
	free(o);
}

const char *oelf_strdup(struct oelf *o, const char *s)
{
	char *copy;

	if (!grow((void **)&o->strings, &o->alloc_strings, o->nr_strings,
		  sizeof(char *)))
		return NULL;
	copy = strdup(s);
	if (copy)
		o->strings[o->nr_strings++] = copy;
	return copy;
}

struct osym *osym_new(struct oelf *o, const char *name, unsigned char bind,
		      unsigned char type, struct osec *sec, uint64_t value,
		      uint64_t size)
{
	struct osym *sym;

	if (!grow((void **)&o->syms, &o->alloc_syms, o->nr_syms,
		  sizeof(struct osym *)))
		return NULL;
	sym = calloc(1, sizeof(*sym));
	if (!sym)
		return NULL;
	sym->name = name;
	sym->bind = bind;
	sym->type = type;
	sym->sec = sec;
	sym->value = value;
	sym->size = size;
	o->syms[o->nr_syms++] = sym;
	return sym;
}

struct osym *osym_undef(struct oelf *o, const char *name)
{
	struct osym *sym = name_table_get(o->undef, name);

	if (sym)
		return sym;
	name = oelf_strdup(o, name);
	if (!name)
		return NULL;
	sym = osym_new(o, name, STB_GLOBAL, STT_NOTYPE, NULL, 0, 0);
	if (!sym || name_table_add(o->undef, name, sym))
		return NULL;
	return sym;
}

struct osec *osec_new(struct oelf *o, const char *name, uint32_t type,
		      uint64_t flags, uint64_t align, uint64_t entsize)
{
	struct osec *sec;

	if (!grow((void **)&o->secs, &o->alloc_secs, o->nr_secs,
		  sizeof(struct osec *)))
		return NULL;
	sec = calloc(1, sizeof(*sec));
	if (!sec)
		return NULL;
	sec->name = oelf_strdup(o, name);
	sec->type = type;
	sec->flags = flags;
	sec->align = align ? align : 1;
	sec->entsize = entsize;
	o->secs[o->nr_secs++] = sec;
	sec->secsym = osym_new(o, sec->name, STB_LOCAL, STT_SECTION, sec, 0, 0);
	if (!sec->name || !sec->secsym)
		return NULL;
	name_table_add(o->by_name, sec->name, sec);
	return sec;
}

struct osec *osec_find(struct oelf *o, const char *name)
{
	return name_table_get(o->by_name, name);
}

int64_t osec_append(struct osec *sec, const void *data, uint64_t len,
		    uint64_t align, uint64_t phase)
{
	uint64_t off = sec->size;

	if (!align)
		align = 1;
	while (off % align != phase % align)
		off++;
	if (align > sec->align)
		sec->align = align;
	if (sec->type != SHT_NOBITS && off + len > sec->alloc) {
		uint64_t n = sec->alloc ? sec->alloc : 256;
		unsigned char *p;

		while (n < off + len)
			n *= 2;
		p = realloc(sec->data, n);
		if (!p)
			return -1;
		memset(p + sec->alloc, 0, n - sec->alloc);
		sec->data = p;
		sec->alloc = n;
	}
	if (sec->type != SHT_NOBITS && data && len)
		memcpy(sec->data + off, data, len);
	sec->size = off + len;
	return (int64_t)off;
}

int osec_add_rela(struct osec *sec, uint64_t offset, uint32_t type,
		  int64_t addend, struct osym *sym)
{
	if (!grow((void **)&sec->relas, &sec->alloc_relas, sec->nr_relas,
		  sizeof(struct orela)))
		return -1;
	sec->relas[sec->nr_relas++] = (struct orela){ offset, type, addend,
						      sym };
	return 0;
}

/* ---- writing ---- */

struct strtab {
	char *buf;
	size_t len, alloc;
};

static int64_t strtab_add(struct strtab *t, const char *s)
{
	size_t n = strlen(s) + 1;
	size_t off = t->len;

	while (t->len + n > t->alloc) {
		size_t a = t->alloc ? t->alloc * 2 : 4096;
		char *p = realloc(t->buf, a);

		if (!p)
			return -1;
		t->buf = p;
		t->alloc = a;
	}
	memcpy(t->buf + off, s, n);
	t->len += n;
	return (int64_t)off;
}

struct writer {
	Elf *elf;
	struct oelf *o;
	struct strtab shstr, str;
	Elf64_Sym *syms;
	size_t symtab_index, nr_relasecs;
	Elf64_Rela **relas;
};

static Elf_Scn *new_section(struct writer *w, const char *name,
			    uint32_t type, uint64_t flags, void *buf,
			    uint64_t size, uint64_t align, uint64_t entsize,
			    Elf_Type dtype)
{
	Elf_Scn *scn = elf_newscn(w->elf);
	Elf_Data *data;
	GElf_Shdr sh;
	int64_t name_off = strtab_add(&w->shstr, name);

	if (!scn || name_off < 0)
		return NULL;
	data = elf_newdata(scn);
	if (!data || !gelf_getshdr(scn, &sh))
		return NULL;
	data->d_buf = buf;
	data->d_size = size;
	data->d_type = dtype;
	data->d_align = align ? align : 1;
	sh.sh_name = (Elf64_Word)name_off;
	sh.sh_type = type;
	sh.sh_flags = flags;
	sh.sh_addralign = align ? align : 1;
	sh.sh_entsize = entsize;
	sh.sh_size = size;
	return gelf_update_shdr(scn, &sh) ? scn : NULL;
}

static int set_link(Elf_Scn *scn, uint32_t link, uint32_t info)
{
	GElf_Shdr sh;

	if (!gelf_getshdr(scn, &sh))
		return -1;
	sh.sh_link = link;
	sh.sh_info = info;
	return gelf_update_shdr(scn, &sh) ? 0 : -1;
}

/* Symbol table: null, locals, globals; sets osym->index. */
static int build_symtab(struct writer *w, size_t *first_global)
{
	struct oelf *o = w->o;
	size_t i, n = 1;
	int pass;

	w->syms = calloc(o->nr_syms + 1, sizeof(Elf64_Sym));
	if (!w->syms || strtab_add(&w->str, "") < 0)
		return -1;
	for (pass = 0; pass < 2; pass++) {
		if (pass == 1)
			*first_global = n;
		for (i = 0; i < o->nr_syms; i++) {
			struct osym *s = o->syms[i];
			Elf64_Sym *e = &w->syms[n];
			int64_t name = 0;

			if ((s->bind == STB_LOCAL) != (pass == 0))
				continue;
			if (s->type != STT_SECTION && *s->name)
				name = strtab_add(&w->str, s->name);
			if (name < 0)
				return -1;
			e->st_name = (Elf64_Word)name;
			e->st_info = ELF64_ST_INFO(s->bind, s->type);
			e->st_shndx = s->sec ? (Elf64_Section)s->sec->index :
				      (s->type == STT_FILE ? SHN_ABS : SHN_UNDEF);
			e->st_value = s->value;
			e->st_size = s->size;
			s->index = n++;
		}
	}
	return 0;
}

static int write_sections(struct writer *w)
{
	struct oelf *o = w->o;
	size_t i;

	for (i = 0; i < o->nr_secs; i++) {
		struct osec *s = o->secs[i];
		Elf_Scn *scn = new_section(w, s->name, s->type, s->flags,
					   s->data, s->size, s->align,
					   s->entsize, ELF_T_BYTE);

		if (!scn)
			return -1;
		s->index = elf_ndxscn(scn);
	}
	for (i = 0; i < o->nr_secs; i++) {
		struct osec *s = o->secs[i];

		if (s->link && set_link(elf_getscn(w->elf, s->index),
					(uint32_t)s->link->index, 0))
			return -1;
	}
	return 0;
}

static int write_relas(struct writer *w)
{
	struct oelf *o = w->o;
	size_t i, j;

	w->relas = calloc(o->nr_secs, sizeof(*w->relas));
	if (!w->relas)
		return -1;
	for (i = 0; i < o->nr_secs; i++) {
		struct osec *s = o->secs[i];
		char *name;
		Elf_Scn *scn;

		if (!s->nr_relas)
			continue;
		w->relas[i] = calloc(s->nr_relas, sizeof(Elf64_Rela));
		name = malloc(strlen(s->name) + 6);
		if (!w->relas[i] || !name) {
			free(name);
			return -1;
		}
		for (j = 0; j < s->nr_relas; j++) {
			struct orela *r = &s->relas[j];

			w->relas[i][j].r_offset = r->offset;
			w->relas[i][j].r_info = ELF64_R_INFO(r->sym->index,
							     r->type);
			w->relas[i][j].r_addend = r->addend;
		}
		sprintf(name, ".rela%s", s->name);
		scn = new_section(w, name, SHT_RELA, SHF_INFO_LINK, w->relas[i],
				  s->nr_relas * sizeof(Elf64_Rela), 8,
				  sizeof(Elf64_Rela), ELF_T_RELA);
		free(name);
		if (!scn || set_link(scn, (uint32_t)w->symtab_index,
				     (uint32_t)s->index))
			return -1;
	}
	return 0;
}

static int write_elf(struct writer *w, int fd, unsigned char osabi)
{
	struct oelf *o = w->o;
	size_t first_global, i, nrels = 0;
	Elf64_Ehdr *ehdr;
	Elf_Scn *symtab, *strtab, *shstrtab;

	w->elf = elf_begin(fd, ELF_C_WRITE, NULL);
	if (!w->elf || !(ehdr = elf64_newehdr(w->elf)))
		return -1;
	ehdr->e_ident[EI_DATA] = ELFDATA2LSB;
	ehdr->e_ident[EI_OSABI] = osabi;
	ehdr->e_type = ET_REL;
	ehdr->e_machine = EM_X86_64;
	ehdr->e_version = EV_CURRENT;
	for (i = 0; i < o->nr_secs; i++)
		nrels += o->secs[i]->nr_relas != 0;
	if (o->nr_secs + nrels + 4 >= SHN_LORESERVE)
		return -1;
	if (strtab_add(&w->shstr, "") < 0 || write_sections(w) ||
	    build_symtab(w, &first_global))
		return -1;
	/* .symtab comes right after the .rela sections */
	w->symtab_index = o->nr_secs + nrels + 1;
	if (write_relas(w))
		return -1;
	symtab = new_section(w, ".symtab", SHT_SYMTAB, 0, w->syms,
			     (o->nr_syms + 1) * sizeof(Elf64_Sym), 8,
			     sizeof(Elf64_Sym), ELF_T_SYM);
	if (!symtab || elf_ndxscn(symtab) != w->symtab_index)
		return -1;
	strtab = new_section(w, ".strtab", SHT_STRTAB, 0, NULL, 0, 1, 0,
			     ELF_T_BYTE);
	if (!strtab || set_link(symtab, (uint32_t)elf_ndxscn(strtab),
				(uint32_t)first_global))
		return -1;
	shstrtab = new_section(w, ".shstrtab", SHT_STRTAB, 0, NULL, 0, 1, 0,
			       ELF_T_BYTE);
	if (!shstrtab)
		return -1;
	/* string tables are complete only now */
	elf_getdata(strtab, NULL)->d_buf = w->str.buf;
	elf_getdata(strtab, NULL)->d_size = w->str.len;
	elf_getdata(shstrtab, NULL)->d_buf = w->shstr.buf;
	elf_getdata(shstrtab, NULL)->d_size = w->shstr.len;
	ehdr->e_shstrndx = (Elf64_Half)elf_ndxscn(shstrtab);
	return elf_update(w->elf, ELF_C_WRITE) < 0 ? -1 : 0;
}

/* Drops the sections marked omit_if_empty that stayed empty. */
static void drop_empty(struct oelf *o)
{
	size_t i, n = 0;

	for (i = 0; i < o->nr_secs; i++) {
		struct osec *s = o->secs[i];

		if (s->omit_if_empty && !s->size && !s->nr_relas) {
			s->secsym->type = STT_NOTYPE;	/* marks it unused */
			s->secsym->name = "";
			s->secsym->sec = NULL;
			free(s->data);
			free(s);
			continue;
		}
		o->secs[n++] = s;
	}
	o->nr_secs = n;
	for (i = 0, n = 0; i < o->nr_syms; i++) {
		struct osym *sym = o->syms[i];

		if (sym->bind == STB_LOCAL && sym->type == STT_NOTYPE &&
		    !sym->sec && !*sym->name) {
			free(sym);
			continue;
		}
		o->syms[n++] = sym;
	}
	o->nr_syms = n;
}

int oelf_write(struct oelf *o, const char *path, unsigned char osabi)
{
	struct writer w;
	char *tmp = malloc(strlen(path) + 8);
	int fd, ret;
	size_t i;

	memset(&w, 0, sizeof(w));
	w.o = o;
	drop_empty(o);
	if (!tmp) {
		log_error(path, "OUTPUT", "out of memory");
		return -1;
	}
	sprintf(tmp, "%s.XXXXXX", path);
	fd = mkstemp(tmp);
	if (fd < 0) {
		log_error(path, "OUTPUT", "cannot create a temporary file: %s",
			  strerror(errno));
		free(tmp);
		return -1;
	}
	ret = write_elf(&w, fd, osabi);
	if (ret)
		log_error(path, "OUTPUT", "cannot write the object: %s",
			  elf_errmsg(-1) ? elf_errmsg(-1) : "too many sections");
	if (w.elf)
		elf_end(w.elf);
	if (fchmod(fd, 0644) || close(fd)) {
		if (!ret)
			log_error(path, "OUTPUT", "cannot write: %s", strerror(errno));
		ret = -1;
	}
	if (!ret && rename(tmp, path)) {
		log_error(path, "OUTPUT", "cannot rename %s: %s", tmp,
			  strerror(errno));
		ret = -1;
	}
	if (ret)
		unlink(tmp);
	for (i = 0; w.relas && i < o->nr_secs; i++)
		free(w.relas[i]);
	free(w.relas);
	free(w.syms);
	free(w.str.buf);
	free(w.shstr.buf);
	free(tmp);
	return ret;
}
