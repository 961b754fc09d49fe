/* SPDX-License-Identifier: GPL-2.0 */
/*
 * policy.h - clawlock's own policy file (JSON5): agents, profiles and file
 * rules. Documentation/policy.md describes the format.
 */
#ifndef CLAWLOCK_POLICY_H
#define CLAWLOCK_POLICY_H

#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

#include "clawlock.h"
#include "policy/netrule.h"
#include "util.h"

/* Includes nested deeper than this are rejected (and so are cycles). */
#define CL_POLICY_MAX_INCLUDE_DEPTH 8

struct cl_rule {
	char *path;	 /* absolute, normalised, ~ expanded */
	uint32_t access; /* enum cl_access bits */
	/* Where the rule was written: "file:line:col key.path". */
	char source[CL_RULE_SOURCE_MAX];
};

struct cl_rule_list {
	struct cl_rule *rules;
	size_t count;
	struct cl_name_index index; /* path -> position past the shared rules (cl_rule_list_set) */
	/*
	 * The first @shared rules are a copy of @base, the merge of the
	 * profiles an agent uses, which the policy keeps and every agent
	 * using the same profiles shares: their paths are @base's (not freed
	 * here) and are found through @base's index. An agent's own rule on
	 * one of those paths replaces the copy's access and source, in place.
	 * @base NULL and @shared 0: the list owns everything.
	 */
	const struct cl_rule_list *base;
	size_t shared;
};

struct cl_agent {
	char *id;
	enum cl_mode mode;
	struct cl_rule_list files; /* profiles first, then the agent's own */
	struct cl_net_list net;	   /* no rules: no network (loopback of a private netns only) */
	uint64_t cap_drop;	   /* bit n: capability n is denied */
	bool no_exec;		   /* exec switched off: no exec beyond the first program */
	char source[CL_RULE_SOURCE_MAX];
	/* What denies where no rule grants (an OpenClaw sandbox's mode key), or "". */
	char default_source[CL_RULE_SOURCE_MAX];
};

struct cl_profile {
	char *name;
	struct cl_rule_list files;
	struct cl_net_list net;
};

/* The files of the profiles one `use` list names, merged once for every agent naming them. */
struct cl_profile_use;

struct cl_policy {
	struct cl_agent *agents;
	size_t agent_count;
	struct cl_name_index agent_index; /* id -> position: configs of thousands of agents */
	struct cl_profile *profiles;
	size_t profile_count;
	struct cl_profile_use **uses; /* each allocated alone: agents point into them */
	size_t use_count;
	struct cl_name_index use_index; /* profile positions ("0,2,") -> position in uses */
	/*
	 * A rule names an interface or "host": its addresses were read at load,
	 * so a daemon applying this policy follows address changes.
	 */
	bool interface_rules;
};

/* Set the rule for @path (replacing one for the same path) in @list. */
int cl_rule_list_set(struct cl_rule_list *list, const char *path, uint32_t access,
		     const char *source);
void cl_rule_list_free(struct cl_rule_list *list);

/*
 * Read @path and everything it includes. On failure returns -1 with a
 * "file:line:column: reason" message in @err; @policy is then empty.
 */
int cl_policy_load(const char *path, struct cl_policy *policy, char *err, size_t errsize);
void cl_policy_free(struct cl_policy *policy);

const struct cl_agent *cl_policy_agent(const struct cl_policy *policy, const char *id);

/*
 * "read", "read,write", "read+exec", "deny", ... into access bits. Returns 0,
 * or -1 with a reason in @err.
 */
int cl_access_parse(const char *text, uint32_t *access, char *err, size_t errsize);
/* "read,exec" or "deny" into @buf. */
const char *cl_access_format(uint32_t access, char *buf, size_t size);
/*
 * Two rules on one object (hard links, bind mounts, the same name twice):
 * the stricter wins, deny if either denies, else the access both grant.
 */
uint32_t cl_access_stricter(uint32_t a, uint32_t b);

/* Capability names as capabilities(7) has them, without CAP_ ("net_admin"). */
int cl_cap_number(const char *name);
const char *cl_cap_name(int number);
/* Bits of every capability the kernel knows (what "ALL" drops). */
uint64_t cl_cap_all(void);
/*
 * Capabilities every sandbox loses, whatever its capDrop says, unless a
 * policy adds them back (capAdd): network administration (with it, a
 * sandbox puts an allowed address on lo and reaches the host's own
 * services) and raw network access. A Docker container has neither
 * CAP_NET_ADMIN nor, under clawlock, raw sockets.
 */
#define CL_CAP_NET_ADMIN_BIT 12
#define CL_CAP_NET_RAW_BIT   13
#define CL_CAP_NETWORK	     ((1ULL << CL_CAP_NET_ADMIN_BIT) | (1ULL << CL_CAP_NET_RAW_BIT))

/*
 * Normalise a rule path: expand ~, drop duplicate and trailing slashes. A
 * pattern "**" "/NAME" (that name anywhere) is kept as it is, once checked.
 */
int cl_path_normalise(const char *in, char *out, size_t size, char *err, size_t errsize);
/* The NAME of a pattern rule path, NULL for an ordinary path. */
const char *cl_path_pattern_name(const char *path);
/* An absolute @path's directory (into @dir) and its last name ("" for "/"). */
const char *cl_path_split(const char *path, char *dir, size_t size);
/*
 * Cut @head's last name off into @leaf ("/a/b": "/a" and "b"; "/a": "/"
 * and "a"). -1 when none is left ("/", or a trailing slash).
 */
int cl_path_pop(char *head, char *leaf, size_t size);
/*
 * Where a deny rule on @path is keyed by name: the directory holding it
 * (resolved) and its last name, or, when it does not exist, the deepest
 * existing directory on its way and the first missing name below it.
 * -1 when there is none (the root).
 */
int cl_path_deny_name(const char *path, char *dir, char *leaf, size_t size);

/* Where policies/baseline.json5 is (see clawlock compile --help). */
int cl_find_baseline(char *path, size_t size);

#endif /* CLAWLOCK_POLICY_H */
