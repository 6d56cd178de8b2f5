/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gen-common.h: steps shared by create-klp-module and create-kpatch-module.
 *
 * Both read a patch module as kbuild linked it (the template hook plus the
 * create-diff-object outputs), replace the intermediate relocation
 * metadata with their format's, define the hook's marker symbols
 * (kmod/patch/kpatch-patch.h) and write the finished module.
 */
#ifndef _GEN_COMMON_H_
#define _GEN_COMMON_H_

#include "gen-elf.h"
#include "gen-meta.h"

enum gen_format {
	GEN_LIVEPATCH,
	GEN_KPATCH,
};

struct gen {
	enum gen_format format;
	const char *in_path, *out_path;
	struct kelf *kelf;
	struct meta meta;
	struct genelf *g;
};

/*
 * Parse "PROG [--debug] INPUT.ko OUTPUT.ko", read and check the input
 * (a kbuild module of the right format, not processed yet, with valid
 * metadata).  Returns 0, or -1 after the error was reported.
 */
int gen_open(struct gen *gen, enum gen_format format, int argc, char **argv);

/*
 * Drop the intermediate relocation sections, mark the metadata sections
 * the hook reads as allocated, define the marker symbols and write the
 * output.  Returns 0 or -1.
 */
int gen_finish(struct gen *gen);

void gen_close(struct gen *gen);

/* The section symbol of sec in the output (added if the linker left none):
   relocations against it take the offset in sec as addend. */
struct out_sym *gen_section_symbol(struct gen *gen, struct section *sec);

#endif /* _GEN_COMMON_H_ */
