/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cgroup.h - cgroup v2 helpers: where the hierarchy is, scope cgroups by
 * OpenClaw's slug of the scope key, cgroup ids, moving a process in.
 */
#ifndef CLAWLOCK_CGROUP_H
#define CLAWLOCK_CGROUP_H

#include <stddef.h>
#include <stdint.h>

/* Name of clawlock's subtree below the cgroup v2 mount. */
#define CL_CGROUP_SUBTREE "clawlock"
/* OpenClaw's slug: 32 characters, a dash and 8 hex digits. */
#define CL_SLUG_MAX 48

/* The cgroup v2 mount (/sys/fs/cgroup, or /sys/fs/cgroup/unified on hybrid hosts). */
int cl_cgroup_mount(char *out, size_t size);
/* OpenClaw's slugifySessionKey(key). */
void cl_slugify(const char *key, char out[CL_SLUG_MAX]);
/* The scope key of an agent's run: the session key, or "agent:<id>". */
void cl_scope_key(const char *agent, const char *session, char *out, size_t size);
/* Where scope cgroups live: @override, or <cgroup2 mount>/clawlock. */
int cl_cgroup_root(const char *override, char *out, size_t size);
/* mkdir -p for a cgroup directory; 0 or -1. */
int cl_cgroup_create(const char *path);
/* The same: 1 if made now, 0 if it was there, -1. */
int cl_cgroup_make(const char *path);
/* The kernel's id of the cgroup at @path (what bpf_get_current_cgroup_id returns). */
int cl_cgroup_id(const char *path, uint64_t *id);
/*
 * Resource limits of a scope, in cgroup v2 terms; -1 leaves a file as the
 * kernel made it ("max").
 */
struct cl_limits {
	long long pids_max;
	long long memory_max;	   /* bytes */
	long long memory_swap_max; /* bytes of swap (not memory + swap, as docker counts) */
	long long cpu_quota;	   /* microseconds per 100 ms period */
};

/*
 * Translate docker's --pids-limit, --memory, --memory-swap and --cpus, as
 * OpenClaw passes them (@memory etc. as written, NULL: unset), into
 * @limits. Returns 0, or -1 with the reason in @err.
 */
int cl_limits_from_docker(long long pids, const char *memory, const char *memory_swap,
			  const char *cpus, struct cl_limits *limits, char *err, size_t errsize);
/*
 * docker's units.RAMInBytes, as `docker run --memory` reads a size: a
 * finite decimal, then b, or k, m, g, t, p (powers of 1024) with an optional
 * b or ib. NaN, infinity, hex and negative sizes are refused: 0 or -1.
 */
int cl_docker_bytes(const char *text, long long *out);
/* Does @limits set anything? */
int cl_limits_any(const struct cl_limits *limits);
/*
 * Make the scope root @root and enable the pids, memory and cpu controllers
 * for its children (and for it, in its parent).
 */
int cl_cgroup_prepare_root(const char *root);
/* Write pids.max, memory.max, memory.swap.max and cpu.max of the cgroup at @path. */
int cl_cgroup_set_limits(const char *path, const struct cl_limits *limits);
/* Is the cgroup at @path without processes (or gone)? */
int cl_cgroup_empty(const char *path);

/* Move the calling process into the cgroup at @path. */
int cl_cgroup_enter(const char *path);

#endif /* CLAWLOCK_CGROUP_H */
