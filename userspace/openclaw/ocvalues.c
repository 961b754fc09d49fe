// SPDX-License-Identifier: GPL-2.0
/*
 * ocvalues.c - the values of openclaw.json sandbox blocks that clawlock
 * turns into limits and capabilities, checked when the config is read.
 *
 * A value is refused, with its file:line:column, when OpenClaw's schema
 * (zod 4, src/config/zod-schema.agent-runtime.ts) refuses it, or when
 * OpenClaw accepts it and docker then refuses to start the sandbox (a
 * misspelled capability, a memory size that is not a size): either way
 * OpenClaw would run no sandbox with it, and guessing a meaning for it would
 * leave the agent confined less than the config says. Values that OpenClaw
 * and docker accept keep their meaning (memory 0: no limit, as docker).
 */
#include "openclaw/openclaw.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "openclaw/ocscope.h"
#include "policy/policy.h"
#include "util.h"

/* zod's .int(): a safe integer, 2^53 - 1 at most. */
#define SAFE_INTEGER_MAX ((1LL << 53) - 1)

struct checker {
	const struct oc_config *cfg;
	char *err;
	size_t errsize;
};

static int refuse(struct checker *c, struct json_object *at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int refuse(struct checker *c, struct json_object *at, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	oc_vfail(c->cfg, at, c->err, c->errsize, fmt, ap);
	va_end(ap);
	return -1;
}

/*
 * @key of @obj in *v: 1 when present, 0 when absent, -1 (refused) when null,
 * which OpenClaw's schema does not take for an optional value.
 */
static int member(struct checker *c, struct json_object *obj, const char *key,
		  struct json_object **v)
{
	if (!json_object_object_get_ex(obj, key, v))
		return 0;
	if (!*v)
		return refuse(c, obj, "'%s' is null (leave it out instead)", key);
	return 1;
}

bool oc_pids_limit(struct json_object *v, long long *out)
{
	double d;

	if (json_object_is_type(v, json_type_int)) {
		*out = json_object_get_int64(v);
		return *out >= 1 && *out <= SAFE_INTEGER_MAX;
	}
	if (!json_object_is_type(v, json_type_double))
		return false;
	/* 256.0 is the integer 256 in JavaScript; 256.5, NaN and 1e999 are not. */
	d = json_object_get_double(v);
	if (!isfinite(d) || d != floor(d) || d < 1 || d > (double)SAFE_INTEGER_MAX)
		return false;
	*out = (long long)d;
	return true;
}

static bool finite_number(struct json_object *v)
{
	return json_object_is_type(v, json_type_int) ||
	       (json_object_is_type(v, json_type_double) && isfinite(json_object_get_double(v)));
}

/* memory, memorySwap: a string or a finite number that docker reads as a size. */
static int check_size(struct checker *c, struct json_object *docker, const char *key, bool swap)
{
	struct json_object *v;
	const char *text;
	long long bytes;
	int present = member(c, docker, key, &v);

	if (present <= 0)
		return present;
	if (!json_object_is_type(v, json_type_string) && !finite_number(v))
		return refuse(c, v, "docker.%s must be a size (a string like \"512m\") or a number",
			      key);
	text = json_object_get_string(v);
	if (swap && !strcmp(text, "-1"))
		return 0;
	if (json_object_is_type(v, json_type_string) && !text[strspn(text, " \t\n\r\f\v")])
		return 0; /* OpenClaw passes no --memory for an empty value */
	if (cl_docker_bytes(text, &bytes) < 0)
		return refuse(c, v,
			      "docker.%s is not a size docker accepts (a number of bytes, or with "
			      "b, k, m, g, t or p)",
			      key);
	return 0;
}

static int check_cap_drop(struct checker *c, struct json_object *list)
{
	size_t n;

	if (!json_object_is_type(list, json_type_array))
		return refuse(c, list, "docker.capDrop must be a list of capability names");
	n = json_object_array_length(list);
	for (size_t i = 0; i < n; i++) {
		struct json_object *item = json_object_array_get_idx(list, i);
		const char *name = json_object_get_string(item);

		if (!json_object_is_type(item, json_type_string))
			return refuse(c, item, "docker.capDrop[%zu] must be a string", i);
		/* docker refuses to start a container with an unknown one. */
		if (strcasecmp(name, "ALL") && cl_cap_number(name) < 0)
			return refuse(c, item,
				      "docker.capDrop[%zu] is not a Linux capability (a typo drops "
				      "nothing)",
				      i);
	}
	return 0;
}

/*
 * The kernel's tmpfs size= as Docker passes it: decimal digits, then k, m,
 * g or t (powers of 1024). 0 (no limit to tmpfs), a share of memory (50%),
 * hex and anything over OC_TMPFS_SIZE_MAX are refused: each would leave the
 * scratch unlimited, or limited by the host rather than the config.
 */
static int tmpfs_size(const char *text, size_t len, unsigned long long *out, char *err,
		      size_t errsize)
{
	static const char units[] = "kmgt";
	unsigned long long value = 0;
	const char *unit = NULL, *why = NULL;
	size_t digits = 0;

	while (digits < len && isdigit((unsigned char)text[digits])) {
		value = value > OC_TMPFS_SIZE_MAX ? value : value * 10 + (text[digits] - '0');
		digits++;
	}
	if (digits + 1 == len)
		unit = memchr(units, tolower((unsigned char)text[digits]), sizeof(units) - 1);
	if (unit) {
		unsigned int shift = 10 * (unsigned int)(unit - units + 1);

		/* Shifted past the bound, it would wrap back below it. */
		value = value > OC_TMPFS_SIZE_MAX >> shift ? OC_TMPFS_SIZE_MAX + 1 : value << shift;
	}
	if (memchr(text, '%', len))
		why = "size= as a share of memory is not taken: give a size (like 64m)";
	else if (!digits || (digits != len && !unit))
		why = "size= is not a size (a whole number of bytes, or with k, m, g or t)";
	else if (!value)
		why = "size=0 is no limit at all (leave size= out for a scratch without one)";
	else if (value > OC_TMPFS_SIZE_MAX)
		why = "size= is more than 1t (more is no limit)";
	if (why) {
		cl_format(err, errsize, "%s", why);
		return -1;
	}
	*out = value;
	return 0;
}

/* mode=: an octal mode, as tmpfs takes it (the scratch is 1777 all the same). */
static bool octal_mode(const char *text, size_t len)
{
	unsigned int mode = 0;

	for (size_t i = 0; i < len; i++) {
		if (text[i] < '0' || text[i] > '7')
			return false;
		mode = mode * 8 + (unsigned int)(text[i] - '0');
		if (mode > 07777)
			return false;
	}
	return len > 0;
}

static bool option_is(const char *opt, size_t len, const char *name)
{
	return strlen(name) == len && !memcmp(opt, name, len);
}

/*
 * One option, @n counting from 1. suid and dev grant nothing: the scratch
 * is always nosuid and nodev. exec grants nothing either: the scratch is
 * never executable under the policy.
 */
static int tmpfs_option(const char *opt, size_t len, size_t n, struct oc_tmpfs_opts *o, char *err,
			size_t errsize)
{
	static const char *const granted_anyway[] = {
		"suid", "nosuid", "dev", "nodev", "exec", NULL
	};

	if (option_is(opt, len, "ro") || option_is(opt, len, "rw")) {
		o->read_only = opt[1] == 'o';
		return 0;
	}
	if (option_is(opt, len, "noexec")) {
		o->no_exec = true;
		return 0;
	}
	for (size_t i = 0; granted_anyway[i]; i++) {
		if (option_is(opt, len, granted_anyway[i]))
			return 0;
	}
	if (len > 5 && !memcmp(opt, "size=", 5))
		return tmpfs_size(opt + 5, len - 5, &o->size, err, errsize);
	if (len > 5 && !memcmp(opt, "mode=", 5) && octal_mode(opt + 5, len - 5))
		return 0;
	cl_format(err, errsize,
		  "option %zu is not one clawlock can hold (it takes rw, ro, noexec, exec, "
		  "nosuid, suid, nodev, dev, mode= in octal and size=)",
		  n);
	return -1;
}

int oc_tmpfs_parse(const char *entry, size_t *pathlen, struct oc_tmpfs_opts *o, char *err,
		   size_t errsize)
{
	const char *opt;
	size_t n = 0;

	memset(o, 0, sizeof(*o));
	*pathlen = strcspn(entry, ":");
	if (entry[0] != '/') {
		cl_format(err, errsize, "the path must be absolute (like /tmp)");
		return -1;
	}
	for (opt = entry + *pathlen; *opt; opt += strcspn(opt, ",")) {
		size_t len;

		opt++; /* past ':' or ',' */
		len = strcspn(opt, ",");
		if (len && tmpfs_option(opt, len, ++n, o, err, errsize) < 0)
			return -1;
	}
	return 0;
}

static int check_tmpfs(struct checker *c, struct json_object *list)
{
	struct oc_tmpfs_opts o;
	char why[256];
	size_t len;

	if (!json_object_is_type(list, json_type_array))
		return refuse(c, list,
			      "docker.tmpfs must be a list of paths (like \"/tmp:size=64m\")");
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		struct json_object *item = json_object_array_get_idx(list, i);

		if (!json_object_is_type(item, json_type_string))
			return refuse(c, item, "docker.tmpfs[%zu] must be a string", i);
		if (oc_tmpfs_parse(json_object_get_string(item), &len, &o, why, sizeof(why)) < 0)
			return refuse(c, item, "docker.tmpfs[%zu]: %s", i, why);
	}
	return 0;
}

static int check_docker(struct checker *c, struct json_object *docker)
{
	struct json_object *v;
	long long pids;
	int present;

	if (!json_object_is_type(docker, json_type_object))
		return 0;
	present = member(c, docker, "pidsLimit", &v);
	if (present > 0 && !oc_pids_limit(v, &pids))
		return refuse(c, v, "docker.pidsLimit must be a whole number from 1 to %lld",
			      SAFE_INTEGER_MAX);
	if (present >= 0)
		present = member(c, docker, "cpus", &v);
	if (present > 0 && !(finite_number(v) && json_object_get_double(v) > 0))
		return refuse(c, v, "docker.cpus must be a positive number");
	if (present < 0 || check_size(c, docker, "memory", false) < 0 ||
	    check_size(c, docker, "memorySwap", true) < 0)
		return -1;
	present = member(c, docker, "capDrop", &v);
	if (present > 0 && check_cap_drop(c, v) < 0)
		return -1;
	if (present >= 0)
		present = member(c, docker, "tmpfs", &v);
	return present > 0 ? check_tmpfs(c, v) : present;
}

static int check_sandbox(struct checker *c, struct json_object *sb)
{
	struct json_object *mode;
	int present;

	if (!json_object_is_type(sb, json_type_object))
		return 0;
	/*
	 * 1 or ["all"] once read as the default, off. (An unknown string is
	 * refused where the mode is resolved, in ocsandbox.c.)
	 */
	present = member(c, sb, "mode", &mode);
	if (present < 0)
		return -1;
	if (present && !json_object_is_type(mode, json_type_string))
		return refuse(c, mode,
			      "sandbox.mode must be a string: \"off\", \"non-main\" or \"all\"");
	return check_docker(c, oc_get(sb, "docker"));
}

int oc_check_values(const struct oc_config *cfg, char *err, size_t errsize)
{
	struct checker c = { .cfg = cfg, .err = err, .errsize = errsize };
	struct json_object *agents = oc_get(cfg->root, "agents"), *roster;

	if (check_sandbox(&c, oc_get(agents, "defaults.sandbox")) < 0)
		return -1;
	/* Both rosters: OpenClaw's schema checks the one it does not use, too. */
	if (json_object_object_get_ex(agents, "entries", &roster) &&
	    json_object_is_type(roster, json_type_object)) {
		json_object_object_foreach (roster, id, entry) {
			(void)id;
			if (check_sandbox(&c, oc_get(entry, "sandbox")) < 0)
				return -1;
		}
	}
	if (json_object_object_get_ex(agents, "list", &roster) &&
	    json_object_is_type(roster, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(roster); i++) {
			if (check_sandbox(&c, oc_get(json_object_array_get_idx(roster, i),
						     "sandbox")) < 0)
				return -1;
		}
	}
	return 0;
}
