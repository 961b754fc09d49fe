// SPDX-License-Identifier: GPL-2.0
/*
 * ocinputs.c - what an OpenClaw compile reads (the config, the baseline
 * profiles, an optional overlay policy) and the compile of one session
 * with the overlay on top: the step every command that confines an
 * OpenClaw agent shares (apply, run, attach, compile, explain, learn,
 * sandbox).
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "policy/json5.h"
#include "openclaw/ocinputs.h"
#include "openclaw/ocscope.h"
#include "util.h"

static int load_baseline(const char *explicit_path, struct cl_policy *baseline)
{
	char path[PATH_MAX + 64], err[1024], *real;

	memset(baseline, 0, sizeof(*baseline));
	if (explicit_path)
		cl_format(path, sizeof(path), "%s", explicit_path);
	else if (cl_find_baseline(path, sizeof(path)) < 0)
		return -1;
	/* Read through its target: a repointed link is a new baseline. */
	json5_note_probe(path);
	real = realpath(path, NULL);
	if (real) {
		cl_format(path, sizeof(path), "%s", real);
		free(real);
	}
	if (cl_policy_load(path, baseline, err, sizeof(err)) < 0) {
		cl_error("baseline profiles: %s (set CLAWLOCK_BASELINE or --baseline)", err);
		return -1;
	}
	return 0;
}

/*
 * The overlay's rules and mode for an agent go on top of the translation,
 * its network rules too (an egress allowlist beside the baseline's) unless
 * OpenClaw's network is "none": no rule opens a network it did not give.
 */
static int apply_overlay(const struct cl_policy *overlay, struct oc_compiled *c)
{
	const struct cl_agent *extra = overlay ? cl_policy_agent(overlay, c->sb.agent_id) : NULL;
	const char *network = c->sb.network ? c->sb.network : "none";

	if (!extra || !c->confined)
		return 0;
	c->policy.mode = extra->mode;
	for (size_t i = 0; i < extra->files.count; i++) {
		const struct cl_rule *r = &extra->files.rules[i];

		if (cl_rule_list_set(&c->policy.files, r->path, r->access, r->source) < 0)
			return -1;
	}
	if (!extra->net.count || !strcmp(network, "none"))
		return 0;
	return cl_net_list_merge(&c->policy.net, &extra->net);
}

int cl_oc_load_inputs(const char *openclaw, const char *overlay, const char *baseline,
		      struct oc_inputs *in)
{
	char err[2048];

	memset(in, 0, sizeof(*in));
	if (oc_config_load(openclaw, &in->cfg, err, sizeof(err)) < 0) {
		cl_error("%s", err);
		return CL_EXIT_USAGE;
	}
	for (size_t i = 0; i < in->cfg.warning_count; i++)
		cl_warn("%s", in->cfg.warnings[i]);
	if (load_baseline(baseline, &in->baseline) < 0)
		goto fail;
	if (overlay) {
		if (cl_policy_load(overlay, &in->overlay, err, sizeof(err)) < 0) {
			cl_error("%s", err);
			goto fail;
		}
		in->have_overlay = 1;
	}
	return 0;
fail:
	cl_policy_free(&in->baseline);
	oc_config_free(&in->cfg);
	return CL_EXIT_USAGE;
}

void cl_oc_free_inputs(struct oc_inputs *in)
{
	cl_policy_free(&in->baseline);
	cl_policy_free(&in->overlay);
	oc_config_free(&in->cfg);
}

int cl_oc_compile(struct oc_inputs *in, const char *agent, const char *session,
		  struct oc_compiled *c)
{
	char err[2048];

	if (oc_compile(&in->cfg, &in->baseline, agent, session, c, err, sizeof(err)) < 0) {
		cl_error("%s", err);
		return -1;
	}
	if (apply_overlay(in->have_overlay ? &in->overlay : NULL, c) < 0) {
		oc_compiled_free(c);
		cl_error("out of memory");
		return -1;
	}
	return 0;
}

int cl_oc_limits(const struct oc_inputs *in, const struct oc_sandbox *sb, struct cl_limits *limits)
{
	char err[512];

	if (cl_limits_from_docker(sb->pids_limit, sb->memory, sb->memory_swap, sb->cpus, limits,
				  err, sizeof(err)) < 0) {
		cl_error("%s: %s: %s", in->cfg.path, sb->limits_key, err);
		return -1;
	}
	return 0;
}
