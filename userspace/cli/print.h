/* SPDX-License-Identifier: GPL-2.0 */
/*
 * print.h - the clawlock command's printer: the library's messages on
 * stderr, as -v and -q ask (cl_set_print).
 */
#ifndef CLAWLOCK_CLI_PRINT_H
#define CLAWLOCK_CLI_PRINT_H

#include "util.h"

/* -v (counted: twice shows libbpf's debug output) and -q. */
extern int cl_verbose;
extern int cl_quiet;

/*
 * "clawlock: error: MSG", "clawlock: warning: MSG", "clawlock: MSG" (info
 * unless -q, debug with -v and not -q); libbpf's messages as they are, with
 * -v (its debug output with -v twice).
 */
void cl_print_stderr(enum cl_print_level level, const char *msg);

#endif /* CLAWLOCK_CLI_PRINT_H */
