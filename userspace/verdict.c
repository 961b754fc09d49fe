// SPDX-License-Identifier: GPL-2.0
/*
 * verdict.c - userspace twin of the file_open decision.
 */
#include "verdict.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util.h"

struct keyed_rule {
	dev_t dev;
	ino_t ino;
	uint32_t access;
	const struct cl_rule *rule;
};

/* As the installer: two rules on one inode, the stricter wins. */
static uint32_t stricter(uint32_t a, uint32_t b)
{
	return ((a | b) & CL_ACC_DENY) ? CL_ACC_DENY : a & b;
}

static size_t key_rules(const struct cl_rule_list *rules, struct keyed_rule *out)
{
	size_t n = 0;

	for (size_t i = 0; i < rules->count; i++) {
		struct stat st;
		size_t j;

		/* A rule on a missing path is not installed (deny) or refused (allow). */
		if (stat(rules->rules[i].path, &st) < 0)
			continue;
		for (j = 0; j < n; j++) {
			if (out[j].dev == st.st_dev && out[j].ino == st.st_ino)
				break;
		}
		if (j < n) {
			out[j].access = stricter(out[j].access, rules->rules[i].access);
			out[j].rule = &rules->rules[i];
			continue;
		}
		out[n].dev = st.st_dev;
		out[n].ino = st.st_ino;
		out[n].access = rules->rules[i].access;
		out[n].rule = &rules->rules[i];
		n++;
	}
	return n;
}

/*
 * The object an open of @path reaches: symlinks resolved. For a path that
 * does not exist (yet), its deepest existing ancestor is resolved and the
 * rest appended: that is where the file would be created.
 */
static int resolve_target(const char *path, char *out)
{
	char head[PATH_MAX], *real = NULL;
	size_t cut;

	cl_format(head, sizeof(head), "%s", path);
	for (;;) {
		real = realpath(head, NULL);
		if (real || !strcmp(head, "/"))
			break;
		if (strrchr(head, '/') == head)
			head[1] = '\0';
		else
			*strrchr(head, '/') = '\0';
	}
	if (!real)
		return -1;
	cut = strlen(head);
	if (!strcmp(head, "/"))
		cut = 0;
	cl_format(out, PATH_MAX, "%s%s", strcmp(real, "/") ? real : "", path + cut);
	if (!out[0])
		cl_format(out, PATH_MAX, "/");
	free(real);
	return 0;
}

int cl_verdict_file(const struct cl_rule_list *rules, const char *path, uint32_t access,
		    struct cl_verdict *v, char *err, size_t errsize)
{
	struct keyed_rule *keyed = calloc(rules->count + 1, sizeof(*keyed));
	char walk[PATH_MAX];
	size_t n;

	memset(v, 0, sizeof(*v));
	if (!keyed) {
		cl_format(err, errsize, "out of memory");
		return -1;
	}
	if (path[0] != '/' || resolve_target(path, v->target) < 0) {
		cl_format(err, errsize, "%s: %s", path,
			  path[0] != '/' ? "the target must be an absolute path" : strerror(errno));
		free(keyed);
		return -1;
	}
	n = key_rules(rules, keyed);
	cl_format(walk, sizeof(walk), "%s", v->target);
	for (;;) {
		struct stat st;
		char *slash;

		if (stat(walk, &st) == 0) {
			for (size_t i = 0; i < n; i++) {
				if (keyed[i].dev != st.st_dev || keyed[i].ino != st.st_ino)
					continue;
				v->rule = keyed[i].rule;
				cl_format(v->decided_at, sizeof(v->decided_at), "%s", walk);
				v->allowed = !(keyed[i].access & CL_ACC_DENY) &&
					     (keyed[i].access & access) == access;
				free(keyed);
				return 0;
			}
		}
		if (!strcmp(walk, "/"))
			break;
		slash = strrchr(walk, '/');
		if (slash == walk)
			walk[1] = '\0';
		else
			*slash = '\0';
	}
	free(keyed);
	v->allowed = false; /* no rule on the way: default deny */
	return 0;
}
