/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cgroup.h - cgroup v2 helpers: where the hierarchy is, scope cgroups,
 * their limits, cgroup ids, moving a process in. What OpenClaw names and
 * sizes a scope's cgroup by is openclaw/ocscope.h.
 */
#ifndef CLAWLOCK_CGROUP_H
#define CLAWLOCK_CGROUP_H

#include <stddef.h>
#include <stdint.h>

/* Name of clawlock's subtree below the cgroup v2 mount. */
#define CL_CGROUP_SUBTREE "clawlock"

/* The cgroup v2 mount (/sys/fs/cgroup, or /sys/fs/cgroup/unified on hybrid hosts). */
int cl_cgroup_mount(char *out, size_t size);
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
