// SPDX-License-Identifier: GPL-2.0
/*
 * log.c: messages of create-diff-object (see log.h).
 */
#include <stdarg.h>
#include <stdio.h>

#include "log.h"

bool log_debug_enabled;

static int exit_status = EXIT_OK;
static unsigned int errors;

static void vlog(const char *level, const char *obj, const char *what,
		 const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: %s: ", PROGNAME, level);
	if (obj)
		fprintf(stderr, "%s: ", obj);
	if (what)
		fprintf(stderr, "%s: ", what);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

/* Keep the most severe status: an internal error hides nothing else. */
static void set_status(int status)
{
	errors++;
	if (exit_status == EXIT_OK || status == EXIT_ERROR)
		exit_status = status;
}

void log_error(const char *obj, const char *what, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("ERROR", obj, what, fmt, ap);
	va_end(ap);
	set_status(EXIT_ERROR);
}

void log_unsafe(const char *obj, const char *what, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("ERROR", obj, what, fmt, ap);
	va_end(ap);
	set_status(EXIT_UNSAFE);
}

void log_warn(const char *obj, const char *what, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("WARNING", obj, what, fmt, ap);
	va_end(ap);
}

void log_debug(const char *fmt, ...)
{
	va_list ap;

	if (!log_debug_enabled)
		return;
	va_start(ap, fmt);
	fprintf(stderr, "DEBUG: ");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

void log_report(const char *obj, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	printf("%s: ", obj);
	vprintf(fmt, ap);
	putchar('\n');
	va_end(ap);
}

int log_exit_status(void)
{
	return exit_status;
}

unsigned int log_error_count(void)
{
	return errors;
}
