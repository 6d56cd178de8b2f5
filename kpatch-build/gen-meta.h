/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gen-meta.h: the create-diff-object metadata (kpatch-intermediate.h) as
 * found in a linked patch module, read and checked for the generators.
 *
 * meta_read() follows every pointer field through its relocation, checks
 * that names are valid C strings, object names are module names, and every
 * relocation the loader must resolve points into the module; errors name
 * the file, the section and the entry.  What it returns refers to the kelf
 * (sections, symbols, names) and lives as long as it.
 */
#ifndef _GEN_META_H_
#define _GEN_META_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kelf.h"

/* A pointer field: the relocation that fills it. */
struct meta_ref {
	struct symbol *sym;
	int64_t addend;
	struct section *sec;		/* where it points (defined symbols) */
	uint64_t offset;		/* ...and at which offset */
};

struct meta_func {
	uint64_t offset;		/* of the entry in .kpatch.funcs */
	const char *name;
	const char *objname;
	unsigned long sympos;
	struct meta_ref new_func;
};

struct meta_reloc {
	uint64_t offset;		/* of the entry in .kpatch.relocations */
	struct section *dest_sec;	/* the location the loader writes */
	uint64_t dest_offset;
	uint32_t type;
	bool external;
	int64_t addend;
	const char *objname;		/* object the patched code belongs to */
	const char *sym_name;		/* the symbol to resolve... */
	const char *sym_objname;	/* ...its object */
	unsigned long sympos;
	struct meta_ref name_ref;	/* the name strings, for reuse */
	struct meta_ref sym_objname_ref;
};

enum meta_cb_kind {
	CB_PRE_PATCH,
	CB_POST_PATCH,
	CB_PRE_UNPATCH,
	CB_POST_UNPATCH,
	NR_CB_KINDS,
};

extern const char *const meta_cb_section[NR_CB_KINDS];

struct meta_callback {
	enum meta_cb_kind kind;
	uint64_t offset;
	struct meta_ref fn;
	const char *fn_name;		/* for messages */
	const char *objname;
};

struct meta_force {
	struct meta_ref fn;
	const char *fn_name;
};

struct meta {
	struct kelf *kelf;
	struct section *funcs_sec;
	struct section *strings_sec;
	struct section *relocs_sec;	/* NULL if the patch has none */
	struct section *symbols_sec;
	struct section *force_sec;
	struct section *cb_sec[NR_CB_KINDS];

	struct meta_func *funcs;
	size_t nr_funcs;
	struct meta_reloc *relocs;
	size_t nr_relocs;
	struct meta_callback *callbacks;
	size_t nr_callbacks;
	struct meta_force *forces;
	size_t nr_forces;
};

/* 0, or -1 after reporting every problem found. */
int meta_read(struct kelf *kelf, struct meta *meta);
void meta_free(struct meta *meta);

/* Name of a relocation target for messages: "func+0x12" or "section+0x12". */
const char *meta_describe(const struct section *sec, uint64_t offset,
			  char *buf, size_t len);

bool meta_is_vmlinux(const char *objname);

/* Two callbacks of one kind for one object: reported, returns -1. */
int meta_check_callbacks(const struct meta *meta);

#endif /* _GEN_META_H_ */
