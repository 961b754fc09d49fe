// SPDX-License-Identifier: GPL-2.0
/*
 * policy.c - read clawlock policy files into the policy model.
 *
 * A policy file names profiles (reusable rule sets) and agents. An agent's
 * rules are its profiles' rules in `use` order, then its own; a later rule
 * for the same path replaces an earlier one. Errors carry file:line:column.
 */
#include "policy/policy.h"

#include <sys/socket.h>

#include "policy/ifaddr.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "policy/json5.h"
#include "util.h"

struct loader {
	struct cl_policy *policy;
	char *err;
	size_t errsize;
	/* Real paths of the files being read, for cycle detection. */
	char *stack[CL_POLICY_MAX_INCLUDE_DEPTH + 1];
	int depth;
	/*
	 * Where includes may be: the top-level file's real folder, and the
	 * real folder of clawlock's own baseline (policies include it by
	 * absolute path).
	 */
	char *roots[2];
	/* Parsed documents, kept until the end so `use` can point back into them. */
	struct json_object **docs;
	size_t doc_count;
	/*
	 * By agent position: the profile merge whose network rules the agent's
	 * are a plain copy of (none of its own), or NULL. Interface rules are
	 * expanded once per merge and copied to these agents.
	 */
	const struct cl_profile_use **net_from;
	size_t net_from_cap;
};

static int fail_at(struct loader *ld, const char *file, struct json_object *obj, const char *fmt,
		   ...) __attribute__((format(printf, 4, 5)));

static int fail_at(struct loader *ld, const char *file, struct json_object *obj, const char *fmt,
		   ...)
{
	char reason[512];
	int line, column;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	if (json5_position(obj, &line, &column))
		snprintf(ld->err, ld->errsize, "%s:%d:%d: %s", file, line, column, reason);
	else
		snprintf(ld->err, ld->errsize, "%s: %s", file, reason);
	return -1;
}

static void describe(char *buf, size_t size, const char *file, struct json_object *obj,
		     const char *key_path)
{
	int line = 0, column = 0;

	json5_position(obj, &line, &column);
	/* A source longer than the buffer is cut: it is for people to read. */
	if (snprintf(buf, size, "%s:%d:%d %s", file, line, column, key_path) >= (int)size)
		buf[size - 1] = '\0';
}

static const struct {
	const char *word;
	uint32_t bits;
} access_words[] = {
	{ "read", CL_ACC_READ },    { "r", CL_ACC_READ },    { "write", CL_ACC_WRITE },
	{ "w", CL_ACC_WRITE },	    { "exec", CL_ACC_EXEC }, { "x", CL_ACC_EXEC },
	{ "execute", CL_ACC_EXEC }, { "deny", CL_ACC_DENY },
};

static int access_word(const char *word, size_t len, uint32_t *bits)
{
	for (size_t i = 0; i < sizeof(access_words) / sizeof(access_words[0]); i++) {
		if (strlen(access_words[i].word) == len &&
		    strncmp(access_words[i].word, word, len) == 0) {
			*bits = access_words[i].bits;
			return 0;
		}
	}
	return -1;
}

int cl_access_parse(const char *text, uint32_t *access, char *err, size_t errsize)
{
	const char *p = text;
	uint32_t bits = 0;

	while (*p) {
		size_t len = strcspn(p, ",+| ");
		uint32_t word;

		if (len && access_word(p, len, &word) < 0) {
			snprintf(err, errsize,
				 "unknown access '%.*s' (use read, write, exec or deny)", (int)len,
				 p);
			return -1;
		}
		if (len)
			bits |= word;
		p += len;
		p += strspn(p, ",+| ");
	}
	if (!bits) {
		snprintf(err, errsize, "empty access (use read, write, exec or deny)");
		return -1;
	}
	if ((bits & CL_ACC_DENY) && bits != CL_ACC_DENY) {
		snprintf(err, errsize, "'deny' cannot be combined with other access");
		return -1;
	}
	*access = bits;
	return 0;
}

const char *cl_access_format(uint32_t access, char *buf, size_t size)
{
	static const char *const names[] = { "read", "write", "exec" };
	size_t len = 0;

	buf[0] = '\0';
	if (access & CL_ACC_DENY) {
		snprintf(buf, size, "deny");
		return buf;
	}
	for (int i = 0; i < 3; i++) {
		if (!(access & (1u << i)))
			continue;
		len += snprintf(buf + len, len < size ? size - len : 0, "%s%s", len ? "," : "",
				names[i]);
	}
	if (!len)
		snprintf(buf, size, "none");
	return buf;
}

uint32_t cl_access_stricter(uint32_t a, uint32_t b)
{
	return ((a | b) & CL_ACC_DENY) ? CL_ACC_DENY : a & b;
}

const char *cl_path_split(const char *path, char *dir, size_t size)
{
	const char *slash = strrchr(path, '/');

	snprintf(dir, size, "%.*s", slash == path ? 1 : (int)(slash - path), path);
	return slash + 1;
}

int cl_path_pop(char *head, char *leaf, size_t size)
{
	char *slash = strrchr(head, '/');

	if (!slash || !slash[1])
		return -1;
	cl_format(leaf, size, "%s", slash + 1);
	if (slash == head)
		slash[1] = '\0';
	else
		*slash = '\0';
	return 0;
}

int cl_path_deny_name(const char *path, char *dir, char *leaf, size_t size)
{
	char head[PATH_MAX], *real = realpath(path, NULL);

	if (real) {
		/* It exists: its resolved place. */
		cl_format(head, sizeof(head), "%s", real);
		free(real);
		if (!strcmp(head, "/"))
			return -1;
		cl_format(leaf, size, "%s", cl_path_split(head, dir, size));
		return 0;
	}
	cl_format(head, sizeof(head), "%s", path);
	do {
		if (cl_path_pop(head, leaf, size) < 0)
			return -1;
		real = realpath(head, NULL);
	} while (!real);
	cl_format(dir, size, "%s", real);
	free(real);
	return 0;
}

const char *cl_path_pattern_name(const char *path)
{
	return strncmp(path, "**/", 3) == 0 ? path + 3 : NULL;
}

/* A pattern (double star, slash, NAME): one name, matched anywhere. */
static int pattern_normalise(const char *in, char *out, size_t size, char *err, size_t errsize)
{
	const char *name = in + 3;
	size_t len = strlen(name);

	if (!len || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, "..") ||
	    strchr(name, '*')) {
		snprintf(err, errsize,
			 "rule path '%s': a pattern is '**/NAME', one file or directory name", in);
		return -1;
	}
	if (len >= CL_NAME_MAX) {
		snprintf(err, errsize, "rule path '%s': a pattern's name is at most %d bytes", in,
			 CL_NAME_MAX - 1);
		return -1;
	}
	snprintf(out, size, "%s", in);
	return 0;
}

int cl_path_normalise(const char *in, char *out, size_t size, char *err, size_t errsize)
{
	char expanded[PATH_MAX];
	size_t len = 0;
	const char *home;

	if (cl_path_pattern_name(in))
		return pattern_normalise(in, out, size, err, errsize);
	if (strstr(in, "**")) {
		snprintf(err, errsize,
			 "rule path '%s': '**' is only allowed as '**/NAME' (that name anywhere)",
			 in);
		return -1;
	}

	if (in[0] == '~' && (in[1] == '/' || in[1] == '\0')) {
		home = getenv("HOME");
		if (!home || home[0] != '/') {
			snprintf(err, errsize, "'%s' needs HOME to be set to an absolute path", in);
			return -1;
		}
		if ((size_t)snprintf(expanded, sizeof(expanded), "%s/%s", home, in + 1) >=
		    sizeof(expanded))
			goto too_long;
		in = expanded;
	}
	if (in[0] != '/') {
		snprintf(err, errsize, "rule path '%s' must be absolute (or start with ~/)", in);
		return -1;
	}
	for (const char *p = in; *p; p++) {
		if (*p == '/' && len && out[len - 1] == '/')
			continue;
		if (len + 1 >= size)
			goto too_long;
		out[len++] = *p;
	}
	while (len > 1 && out[len - 1] == '/')
		len--;
	out[len] = '\0';
	return 0;
too_long:
	snprintf(err, errsize, "rule path is longer than %zu bytes", size - 1);
	return -1;
}

/*
 * The index holds the rules past the shared ones, unless someone appended
 * behind its back.
 */
static int rule_index_sync(struct cl_rule_list *list)
{
	size_t own = list->count - list->shared;

	if ((list->index.table || !own) && cl_name_index_count(&list->index) == own)
		return 0;
	cl_name_index_free(&list->index);
	for (size_t i = list->shared; i < list->count; i++) {
		if (cl_name_index_put(&list->index, list->rules[i].path, i) < 0)
			return -1;
	}
	return 0;
}

/* The position of the rule for @path in @list, or -1. */
static long rule_position(const struct cl_rule_list *list, const char *path)
{
	long pos = list->base ? cl_name_index_get(&list->base->index, path) : -1;

	if (pos >= 0 && (size_t)pos < list->shared)
		return pos;
	return cl_name_index_get(&list->index, path);
}

int cl_rule_list_set(struct cl_rule_list *list, const char *path, uint32_t access,
		     const char *source)
{
	struct cl_rule *rule = NULL;
	long pos;

	if (rule_index_sync(list) < 0)
		return -1;
	pos = rule_position(list, path);
	if (pos >= 0)
		rule = &list->rules[pos];
	if (!rule) {
		struct cl_rule *grown = realloc(list->rules, (list->count + 1) * sizeof(*grown));

		if (!grown)
			return -1;
		list->rules = grown;
		rule = &list->rules[list->count];
		rule->path = strdup(path);
		if (!rule->path || cl_name_index_put(&list->index, path, list->count) < 0) {
			free(rule->path);
			return -1;
		}
		list->count++;
	}
	rule->access = access;
	cl_strlcpy(rule->source, source, sizeof(rule->source));
	return 0;
}

static int rule_list_merge(struct cl_rule_list *into, const struct cl_rule_list *from)
{
	for (size_t i = 0; i < from->count; i++) {
		const struct cl_rule *r = &from->rules[i];

		if (cl_rule_list_set(into, r->path, r->access, r->source) < 0)
			return -1;
	}
	return 0;
}

void cl_rule_list_free(struct cl_rule_list *list)
{
	/* The shared rules' paths are the base's. */
	for (size_t i = list->shared; i < list->count; i++)
		free(list->rules[i].path);
	free(list->rules);
	list->rules = NULL;
	list->count = 0;
	list->base = NULL;
	list->shared = 0;
	cl_name_index_free(&list->index);
}

/* files: { "/path": "read,exec", "~/.ssh": "deny", "/x": ["read", "write"] } */
static int parse_files(struct loader *ld, const char *file, struct json_object *files,
		       const char *owner, struct cl_rule_list *list)
{
	if (!json_object_is_type(files, json_type_object))
		return fail_at(ld, file, files, "%s.files must be an object of path: access",
			       owner);

	json_object_object_foreach (files, key, value) {
		char path[CL_RULE_PATH_MAX], reason[256], source[CL_RULE_SOURCE_MAX];
		char key_path[CL_RULE_SOURCE_MAX];
		const char *text;
		uint32_t access = 0;

		if (cl_path_normalise(key, path, sizeof(path), reason, sizeof(reason)) < 0)
			return fail_at(ld, file, value, "%s", reason);
		if (json_object_is_type(value, json_type_string)) {
			text = json_object_get_string(value);
			if (cl_access_parse(text, &access, reason, sizeof(reason)) < 0)
				return fail_at(ld, file, value, "%s: %s", key, reason);
		} else if (json_object_is_type(value, json_type_array)) {
			size_t n = json_object_array_length(value);

			for (size_t i = 0; i < n; i++) {
				struct json_object *word = json_object_array_get_idx(value, i);
				uint32_t bits;

				if (!json_object_is_type(word, json_type_string))
					return fail_at(ld, file, word,
						       "%s: access words must be strings", key);
				if (cl_access_parse(json_object_get_string(word), &bits, reason,
						    sizeof(reason)) < 0)
					return fail_at(ld, file, word, "%s: %s", key, reason);
				access |= bits;
			}
			if ((access & CL_ACC_DENY) && access != CL_ACC_DENY)
				return fail_at(ld, file, value,
					       "%s: 'deny' cannot be combined with other access",
					       key);
			if (!access)
				return fail_at(ld, file, value, "%s: empty access list", key);
		} else {
			return fail_at(ld, file, value,
				       "%s: access must be a string like \"read,exec\" or a list",
				       key);
		}
		if (snprintf(key_path, sizeof(key_path), "%s.files[\"%s\"]", owner, key) >=
		    (int)sizeof(key_path))
			key_path[sizeof(key_path) - 1] = '\0';
		describe(source, sizeof(source), file, value, key_path);
		if (cl_rule_list_set(list, path, access, source) < 0)
			return fail_at(ld, file, value, "out of memory");
	}
	return 0;
}

/* network: { "tcp 0.0.0.0/0 443": "allow", "169.254.0.0/16": "deny", "unix @x": "allow" } */
static int parse_network(struct loader *ld, const char *file, struct json_object *net,
			 const char *owner, struct cl_net_list *list)
{
	if (!json_object_is_type(net, json_type_object))
		return fail_at(ld, file, net,
			       "%s.network must be an object of \"[proto] address[/len] [ports]\": "
			       "\"allow\" or \"deny\"",
			       owner);
	json_object_object_foreach (net, key, value) {
		char reason[256], key_path[CL_RULE_SOURCE_MAX];
		struct cl_net_rule rule;

		if (!json_object_is_type(value, json_type_string))
			return fail_at(ld, file, value,
				       "%s: network access must be \"allow\" or "
				       "\"deny\"",
				       key);
		if (cl_net_parse(key, json_object_get_string(value), &rule, reason,
				 sizeof(reason)) < 0)
			return fail_at(ld, file, value, "%s", reason);
		if (snprintf(key_path, sizeof(key_path), "%s.network[\"%s\"]", owner, key) >=
		    (int)sizeof(key_path))
			key_path[sizeof(key_path) - 1] = '\0';
		describe(rule.source, sizeof(rule.source), file, value, key_path);
		if (cl_net_list_set(list, &rule) < 0)
			return fail_at(ld, file, value, "out of memory");
	}
	return 0;
}

static const char *const cap_names[] = {
	"chown",
	"dac_override",
	"dac_read_search",
	"fowner",
	"fsetid",
	"kill",
	"setgid",
	"setuid",
	"setpcap",
	"linux_immutable",
	"net_bind_service",
	"net_broadcast",
	"net_admin",
	"net_raw",
	"ipc_lock",
	"ipc_owner",
	"sys_module",
	"sys_rawio",
	"sys_chroot",
	"sys_ptrace",
	"sys_pacct",
	"sys_admin",
	"sys_boot",
	"sys_nice",
	"sys_resource",
	"sys_time",
	"sys_tty_config",
	"mknod",
	"lease",
	"audit_write",
	"audit_control",
	"setfcap",
	"mac_override",
	"mac_admin",
	"syslog",
	"wake_alarm",
	"block_suspend",
	"audit_read",
	"perfmon",
	"bpf",
	"checkpoint_restore",
};

#define CAP_COUNT ((int)(sizeof(cap_names) / sizeof(cap_names[0])))

int cl_cap_number(const char *name)
{
	if (!strncasecmp(name, "CAP_", 4))
		name += 4;
	for (int i = 0; i < CAP_COUNT; i++)
		if (!strcasecmp(cap_names[i], name))
			return i;
	return -1;
}

const char *cl_cap_name(int number)
{
	return number >= 0 && number < CAP_COUNT ? cap_names[number] : "unknown";
}

uint64_t cl_cap_all(void)
{
	/* Capabilities a newer kernel adds are dropped too: ALL means all. */
	return ~0ULL;
}

/*
 * capDrop or capAdd (@key): ["net_raw", "sys_admin"] or ["ALL"], Docker's
 * spelling accepted, into @mask.
 */
static int parse_caps(struct loader *ld, const char *file, struct json_object *list,
		      const struct cl_agent *agent, const char *key, uint64_t *mask)
{
	size_t n;

	if (!json_object_is_type(list, json_type_array))
		return fail_at(ld, file, list, "agents.%s.%s must be a list of capability names",
			       agent->id, key);
	n = json_object_array_length(list);
	for (size_t i = 0; i < n; i++) {
		struct json_object *item = json_object_array_get_idx(list, i);
		const char *name = json_object_get_string(item);
		int cap;

		if (!json_object_is_type(item, json_type_string))
			return fail_at(ld, file, item, "capability names must be strings");
		if (!strcasecmp(name, "ALL")) {
			*mask = cl_cap_all();
			continue;
		}
		cap = cl_cap_number(name);
		if (cap < 0)
			return fail_at(ld, file, item, "unknown capability '%s'", name);
		*mask |= 1ULL << cap;
	}
	return 0;
}

static struct cl_profile *find_profile(struct cl_policy *policy, const char *name)
{
	for (size_t i = 0; i < policy->profile_count; i++) {
		if (strcmp(policy->profiles[i].name, name) == 0)
			return &policy->profiles[i];
	}
	return NULL;
}

static int parse_profile(struct loader *ld, const char *file, const char *name,
			 struct json_object *body)
{
	struct cl_policy *policy = ld->policy;
	struct cl_profile *profile;
	char owner[128];

	if (!json_object_is_type(body, json_type_object))
		return fail_at(ld, file, body, "profile '%s' must be an object", name);
	profile = find_profile(policy, name);
	if (profile)
		return fail_at(ld, file, body, "profile '%s' is defined twice", name);
	profile = realloc(policy->profiles, (policy->profile_count + 1) * sizeof(*profile));
	if (!profile)
		return fail_at(ld, file, body, "out of memory");
	policy->profiles = profile;
	profile = &policy->profiles[policy->profile_count];
	memset(profile, 0, sizeof(*profile));
	profile->name = strdup(name);
	if (!profile->name)
		return fail_at(ld, file, body, "out of memory");
	policy->profile_count++;
	snprintf(owner, sizeof(owner), "profiles.%s", name);

	json_object_object_foreach (body, key, value) {
		if (strcmp(key, "files") == 0) {
			if (parse_files(ld, file, value, owner, &profile->files) < 0)
				return -1;
		} else if (strcmp(key, "network") == 0) {
			if (parse_network(ld, file, value, owner, &profile->net) < 0)
				return -1;
		} else {
			return fail_at(ld, file, value,
				       "unknown key '%s' in profile '%s' (expected files, network)",
				       key, name);
		}
	}
	return 0;
}

struct cl_profile_use {
	struct cl_rule_list files;
	struct cl_net_list net;
};

static void profile_use_free(struct cl_profile_use *use)
{
	cl_rule_list_free(&use->files);
	cl_net_list_free(&use->net);
	free(use);
}

/*
 * The merge of the files and network rules of the profiles at @pos (@n of
 * them, in `use` order), made once per policy: a thousand agents using the
 * same profiles share it. @key names it. NULL when out of memory.
 */
static const struct cl_profile_use *profile_use(struct cl_policy *policy, const char *key,
						const size_t *pos, size_t n)
{
	long known = cl_name_index_get(&policy->use_index, key);
	struct cl_profile_use *use, **grown;

	if (known >= 0)
		return policy->uses[known];
	grown = realloc(policy->uses, (policy->use_count + 1) * sizeof(*grown));
	if (!grown)
		return NULL;
	policy->uses = grown;
	use = calloc(1, sizeof(*use));
	if (!use)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (rule_list_merge(&use->files, &policy->profiles[pos[i]].files) < 0 ||
		    cl_net_list_merge(&use->net, &policy->profiles[pos[i]].net) < 0)
			goto fail;
	}
	if (cl_name_index_put(&policy->use_index, key, policy->use_count) < 0)
		goto fail;
	policy->uses[policy->use_count++] = use;
	return use;
fail:
	profile_use_free(use);
	return NULL;
}

/* Agent @at's network rules are a plain copy of @use's (NULL: not). */
static int note_net_from(struct loader *ld, size_t at, const struct cl_profile_use *use)
{
	if (at >= ld->net_from_cap) {
		size_t cap = ld->net_from_cap ? ld->net_from_cap * 2 : 64;
		const struct cl_profile_use **grown;

		while (cap <= at)
			cap *= 2;
		grown = realloc(ld->net_from, cap * sizeof(*grown));
		if (!grown)
			return -1;
		memset(grown + ld->net_from_cap, 0, (cap - ld->net_from_cap) * sizeof(*grown));
		ld->net_from = grown;
		ld->net_from_cap = cap;
	}
	ld->net_from[at] = use;
	return 0;
}

/* A malloc'd copy of @count elements of @size at @from; NULL when out of memory. */
static void *copy_of(const void *from, size_t count, size_t size)
{
	void *to = malloc(count * size);

	if (to)
		memcpy(to, from, count * size);
	return to;
}

/*
 * @into, still empty, gets a copy of @base's rules but not its index:
 * most agents add no network rule of their own, and cl_net_list_set builds
 * the index when one does. A 10,000-agent apply spent a tenth of its time
 * indexing these copies.
 */
static int share_net(struct cl_net_list *into, const struct cl_net_list *base)
{
	if (into->count)
		return cl_net_list_merge(into, base);
	if (!base->count)
		return 0;
	into->rules = copy_of(base->rules, base->count, sizeof(*base->rules));
	if (!into->rules)
		return -1;
	into->count = base->count;
	return 0;
}

/* @into, still empty, starts as a copy of @base whose paths stay @base's. */
static int share_rules(struct cl_rule_list *into, const struct cl_rule_list *base)
{
	if (into->count)
		return rule_list_merge(into, base);
	if (!base->count)
		return 0;
	into->rules = copy_of(base->rules, base->count, sizeof(*base->rules));
	if (!into->rules)
		return -1;
	into->count = into->shared = base->count;
	into->base = base;
	return 0;
}

static int agent_use(struct loader *ld, const char *file, struct cl_agent *agent,
		     struct json_object *use)
{
	struct json_object *list = use;
	const struct cl_profile_use *merged;
	size_t n, *pos = NULL;
	char *key = NULL;
	int ret = -1;

	if (json_object_is_type(use, json_type_string)) {
		list = json_object_new_array();
		if (!list)
			return fail_at(ld, file, use, "out of memory");
		json_object_array_add(list, json_object_get(use));
	} else if (!json_object_is_type(use, json_type_array)) {
		return fail_at(ld, file, use,
			       "agents.%s.use must be a profile name or a list of them", agent->id);
	}
	n = json_object_array_length(list);
	/* The profiles' positions name the merge: "0,2," (21 bytes a number at most). */
	pos = calloc(n + 1, sizeof(*pos));
	key = calloc(n + 1, 21);
	if (!pos || !key) {
		fail_at(ld, file, use, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		struct json_object *name = json_object_array_get_idx(list, i);
		struct cl_profile *profile;

		if (!json_object_is_type(name, json_type_string)) {
			fail_at(ld, file, name, "profile names must be strings");
			goto out;
		}
		profile = find_profile(ld->policy, json_object_get_string(name));
		if (!profile) {
			fail_at(ld, file, name, "agent '%s' uses unknown profile '%s'", agent->id,
				json_object_get_string(name));
			goto out;
		}
		pos[i] = profile - ld->policy->profiles;
		sprintf(key + strlen(key), "%zu,", pos[i]);
	}
	merged = profile_use(ld->policy, key, pos, n);
	if (!merged || share_rules(&agent->files, &merged->files) < 0 ||
	    share_net(&agent->net, &merged->net) < 0 ||
	    note_net_from(ld, agent - ld->policy->agents, merged) < 0) {
		fail_at(ld, file, use, "out of memory");
		goto out;
	}
	ret = 0;
out:
	free(pos);
	free(key);
	if (list != use)
		json_object_put(list);
	return ret;
}

static int parse_mode(struct loader *ld, const char *file, struct cl_agent *agent,
		      struct json_object *mode)
{
	const char *text = json_object_get_string(mode);

	if (json_object_is_type(mode, json_type_string) && strcmp(text, "enforce") == 0)
		agent->mode = CL_MODE_ENFORCE;
	else if (json_object_is_type(mode, json_type_string) && strcmp(text, "audit") == 0)
		agent->mode = CL_MODE_AUDIT;
	else
		return fail_at(ld, file, mode, "agents.%s.mode must be \"enforce\" or \"audit\"",
			       agent->id);
	return 0;
}

/* *@out: a new, empty agent @id at the end of the policy's list. */
static int add_agent(struct loader *ld, const char *file, const char *id, struct json_object *body,
		     struct cl_agent **out)
{
	struct cl_policy *policy = ld->policy;
	struct cl_agent *agent;

	if (!json_object_is_type(body, json_type_object))
		return fail_at(ld, file, body, "agent '%s' must be an object", id);
	if (!id[0] || strlen(id) >= CL_AGENT_MAX)
		return fail_at(ld, file, body, "agent id must be 1 to %d bytes", CL_AGENT_MAX - 1);
	if (cl_policy_agent(policy, id))
		return fail_at(ld, file, body, "agent '%s' is defined twice", id);
	agent = realloc(policy->agents, (policy->agent_count + 1) * sizeof(*agent));
	if (!agent)
		return fail_at(ld, file, body, "out of memory");
	policy->agents = agent;
	agent = &policy->agents[policy->agent_count];
	memset(agent, 0, sizeof(*agent));
	agent->id = strdup(id);
	if (!agent->id)
		return fail_at(ld, file, body, "out of memory");
	policy->agent_count++;
	if (cl_name_index_put(&policy->agent_index, id, policy->agent_count - 1) < 0)
		return fail_at(ld, file, body, "out of memory");
	*out = agent;
	return 0;
}

static int parse_agent(struct loader *ld, const char *file, const char *id,
		       struct json_object *body)
{
	struct json_object *use = NULL, *files = NULL, *net = NULL;
	struct cl_agent *agent = NULL;
	uint64_t cap_add = 0;
	char owner[128];

	if (add_agent(ld, file, id, body, &agent) < 0)
		return -1;
	snprintf(owner, sizeof(owner), "agents.%s", id);
	describe(agent->source, sizeof(agent->source), file, body, owner);

	json_object_object_foreach (body, key, value) {
		if (strcmp(key, "mode") == 0) {
			if (parse_mode(ld, file, agent, value) < 0)
				return -1;
		} else if (strcmp(key, "use") == 0) {
			use = value;
		} else if (strcmp(key, "files") == 0) {
			files = value;
		} else if (strcmp(key, "network") == 0) {
			net = value;
		} else if (strcmp(key, "capDrop") == 0) {
			if (parse_caps(ld, file, value, agent, key, &agent->cap_drop) < 0)
				return -1;
		} else if (strcmp(key, "capAdd") == 0) {
			if (parse_caps(ld, file, value, agent, key, &cap_add) < 0)
				return -1;
		} else {
			return fail_at(ld, file, value,
				       "unknown key '%s' in agent '%s' (expected mode, use, files, "
				       "network, capDrop, capAdd)",
				       key, id);
		}
	}
	/* Network administration is dropped unless capAdd gives it back. */
	agent->cap_drop = (agent->cap_drop | CL_CAP_NETWORK) & ~cap_add;
	/* Profiles first, so the agent's own rules override them. */
	if (use && agent_use(ld, file, agent, use) < 0)
		return -1;
	if (files && parse_files(ld, file, files, owner, &agent->files) < 0)
		return -1;
	if (!net)
		return 0;
	if (note_net_from(ld, agent - ld->policy->agents, NULL) < 0)
		return fail_at(ld, file, net, "out of memory");
	return parse_network(ld, file, net, owner, &agent->net);
}

static int load_file(struct loader *ld, const char *path, const char *from,
		     struct json_object *from_obj);

static char *include_path(const char *file, const char *name)
{
	const char *slash = strrchr(file, '/');
	char *joined;

	if (name[0] == '/' || !slash)
		return strdup(name);
	if (asprintf(&joined, "%.*s/%s", (int)(slash - file), file, name) < 0)
		return NULL;
	return joined;
}

static int load_includes(struct loader *ld, const char *file, struct json_object *inc)
{
	size_t n;

	if (json_object_is_type(inc, json_type_string)) {
		char *path = include_path(file, json_object_get_string(inc));
		int ret;

		if (!path)
			return fail_at(ld, file, inc, "out of memory");
		ret = load_file(ld, path, file, inc);
		free(path);
		return ret;
	}
	if (!json_object_is_type(inc, json_type_array))
		return fail_at(ld, file, inc, "include must be a file name or a list of them");
	n = json_object_array_length(inc);
	for (size_t i = 0; i < n; i++) {
		struct json_object *item = json_object_array_get_idx(inc, i);

		if (!json_object_is_type(item, json_type_string))
			return fail_at(ld, file, item, "include entries must be file names");
		if (load_includes(ld, file, item) < 0)
			return -1;
	}
	return 0;
}

static int
parse_section(struct loader *ld, const char *file, struct json_object *section, const char *name,
	      int (*parse)(struct loader *, const char *, const char *, struct json_object *))
{
	if (!json_object_is_type(section, json_type_object))
		return fail_at(ld, file, section, "%s must be an object", name);
	json_object_object_foreach (section, key, value) {
		if (parse(ld, file, key, value) < 0)
			return -1;
	}
	return 0;
}

static int parse_document(struct loader *ld, const char *file, struct json_object *root)
{
	struct json_object *value;

	if (!json_object_is_type(root, json_type_object))
		return fail_at(ld, file, root, "a policy file must be an object");
	json_object_object_foreach (root, key, val) {
		if (strcmp(key, "version") && strcmp(key, "include") && strcmp(key, "profiles") &&
		    strcmp(key, "agents"))
			return fail_at(
				ld, file, val,
				"unknown key '%s' (expected version, include, profiles, agents)",
				key);
	}
	if (json_object_object_get_ex(root, "version", &value) &&
	    (!json_object_is_type(value, json_type_int) || json_object_get_int64(value) != 1))
		return fail_at(ld, file, value, "version must be 1");
	/* Included files first: their profiles can be used here. */
	if (json_object_object_get_ex(root, "include", &value) &&
	    load_includes(ld, file, value) < 0)
		return -1;
	if (json_object_object_get_ex(root, "profiles", &value) &&
	    parse_section(ld, file, value, "profiles", parse_profile) < 0)
		return -1;
	if (json_object_object_get_ex(root, "agents", &value) &&
	    parse_section(ld, file, value, "agents", parse_agent) < 0)
		return -1;
	return 0;
}

/* Parse the top-level policy file, or an include through cl_open_beneath. */
static struct json_object *parse_policy_file(struct loader *ld, const char *path, const char *real,
					     const char *root_dir, const char *from,
					     struct json_object *from_obj)
{
	const struct json5_options opts = { .flags = JSON5_UNIQUE_KEYS | JSON5_NO_NUL,
					    .input = JSON5_INPUT_POLICY,
					    .path = path };
	struct json_object *root;
	struct json5_error jerr;
	char why[256], where[PATH_MAX + 32];
	int fd, line, column;

	if (!from) {
		root = json5_parse_file_opts(path, &opts, &jerr);
	} else {
		json5_note_read(path); /* the daemon watches includes too */
		fd = cl_open_beneath(root_dir, real, why, sizeof(why));
		if (fd < 0) {
			fail_at(ld, from, from_obj, "cannot include '%s': %s", path, why);
			return NULL;
		}
		root = json5_parse_fd(fd, &opts, &jerr);
		close(fd);
	}
	if (root)
		return root;
	if (!jerr.message[0])
		snprintf(jerr.message, sizeof(jerr.message), "a policy file must be an object");
	if (from && jerr.line == 0) {
		fail_at(ld, from, from_obj, "cannot include '%s': %s", path, jerr.message);
		return NULL;
	}
	json5_format_error(ld->err, ld->errsize, path, &jerr);
	if (from && json5_position(from_obj, &line, &column) &&
	    cl_format(where, sizeof(where), " (included from %s:%d:%d)", from, line, column) &&
	    strlen(ld->err) + strlen(where) < ld->errsize)
		strcat(ld->err, where);
	return NULL;
}

static bool beneath(const char *root, const char *real)
{
	size_t len = strlen(root);

	return !strcmp(root, "/") || (!strncmp(root, real, len) && real[len] == '/');
}

/*
 * Includes stay inside the top-level file's folder tree (after symlinks),
 * as OpenClaw's $include stays in the config's folder, or in the folder of
 * clawlock's baseline: an include of ../../etc/shadow is refused unread,
 * so no message can quote it. The root that holds it, or NULL.
 */
static const char *include_root(struct loader *ld, const char *path, const char *real,
				const char *from, struct json_object *from_obj)
{
	for (size_t i = 0; i < 2; i++) {
		if (ld->roots[i] && beneath(ld->roots[i], real))
			return ld->roots[i];
	}
	fail_at(ld, from, from_obj,
		"include '%s' is outside the policy's folder %s and clawlock's policies "
		"(after symlinks)",
		path, ld->roots[0]);
	return NULL;
}

/* The real folder of @file, or NULL. */
static char *real_folder(const char *file)
{
	char *real = realpath(file, NULL), *slash;

	if (!real)
		return NULL;
	slash = strrchr(real, '/');
	if (slash)
		slash[slash == real] = '\0';
	return real;
}

/* The top-level file's real folder, and the baseline's: the roots includes stay in. */
static int set_roots(struct loader *ld, const char *real)
{
	char baseline[PATH_MAX];

	ld->roots[0] = real_folder(real);
	if (!ld->roots[0]) {
		snprintf(ld->err, ld->errsize, "out of memory");
		return -1;
	}
	if (cl_find_baseline(baseline, sizeof(baseline)) == 0)
		ld->roots[1] = real_folder(baseline);
	return 0;
}

static int load_file(struct loader *ld, const char *path, const char *from,
		     struct json_object *from_obj)
{
	struct json_object *root, **docs;
	const char *root_dir;
	char *real;
	int ret;

	real = realpath(path, NULL);
	if (!real) {
		if (from)
			return fail_at(ld, from, from_obj, "cannot include '%s': %s", path,
				       strerror(errno));
		snprintf(ld->err, ld->errsize, "%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	root_dir = from ? include_root(ld, path, real, from, from_obj) : NULL;
	if (from ? !root_dir : set_roots(ld, real) < 0) {
		free(real);
		return -1;
	}
	for (int i = 0; i < ld->depth; i++) {
		if (strcmp(ld->stack[i], real) == 0) {
			free(real);
			return fail_at(ld, from, from_obj, "include cycle: '%s' includes itself",
				       path);
		}
	}
	if (ld->depth >= CL_POLICY_MAX_INCLUDE_DEPTH) {
		free(real);
		return fail_at(ld, from, from_obj, "includes nested deeper than %d",
			       CL_POLICY_MAX_INCLUDE_DEPTH);
	}
	root = parse_policy_file(ld, path, real, root_dir, from, from_obj);
	if (!root) {
		free(real);
		return -1;
	}
	docs = realloc(ld->docs, (ld->doc_count + 1) * sizeof(*docs));
	if (!docs) {
		free(real);
		json_object_put(root);
		snprintf(ld->err, ld->errsize, "%s: out of memory", path);
		return -1;
	}
	ld->docs = docs;
	ld->docs[ld->doc_count++] = root;
	ld->stack[ld->depth++] = real;
	ret = parse_document(ld, path, root);
	ld->depth--;
	free(real);
	return ret;
}

int cl_find_baseline(char *path, size_t size)
{
	const char *env = getenv("CLAWLOCK_BASELINE");
	char dir[PATH_MAX];
	ssize_t n;

	if (env && *env)
		return cl_format(path, size, "%s", env) ? 0 : -1;
	/* The source tree the binary was built in: build/, build/asan/, ... */
	n = readlink("/proc/self/exe", dir, sizeof(dir) - 1);
	dir[n > 0 ? n : 0] = '\0';
	for (int up = 0; up < 4 && strrchr(dir, '/'); up++) {
		*strrchr(dir, '/') = '\0';
		cl_format(path, size, "%s/policies/baseline.json5", dir);
		json5_note_probe(path);
		if (access(path, R_OK) == 0)
			return 0;
	}
	return cl_format(path, size, "/usr/share/clawlock/policies/baseline.json5") ? 0 : -1;
}

/* Agent @at's interface rules expanded: its merge's copied, or its own list's. */
static int expand_agent(struct loader *ld, size_t at, const struct cl_if_addr *addrs, size_t count)
{
	struct cl_net_list *net = &ld->policy->agents[at].net;

	if (at < ld->net_from_cap && ld->net_from[at]) {
		cl_net_list_free(net);
		return share_net(net, &ld->net_from[at]->net);
	}
	return cl_net_expand_interfaces(net, addrs, count);
}

/* Interface rules ("if:NAME") become the interfaces' networks as they are now. */
static int expand_interfaces(struct loader *ld)
{
	struct cl_policy *policy = ld->policy;
	struct cl_if_addr *addrs = NULL;
	size_t count = 0;
	int needed = 0, ret = 0;

	for (size_t i = 0; i < policy->agent_count; i++) {
		for (size_t j = 0; j < policy->agents[i].net.count; j++)
			needed |= policy->agents[i].net.rules[j].family == AF_UNSPEC;
	}
	for (size_t i = 0; i < policy->profile_count; i++) {
		for (size_t j = 0; j < policy->profiles[i].net.count; j++)
			needed |= policy->profiles[i].net.rules[j].family == AF_UNSPEC;
	}
	if (!needed)
		return 0;
	policy->interface_rules = true;
	if (cl_if_addrs(&addrs, &count) < 0) {
		snprintf(ld->err, ld->errsize,
			 "a network rule names an interface, and the interface "
			 "addresses cannot be read");
		return -1;
	}
	/* Each merge once, then its copies: the same rules expand the same way. */
	for (size_t i = 0; i < policy->use_count && !ret; i++)
		ret = cl_net_expand_interfaces(&policy->uses[i]->net, addrs, count);
	for (size_t i = 0; i < policy->agent_count && !ret; i++)
		ret = expand_agent(ld, i, addrs, count);
	/*
	 * Profiles too: the OpenClaw translation copies the baseline's egress
	 * profile (with its "host" rule) into agents after this load.
	 */
	for (size_t i = 0; i < policy->profile_count && !ret; i++)
		ret = cl_net_expand_interfaces(&policy->profiles[i].net, addrs, count);
	free(addrs);
	if (ret)
		snprintf(ld->err, ld->errsize, "out of memory");
	return ret;
}

int cl_policy_load(const char *path, struct cl_policy *policy, char *err, size_t errsize)
{
	struct loader ld = {
		.policy = policy,
		.err = err,
		.errsize = errsize,
	};
	int ret;

	memset(policy, 0, sizeof(*policy));
	err[0] = '\0';
	ret = load_file(&ld, path, NULL, NULL);
	if (ret == 0)
		ret = expand_interfaces(&ld);
	for (size_t i = 0; i < ld.doc_count; i++)
		json_object_put(ld.docs[i]);
	free(ld.docs);
	free(ld.net_from);
	free(ld.roots[0]);
	free(ld.roots[1]);
	if (ret < 0)
		cl_policy_free(policy);
	return ret;
}

void cl_policy_free(struct cl_policy *policy)
{
	for (size_t i = 0; i < policy->agent_count; i++) {
		free(policy->agents[i].id);
		cl_rule_list_free(&policy->agents[i].files);
		cl_net_list_free(&policy->agents[i].net);
	}
	for (size_t i = 0; i < policy->profile_count; i++) {
		free(policy->profiles[i].name);
		cl_rule_list_free(&policy->profiles[i].files);
		cl_net_list_free(&policy->profiles[i].net);
	}
	/* After the agents: their lists point into these. */
	for (size_t i = 0; i < policy->use_count; i++) {
		profile_use_free(policy->uses[i]);
	}
	free(policy->agents);
	free(policy->profiles);
	free(policy->uses);
	cl_name_index_free(&policy->agent_index);
	cl_name_index_free(&policy->use_index);
	memset(policy, 0, sizeof(*policy));
}

const struct cl_agent *cl_policy_agent(const struct cl_policy *policy, const char *id)
{
	long pos;

	if (cl_name_index_count(&policy->agent_index) == policy->agent_count) {
		pos = cl_name_index_get(&policy->agent_index, id);
		return pos < 0 ? NULL : &policy->agents[pos];
	}
	for (size_t i = 0; i < policy->agent_count; i++) {
		if (strcmp(policy->agents[i].id, id) == 0)
			return &policy->agents[i];
	}
	return NULL;
}
