// SPDX-License-Identifier: GPL-2.0
/*
 * create-diff-object: compare the original and patched builds of one kernel
 * object and write a relocatable object holding only what a live patch
 * needs, with the metadata of kpatch-intermediate.h.
 *
 * usage: create-diff-object [-d|--debug] ORIG.o PATCHED.o PARENT_NAME
 *            PARENT_SYMTAB MODULE_SYMVERS PATCH_MODULE_NAME OUTPUT.o
 *
 * Exit status: 0 output written, 1 error, 2 unsafe change refused, 3 no
 * change found.  OUTPUT.o exists only after a successful run.
 *
 * PATCH_MODULE_NAME is accepted for compatibility with kpatch-build's
 * calling convention; the output does not depend on it.  The entry sizes of
 * special sections come from PARA_STRUCT_SIZE, EX_STRUCT_SIZE,
 * BUG_STRUCT_SIZE, ALT_STRUCT_SIZE, JUMP_STRUCT_SIZE, ORC_STRUCT_SIZE,
 * STATIC_CALL_STRUCT_SIZE and PRINTK_INDEX_STRUCT_SIZE when set (special.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cdo.h"
#include "include.h"
#include "log.h"
#include "meta.h"
#include "parent-symtab.h"
#include "special.h"

static void usage(void)
{
	fprintf(stderr,
		"usage: %s [-d|--debug] ORIG.o PATCHED.o PARENT_NAME PARENT_SYMTAB MODULE_SYMVERS PATCH_MODULE_NAME OUTPUT.o\n",
		PROGNAME);
}

static int parse_args(int argc, char **argv, struct cdo *cdo)
{
	const char *pos[7];
	int i, n = 0;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-d") || !strcmp(argv[i], "--debug")) {
			log_debug_enabled = true;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage();
			exit(EXIT_OK);
		} else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "%s: ERROR: unknown option %s\n",
				PROGNAME, argv[i]);
			return -1;
		} else if (n < 7) {
			pos[n++] = argv[i];
		} else {
			n++;
		}
	}
	if (n != 7) {
		usage();
		return -1;
	}
	cdo->parent_name = pos[2];
	cdo->parent_symtab = pos[3];
	cdo->symvers = pos[4];
	cdo->patch_name = pos[5];
	cdo->output_path = pos[6];
	cdo->orig = kelf_open(pos[0]);
	if (!cdo->orig)
		return -1;
	cdo->patched = kelf_open(pos[1]);
	return cdo->patched ? 0 : -1;
}

static int prepare(struct kelf *kelf, const char *parent_name)
{
	if (setup_object(kelf, strcmp(parent_name, "vmlinux") != 0) ||
	    normalize_shared_text(kelf) ||
	    special_index(kelf))
		return -1;
	return 0;
}

static int run(struct cdo *cdo)
{
	if (prepare(cdo->orig, cdo->parent_name) ||
	    prepare(cdo->patched, cdo->parent_name))
		return -1;
	if (correlate(cdo->orig, cdo->patched) ||
	    compare(cdo->orig, cdo->patched))
		return -1;
	cdo->parent = parent_open(cdo->parent_name, cdo->parent_symtab,
				  cdo->symvers);
	if (!cdo->parent || report_and_check(cdo))
		return -1;
	if (!cdo->nr_changed && !cdo->nr_new) {
		fprintf(stderr, "%s: %s: no changed functions\n", PROGNAME,
			cdo->orig->base);
		return EXIT_NOCHANGE;
	}
	if (include_all(cdo) || log_error_count())
		return -1;
	return write_output(cdo) ? -1 : 0;
}

int main(int argc, char **argv)
{
	struct cdo cdo;
	int ret;

	memset(&cdo, 0, sizeof(cdo));
	if (parse_args(argc, argv, &cdo)) {
		ret = log_exit_status();
		ret = ret ? ret : EXIT_ERROR;
		goto out;
	}
	ret = run(&cdo);
	if (ret < 0 || log_error_count())
		ret = log_exit_status() ? log_exit_status() : EXIT_ERROR;
out:
	/* no stale output of an earlier run may look like this run's */
	if (ret != EXIT_OK && cdo.output_path)
		unlink(cdo.output_path);
	pieces_free(&cdo);
	parent_close(cdo.parent);
	kelf_close(cdo.orig);
	kelf_close(cdo.patched);
	return ret;
}
