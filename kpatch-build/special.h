/* SPDX-License-Identifier: GPL-2.0 */
/*
 * special.h: the kernel's special sections, described as data.
 *
 * A row of special_sections[] (special.c) says how create-diff-object
 * treats a section: entries owned by the code they point at, pieces of
 * code or data referenced from functions, registration tables that a live
 * patch cannot extend, sections dropped from the output.  Adding support
 * for a new special section is adding a row.
 */
#ifndef _SPECIAL_H_
#define _SPECIAL_H_

#include "kelf.h"

enum special_kind {
	/*
	 * Fixed-size entries; the relocation at owner_off points at the code
	 * the entry belongs to.  Entries of included code are kept.
	 */
	SK_ENTRIES,
	/* Entries parallel to those of another SK_ENTRIES section (ORC). */
	SK_COMPANION,
	/*
	 * Code or data pieces referenced from functions or entries (a
	 * piece is a fixed-size entry, or runs from one referenced offset to
	 * the next).  Pieces referenced by included things are kept.
	 */
	SK_PIECES,
	/*
	 * Registration tables (exports, initcalls, parameters, trace event
	 * definitions): the running kernel has processed them; a patch may
	 * not change them.
	 */
	SK_REGISTRY,
	/* Dropped: build-time annotations (.discard.*), markers. */
	SK_DROP,
	/* .modinfo: only import_ns= entries are kept. */
	SK_MODINFO,
};

/* Entries kept only when their key can be resolved early enough. */
enum entry_filter {
	FILTER_NONE,
	FILTER_STATIC_CALL_KEY,	/* key resolved by the loader: drop */
	FILTER_JUMP_KEY,	/* key in a module resolved late: refuse */
};

enum owner_kind {
	OWNER_CODE,		/* relocation points into the owner */
	OWNER_FUNC_NAME,	/* -> struct with a __func__ string pointer
				   (.printk_index) */
};

struct special_section {
	const char *name;	/* exact, or a prefix when ending in '*' */
	enum special_kind kind;
	const char *size_env;	/* environment variable giving the size */
	unsigned int size;	/* default entry size; 0: sh_entsize */
	unsigned int owner_off;	/* relocation giving the owner */
	enum owner_kind owner;
	const char *companion;	/* SK_ENTRIES: parallel SK_COMPANION */
	bool compare;		/* entries are part of their function */
	bool defines_pieces;	/* its references delimit SK_PIECES pieces */
	enum entry_filter filter;
	unsigned int key_off;	/* FILTER_*: relocation of the key */
	unsigned int ignore_off, ignore_len;	/* not compared (line) */
	unsigned int ignore_if_size;		/* ... for this entry size */
	const char *what;	/* for messages */
};

const struct special_section *special_find(const struct section *sec);

bool special_is_piecewise(const struct section *sec);

/* Do references from sec delimit pieces (code, data, .altinstructions)? */
bool special_defines_pieces(const struct section *sec);

/*
 * The piece of a SK_PIECES section holding loc: a fixed-size entry when the
 * row gives a size, else from the referenced offset at or before loc to the
 * next one.  Bytes [start + mask_off, + mask_len) are not compared.
 */
void special_piece(struct section *sec, uint64_t loc, uint64_t *start,
		   uint64_t *end, uint64_t *mask_off, uint64_t *mask_len);

/*
 * Entry size of sec (a SK_ENTRIES or SK_COMPANION section), from the
 * environment, sh_entsize or the default; checks the section size is a
 * multiple.  0 after reporting an error.
 */
uint64_t special_entry_size(struct section *sec,
			    const struct special_section *s);

/* Index the entries of every SK_ENTRIES section by owning function. */
int special_index(struct kelf *kelf);

/* Are the compared special entries owned by o and p equivalent? */
bool special_owned_equal(struct symbol *o, struct symbol *p);

/* The section holding the entries parallel to sec's, or NULL. */
struct section *special_companion(struct section *sec,
				  const struct special_section *s);

#endif /* _SPECIAL_H_ */
