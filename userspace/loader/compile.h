/* SPDX-License-Identifier: GPL-2.0 */
/*
 * compile.h - the config an update compiles from (OpenClaw's plus an
 * overlay, or a clawlock policy file), and one scope compiled from it:
 * the policy, the session, the cgroup slug and the limits. apply, attach,
 * audit --deep and the container binder share it.
 */
#ifndef CLAWLOCK_COMPILE_H
#define CLAWLOCK_COMPILE_H

#include "loader/cgroup.h"
#include "openclaw/ocscope.h"
#include "openclaw/ocinputs.h"
#include "openclaw/ocpolicy.h"
#include "policy/policy.h"

/* The config an update compiles from: OpenClaw's (plus overlay) or a policy file. */
struct cl_config {
	int openclaw;
	struct oc_inputs in;
	struct cl_policy policy;
	char **ids; /* OpenClaw's agent ids */
	size_t id_count;
};

/* One scope as the config makes it. */
struct cl_compiled {
	int confined;
	int per_session; /* OpenClaw scope "session": made on first use */
	char slug[CL_SLUG_MAX];
	const struct cl_agent *agent;
	const char *session; /* the session key, or NULL for an agent or shared scope */
	struct cl_limits limits;
	struct oc_compiled c;
	int have_c;
};

/* Load and validate the config; an exit status, 0 on success (errors printed). */
int cl_config_load(const char *openclaw, const char *policy, struct cl_config *cfg);
void cl_config_free(struct cl_config *cfg);

/* Does the config have agent @agent? */
int cl_config_has_agent(const struct cl_config *cfg, const char *agent);

/* Compile @agent's scope for @session (NULL: its agent scope); -1 on error (printed). */
int cl_compile_scope(struct cl_config *cfg, const char *agent, const char *session,
		     struct cl_compiled *out);

/*
 * The scope an agent has without naming a session: its main session's, or
 * if OpenClaw sandboxes only the other sessions ("non-main"), theirs.
 */
int cl_compile_agent_scope(struct cl_config *cfg, const char *agent, struct cl_compiled *out);
void cl_compiled_free(struct cl_compiled *out);

#endif /* CLAWLOCK_COMPILE_H */
