// SPDX-License-Identifier: GPL-2.0
/*
 * compile.c - load the config an update compiles from, and compile one
 * scope of it: OpenClaw's translation (ocinputs.c) when the config is
 * OpenClaw's, the agent's own rules when it is a clawlock policy file.
 */
#include <stdlib.h>
#include <stddef.h>
#include <string.h>

#include "loader/compile.h"
#include "loader/scopes.h"
#include "openclaw/ocsandbox.h"
#include "util.h"

void cl_config_free(struct cl_config *cfg)
{
	if (cfg->openclaw) {
		oc_agent_ids_free(cfg->ids, cfg->id_count);
		cl_oc_free_inputs(&cfg->in);
	} else {
		cl_policy_free(&cfg->policy);
	}
}

/* Load and validate the config; an exit status, 0 on success. */
int cl_config_load(const char *openclaw, const char *policy, struct cl_config *cfg)
{
	char err[1024];
	int ret;

	memset(cfg, 0, sizeof(*cfg));
	if (openclaw) {
		cfg->openclaw = 1;
		ret = cl_oc_load_inputs(openclaw, policy, NULL, &cfg->in);
		if (ret)
			return ret;
		if (oc_agent_ids(&cfg->in.cfg, &cfg->ids, &cfg->id_count) < 0) {
			cl_oc_free_inputs(&cfg->in);
			return CL_EXIT_FAILURE;
		}
		return 0;
	}
	if (cl_policy_load(policy, &cfg->policy, err, sizeof(err)) < 0) {
		cl_error("%s", err);
		return CL_EXIT_USAGE;
	}
	return 0;
}

int cl_config_has_agent(const struct cl_config *cfg, const char *agent)
{
	if (!cfg->openclaw)
		return cl_policy_agent(&cfg->policy, agent) != NULL;
	/* Indexed: asked once per live scope, so a scan would be quadratic. */
	return oc_has_agent(&cfg->in.cfg, agent);
}

void cl_compiled_free(struct cl_compiled *out)
{
	if (out->have_c)
		oc_compiled_free(&out->c);
	out->have_c = 0;
}

static int compile_openclaw(struct cl_config *cfg, const char *agent, const char *session,
			    struct cl_compiled *out)
{
	const struct oc_sandbox *sb;

	if (cl_oc_compile(&cfg->in, agent, session, &out->c) < 0)
		return -1;
	out->have_c = 1;
	sb = &out->c.sb;
	if (out->c.confined && oc_ensure_sandbox_dir(sb) < 0) {
		cl_compiled_free(out);
		return -1;
	}
	out->confined = out->c.confined;
	out->per_session = sb->scope == OC_SCOPE_SESSION;
	cl_strlcpy(out->slug, sb->slug, sizeof(out->slug));
	out->agent = &out->c.policy;
	out->session = out->per_session ? sb->session_key : NULL;
	if (cl_oc_limits(&cfg->in, sb, &out->limits) < 0) {
		cl_compiled_free(out);
		return -1;
	}
	return 0;
}

/* Compile @agent's scope for @session (NULL: its agent scope). */
int cl_compile_scope(struct cl_config *cfg, const char *agent, const char *session,
		     struct cl_compiled *out)
{
	if (cfg->openclaw) {
		memset(out, 0, sizeof(*out));
		return compile_openclaw(cfg, agent, session, out);
	}
	/*
	 * Not the OpenClaw part, 23 KB of the struct: a policy file's scope
	 * has none (have_c 0, and its readers are OpenClaw's alone), and an
	 * apply compiles every agent's: zeroing it was a seventh of an
	 * unchanged apply of 10,000 agents.
	 */
	memset(out, 0, offsetof(struct cl_compiled, c));
	out->have_c = 0;
	out->agent = cl_policy_agent(&cfg->policy, agent);
	out->confined = out->agent != NULL;
	out->session = session;
	out->limits = (struct cl_limits){ -1, -1, -1, -1 };
	cl_scope_slug(agent, session, out->slug);
	return 0;
}

/*
 * The scope an agent has without naming a session: its main session's, or
 * if OpenClaw sandboxes only the other sessions ("non-main"), theirs.
 */
int cl_compile_agent_scope(struct cl_config *cfg, const char *agent, struct cl_compiled *out)
{
	char other[CL_AGENT_MAX + 32];

	if (cl_compile_scope(cfg, agent, NULL, out) < 0)
		return -1;
	if (out->confined || !cfg->openclaw)
		return 0;
	cl_compiled_free(out);
	cl_format(other, sizeof(other), "agent:%s:clawlock-apply", agent);
	return cl_compile_scope(cfg, agent, other, out);
}
