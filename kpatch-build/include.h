/* SPDX-License-Identifier: GPL-2.0 */
/*
 * include.h: what goes into OUTPUT.o, as pieces of PATCHED's sections.
 *
 * A piece is a byte range of a section: a whole -ffunction-sections
 * function, one function out of a shared section, one string, one entry of
 * a special section.  Pieces never overlap; output.c lays them out and maps
 * every included (section, offset) to its place in OUTPUT.o.
 */
#ifndef _INCLUDE_H_
#define _INCLUDE_H_

#include "cdo.h"

struct osec;

struct piece {
	struct section *sec;	/* PATCHED section */
	uint64_t start, end;
	bool scanned;		/* its relocations have been followed */
	bool dead;		/* merged into another piece */
	struct osec *osec;	/* output.c */
	uint64_t out_off;
};

struct pieces {
	struct piece **all;	/* in inclusion order */
	size_t nr, alloc;
};

/* Includes the patched functions and everything they need. */
int include_all(struct cdo *cdo);

/* The included piece holding (sec, loc), or NULL. */
struct piece *piece_at(struct section *sec, uint64_t loc);

/* Pieces of sec, sorted by start (count in *nr). */
struct piece **section_pieces(struct section *sec, size_t *nr);

/* Does the output need a reference from included code to sym (an
   included function/object is referenced through its piece instead)? */
bool symbol_is_included(struct symbol *sym);

void pieces_free(struct cdo *cdo);

#endif /* _INCLUDE_H_ */
