// SPDX-License-Identifier: GPL-2.0
/*
 * verdict.c - userspace twin of the file_open decision.
 */
#include "policy/verdict.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util.h"

/* Where a rule is keyed in the kernel: an inode, or a name (see clawlock.h). */
enum key_kind {
	KEY_INODE,
	KEY_MISSING, /* a path missing at load: its directory's inode and last name */
	KEY_PATTERN, /* a name anywhere */
};

struct keyed_rule {
	enum key_kind kind;
	dev_t dev;
	ino_t ino;
	char name[CL_NAME_MAX];
	uint32_t access;
	const struct cl_rule *rule;
};

/* The kernel key of @rule, as the installer computes it; 0 if it installs none. */
static int key_of(const struct cl_rule *rule, struct keyed_rule *out)
{
	const char *pattern = cl_path_pattern_name(rule->path);
	char dir[PATH_MAX];
	const char *leaf;
	struct stat st;

	memset(out, 0, sizeof(*out));
	out->access = rule->access;
	out->rule = rule;
	if (pattern) {
		out->kind = KEY_PATTERN;
		cl_format(out->name, sizeof(out->name), "%s", pattern);
		return 1;
	}
	if (stat(rule->path, &st) == 0) {
		out->kind = KEY_INODE;
		out->dev = st.st_dev;
		out->ino = st.st_ino;
		return 1;
	}
	if (errno != ENOENT)
		return 0;
	leaf = cl_path_split(rule->path, dir, sizeof(dir));
	/* Its directory missing too: an allow is refused (a deny: deny_name_key). */
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode) || strlen(leaf) >= CL_NAME_MAX)
		return 0;
	out->kind = KEY_MISSING;
	out->dev = st.st_dev;
	out->ino = st.st_ino;
	cl_format(out->name, sizeof(out->name), "%s", leaf);
	return 1;
}

/*
 * The name key a deny rule gets besides (install.c): its name in its
 * directory, or the first missing name below the deepest existing
 * directory on its way. 0 if it gets none.
 */
static int deny_name_key(const struct cl_rule *rule, struct keyed_rule *out)
{
	char dir[PATH_MAX], leaf[PATH_MAX];
	struct stat st;

	if (rule->access != CL_ACC_DENY || cl_path_pattern_name(rule->path) ||
	    cl_path_deny_name(rule->path, dir, leaf, sizeof(dir)) < 0 ||
	    strlen(leaf) >= CL_NAME_MAX || stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
		return 0;
	memset(out, 0, sizeof(*out));
	out->kind = KEY_MISSING;
	out->dev = st.st_dev;
	out->ino = st.st_ino;
	cl_format(out->name, sizeof(out->name), "%s", leaf);
	out->access = rule->access;
	out->rule = rule;
	return 1;
}

static bool same_key(const struct keyed_rule *a, const struct keyed_rule *b)
{
	return a->kind == b->kind && a->dev == b->dev && a->ino == b->ino &&
	       !strcmp(a->name, b->name);
}

/* Add the key at out[n] to the @n before it; two rules on one key keep the stricter. */
static size_t add_key(struct keyed_rule *out, size_t n)
{
	for (size_t j = 0; j < n; j++) {
		if (same_key(&out[j], &out[n])) {
			out[j].access = cl_access_stricter(out[j].access, out[n].access);
			out[j].rule = out[n].rule;
			return n;
		}
	}
	return n + 1;
}

/* The keys of @rules into @out (room for two a rule), merged; their number. */
static size_t key_rules(const struct cl_rule_list *rules, struct keyed_rule *out)
{
	size_t n = 0;

	for (size_t i = 0; i < rules->count; i++) {
		if (key_of(&rules->rules[i], &out[n]))
			n = add_key(out, n);
		if (deny_name_key(&rules->rules[i], &out[n]))
			n = add_key(out, n);
	}
	return n;
}

/* The rule of kind @kind that matches this step of the walk, if any. */
static const struct keyed_rule *match(const struct keyed_rule *keyed, size_t n, enum key_kind kind,
				      const struct stat *st, const char *name)
{
	for (size_t i = 0; i < n; i++) {
		if (keyed[i].kind != kind)
			continue;
		if (kind != KEY_PATTERN &&
		    (keyed[i].dev != st->st_dev || keyed[i].ino != st->st_ino))
			continue;
		if (kind != KEY_INODE && strcmp(keyed[i].name, name))
			continue;
		return &keyed[i];
	}
	return NULL;
}

/*
 * The rule that decides at @walk, as one step of the kernel's walk: the
 * inode's rule; then, if the policy has name rules, one for this name in
 * this directory, then a pattern on the name.
 */
static const struct keyed_rule *rule_at(const struct keyed_rule *keyed, size_t n, bool names,
					const char *walk)
{
	const struct keyed_rule *k = NULL;
	char dir[PATH_MAX];
	const char *leaf;
	struct stat st;

	if (stat(walk, &st) == 0)
		k = match(keyed, n, KEY_INODE, &st, NULL);
	if (k || !names || !strcmp(walk, "/"))
		return k;
	leaf = cl_path_split(walk, dir, sizeof(dir));
	if (stat(dir, &st) == 0)
		k = match(keyed, n, KEY_MISSING, &st, leaf);
	return k ? k : match(keyed, n, KEY_PATTERN, NULL, leaf);
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
	struct keyed_rule *keyed = calloc(2 * rules->count + 1, sizeof(*keyed));
	char walk[PATH_MAX];
	bool names = false;
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
	for (size_t i = 0; i < n; i++)
		names |= keyed[i].kind != KEY_INODE;
	cl_format(walk, sizeof(walk), "%s", v->target);
	for (;;) {
		const struct keyed_rule *k = rule_at(keyed, n, names, walk);
		char *slash;

		if (k) {
			v->rule = k->rule;
			cl_format(v->decided_at, sizeof(v->decided_at), "%s", walk);
			v->allowed = !(k->access & CL_ACC_DENY) && (k->access & access) == access;
			free(keyed);
			return 0;
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
