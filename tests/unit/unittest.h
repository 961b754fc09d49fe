/* SPDX-License-Identifier: GPL-2.0 */
/*
 * unittest.h - what several unit tests share: writing a file, and running
 * the built clawlock (the one in the build folder that holds tests/unit/)
 * to read the JSON it prints.
 */
#ifndef CLAWLOCK_UNITTEST_H
#define CLAWLOCK_UNITTEST_H

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

/* Write @text to @path, replacing it; 0, or -1 with errno. */
static inline int cl_unit_write(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	fputs(text, f);
	return fclose(f);
}

/* What the last cl_unit_clawlock_json printed, for a failing test to show. */
static char cl_unit_out[1 << 18];

/*
 * Run "BUILD/clawlock @args" (@args as a shell would split them) and parse
 * what it printed: NULL when that is not JSON. pclose's status in @status,
 * when given.
 */
static inline struct json_object *cl_unit_clawlock_json(const char *args, int *status)
{
	char exe[PATH_MAX], *cmd;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	size_t len;
	FILE *p;
	int ret;

	if (status)
		*status = -1;
	exe[n > 0 ? n : 0] = '\0';
	if (!strstr(exe, "/tests/unit/"))
		return NULL;
	*strstr(exe, "/tests/unit/") = '\0';
	if (asprintf(&cmd, "%s/clawlock %s", exe, args) < 0)
		return NULL;
	p = popen(cmd, "r");
	free(cmd);
	if (!p)
		return NULL;
	len = fread(cl_unit_out, 1, sizeof(cl_unit_out) - 1, p);
	cl_unit_out[len] = '\0';
	ret = pclose(p);
	if (status)
		*status = ret;
	return json_tokener_parse(cl_unit_out);
}

#endif /* CLAWLOCK_UNITTEST_H */
