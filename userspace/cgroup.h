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
/* The first @digits (even, up to 64) hex digits of SHA-256(@text, @len) into @out. */
void cl_sha256_hex(const char *text, size_t len, char *out, int digits);
/* OpenClaw's slugifySessionKey(key). */
void cl_slugify(const char *key, char out[CL_SLUG_MAX]);
/* The scope key of an agent's run: the session key, or "agent:<id>". */
void cl_scope_key(const char *agent, const char *session, char *out, size_t size);
/* mkdir -p for a cgroup directory. */
int cl_cgroup_create(const char *path);
/* The kernel's id of the cgroup at @path (what bpf_get_current_cgroup_id returns). */
int cl_cgroup_id(const char *path, uint64_t *id);
/* Move the calling process into the cgroup at @path. */
int cl_cgroup_enter(const char *path);

#endif /* CLAWLOCK_CGROUP_H */
