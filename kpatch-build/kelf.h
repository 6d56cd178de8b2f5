/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kelf.h: the ELF model of a relocatable x86_64 kernel object.
 *
 * kelf_open() reads and validates the whole object: every section, symbol
 * and relocation index, offset and size is checked, so later stages can
 * follow pointers without re-checking.  Reading never exits: a bad file
 * gives a message naming the file and the section or symbol at fault and a
 * NULL return.
 *
 * Sections and symbols are arrays indexed by their ELF index.  Relocations
 * hang off the section they apply to (sec->relas, sorted by offset).  The
 * fields after "analysis state" belong to the differ's later stages.
 */
#ifndef _KELF_H_
#define _KELF_H_

#include <gelf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct kelf;
struct symbol;

enum status {
	ST_NONE,	/* not compared (yet) */
	ST_SAME,
	ST_CHANGED,
	ST_NEW,		/* in PATCHED only */
};

struct rela {
	uint64_t offset;	/* in the section relocated */
	uint32_t type;		/* R_X86_64_* */
	int64_t addend;
	struct symbol *sym;
};

struct section {
	struct kelf *kelf;
	size_t index;
	const char *name;
	GElf_Shdr sh;
	const unsigned char *data;	/* NULL for SHT_NOBITS */
	uint64_t size;

	struct section *base;		/* SHT_RELA: the section relocated */
	struct section *relasec;	/* the SHT_RELA section for this one */
	struct rela *relas;		/* sorted by offset */
	size_t nr_relas;

	struct symbol *secsym;		/* its STT_SECTION symbol, if any */
	struct symbol **syms;		/* FUNC/OBJECT/NOTYPE defined in it,
					   sorted by value */
	size_t nr_syms;

	unsigned char *owned_data;	/* private copy when modified */
	uint32_t *insn_ends;		/* instruction ends, see target.c */
	size_t nr_insns;
	bool insns_done;
	uint64_t *ref_offs;		/* referenced offsets, see target.c */
	size_t nr_ref_offs;
	bool refs_done;

	/* analysis state */
	struct section *twin;
	enum status status;
	bool ignore;			/* KPATCH_IGNORE_SECTION, debug... */
	void *priv;			/* per-stage data (pieces) */
};

struct symbol {
	size_t index;
	const char *name;
	GElf_Sym sym;
	unsigned char bind;		/* STB_* */
	unsigned char type;		/* STT_* */
	struct section *sec;		/* NULL: undefined, absolute, common */
	bool dup_name;			/* another non-section symbol has
					   this name */

	/* analysis state */
	struct symbol *twin;
	enum status status;
	struct symbol *group;		/* leader of its compiler-piece group
					   (foo for foo.cold, foo.part.1...) */
	bool has_fentry;		/* calls __fentry__ at its entry */
	bool mcount;			/* has a __mcount_loc entry */
	const char *special_static;	/* kind of special static (setup.c) */
	bool fresh;			/* never correlated: patched code
					   gets its own copy */
	const char *key;		/* what numbered names pair by: the
					   stripped name or the special kind */
	bool ignore;			/* KPATCH_IGNORE_FUNCTION */
	bool force;			/* KPATCH_FORCE_UNSAFE */
	bool unsplittable;		/* shares its section and cannot be
					   taken out of it (see normalize.c) */
	bool patched;			/* goes into .kpatch.funcs */
	bool included;
	const char *strip;		/* name without .N suffixes (setup.c;
					   allocated unless == name) */
};

struct kelf {
	const char *path;
	const char *base;		/* basename of path */
	int fd;
	Elf *elf;
	GElf_Ehdr ehdr;

	struct section *secs;		/* index 0 is the null section */
	size_t nr_secs;
	struct symbol *syms;		/* index 0 is the null symbol */
	size_t nr_syms;
	struct section *symtab;
	struct symbol **sec_syms;	/* backing store of sec->syms */

	struct name_table *sym_names;	/* name -> first symbol */
	struct name_table *sec_names;	/* name -> first section */
};

struct kelf *kelf_open(const char *path);
void kelf_close(struct kelf *kelf);

/* Lookups; NULL when absent. */
struct symbol *kelf_find_symbol(struct kelf *kelf, const char *name);
struct section *kelf_find_section(struct kelf *kelf, const char *name);

/* The defined FUNC/OBJECT/NOTYPE symbol of sec covering offset, or NULL. */
struct symbol *kelf_symbol_at(struct section *sec, uint64_t offset);

/* First relocation of sec at or after offset (index into sec->relas). */
size_t kelf_rela_index(struct section *sec, uint64_t offset);

/* Relocation of sec exactly at offset, or NULL. */
struct rela *kelf_rela_at(struct section *sec, uint64_t offset);

/* Bytes patched by a relocation of this type (0 for R_X86_64_NONE);
   -1 when the type is not supported. */
int kelf_rela_width(uint32_t type);

bool kelf_rela_is_pcrel(uint32_t type);

/* Section kinds */
bool sec_is_text(const struct section *sec);
bool sec_is_rela(const struct section *sec);
bool sec_is_debug(const struct section *sec);
bool sec_is_string(const struct section *sec);	/* SHF_MERGE|SHF_STRINGS */
bool sec_is_alloc(const struct section *sec);

/*
 * Strings of a SHF_MERGE|SHF_STRINGS section, in units of sh_entsize (2 for
 * the UTF-16 strings of EFI code): the offset just past the terminating NUL
 * unit of the string holding loc (or the section end), and where that
 * string starts.
 */
uint64_t sec_string_end(const struct section *sec, uint64_t loc);
uint64_t sec_string_start(const struct section *sec, uint64_t loc);

/* Name tables (also used by the parent symbol table). */
struct name_table;
struct name_table *name_table_new(size_t hint);
void name_table_free(struct name_table *t);
/* Adds (name, value); keeps the first value for a name. */
int name_table_add(struct name_table *t, const char *name, void *value);
void *name_table_get(struct name_table *t, const char *name);

#endif /* _KELF_H_ */
