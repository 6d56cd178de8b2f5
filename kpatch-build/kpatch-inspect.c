// SPDX-License-Identifier: GPL-2.0
/*
 * kpatch-inspect: dump what create-diff-object wrote into an OUTPUT.o (or
 * the special sections of any x86_64 relocatable object) as stable,
 * greppable text, one record per line:
 *
 *   section NAME type=T flags=F size=N
 *   symbol KIND NAME bind=B sec=S size=N        KIND: func, object, undef
 *   func name=N objname=O sympos=P old_size=S new_size=S new=SYM
 *   ksym idx=I name=N objname=O sympos=P bind=B type=T
 *   reloc dest=SEC+0xOFF in=FUNC type=R addend=A sym=N objname=O
 *         symobj=O sympos=P external=E            (one line)
 *   sites FUNC N                                 relocated places in FUNC
 *   force FUNC
 *   callback KIND fn=FUNC objname=O
 *   modinfo KEY=VALUE
 *   special SEC entries=N entsize=S
 *   entry SEC IDX owner=FUNC refs=SYM+A,...
 *
 * The owner of a special-section entry is the function (FUNC symbol)
 * covering the first relocation target of the entry that lies in code
 * outside the alternatives' replacement sections; "-" when there is none.
 * Entry sizes default to x86_64 Linux 6.1 and can be overridden by the same
 * environment variables create-diff-object reads (BUG_STRUCT_SIZE, ...).
 *
 * Exit status: 0 dumped, 1 bad input (message names the file and the part
 * at fault).
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kpatch-intermediate.h"

struct isec {
	const char *name;
	size_t index;
	GElf_Shdr sh;
	Elf_Data *data;		/* NULL for SHT_NOBITS and empty sections */
	GElf_Rela *relas;	/* relocations applying to this section */
	size_t nrelas;
};

struct isym {
	const char *name;
	GElf_Sym sym;
};

/* A .kpatch.relocations entry, by the place it relocates. */
struct kreloc {
	const struct isec *sec;
	long off;
	char desc[256];		/* "name+addend@objname" */
};

struct iobj {
	const char *path;
	int fd;
	Elf *elf;
	struct isec *secs;
	size_t nsecs;
	struct isym *syms;
	size_t nsyms;
	struct kreloc *krelocs;
	size_t nkrelocs;
};

/* A relocation target resolved to a section and an offset in it. */
struct target {
	const struct isym *sym;
	struct isec *sec;	/* NULL: undefined or absolute symbol */
	long off;
};

struct special {
	const char *name;
	size_t entsize;		/* 0: one entry per relocation */
	const char *env;	/* variable overriding entsize, or NULL */
};

static const struct special specials[] = {
	{ "__bug_table", 12, "BUG_STRUCT_SIZE" },
	{ "__ex_table", 12, "EX_STRUCT_SIZE" },
	{ ".altinstructions", 12, "ALT_STRUCT_SIZE" },
	{ "__jump_table", 16, "JUMP_STRUCT_SIZE" },
	{ ".static_call_sites", 8, "STATIC_CALL_STRUCT_SIZE" },
	{ ".parainstructions", 16, "PARA_STRUCT_SIZE" },
	{ ".smp_locks", 4, NULL },
	{ ".orc_unwind", 6, "ORC_STRUCT_SIZE" },
	{ ".orc_unwind_ip", 4, NULL },
	{ "__mcount_loc", 8, NULL },
	{ ".printk_index", 8, "PRINTK_INDEX_STRUCT_SIZE" },
	{ ".retpoline_sites", 4, NULL },
	{ ".return_sites", 4, NULL },
	{ ".call_sites", 4, NULL },
	{ ".ibt_endbr_seal", 4, NULL },
	{ "__tracepoints_ptrs", 4, NULL },
	{ "__tracepoints", 0, NULL },
	{ "__tracepoints_strings", 0, NULL },
	{ "__param", 40, NULL },
	{ ".static_call_tramp_key", 8, NULL },
};

static const char *prog = "kpatch-inspect";

static void error(const char *path, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ERROR: %s: ", prog, path);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static struct isec *find_section(const struct iobj *o, const char *name)
{
	size_t i;

	for (i = 0; i < o->nsecs; i++)
		if (o->secs[i].name && !strcmp(o->secs[i].name, name))
			return &o->secs[i];
	return NULL;
}

static int read_sections(struct iobj *o)
{
	size_t shstrndx, i;

	if (elf_getshdrnum(o->elf, &o->nsecs) || elf_getshdrstrndx(o->elf, &shstrndx)) {
		error(o->path, "section headers: %s", elf_errmsg(-1));
		return -1;
	}
	o->secs = calloc(o->nsecs ? o->nsecs : 1, sizeof(*o->secs));
	if (!o->secs) {
		error(o->path, "out of memory");
		return -1;
	}
	for (i = 1; i < o->nsecs; i++) {
		struct isec *s = &o->secs[i];
		Elf_Scn *scn = elf_getscn(o->elf, i);

		s->index = i;
		if (!scn || !gelf_getshdr(scn, &s->sh)) {
			error(o->path, "section %zu: %s", i, elf_errmsg(-1));
			return -1;
		}
		s->name = elf_strptr(o->elf, shstrndx, s->sh.sh_name);
		if (!s->name) {
			error(o->path, "section %zu: bad name offset %u", i, s->sh.sh_name);
			return -1;
		}
		if (s->sh.sh_type == SHT_NOBITS || !s->sh.sh_size)
			continue;
		s->data = elf_getdata(scn, NULL);
		if (!s->data || s->data->d_size != s->sh.sh_size) {
			error(o->path, "section %s: cannot read contents: %s", s->name,
			      elf_errmsg(-1));
			return -1;
		}
	}
	return 0;
}

static int read_symbols(struct iobj *o)
{
	struct isec *symtab = NULL;
	size_t i;

	for (i = 1; i < o->nsecs; i++)
		if (o->secs[i].sh.sh_type == SHT_SYMTAB)
			symtab = &o->secs[i];
	if (!symtab || !symtab->data) {
		error(o->path, ".symtab: missing: not a relocatable object with symbols");
		return -1;
	}
	if (symtab->sh.sh_link == 0 || symtab->sh.sh_link >= o->nsecs ||
	    o->secs[symtab->sh.sh_link].sh.sh_type != SHT_STRTAB) {
		error(o->path, ".symtab: string table link %u is not a string table",
		      symtab->sh.sh_link);
		return -1;
	}
	o->nsyms = symtab->sh.sh_size / sizeof(Elf64_Sym);
	o->syms = calloc(o->nsyms ? o->nsyms : 1, sizeof(*o->syms));
	if (!o->syms) {
		error(o->path, "out of memory");
		return -1;
	}
	for (i = 0; i < o->nsyms; i++) {
		struct isym *s = &o->syms[i];
		unsigned int shndx;

		if (!gelf_getsym(symtab->data, (int)i, &s->sym)) {
			error(o->path, ".symtab: symbol %zu: %s", i, elf_errmsg(-1));
			return -1;
		}
		s->name = elf_strptr(o->elf, symtab->sh.sh_link, s->sym.st_name);
		if (!s->name) {
			error(o->path, ".symtab: symbol %zu: bad name offset %u", i,
			      s->sym.st_name);
			return -1;
		}
		shndx = s->sym.st_shndx;
		if (shndx != SHN_UNDEF && shndx < SHN_LORESERVE && shndx >= o->nsecs) {
			error(o->path, "symbol %s: section index %u out of range", s->name,
			      shndx);
			return -1;
		}
		if (GELF_ST_TYPE(s->sym.st_info) == STT_SECTION && shndx &&
		    shndx < o->nsecs)
			s->name = o->secs[shndx].name;
	}
	return 0;
}

static int cmp_rela(const void *a, const void *b)
{
	const GElf_Rela *x = a, *y = b;

	return x->r_offset < y->r_offset ? -1 : x->r_offset > y->r_offset;
}

static int read_relas(struct iobj *o)
{
	size_t i, j;

	for (i = 1; i < o->nsecs; i++) {
		struct isec *r = &o->secs[i], *target;

		if (r->sh.sh_type == SHT_REL) {
			error(o->path, "section %s: SHT_REL is not used on x86_64", r->name);
			return -1;
		}
		if (r->sh.sh_type != SHT_RELA)
			continue;
		if (r->sh.sh_info == 0 || r->sh.sh_info >= o->nsecs) {
			error(o->path, "section %s: target section %u out of range", r->name,
			      r->sh.sh_info);
			return -1;
		}
		target = &o->secs[r->sh.sh_info];
		if (target->relas) {
			error(o->path, "section %s: second relocation section", target->name);
			return -1;
		}
		target->nrelas = r->data ? r->sh.sh_size / sizeof(Elf64_Rela) : 0;
		target->relas = calloc(target->nrelas + 1, sizeof(GElf_Rela));
		if (!target->relas) {
			error(o->path, "out of memory");
			return -1;
		}
		for (j = 0; j < target->nrelas; j++) {
			GElf_Rela *rela = &target->relas[j];

			if (!gelf_getrela(r->data, (int)j, rela)) {
				error(o->path, "section %s: relocation %zu: %s", r->name, j,
				      elf_errmsg(-1));
				return -1;
			}
			if (GELF_R_SYM(rela->r_info) >= o->nsyms) {
				error(o->path, "section %s: relocation %zu: symbol index %lu out of range",
				      r->name, j, (unsigned long)GELF_R_SYM(rela->r_info));
				return -1;
			}
			if (target->sh.sh_type != SHT_NOBITS &&
			    rela->r_offset >= target->sh.sh_size) {
				error(o->path, "section %s: relocation %zu: offset 0x%lx past the end of %s",
				      r->name, j, (unsigned long)rela->r_offset, target->name);
				return -1;
			}
		}
		/* Sorted by offset: entries are looked up by range. */
		qsort(target->relas, target->nrelas, sizeof(GElf_Rela), cmp_rela);
	}
	return 0;
}

static int open_object(struct iobj *o, const char *path)
{
	GElf_Ehdr eh;

	memset(o, 0, sizeof(*o));
	o->path = path;
	o->fd = open(path, O_RDONLY);
	if (o->fd < 0) {
		error(path, "cannot open: %s", strerror(errno));
		return -1;
	}
	o->elf = elf_begin(o->fd, ELF_C_READ, NULL);
	if (!o->elf || elf_kind(o->elf) != ELF_K_ELF) {
		error(path, "not an ELF file");
		return -1;
	}
	if (gelf_getclass(o->elf) != ELFCLASS64 || !gelf_getehdr(o->elf, &eh)) {
		error(path, "not a 64-bit ELF file");
		return -1;
	}
	if (eh.e_machine != EM_X86_64) {
		error(path, "machine %u is not x86_64", eh.e_machine);
		return -1;
	}
	if (eh.e_type != ET_REL) {
		error(path, "ELF type %u is not a relocatable object", eh.e_type);
		return -1;
	}
	if (read_sections(o) || read_symbols(o) || read_relas(o))
		return -1;
	return 0;
}

static void close_object(struct iobj *o)
{
	size_t i;

	if (o->secs)
		for (i = 0; i < o->nsecs; i++)
			free(o->secs[i].relas);
	free(o->secs);
	free(o->syms);
	free(o->krelocs);
	if (o->elf)
		elf_end(o->elf);
	if (o->fd >= 0)
		close(o->fd);
}

/* Index of the first relocation of s at or after off. */
static size_t first_rela(const struct isec *s, GElf_Addr off)
{
	size_t lo = 0, hi = s->nrelas;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->relas[mid].r_offset < off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static const GElf_Rela *rela_at(const struct isec *s, GElf_Addr off)
{
	size_t i = first_rela(s, off);

	return i < s->nrelas && s->relas[i].r_offset == off ? &s->relas[i] : NULL;
}

static struct target resolve(struct iobj *o, const GElf_Rela *rela)
{
	struct target t = { .sym = &o->syms[GELF_R_SYM(rela->r_info)] };
	unsigned int shndx = t.sym->sym.st_shndx;

	if (shndx != SHN_UNDEF && shndx < o->nsecs)
		t.sec = &o->secs[shndx];
	t.off = (long)t.sym->sym.st_value + rela->r_addend;
	return t;
}

/*
 * The FUNC (or, with want_func == 0, OBJECT) symbol covering sec+off; failing
 * that, the one ending exactly at off (ORC's end-of-function entries).
 */
static const struct isym *covering(struct iobj *o, const struct isec *sec, long off,
				   int want_func)
{
	const struct isym *best = NULL, *ending = NULL;
	size_t i;

	for (i = 0; i < o->nsyms; i++) {
		const GElf_Sym *s = &o->syms[i].sym;
		int type = GELF_ST_TYPE(s->st_info);
		long start = (long)s->st_value;

		if (s->st_shndx != sec->index)
			continue;
		if (want_func ? type != STT_FUNC : type != STT_OBJECT)
			continue;
		if (off == start || (off > start && off < start + (long)s->st_size)) {
			if (!best || best->sym.st_value < s->st_value)
				best = &o->syms[i];
		} else if (s->st_size && off == start + (long)s->st_size) {
			ending = &o->syms[i];
		}
	}
	return best ? best : ending;
}

static const char *sym_type(int type)
{
	static const char *names[] = { "NOTYPE", "OBJECT", "FUNC", "SECTION", "FILE" };

	return type >= 0 && type < 5 ? names[type] : "OTHER";
}

static const char *sym_bind(int bind)
{
	static const char *names[] = { "LOCAL", "GLOBAL", "WEAK" };

	return bind >= 0 && bind < 3 ? names[bind] : "OTHER";
}

static const char *rela_type(unsigned int type)
{
	switch (type) {
	case R_X86_64_NONE: return "R_X86_64_NONE";
	case R_X86_64_64: return "R_X86_64_64";
	case R_X86_64_PC32: return "R_X86_64_PC32";
	case R_X86_64_PLT32: return "R_X86_64_PLT32";
	case R_X86_64_32: return "R_X86_64_32";
	case R_X86_64_32S: return "R_X86_64_32S";
	case R_X86_64_PC64: return "R_X86_64_PC64";
	case R_X86_64_GOTPCREL: return "R_X86_64_GOTPCREL";
	case R_X86_64_GOTPCRELX: return "R_X86_64_GOTPCRELX";
	case R_X86_64_REX_GOTPCRELX: return "R_X86_64_REX_GOTPCRELX";
	default: return "R_X86_64_OTHER";
	}
}

static void name_plus(char *buf, size_t len, const char *name, long off)
{
	if (off)
		snprintf(buf, len, "%s%+ld", name, off);
	else
		snprintf(buf, len, "%s", name);
}

/*
 * "name" or "name+off" for a symbol; for a section symbol, the function or
 * object covering the target, else "section+0xoff".
 */
static void describe(struct iobj *o, const struct target *t, char *buf, size_t len)
{
	int type = GELF_ST_TYPE(t->sym->sym.st_info);
	const struct isym *cover;

	if (type != STT_SECTION || !t->sec) {
		name_plus(buf, len, t->sym->name, t->off - (long)t->sym->sym.st_value);
		return;
	}
	cover = covering(o, t->sec, t->off, t->sec->sh.sh_flags & SHF_EXECINSTR);
	if (cover)
		name_plus(buf, len, cover->name, t->off - (long)cover->sym.st_value);
	else
		snprintf(buf, len, "%s+0x%lx", t->sec->name, (unsigned long)t->off);
}

/* NUL-terminated string the relocation at sec+off points to, or NULL. */
static const char *string_at(struct iobj *o, const struct isec *sec, GElf_Addr off)
{
	const GElf_Rela *rela = rela_at(sec, off);
	struct target t;
	const char *p;

	if (!rela)
		return NULL;
	t = resolve(o, rela);
	if (!t.sec || !t.sec->data || t.off < 0 || (size_t)t.off >= t.sec->sh.sh_size)
		return NULL;
	p = (const char *)t.sec->data->d_buf + t.off;
	if (!memchr(p, '\0', t.sec->sh.sh_size - t.off))
		return NULL;
	return p;
}

static int check_table(struct iobj *o, const struct isec *s, size_t entsize)
{
	if (!s->data) {
		error(o->path, "%s: no contents", s->name);
		return -1;
	}
	if (s->sh.sh_size % entsize) {
		error(o->path, "%s: size %lu is not a multiple of the entry size %zu",
		      s->name, (unsigned long)s->sh.sh_size, entsize);
		return -1;
	}
	return 0;
}

static unsigned long field(const struct isec *s, size_t off, size_t size)
{
	const unsigned char *p = (const unsigned char *)s->data->d_buf + off;
	unsigned long v = 0;

	memcpy(&v, p, size);
	return v;
}

static int dump_funcs(struct iobj *o)
{
	const size_t es = sizeof(struct kpatch_patch_func);
	struct isec *s = find_section(o, ".kpatch.funcs");
	size_t i;

	if (!s)
		return 0;
	if (check_table(o, s, es))
		return -1;
	for (i = 0; i < s->sh.sh_size / es; i++) {
		size_t base = i * es;
		const char *name = string_at(o, s, base + offsetof(struct kpatch_patch_func, name));
		const char *obj = string_at(o, s, base + offsetof(struct kpatch_patch_func, objname));
		const GElf_Rela *nr = rela_at(s, base + offsetof(struct kpatch_patch_func, new_addr));
		char newsym[512];
		struct target t;

		if (!name || !obj || !nr) {
			error(o->path, ".kpatch.funcs: entry %zu: missing relocation for %s", i,
			      !name ? "name" : !obj ? "objname" : "new_addr");
			return -1;
		}
		t = resolve(o, nr);
		describe(o, &t, newsym, sizeof(newsym));
		printf("func name=%s objname=%s sympos=%lu old_size=%lu new_size=%lu new=%s\n",
		       name, obj,
		       field(s, base + offsetof(struct kpatch_patch_func, sympos), 8),
		       field(s, base + offsetof(struct kpatch_patch_func, old_size), 8),
		       field(s, base + offsetof(struct kpatch_patch_func, new_size), 8),
		       newsym);
	}
	return 0;
}

static int dump_ksym(struct iobj *o, struct isec *s, size_t base, const char *what,
		     size_t idx)
{
	const char *name = string_at(o, s, base + offsetof(struct kpatch_symbol, name));
	const char *obj = string_at(o, s, base + offsetof(struct kpatch_symbol, objname));

	if (!name || !obj) {
		error(o->path, ".kpatch.symbols: entry %zu (%s): missing relocation for %s",
		      idx, what, !name ? "name" : "objname");
		return -1;
	}
	printf("name=%s symobj=%s sympos=%lu bind=%s stype=%s", name, obj,
	       field(s, base + offsetof(struct kpatch_symbol, sympos), 8),
	       sym_bind((int)field(s, base + offsetof(struct kpatch_symbol, bind), 1)),
	       sym_type((int)field(s, base + offsetof(struct kpatch_symbol, type), 1)));
	return 0;
}

static int dump_symbols_table(struct iobj *o)
{
	const size_t es = sizeof(struct kpatch_symbol);
	struct isec *s = find_section(o, ".kpatch.symbols");
	size_t i;

	if (!s)
		return 0;
	if (check_table(o, s, es))
		return -1;
	for (i = 0; i < s->sh.sh_size / es; i++) {
		printf("ksym idx=%zu ", i);
		if (dump_ksym(o, s, i * es, "table", i))
			return -1;
		putchar('\n');
	}
	return 0;
}

static int record_kreloc(struct iobj *o, struct isec *ksyms, const struct target *dest,
			 size_t ksym_off, long addend)
{
	const char *name = string_at(o, ksyms, ksym_off + offsetof(struct kpatch_symbol, name));
	const char *obj = string_at(o, ksyms, ksym_off + offsetof(struct kpatch_symbol, objname));
	struct kreloc *k;

	k = realloc(o->krelocs, (o->nkrelocs + 1) * sizeof(*k));
	if (!k) {
		error(o->path, "out of memory");
		return -1;
	}
	o->krelocs = k;
	k = &o->krelocs[o->nkrelocs++];
	k->sec = dest->sec;
	k->off = dest->off;
	if (addend)
		snprintf(k->desc, sizeof(k->desc), "%s%+ld@%s", name ? name : "?", addend,
			 obj ? obj : "?");
	else
		snprintf(k->desc, sizeof(k->desc), "%s@%s", name ? name : "?", obj ? obj : "?");
	return 0;
}

static const struct kreloc *kreloc_at(const struct iobj *o, const struct isec *sec, long off)
{
	size_t i;

	for (i = 0; i < o->nkrelocs; i++)
		if (o->krelocs[i].sec == sec && o->krelocs[i].off == off)
			return &o->krelocs[i];
	return NULL;
}

static int dump_relocations(struct iobj *o)
{
	const size_t es = sizeof(struct kpatch_relocation);
	struct isec *s = find_section(o, ".kpatch.relocations");
	struct isec *ksyms = find_section(o, ".kpatch.symbols");
	size_t i;

	if (!s)
		return 0;
	if (check_table(o, s, es))
		return -1;
	for (i = 0; i < s->sh.sh_size / es; i++) {
		size_t base = i * es;
		const GElf_Rela *dr = rela_at(s, base + offsetof(struct kpatch_relocation, dest));
		const GElf_Rela *kr = rela_at(s, base + offsetof(struct kpatch_relocation, ksym));
		const char *obj = string_at(o, s, base + offsetof(struct kpatch_relocation, objname));
		struct target dest, ks;
		const struct isym *in;

		if (!dr || !kr || !obj) {
			error(o->path, ".kpatch.relocations: entry %zu: missing relocation for %s",
			      i, !dr ? "dest" : !kr ? "ksym" : "objname");
			return -1;
		}
		dest = resolve(o, dr);
		ks = resolve(o, kr);
		if (!dest.sec || !ks.sec || ks.sec != ksyms || ks.off < 0 ||
		    ks.off % sizeof(struct kpatch_symbol) ||
		    (GElf_Xword)ks.off >= ks.sec->sh.sh_size) {
			error(o->path, ".kpatch.relocations: entry %zu: dest or ksym does not point into the object's sections",
			      i);
			return -1;
		}
		in = covering(o, dest.sec, dest.off, 1);
		if (record_kreloc(o, ksyms, &dest, (size_t)ks.off,
				  (long)field(s, base + offsetof(struct kpatch_relocation, addend), 8)))
			return -1;
		printf("reloc dest=%s+0x%lx in=%s type=%s addend=%ld objname=%s external=%ld ",
		       dest.sec->name, (unsigned long)dest.off, in ? in->name : "-",
		       rela_type((unsigned int)field(s, base + offsetof(struct kpatch_relocation, type), 4)),
		       (long)field(s, base + offsetof(struct kpatch_relocation, addend), 8),
		       obj,
		       (long)(int)field(s, base + offsetof(struct kpatch_relocation, external), 4));
		if (dump_ksym(o, ksyms, (size_t)ks.off, "relocation", i))
			return -1;
		putchar('\n');
	}
	return 0;
}

static void dump_pointer_list(struct iobj *o, const char *secname, const char *label)
{
	struct isec *s = find_section(o, secname);
	char buf[512];
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->nrelas; i++) {
		struct target t = resolve(o, &s->relas[i]);

		describe(o, &t, buf, sizeof(buf));
		printf("%s %s\n", label, buf);
	}
}

static int dump_callbacks(struct iobj *o)
{
	static const char *kinds[] = { "pre_patch", "post_patch", "pre_unpatch", "post_unpatch" };
	const size_t es = sizeof(struct kpatch_callback);
	size_t k, i;

	for (k = 0; k < 4; k++) {
		char secname[64], fn[512];
		struct isec *s;

		snprintf(secname, sizeof(secname), ".kpatch.callbacks.%s", kinds[k]);
		s = find_section(o, secname);
		if (!s)
			continue;
		if (check_table(o, s, es))
			return -1;
		for (i = 0; i < s->sh.sh_size / es; i++) {
			const GElf_Rela *fr = rela_at(s, i * es + offsetof(struct kpatch_callback, fn));
			const char *obj = string_at(o, s, i * es + offsetof(struct kpatch_callback, objname));
			struct target t;

			if (!fr) {
				error(o->path, "%s: entry %zu: missing relocation for fn", secname, i);
				return -1;
			}
			t = resolve(o, fr);
			describe(o, &t, fn, sizeof(fn));
			printf("callback %s fn=%s objname=%s\n", kinds[k], fn, obj ? obj : "-");
		}
	}
	return 0;
}

static void dump_modinfo(struct iobj *o)
{
	struct isec *s = find_section(o, ".modinfo");
	const char *p, *end;

	if (!s || !s->data)
		return;
	p = s->data->d_buf;
	end = p + s->data->d_size;
	while (p < end) {
		size_t len = strnlen(p, end - p);

		if (len)
			printf("modinfo %.*s\n", (int)len, p);
		p += len + 1;
	}
}

static size_t special_entsize(const char *name, int *known)
{
	size_t i;

	*known = 1;
	for (i = 0; i < sizeof(specials) / sizeof(specials[0]); i++) {
		const char *env;

		if (strcmp(specials[i].name, name))
			continue;
		env = specials[i].env ? getenv(specials[i].env) : NULL;
		if (env && *env)
			return strtoul(env, NULL, 0);
		return specials[i].entsize;
	}
	*known = !strncmp(name, ".discard.", 9);
	return 0;
}

static const char *entry_owner(struct iobj *o, const struct isec *s, size_t start,
			       size_t end)
{
	size_t i;

	for (i = first_rela(s, start); i < s->nrelas && s->relas[i].r_offset < end; i++) {
		const GElf_Rela *r = &s->relas[i];
		const struct isym *f;
		struct target t;

		t = resolve(o, r);
		if (GELF_ST_TYPE(t.sym->sym.st_info) == STT_FUNC && !t.sec)
			return t.sym->name;
		if (!t.sec || !(t.sec->sh.sh_flags & SHF_EXECINSTR) ||
		    !strncmp(t.sec->name, ".altinstr_", 10))
			continue;
		f = covering(o, t.sec, t.off, 1);
		return f ? f->name : t.sec->name;
	}
	return "-";
}

static void dump_entry(struct iobj *o, const struct isec *s, size_t idx, size_t start,
		       size_t end)
{
	const char *owner = entry_owner(o, s, start, end);
	char buf[512];
	size_t i, off;
	int first = 1;

	/* .orc_unwind has no relocations: entry i describes .orc_unwind_ip's. */
	if (!strcmp(s->name, ".orc_unwind")) {
		const struct isec *ip = find_section(o, ".orc_unwind_ip");

		if (ip)
			owner = entry_owner(o, ip, idx * 4, idx * 4 + 4);
	}
	printf("entry %s %zu owner=%s refs=", s->name, idx, owner);
	i = first_rela(s, start);
	for (off = start; off < end; off++) {
		const struct kreloc *k = o->nkrelocs ? kreloc_at(o, s, (long)off) : NULL;

		for (; i < s->nrelas && s->relas[i].r_offset == off; i++) {
			struct target t = resolve(o, &s->relas[i]);

			describe(o, &t, buf, sizeof(buf));
			printf("%s%s", first ? "" : ",", buf);
			first = 0;
		}
		if (k) {
			printf("%s%s", first ? "" : ",", k->desc);
			first = 0;
		}
	}
	printf("%s\n", first ? "-" : "");
}

static int dump_special(struct iobj *o, const struct isec *s)
{
	size_t entsize, n, i;
	int known;

	entsize = special_entsize(s->name, &known);
	if (!known)
		return 0;
	if (!entsize) {
		/* One entry per relocation, in offset order as written. */
		printf("special %s entries=%zu entsize=0\n", s->name, s->nrelas);
		for (i = 0; i < s->nrelas; i++)
			dump_entry(o, s, i, s->relas[i].r_offset, s->relas[i].r_offset + 1);
		return 0;
	}
	if (s->sh.sh_size % entsize) {
		error(o->path, "%s: size %lu is not a multiple of the entry size %zu",
		      s->name, (unsigned long)s->sh.sh_size, entsize);
		return -1;
	}
	n = s->sh.sh_size / entsize;
	printf("special %s entries=%zu entsize=%zu\n", s->name, n, entsize);
	for (i = 0; i < n; i++)
		dump_entry(o, s, i, i * entsize, (i + 1) * entsize);
	return 0;
}

static void dump_sections(struct iobj *o)
{
	size_t i;

	for (i = 1; i < o->nsecs; i++) {
		const struct isec *s = &o->secs[i];
		char flags[8], *f = flags;

		if (s->sh.sh_flags & SHF_WRITE)
			*f++ = 'W';
		if (s->sh.sh_flags & SHF_ALLOC)
			*f++ = 'A';
		if (s->sh.sh_flags & SHF_EXECINSTR)
			*f++ = 'X';
		if (f == flags)
			*f++ = '-';
		*f = '\0';
		printf("section %s type=%u flags=%s size=%lu\n", s->name, s->sh.sh_type,
		       flags, (unsigned long)s->sh.sh_size);
	}
}

static void dump_symbols(struct iobj *o)
{
	size_t i;

	for (i = 1; i < o->nsyms; i++) {
		const struct isym *s = &o->syms[i];
		int type = GELF_ST_TYPE(s->sym.st_info);
		unsigned int shndx = s->sym.st_shndx;
		const char *kind;

		if (shndx == SHN_UNDEF)
			kind = "undef";
		else if (type == STT_FUNC)
			kind = "func";
		else if (type == STT_OBJECT || type == STT_TLS)
			kind = "object";
		else
			continue;
		printf("symbol %s %s bind=%s sec=%s size=%lu\n", kind, s->name,
		       sym_bind(GELF_ST_BIND(s->sym.st_info)),
		       shndx == SHN_UNDEF ? "UND" : shndx < o->nsecs ? o->secs[shndx].name : "ABS",
		       (unsigned long)s->sym.st_size);
	}
}

/*
 * "sites FUNC N": how many places of each function's code get relocated,
 * by a normal relocation or a .kpatch.relocations entry.  Copying a
 * function into the output must not lose any.
 */
static void dump_sites(struct iobj *o)
{
	size_t i, j;

	for (i = 1; i < o->nsyms; i++) {
		const GElf_Sym *f = &o->syms[i].sym;
		const struct isec *sec;
		size_t n = 0;

		if (GELF_ST_TYPE(f->st_info) != STT_FUNC || f->st_shndx == SHN_UNDEF ||
		    f->st_shndx >= o->nsecs)
			continue;
		sec = &o->secs[f->st_shndx];
		for (j = first_rela(sec, f->st_value);
		     j < sec->nrelas && sec->relas[j].r_offset < f->st_value + f->st_size; j++)
			n++;
		for (j = 0; j < o->nkrelocs; j++)
			if (o->krelocs[j].sec == sec && o->krelocs[j].off >= (long)f->st_value &&
			    o->krelocs[j].off < (long)(f->st_value + f->st_size))
				n++;
		printf("sites %s %zu\n", o->syms[i].name, n);
	}
}

static int inspect(const char *path)
{
	struct iobj o;
	size_t i;
	int ret = 1;

	if (open_object(&o, path))
		goto out;
	dump_sections(&o);
	dump_symbols(&o);
	if (dump_funcs(&o) || dump_symbols_table(&o) || dump_relocations(&o) ||
	    dump_callbacks(&o))
		goto out;
	dump_sites(&o);
	dump_pointer_list(&o, ".kpatch.force", "force");
	dump_modinfo(&o);
	for (i = 1; i < o.nsecs; i++)
		if (o.secs[i].sh.sh_type != SHT_RELA && dump_special(&o, &o.secs[i]))
			goto out;
	ret = 0;
out:
	close_object(&o);
	return ret;
}

int main(int argc, char **argv)
{
	if (argc != 2 || argv[1][0] == '-') {
		fprintf(stderr, "usage: %s OBJECT.o\n", prog);
		return argc == 2 && !strcmp(argv[1], "--help") ? 0 : 1;
	}
	if (elf_version(EV_CURRENT) == EV_NONE) {
		error(argv[1], "libelf: %s", elf_errmsg(-1));
		return 1;
	}
	return inspect(argv[1]);
}
