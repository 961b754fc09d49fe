/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bind.h - bind OpenClaw's containers to the policy the config gives their
 * scope, resolved in their own tree. One binder holds the update lock and
 * the live bindings for a batch (one container started, or all of them
 * after the engine came back) and switches once at the end.
 */
#ifndef CLAWLOCK_CONTAINERS_BIND_H
#define CLAWLOCK_CONTAINERS_BIND_H

#include <stdbool.h>
#include <stdint.h>

#include "containers/engine.h"

/* What becomes of a container whose scope key the config does not sandbox. */
enum cl_unmatched {
	CL_UNMATCHED_DENY,   /* bound to a policy that denies everything */
	CL_UNMATCHED_REPORT, /* the same policy in audit mode: reported, not denied */
};

/* How one container was bound, for the log and the records. */
struct cl_container_bound {
	char agent[64];	   /* the policy's agent; "unmatched" when none */
	char cgroup[256];  /* its cgroup */
	uint32_t policy;   /* the policy id bound */
	bool matched;	   /* false: the deny-everything policy */
	bool changed;	   /* its binding was not this one before */
	char why[512];	   /* unmatched, or a fallback: the reason */
	long long skipped; /* rules naming paths the container does not have */
};

struct cl_binder;

/*
 * Load the config (@openclaw and/or @policy, as apply takes them) and take
 * the update lock. NULL if either fails (said).
 */
struct cl_binder *cl_binder_open(const char *openclaw, const char *policy,
				 enum cl_unmatched unmatched);

/*
 * Stage the binding of running container @ct (its pid known, by
 * cl_engine_inspect). 0 when bound to something (its scope's policy, or
 * the deny-everything one, said in @out), -1 when it has no process left
 * to bind (@out->why says why).
 */
int cl_binder_add(struct cl_binder *b, const struct cl_container *ct,
		  struct cl_container_bound *out);

/* Stage dropping the container bindings whose cgroup is gone; how many. */
size_t cl_binder_prune(struct cl_binder *b);

/* Make what was staged live in one switch, and release the lock. -1 if it failed (said). */
int cl_binder_commit(struct cl_binder *b);
void cl_binder_close(struct cl_binder *b);

/*
 * OpenClaw's scope key "<session>:workspace:<hash>" (or "agent:<id>:...")
 * split into the agent and the session ("" for an agent scope); -1 when
 * it is no such key ("shared" is not: it names no agent).
 */
int cl_scope_key_split(const char *key, char *agent, size_t asize, char *session, size_t ssize);

/* @path as a container of sandbox @sb sees it: where a mount brings it, else itself. */
struct oc_sandbox;
void cl_container_path(const struct oc_sandbox *sb, const char *path, char *out, size_t size);

/* The cgroup (path under the cgroup mount) of process @pid into @out; -1 if gone. */
int cl_container_cgroup(int pid, char *out, size_t size);

#endif /* CLAWLOCK_CONTAINERS_BIND_H */
