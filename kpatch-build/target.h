/* SPDX-License-Identifier: GPL-2.0 */
/*
 * target.h: what a relocation points at.
 *
 * A relocation against a section symbol (what the assembler makes of
 * references to local symbols) is turned into the symbol covering the
 * referenced byte.  For PC-relative relocations in code the referenced byte
 * is addend + (end of instruction - relocation offset), found by decoding
 * the instruction; in data it is the addend itself.
 */
#ifndef _TARGET_H_
#define _TARGET_H_

#include "kelf.h"

struct target {
	struct symbol *sym;	/* named symbol, or NULL for an anonymous
				   location (sec, loc) */
	struct section *sec;	/* NULL when undefined or absolute */
	uint64_t loc;		/* referenced byte in sec */
	int64_t addend;		/* addend relative to sym (or to sec) */
};

/* Fills t for the relocation rela of section from. */
void resolve_target(struct section *from, const struct rela *rela,
		    struct target *t);

/* Bytes between the relocated field and the end of its instruction (the
   "-4" of a PC32 relocation), 0 for absolute or data relocations. */
uint64_t rela_pc_bias(struct section *from, const struct rela *rela);

/*
 * Offsets of sec referenced by relocations anywhere in its object, sorted
 * and unique: where the pieces of sections like .altinstr_replacement start.
 * Returns the number of offsets; *offs stays owned by sec.
 */
size_t section_ref_offsets(struct section *sec, const uint64_t **offs);

/* End of the piece of sec starting at or before loc: the next referenced
   offset after loc, or the end of the section. */
uint64_t section_piece_end(struct section *sec, uint64_t loc);
uint64_t section_piece_start(struct section *sec, uint64_t loc);

#endif /* _TARGET_H_ */
