// SPDX-License-Identifier: GPL-2.0
/*
 * print.c - the library's messages on stderr, as -v and -q ask.
 */
#include "cli/print.h"

#include <stdbool.h>
#include <stdio.h>

int cl_verbose;
int cl_quiet;

static bool shown(enum cl_print_level level)
{
	switch (level) {
	case CL_PRINT_ERROR:
	case CL_PRINT_WARN:
		return true;
	case CL_PRINT_INFO:
		return !cl_quiet;
	case CL_PRINT_DEBUG:
		return cl_verbose && !cl_quiet;
	case CL_PRINT_LIBBPF_WARN:
	case CL_PRINT_LIBBPF_INFO:
		return cl_verbose;
	case CL_PRINT_LIBBPF_DEBUG:
		return cl_verbose >= 2;
	}
	return false;
}

void cl_print_stderr(enum cl_print_level level, const char *msg)
{
	if (!shown(level))
		return;
	if (level == CL_PRINT_ERROR || level == CL_PRINT_WARN)
		fprintf(stderr, "clawlock: %s: %s\n", level == CL_PRINT_ERROR ? "error" : "warning",
			msg);
	else if (level <= CL_PRINT_DEBUG)
		fprintf(stderr, "clawlock: %s\n", msg);
	else
		fputs(msg, stderr);
}
