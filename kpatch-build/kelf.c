// SPDX-License-Identifier: GPL-2.0
/*
 * kelf.c: read and validate a relocatable x86_64 object (see kelf.h).
 *
 * Nothing here exits: every check reports "<file>: <section/symbol>:
 * <reason>" through log_error() and makes kelf_open() return NULL.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kelf.h"
#include "log.h"

/* ---- name tables: open addressing, power-of-two size ---- */

struct name_entry {
	const char *name;
	void *value;
};

struct name_table {
	struct name_entry *slots;
	size_t size;
	size_t used;
};

static uint64_t hash_name(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	while (*s) {
		h ^= (unsigned char)*s++;
		h *= 1099511628211ULL;
	}
	return h;
}

struct name_table *name_table_new(size_t hint)
{
	struct name_table *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->size = 64;
	while (t->size < hint * 2)
		t->size <<= 1;
	t->slots = calloc(t->size, sizeof(*t->slots));
	if (!t->slots) {
		free(t);
		return NULL;
	}
	return t;
}

void name_table_free(struct name_table *t)
{
	if (!t)
		return;
	free(t->slots);
	free(t);
}

static int name_table_grow(struct name_table *t)
{
	struct name_entry *old = t->slots;
	size_t old_size = t->size, i;

	t->slots = calloc(old_size * 2, sizeof(*t->slots));
	if (!t->slots) {
		t->slots = old;
		return -1;
	}
	t->size = old_size * 2;
	t->used = 0;
	for (i = 0; i < old_size; i++)
		if (old[i].name)
			name_table_add(t, old[i].name, old[i].value);
	free(old);
	return 0;
}

int name_table_add(struct name_table *t, const char *name, void *value)
{
	size_t i;

	if ((t->used + 1) * 2 > t->size && name_table_grow(t))
		return -1;
	i = hash_name(name) & (t->size - 1);
	while (t->slots[i].name) {
		if (!strcmp(t->slots[i].name, name))
			return 0;
		i = (i + 1) & (t->size - 1);
	}
	t->slots[i].name = name;
	t->slots[i].value = value;
	t->used++;
	return 0;
}

void *name_table_get(struct name_table *t, const char *name)
{
	size_t i = hash_name(name) & (t->size - 1);

	while (t->slots[i].name) {
		if (!strcmp(t->slots[i].name, name))
			return t->slots[i].value;
		i = (i + 1) & (t->size - 1);
	}
	return NULL;
}

/* ---- section and relocation kinds ---- */

bool sec_is_rela(const struct section *sec)
{
	return sec->sh.sh_type == SHT_RELA;
}

bool sec_is_text(const struct section *sec)
{
	return sec->sh.sh_type == SHT_PROGBITS &&
	       (sec->sh.sh_flags & SHF_EXECINSTR);
}

bool sec_is_alloc(const struct section *sec)
{
	return sec->sh.sh_flags & SHF_ALLOC;
}

bool sec_is_string(const struct section *sec)
{
	return (sec->sh.sh_flags & (SHF_MERGE | SHF_STRINGS)) ==
	       (SHF_MERGE | SHF_STRINGS);
}

bool sec_is_debug(const struct section *sec)
{
	return !strncmp(sec->name, ".debug_", 7) ||
	       !strncmp(sec->name, ".zdebug_", 8) ||
	       !strncmp(sec->name, ".rela.debug_", 12) ||
	       !strcmp(sec->name, ".BTF") || !strcmp(sec->name, ".BTF.ext") ||
	       !strcmp(sec->name, ".rela.BTF.ext");
}

static uint64_t unit_of(const struct section *sec)
{
	uint64_t unit = sec->sh.sh_entsize;

	return unit && unit <= 8 ? unit : 1;
}

static bool nul_unit(const struct section *sec, uint64_t at, uint64_t unit)
{
	uint64_t i;

	for (i = 0; i < unit; i++)
		if (sec->data[at + i])
			return false;
	return true;
}

uint64_t sec_string_end(const struct section *sec, uint64_t loc)
{
	uint64_t unit = unit_of(sec), at = loc - loc % unit;

	if (!sec->data)
		return sec->size;
	for (; at + unit <= sec->size; at += unit)
		if (nul_unit(sec, at, unit))
			return at + unit;
	return sec->size;
}

uint64_t sec_string_start(const struct section *sec, uint64_t loc)
{
	uint64_t unit = unit_of(sec), at = loc - loc % unit;

	if (!sec->data || at > sec->size)
		return 0;
	while (at >= unit && !nul_unit(sec, at - unit, unit))
		at -= unit;
	return at;
}

int kelf_rela_width(uint32_t type)
{
	switch (type) {
	case R_X86_64_NONE:
		return 0;
	case R_X86_64_64:
	case R_X86_64_PC64:
		return 8;
	case R_X86_64_32:
	case R_X86_64_32S:
	case R_X86_64_PC32:
	case R_X86_64_PLT32:
	case R_X86_64_GOTPCREL:
	case R_X86_64_GOTPCRELX:
	case R_X86_64_REX_GOTPCRELX:
		return 4;
	default:
		return -1;
	}
}

bool kelf_rela_is_pcrel(uint32_t type)
{
	return type == R_X86_64_PC32 || type == R_X86_64_PLT32 ||
	       type == R_X86_64_PC64 || type == R_X86_64_GOTPCREL ||
	       type == R_X86_64_GOTPCRELX || type == R_X86_64_REX_GOTPCRELX;
}

/* ---- lookups ---- */

struct symbol *kelf_find_symbol(struct kelf *kelf, const char *name)
{
	return name_table_get(kelf->sym_names, name);
}

struct section *kelf_find_section(struct kelf *kelf, const char *name)
{
	return name_table_get(kelf->sec_names, name);
}

struct symbol *kelf_symbol_at(struct section *sec, uint64_t offset)
{
	size_t lo = 0, hi = sec->nr_syms;
	struct symbol *label = NULL;

	/* Last symbol starting at or before offset... */
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (sec->syms[mid]->sym.st_value <= offset)
			lo = mid + 1;
		else
			hi = mid;
	}
	/*
	 * ...walking back over labels to the nearest FUNC/OBJECT, which
	 * either covers offset or nothing sized does (they don't overlap).
	 */
	while (lo > 0) {
		struct symbol *sym = sec->syms[--lo];
		uint64_t start = sym->sym.st_value;
		bool covers = offset < start + sym->sym.st_size ||
			      (sym->sym.st_size == 0 && offset == start);

		if (sym->type == STT_FUNC || sym->type == STT_OBJECT) {
			if (covers)
				return sym;
			break;
		}
		if (covers && !label)
			label = sym;
	}
	return label;
}

size_t kelf_rela_index(struct section *sec, uint64_t offset)
{
	size_t lo = 0, hi = sec->nr_relas;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (sec->relas[mid].offset < offset)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

struct rela *kelf_rela_at(struct section *sec, uint64_t offset)
{
	size_t i = kelf_rela_index(sec, offset);

	if (i < sec->nr_relas && sec->relas[i].offset == offset)
		return &sec->relas[i];
	return NULL;
}

/* ---- reading ---- */

static const char *elf_msg(void)
{
	const char *msg = elf_errmsg(-1);

	return msg ? msg : "unknown libelf error";
}

static int read_header(struct kelf *kelf)
{
	if (elf_kind(kelf->elf) != ELF_K_ELF) {
		log_error(kelf->path, "ELF header", "not an ELF object");
		return -1;
	}
	if (gelf_getclass(kelf->elf) != ELFCLASS64) {
		log_error(kelf->path, "ELF header", "not a 64-bit ELF object");
		return -1;
	}
	if (!gelf_getehdr(kelf->elf, &kelf->ehdr)) {
		log_error(kelf->path, "ELF header", "%s", elf_msg());
		return -1;
	}
	if (kelf->ehdr.e_ident[EI_DATA] != ELFDATA2LSB ||
	    kelf->ehdr.e_machine != EM_X86_64) {
		log_error(kelf->path, "ELF header", "not an x86_64 object");
		return -1;
	}
	if (kelf->ehdr.e_type != ET_REL) {
		log_error(kelf->path, "ELF header",
			  "not a relocatable object (ELF type %u)",
			  kelf->ehdr.e_type);
		return -1;
	}
	return 0;
}

static int read_section(struct kelf *kelf, size_t shstrndx, size_t i)
{
	struct section *sec = &kelf->secs[i];
	Elf_Scn *scn = elf_getscn(kelf->elf, i);
	Elf_Data *data;
	char what[32];

	snprintf(what, sizeof(what), "section %zu", i);
	sec->kelf = kelf;
	sec->index = i;
	if (!scn || !gelf_getshdr(scn, &sec->sh)) {
		log_error(kelf->path, what, "bad section header: %s", elf_msg());
		return -1;
	}
	sec->name = elf_strptr(kelf->elf, shstrndx, sec->sh.sh_name);
	if (!sec->name) {
		log_error(kelf->path, what, "bad section name offset %u",
			  sec->sh.sh_name);
		return -1;
	}
	sec->size = sec->sh.sh_size;
	if (sec->sh.sh_flags & SHF_COMPRESSED) {
		if (sec_is_debug(sec))
			return 0;	/* never read */
		log_error(kelf->path, sec->name,
			  "compressed sections are not supported");
		return -1;
	}
	if (sec->sh.sh_type == SHT_NOBITS || sec->sh.sh_type == SHT_NULL)
		return 0;
	if (sec->sh.sh_type == SHT_REL) {
		log_error(kelf->path, sec->name,
			  "SHT_REL relocations are not supported on x86_64");
		return -1;
	}
	data = elf_getdata(scn, NULL);
	if (!data && sec->size) {
		log_error(kelf->path, sec->name,
			  "cannot read contents (offset 0x%lx, size 0x%lx): %s",
			  (unsigned long)sec->sh.sh_offset,
			  (unsigned long)sec->size, elf_msg());
		return -1;
	}
	if (data && (data->d_size != sec->size ||
		     (sec->size && !data->d_buf))) {
		log_error(kelf->path, sec->name,
			  "contents are %zu bytes, header says %lu",
			  data->d_size, (unsigned long)sec->size);
		return -1;
	}
	sec->data = data ? data->d_buf : NULL;
	return 0;
}

static int read_sections(struct kelf *kelf)
{
	size_t shstrndx, i;

	if (elf_getshdrnum(kelf->elf, &kelf->nr_secs) ||
	    elf_getshdrstrndx(kelf->elf, &shstrndx)) {
		log_error(kelf->path, "section headers", "%s", elf_msg());
		return -1;
	}
	if (kelf->nr_secs < 2 || shstrndx == 0 || shstrndx >= kelf->nr_secs) {
		log_error(kelf->path, "section headers",
			  "bad section count %zu or string table index %zu",
			  kelf->nr_secs, shstrndx);
		return -1;
	}
	kelf->secs = calloc(kelf->nr_secs, sizeof(*kelf->secs));
	kelf->sec_names = name_table_new(kelf->nr_secs);
	if (!kelf->secs || !kelf->sec_names) {
		log_error(kelf->path, NULL, "out of memory");
		return -1;
	}
	kelf->secs[0].kelf = kelf;
	kelf->secs[0].name = "";
	for (i = 1; i < kelf->nr_secs; i++) {
		if (read_section(kelf, shstrndx, i))
			return -1;
		if (name_table_add(kelf->sec_names, kelf->secs[i].name,
				   &kelf->secs[i])) {
			log_error(kelf->path, NULL, "out of memory");
			return -1;
		}
	}
	return 0;
}

static struct section *find_symtab(struct kelf *kelf)
{
	struct section *symtab = NULL;
	size_t i;

	for (i = 1; i < kelf->nr_secs; i++) {
		if (kelf->secs[i].sh.sh_type != SHT_SYMTAB)
			continue;
		if (symtab) {
			log_error(kelf->path, kelf->secs[i].name,
				  "more than one symbol table");
			return NULL;
		}
		symtab = &kelf->secs[i];
	}
	if (!symtab) {
		log_error(kelf->path, ".symtab", "no symbol table");
		return NULL;
	}
	if (symtab->sh.sh_entsize != sizeof(Elf64_Sym) ||
	    symtab->size % sizeof(Elf64_Sym) || symtab->size == 0) {
		log_error(kelf->path, symtab->name,
			  "bad entry size %lu or size %lu",
			  (unsigned long)symtab->sh.sh_entsize,
			  (unsigned long)symtab->size);
		return NULL;
	}
	if (symtab->sh.sh_link == 0 || symtab->sh.sh_link >= kelf->nr_secs ||
	    kelf->secs[symtab->sh.sh_link].sh.sh_type != SHT_STRTAB) {
		log_error(kelf->path, symtab->name,
			  "bad string table link %u", symtab->sh.sh_link);
		return NULL;
	}
	return symtab;
}

/* The SHT_SYMTAB_SHNDX section for symtab, validated, or NULL. */
static int find_shndx(struct kelf *kelf, Elf_Data **shndx)
{
	size_t i;

	*shndx = NULL;
	for (i = 1; i < kelf->nr_secs; i++) {
		struct section *sec = &kelf->secs[i];

		if (sec->sh.sh_type != SHT_SYMTAB_SHNDX ||
		    sec->sh.sh_link != kelf->symtab->index)
			continue;
		if (sec->size / 4 != kelf->nr_syms) {
			log_error(kelf->path, sec->name,
				  "size does not match the symbol table");
			return -1;
		}
		*shndx = elf_getdata(elf_getscn(kelf->elf, i), NULL);
		if (!*shndx) {
			log_error(kelf->path, sec->name, "%s", elf_msg());
			return -1;
		}
	}
	return 0;
}

static int read_symbol(struct kelf *kelf, Elf_Data *symdata,
		       Elf_Data *shndxdata, size_t i)
{
	struct symbol *sym = &kelf->syms[i];
	Elf32_Word xndx = 0;
	size_t shndx;
	char what[48];

	snprintf(what, sizeof(what), "symbol %zu", i);
	sym->index = i;
	if (!gelf_getsymshndx(symdata, shndxdata, (int)i, &sym->sym, &xndx)) {
		log_error(kelf->path, what, "%s", elf_msg());
		return -1;
	}
	sym->name = elf_strptr(kelf->elf, kelf->symtab->sh.sh_link,
			       sym->sym.st_name);
	if (!sym->name) {
		log_error(kelf->path, what, "bad name offset %u",
			  sym->sym.st_name);
		return -1;
	}
	sym->bind = GELF_ST_BIND(sym->sym.st_info);
	sym->type = GELF_ST_TYPE(sym->sym.st_info);
	shndx = sym->sym.st_shndx;
	if (shndx == SHN_XINDEX) {
		if (!shndxdata) {
			log_error(kelf->path, sym->name,
				  "SHN_XINDEX without .symtab_shndx");
			return -1;
		}
		shndx = xndx;
	} else if (shndx >= SHN_LORESERVE) {
		return 0;	/* SHN_ABS, SHN_COMMON */
	}
	if (shndx == SHN_UNDEF)
		return 0;
	if (shndx >= kelf->nr_secs) {
		log_error(kelf->path, sym->name, "section index %zu out of range",
			  shndx);
		return -1;
	}
	sym->sec = &kelf->secs[shndx];
	if (sym->type == STT_SECTION) {
		if (sym->sym.st_value) {
			log_error(kelf->path, sym->sec->name,
				  "section symbol with value 0x%lx",
				  (unsigned long)sym->sym.st_value);
			return -1;
		}
		if (!sym->sym.st_name || !*sym->name)
			sym->name = sym->sec->name;
		if (!sym->sec->secsym)
			sym->sec->secsym = sym;
		return 0;
	}
	if (sym->sym.st_value > sym->sec->size ||
	    sym->sym.st_size > sym->sec->size - sym->sym.st_value) {
		log_error(kelf->path, sym->name,
			  "extends past the end of section %s (0x%lx+0x%lx > 0x%lx)",
			  sym->sec->name, (unsigned long)sym->sym.st_value,
			  (unsigned long)sym->sym.st_size,
			  (unsigned long)sym->sec->size);
		return -1;
	}
	return 0;
}

static int cmp_sym_value(const void *a, const void *b)
{
	const struct symbol *x = *(struct symbol * const *)a;
	const struct symbol *y = *(struct symbol * const *)b;

	if (x->sym.st_value != y->sym.st_value)
		return x->sym.st_value < y->sym.st_value ? -1 : 1;
	/* Larger first, so the container precedes what it contains. */
	if (x->sym.st_size != y->sym.st_size)
		return x->sym.st_size > y->sym.st_size ? -1 : 1;
	return x->index < y->index ? -1 : 1;
}

static int index_section_symbols(struct kelf *kelf)
{
	size_t i, n;
	struct symbol **all;

	all = calloc(kelf->nr_syms, sizeof(*all));
	if (!all && kelf->nr_syms) {
		log_error(kelf->path, NULL, "out of memory");
		return -1;
	}
	/* Count, then hand each section its slice of one array. */
	for (i = 1; i < kelf->nr_syms; i++) {
		struct symbol *sym = &kelf->syms[i];

		if (sym->sec && sym->type != STT_SECTION &&
		    sym->type != STT_FILE)
			sym->sec->nr_syms++;
	}
	kelf->sec_syms = all;
	for (i = 1, n = 0; i < kelf->nr_secs; i++) {
		kelf->secs[i].syms = all + n;
		n += kelf->secs[i].nr_syms;
		kelf->secs[i].nr_syms = 0;
	}
	for (i = 1; i < kelf->nr_syms; i++) {
		struct symbol *sym = &kelf->syms[i];

		if (sym->sec && sym->type != STT_SECTION &&
		    sym->type != STT_FILE)
			sym->sec->syms[sym->sec->nr_syms++] = sym;
	}
	for (i = 1; i < kelf->nr_secs; i++)
		if (kelf->secs[i].nr_syms > 1)
			qsort(kelf->secs[i].syms, kelf->secs[i].nr_syms,
			      sizeof(struct symbol *), cmp_sym_value);
	return 0;
}

static int read_symbols(struct kelf *kelf)
{
	Elf_Data *symdata, *shndxdata;
	size_t i;

	kelf->symtab = find_symtab(kelf);
	if (!kelf->symtab)
		return -1;
	kelf->nr_syms = kelf->symtab->size / sizeof(Elf64_Sym);
	if (find_shndx(kelf, &shndxdata))
		return -1;
	symdata = elf_getdata(elf_getscn(kelf->elf, kelf->symtab->index), NULL);
	if (!symdata) {
		log_error(kelf->path, kelf->symtab->name, "%s", elf_msg());
		return -1;
	}
	kelf->syms = calloc(kelf->nr_syms, sizeof(*kelf->syms));
	kelf->sym_names = name_table_new(kelf->nr_syms);
	if (!kelf->syms || !kelf->sym_names) {
		log_error(kelf->path, NULL, "out of memory");
		return -1;
	}
	kelf->syms[0].name = "";
	for (i = 1; i < kelf->nr_syms; i++) {
		struct symbol *sym = &kelf->syms[i];

		if (read_symbol(kelf, symdata, shndxdata, i))
			return -1;
		if (sym->type != STT_SECTION && *sym->name) {
			struct symbol *first = name_table_get(kelf->sym_names,
							      sym->name);

			if (first)
				first->dup_name = sym->dup_name = true;
			else if (name_table_add(kelf->sym_names, sym->name,
						sym)) {
				log_error(kelf->path, NULL, "out of memory");
				return -1;
			}
		}
	}
	return index_section_symbols(kelf);
}

static int cmp_rela_offset(const void *a, const void *b)
{
	const struct rela *x = a, *y = b;

	if (x->offset != y->offset)
		return x->offset < y->offset ? -1 : 1;
	return 0;
}

static int read_rela(struct kelf *kelf, struct section *relasec,
		     Elf_Data *data, size_t i)
{
	struct section *base = relasec->base;
	struct rela *rela = &base->relas[i];
	GElf_Rela r;
	size_t symidx;
	int width;

	if (!gelf_getrela(data, (int)i, &r)) {
		log_error(kelf->path, relasec->name, "entry %zu: %s", i,
			  elf_msg());
		return -1;
	}
	symidx = GELF_R_SYM(r.r_info);
	rela->type = GELF_R_TYPE(r.r_info);
	rela->offset = r.r_offset;
	rela->addend = r.r_addend;
	width = kelf_rela_width(rela->type);
	if (width < 0) {
		log_error(kelf->path, relasec->name,
			  "entry %zu: unsupported relocation type %u", i,
			  rela->type);
		return -1;
	}
	if (symidx >= kelf->nr_syms || (symidx == 0 && width)) {
		log_error(kelf->path, relasec->name,
			  "entry %zu: symbol index %zu out of range", i, symidx);
		return -1;
	}
	if (rela->offset > base->size || (uint64_t)width > base->size -
	    rela->offset) {
		log_error(kelf->path, relasec->name,
			  "entry %zu: offset 0x%lx outside %s (size 0x%lx)", i,
			  (unsigned long)rela->offset, base->name,
			  (unsigned long)base->size);
		return -1;
	}
	rela->sym = &kelf->syms[symidx];
	return 0;
}

static int check_rela_overlaps(struct kelf *kelf, struct section *base)
{
	size_t i;

	for (i = 1; i < base->nr_relas; i++) {
		struct rela *prev = &base->relas[i - 1];

		if (prev->offset + kelf_rela_width(prev->type) >
		    base->relas[i].offset) {
			log_error(kelf->path, base->relasec->name,
				  "overlapping relocations at offset 0x%lx",
				  (unsigned long)base->relas[i].offset);
			return -1;
		}
	}
	return 0;
}

static int read_relas(struct kelf *kelf, struct section *relasec)
{
	Elf_Data *data;
	size_t n, i;

	if (relasec->sh.sh_info == 0 || relasec->sh.sh_info >= kelf->nr_secs ||
	    relasec->sh.sh_info == relasec->index) {
		log_error(kelf->path, relasec->name,
			  "bad relocated section index %u", relasec->sh.sh_info);
		return -1;
	}
	relasec->base = &kelf->secs[relasec->sh.sh_info];
	if (sec_is_debug(relasec) || relasec->sh.sh_flags & SHF_COMPRESSED)
		return 0;	/* never compared nor copied */
	if (relasec->sh.sh_link != kelf->symtab->index) {
		log_error(kelf->path, relasec->name,
			  "bad symbol table link %u", relasec->sh.sh_link);
		return -1;
	}
	if (relasec->sh.sh_entsize != sizeof(Elf64_Rela) ||
	    relasec->size % sizeof(Elf64_Rela)) {
		log_error(kelf->path, relasec->name, "bad entry size %lu",
			  (unsigned long)relasec->sh.sh_entsize);
		return -1;
	}
	if (relasec->base->relasec || sec_is_rela(relasec->base) ||
	    relasec->base->sh.sh_type == SHT_NOBITS) {
		log_error(kelf->path, relasec->name,
			  "cannot relocate section %s", relasec->base->name);
		return -1;
	}
	relasec->base->relasec = relasec;
	n = relasec->size / sizeof(Elf64_Rela);
	data = elf_getdata(elf_getscn(kelf->elf, relasec->index), NULL);
	relasec->base->relas = calloc(n ? n : 1, sizeof(struct rela));
	if (!data || !relasec->base->relas) {
		log_error(kelf->path, relasec->name, "cannot read: %s",
			  data ? "out of memory" : elf_msg());
		return -1;
	}
	relasec->base->nr_relas = n;
	for (i = 0; i < n; i++)
		if (read_rela(kelf, relasec, data, i))
			return -1;
	if (n > 1)
		qsort(relasec->base->relas, n, sizeof(struct rela),
		      cmp_rela_offset);
	return check_rela_overlaps(kelf, relasec->base);
}

static int read_all_relas(struct kelf *kelf)
{
	size_t i;

	for (i = 1; i < kelf->nr_secs; i++)
		if (sec_is_rela(&kelf->secs[i]) &&
		    read_relas(kelf, &kelf->secs[i]))
			return -1;
	return 0;
}

struct kelf *kelf_open(const char *path)
{
	struct kelf *kelf;
	const char *slash;

	if (elf_version(EV_CURRENT) == EV_NONE) {
		log_error(path, NULL, "libelf is out of date");
		return NULL;
	}
	kelf = calloc(1, sizeof(*kelf));
	if (!kelf) {
		log_error(path, NULL, "out of memory");
		return NULL;
	}
	kelf->path = path;
	slash = strrchr(path, '/');
	kelf->base = slash ? slash + 1 : path;
	kelf->fd = open(path, O_RDONLY);
	if (kelf->fd < 0) {
		log_error(path, NULL, "cannot open: %s", strerror(errno));
		free(kelf);
		return NULL;
	}
	kelf->elf = elf_begin(kelf->fd, ELF_C_READ_MMAP, NULL);
	if (!kelf->elf) {
		log_error(path, NULL, "not an ELF file: %s", elf_msg());
		goto fail;
	}
	if (read_header(kelf) || read_sections(kelf) || read_symbols(kelf) ||
	    read_all_relas(kelf))
		goto fail;
	return kelf;
fail:
	kelf_close(kelf);
	return NULL;
}

void kelf_close(struct kelf *kelf)
{
	size_t i;

	if (!kelf)
		return;
	if (kelf->secs) {
		for (i = 0; i < kelf->nr_secs; i++) {
			free(kelf->secs[i].relas);
			free(kelf->secs[i].owned_data);
			free(kelf->secs[i].insn_ends);
			free(kelf->secs[i].ref_offs);
		}
	}
	free(kelf->secs);
	free(kelf->sec_syms);
	for (i = 0; kelf->syms && i < kelf->nr_syms; i++)
		if (kelf->syms[i].strip && kelf->syms[i].strip !=
		    kelf->syms[i].name)
			free((char *)kelf->syms[i].strip);
	free(kelf->syms);
	name_table_free(kelf->sym_names);
	name_table_free(kelf->sec_names);
	if (kelf->elf)
		elf_end(kelf->elf);
	if (kelf->fd >= 0)
		close(kelf->fd);
	free(kelf);
}
