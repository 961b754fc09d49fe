/* SPDX-License-Identifier: GPL-2.0 */
/*
 * apply.h - the config made live: apply, attach, mode, and the comparison
 * of the live scopes with the config. Each prints its own errors.
 */
#ifndef CLAWLOCK_APPLY_H
#define CLAWLOCK_APPLY_H

#include <stdbool.h>
#include <stdint.h>

#include "clawlock.h"

/* The config files the last apply used, as it recorded them in CL_APPLIED_PATH. */
struct cl_applied {
	char openclaw[4096]; /* "" when none */
	char policy[4096];
	char cgroup_root[4096]; /* "" when the default */
};

/* 0 and @out filled if a config was applied; -1 if none was (or the record is unreadable). */
int cl_applied_config(struct cl_applied *out);

/*
 * clawlock apply, for the daemon: an exit status (errors printed).
 * *@interface_rules (unless NULL) says whether the config loaded has rules
 * naming an interface or the host (struct cl_policy): the daemon then
 * follows address changes.
 */
int cl_apply(const char *openclaw, const char *policy, const char *cgroup_root,
	     bool *interface_rules);

/*
 * clawlock attach: bind the existing cgroup @path (id @cgid) to @agent's
 * policy for @session (NULL: its agent scope), compiled from the config
 * named, else the one last applied. An exit status (errors printed).
 */
int cl_attach(const char *openclaw, const char *policy, const char *agent, const char *session,
	      const char *path, uint64_t cgid);

/*
 * clawlock mode: switch the live scopes of @agent (NULL: every agent's),
 * or only the one of cgroup @cgroup, to @mode. An exit status.
 */
int cl_mode(enum cl_mode mode, const char *agent, const char *cgroup);

/*
 * For audit --deep: compare every live scope with what the config compiles
 * to, calling @differs for each that differs, and @unbound for each scope
 * the config sandboxes whose cgroup exists but has no live binding (its
 * processes run unconfined). -1 if the config does not load.
 */
struct cl_scope;
struct cl_diff_report {
	void (*differs)(void *data, const struct cl_scope *scope, const char *why);
	void (*unbound)(void *data, const char *agent, const char *cgroup);
	void *data;
};
int cl_apply_diff(const char *openclaw, const char *policy, const struct cl_diff_report *report);

#endif /* CLAWLOCK_APPLY_H */
