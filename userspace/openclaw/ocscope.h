/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ocscope.h - a scope's cgroup as OpenClaw names and sizes it: the slug of
 * its scope key, and docker's limits in cgroup v2 terms.
 */
#ifndef CLAWLOCK_OCSCOPE_H
#define CLAWLOCK_OCSCOPE_H

#include <stddef.h>

struct cl_limits;

/* OpenClaw's slug: 32 characters, a dash and 8 hex digits. */
#define CL_SLUG_MAX 48

/* OpenClaw's slugifySessionKey(key). */
void cl_slugify(const char *key, char out[CL_SLUG_MAX]);
/* The scope key of an agent's run: the session key, or "agent:<id>". */
void cl_scope_key(const char *agent, const char *session, char *out, size_t size);

/*
 * Translate docker's --pids-limit, --memory, --memory-swap and --cpus, as
 * OpenClaw passes them (@memory etc. as written, NULL: unset), into
 * @limits (loader/cgroup.h). Returns 0, or -1 with the reason in @err.
 */
int cl_limits_from_docker(long long pids, const char *memory, const char *memory_swap,
			  const char *cpus, struct cl_limits *limits, char *err, size_t errsize);
/*
 * docker's units.RAMInBytes, as `docker run --memory` reads a size: a
 * finite decimal, then b, or k, m, g, t, p (powers of 1024) with an optional
 * b or ib. NaN, infinity, hex and negative sizes are refused: 0 or -1.
 */
int cl_docker_bytes(const char *text, long long *out);

#endif /* CLAWLOCK_OCSCOPE_H */
