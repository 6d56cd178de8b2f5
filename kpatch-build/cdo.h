/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cdo.h: the stages of create-diff-object, in the order main() runs them.
 *
 *   setup      names, compiler-piece groups, fentry/mcount, markers
 *   normalize  relocations for branches between functions sharing a section
 *   correlate  pair ORIG and PATCHED sections and symbols
 *   compare    SAME / CHANGED / NEW for every symbol and section
 *   include    what the patch needs (pieces of sections)
 *   special    entries of special sections owned by included code
 *   resolve    how each outside reference is resolved (parent symtab)
 *   output     write OUTPUT.o
 *
 * Each returns 0, or -1 after reporting the error (log.h).
 */
#ifndef _CDO_H_
#define _CDO_H_

#include "kelf.h"

struct parent;
struct output;

struct cdo {
	struct kelf *orig;
	struct kelf *patched;
	const char *parent_name;
	const char *parent_symtab;
	const char *symvers;
	const char *patch_name;
	const char *output_path;
	struct parent *parent;		/* PARENT_SYMTAB + MODULE_SYMVERS */
	struct pieces *pieces;		/* what goes into OUTPUT.o */
	unsigned int nr_changed;
	unsigned int nr_new;
};

/* setup.c */
int setup_object(struct kelf *kelf, bool module_parent);
const char *strip_name(const char *name);
/* The kind of special static sym is ("__key", "descriptor"...), or NULL. */
const char *special_static_kind(const struct symbol *sym);
bool is_group_follower(const struct symbol *sym);

/* normalize.c */
int normalize_shared_text(struct kelf *kelf);

/* correlate.c */
int correlate(struct kelf *orig, struct kelf *patched);

/* compare.c */
int compare(struct kelf *orig, struct kelf *patched);
bool symbol_is_function(const struct symbol *sym);
/* The extent a symbol owns: its whole section when it is the section's only
   function or object, else [st_value, st_value + st_size). */
void symbol_extent(const struct symbol *sym, uint64_t *start, uint64_t *end);

/* Are the targets of these ORIG and PATCHED relocations the same thing?
   depth bounds the comparison of referenced pieces. */
bool targets_equal(struct section *osec, const struct rela *orela,
		   struct section *psec, const struct rela *prela, int depth);

/* lines.c: do two code ranges differ only in __LINE__ arguments? */
bool lines_only_change(struct section *osec, uint64_t ostart,
		       struct section *psec, uint64_t pstart, uint64_t len);

/* report.c */
int report_and_check(struct cdo *cdo);

#endif /* _CDO_H_ */
