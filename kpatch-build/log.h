/* SPDX-License-Identifier: GPL-2.0 */
/*
 * log.h: messages of create-diff-object.
 *
 * Errors are printed once, where they are found, as
 *   create-diff-object: ERROR: <object file>: <function/symbol/section>: <reason>
 * and the functions that found them return -1.  The exit status of the
 * program is the most severe kind of error reported (see enum cdo_exit).
 */
#ifndef _LOG_H_
#define _LOG_H_

#include <stdbool.h>

/* The module generators build log.c with their own name. */
#ifndef PROGNAME
#define PROGNAME "create-diff-object"
#endif

enum cdo_exit {
	EXIT_OK = 0,
	EXIT_ERROR = 1,		/* bad input or internal error */
	EXIT_UNSAFE = 2,	/* the change cannot be live-patched safely */
	EXIT_NOCHANGE = 3,	/* nothing to patch */
};

extern bool log_debug_enabled;

/* Bad input or internal failure: exit status 1. */
void log_error(const char *obj, const char *what, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* A change that cannot be patched safely: exit status 2. */
void log_unsafe(const char *obj, const char *what, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

void log_warn(const char *obj, const char *what, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Correlation and inclusion decisions, printed with --debug only. */
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The report on stdout. */
void log_report(const char *obj, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Exit status for the errors reported so far (EXIT_OK if none). */
int log_exit_status(void);

/* Number of errors (of any kind) reported so far. */
unsigned int log_error_count(void);

#endif /* _LOG_H_ */
