/* SPDX-License-Identifier: GPL-2.0 */
/*
 * elfwrite.h: an output relocatable object under construction, and
 * writing it with libelf.
 *
 * Sections get their .rela companions, the symbol table is sorted locals
 * first when written, and the file appears under its final name only once
 * complete (written to a temporary file in the same directory, renamed).
 */
#ifndef _ELFWRITE_H_
#define _ELFWRITE_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct osec;

struct osym {
	const char *name;
	unsigned char bind, type;
	struct osec *sec;	/* NULL: undefined */
	uint64_t value, size;
	size_t index;		/* in the written symbol table */
};

struct orela {
	uint64_t offset;
	uint32_t type;
	int64_t addend;
	struct osym *sym;
};

struct osec {
	const char *name;
	uint32_t type;
	uint64_t flags, align, entsize;
	unsigned char *data;	/* NULL for SHT_NOBITS */
	uint64_t size, alloc;
	struct orela *relas;
	size_t nr_relas, alloc_relas;
	struct osym *secsym;
	struct osec *link;	/* SHF_LINK_ORDER partner */
	bool omit_if_empty;	/* not written when it stays empty */
	size_t index;
};

struct oelf {
	struct osec **secs;
	size_t nr_secs, alloc_secs;
	struct osym **syms;
	size_t nr_syms, alloc_syms;
	struct name_table *undef;	/* name -> undefined osym */
	struct name_table *by_name;	/* name -> osec (first) */
	char **strings;			/* names we allocated */
	size_t nr_strings, alloc_strings;
};

struct oelf *oelf_new(void);
void oelf_free(struct oelf *o);

/* A new section with its section symbol. */
struct osec *osec_new(struct oelf *o, const char *name, uint32_t type,
		      uint64_t flags, uint64_t align, uint64_t entsize);
struct osec *osec_find(struct oelf *o, const char *name);

/*
 * Appends len bytes (zeros if data is NULL) at an offset congruent to
 * phase modulo align; returns the offset or -1.
 */
int64_t osec_append(struct osec *sec, const void *data, uint64_t len,
		    uint64_t align, uint64_t phase);
int osec_add_rela(struct osec *sec, uint64_t offset, uint32_t type,
		  int64_t addend, struct osym *sym);

struct osym *osym_new(struct oelf *o, const char *name, unsigned char bind,
		      unsigned char type, struct osec *sec, uint64_t value,
		      uint64_t size);
/* The undefined global symbol of this name (made once). */
struct osym *osym_undef(struct oelf *o, const char *name);

/* A copy of s kept until oelf_free(). */
const char *oelf_strdup(struct oelf *o, const char *s);

/* Writes the object to path (via a temporary file); -1 on error. */
int oelf_write(struct oelf *o, const char *path, unsigned char osabi);

#endif /* _ELFWRITE_H_ */
