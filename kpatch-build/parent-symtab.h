/* SPDX-License-Identifier: GPL-2.0 */
/*
 * parent-symtab.h: the symbols of the object being patched (vmlinux or a
 * module), from `readelf -s --wide` output, and the exported symbols of
 * Module.symvers.
 */
#ifndef _PARENT_SYMTAB_H_
#define _PARENT_SYMTAB_H_

#include <stdbool.h>
#include <stdint.h>

#include "kelf.h"

struct psym {
	const char *name;
	uint64_t value;
	uint64_t size;
	unsigned char type;	/* STT_* */
	unsigned char bind;	/* STB_* */
	bool defined;		/* not UND */
	unsigned int block;	/* FILE block (0: before any FILE symbol) */
	size_t index;		/* position in the table */
};

struct export {
	const char *name;
	const char *module;	/* "vmlinux" or module path */
	const char *ns;		/* namespace or "" */
};

struct psym_list {
	size_t *idx;		/* indexes into parent->syms */
	size_t nr, alloc;
};

struct parent {
	const char *name;	/* PARENT_NAME */
	const char *path;	/* PARENT_SYMTAB */
	bool is_vmlinux;
	char *text;		/* the file contents, names point into it */
	struct psym *syms;
	size_t nr_syms;
	unsigned int nr_blocks;
	struct name_table *by_name;	/* name -> struct psym_list */
	struct psym_list *lists;
	size_t nr_lists;
	char *symvers_text;
	struct export *exports;
	size_t nr_exports;
	struct name_table *exports_by_name;
	/* FILE block of ORIG.o's locals, found by parent_match_file() */
	int file_block;		/* -1: not found (yet) */
	size_t file_block_first;	/* index of its first symbol */
	bool file_block_ambiguous;
};

struct parent *parent_open(const char *name, const char *symtab_path,
			   const char *symvers_path);
void parent_close(struct parent *parent);

/* Finds the FILE block holding ORIG.o's local symbols (see .c). */
int parent_match_file(struct parent *parent, struct kelf *orig);

/* Exported by vmlinux or another module (not by the parent itself)? */
const struct export *parent_export(struct parent *parent, const char *name);

/*
 * Finds the running kernel's copy of sym (an ORIG.o symbol): *pos is its
 * sympos (0 if its name is unique in the parent, else its 1-based position
 * among same-named symbols in kallsyms order).  NULL after reporting an
 * error when it is absent or cannot be told apart.
 */
const struct psym *parent_lookup(struct parent *parent, struct kelf *orig,
				 const struct symbol *sym, unsigned long *pos);

/* A defined global of the parent by name and its sympos, or NULL (no
   error reported). */
const struct psym *parent_lookup_global(struct parent *parent,
					const char *name, unsigned long *pos);

/* A global of the parent by name, or NULL (no error). */
const struct psym *parent_find_global(struct parent *parent,
				      const char *name);

#endif /* _PARENT_SYMTAB_H_ */
