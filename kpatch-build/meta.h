/* SPDX-License-Identifier: GPL-2.0 */
/*
 * meta.h: the intermediate metadata of OUTPUT.o (kpatch-intermediate.h):
 * .kpatch.funcs, .kpatch.symbols, .kpatch.relocations, .kpatch.strings,
 * callback object names, .kpatch.force and .modinfo namespace imports.
 */
#ifndef _META_H_
#define _META_H_

#include "cdo.h"
#include "elfwrite.h"
#include "parent-symtab.h"

struct output {
	struct cdo *cdo;
	struct oelf *o;
	struct osym **defined;		/* by PATCHED symbol index */
	struct osec *funcs, *ksyms, *relocs, *strings;
	struct name_table *string_offs;	/* string -> offset + 1 */
	struct name_table *ksym_index;	/* "name,pos" -> index + 1 */
	char **keys;			/* allocated ksym_index keys */
	size_t nr_keys, alloc_keys;
	size_t nr_ksyms;
	const char **namespaces;
	size_t nr_namespaces, alloc_namespaces;
};

int meta_init(struct output *out);

/* A symbol the loader resolves (a struct kpatch_symbol). */
struct ksym_desc {
	const char *name;
	unsigned long sympos;
	unsigned char bind, type;
	const char *objname;	/* object defining it */
	bool external;		/* exported by another module: by name */
};

/* The loader resolves the relocation at osec+off against k. */
int meta_add_relocation(struct output *out, struct osec *osec, uint64_t off,
			uint32_t type, int64_t addend,
			const struct ksym_desc *k);

/* The patch module must import this symbol namespace. */
int meta_import_ns(struct output *out, const char *ns);

/* .kpatch.funcs, callbacks, .kpatch.force, .modinfo. */
int meta_finish(struct output *out);

void meta_free(struct output *out);

/* output.c */
int write_output(struct cdo *cdo);

#endif /* _META_H_ */
