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
	return present > 0 ? check_cap_drop(c, v) : present;
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
