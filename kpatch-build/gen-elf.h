/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gen-elf.h: rewriting a patch module for the module generators.
 *
 * The input is read with the differ's ELF model (kelf.h).  genelf_new()
 * makes an editable copy of its layout: the same sections and symbols in
 * the same order, which the generators then change (drop sections, add
 * sections and relocation sections, add symbols, define symbols).
 * genelf_write() renumbers sections and symbols (locals first, as ELF
 * requires), rewrites every relocation section's symbol indices, including
 * the debug ones kelf does not parse, and writes the file.
 */
#ifndef _GEN_ELF_H_
#define _GEN_ELF_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kelf.h"

struct out_sec;

struct out_sym {
	const char *name;
	GElf_Sym sym;			/* st_name and st_shndx are recomputed */
	struct out_sec *sec;		/* defined in; NULL: keep st_shndx
					   (SHN_UNDEF, SHN_ABS, SHN_LIVEPATCH) */
	struct symbol *in;		/* input symbol, NULL if new */
	bool drop;
	size_t index;			/* output index (genelf_write) */
};

struct out_rela {
	uint64_t offset;
	uint32_t type;
	int64_t addend;
	struct out_sym *sym;
};

struct out_sec {
	const char *name;
	GElf_Shdr sh;			/* type, flags, addralign, entsize;
					   the rest is recomputed */
	const void *data;		/* NULL for SHT_NOBITS */
	size_t size;
	struct section *in;		/* input section, NULL if new */
	struct out_sec *link;		/* sh_link target, if a section */
	struct out_sec *info;		/* sh_info target (SHF_INFO_LINK) */
	struct out_rela *relas;		/* new SHT_RELA sections only */
	size_t nr_relas;
	bool drop;
	size_t index;			/* output index (genelf_write) */
};

struct genelf {
	struct kelf *kelf;
	struct out_sec **secs;		/* output order */
	size_t nr_secs;
	struct out_sec **sec_of;	/* by input section index */
	struct out_sym **syms;		/* output order before sorting */
	size_t nr_syms;
	struct out_sym **sym_of;	/* by input symbol index */
	struct out_sec *symtab;
};

/* Editable copy of kelf's layout; NULL (after log_error) on failure. */
struct genelf *genelf_new(struct kelf *kelf);
void genelf_free(struct genelf *g);

/* The output section made from an input section (NULL if none). */
struct out_sec *genelf_sec(struct genelf *g, const struct section *in);
struct out_sym *genelf_sym(struct genelf *g, const struct symbol *in);

/* Drop a section, its relocation section and its section symbols. */
void genelf_drop_section(struct genelf *g, struct out_sec *sec);

/* New section with a copy of data (NULL data: zero-filled). */
struct out_sec *genelf_add_section(struct genelf *g, const char *name,
				   uint32_t type, uint64_t flags,
				   const void *data, size_t size,
				   uint64_t align, uint64_t entsize);

/* New SHT_RELA section for base, taking ownership of relas (malloc'd). */
struct out_sec *genelf_add_rela_section(struct genelf *g, const char *name,
					uint64_t flags, struct out_sec *base,
					struct out_rela *relas, size_t nr);

struct out_sym *genelf_add_symbol(struct genelf *g, const char *name,
				  unsigned char bind, unsigned char type,
				  uint16_t shndx, struct out_sec *sec,
				  uint64_t value, uint64_t size);

/*
 * Write the result to path (via a temporary file in the same directory,
 * renamed at the end: a failure leaves no file at path).  0 or -1.
 */
int genelf_write(struct genelf *g, const char *path);

#endif /* _GEN_ELF_H_ */
