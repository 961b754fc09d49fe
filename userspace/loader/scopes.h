/* SPDX-License-Identifier: GPL-2.0 */
/*
 * scopes.h - the set of bound cgroups, and switching it atomically.
 *
 * Every change to the bindings (run, attach, apply) reads the live set,
 * edits a copy in memory, and commits it: the copy is written into the
 * binding slot the hooks do not read, then one atomic store of the
 * generation makes it live. Policies nothing live refers to any more are
 * removed only after every hook that could still read them has returned.
 */
#ifndef CLAWLOCK_SCOPES_H
#define CLAWLOCK_SCOPES_H

#include <stddef.h>
#include <stdint.h>

#include "loader/bpfstate.h"
#include "loader/cgroup.h"
#include "openclaw/ocscope.h"

struct cl_scope {
	uint64_t cgroup_id;
	struct cl_binding binding;
	struct cl_scope_info info;
};

struct lh_table;

struct cl_scopes {
	struct cl_scope *items;
	size_t count;
	size_t cap;
	/* cgroup id -> position + 1: an apply of thousands of scopes looks each up often. */
	struct lh_table *by_cgroup;
};

/* The live generation (0 if it cannot be read). */
uint64_t cl_generation(struct cl_maps *maps);

/* Read the live bindings into @set (freed with cl_scopes_free). */
int cl_scopes_read(struct cl_maps *maps, struct cl_scopes *set);
/* Let this update's installs share the policies @set binds (cl_policy_install). */
void cl_scopes_reuse(struct cl_maps *maps, const struct cl_scopes *set);
void cl_scopes_free(struct cl_scopes *set);

/* The scope of cgroup @cgid in @set, or NULL. */
struct cl_scope *cl_scopes_find(struct cl_scopes *set, uint64_t cgid);

/* Add or replace @scope (by cgroup id). */
int cl_scopes_put(struct cl_scopes *set, const struct cl_scope *scope);

/* Drop cgroup @cgid from @set (nothing if absent). */
void cl_scopes_drop(struct cl_scopes *set, uint64_t cgid);

/*
 * Make @set the live bindings: write it as the next generation, switch,
 * wait for the hooks still reading the old one, then remove the policies
 * and scope records nothing refers to. On failure before the switch the
 * live bindings are untouched and -1 is returned after printing why.
 */
int cl_scopes_commit(struct cl_maps *maps, const struct cl_scopes *set);

/*
 * After a failed update: remove the policies it installed (everything the
 * live @set does not refer to). Nothing live changes.
 */
void cl_scopes_abandon(struct cl_maps *maps, const struct cl_scopes *set);

/*
 * Install @agent's policy and bind cgroup @cgid (at @cgroup) to it, keeping
 * every other binding: one switch. An existing scope keeps its origin.
 */
int cl_bind_one(struct cl_maps *maps, const struct cl_agent *agent, uint64_t cgid,
		const char *cgroup, const char *session, enum cl_scope_origin origin);

/*
 * Make the scope cgroup @path (the scope root @root first, when @limits set
 * any), set its @limits (NULL: none given) and bind it to @agent's policy as
 * cl_bind_one does; its id into @cgid. The caller holds the maps lock.
 */
struct cl_limits;
int cl_scope_make_bound(struct cl_maps *maps, const char *root, const char *path,
			const struct cl_limits *limits, const struct cl_agent *agent,
			const char *session, uint64_t *cgid);

/*
 * The cgroup name of @agent's scope for @session (NULL: its agent scope)
 * when the config is a policy file: the slug of its scope key.
 */
void cl_scope_slug(const char *agent, const char *session, char out[CL_SLUG_MAX]);

/* Fill a scope record; @session and @cgroup may be NULL. */
void cl_scope_fill(struct cl_scope *scope, uint64_t cgid, uint32_t policy_id, enum cl_mode mode,
		   const char *agent, const char *session, const char *cgroup,
		   enum cl_scope_origin origin);

#endif /* CLAWLOCK_SCOPES_H */
