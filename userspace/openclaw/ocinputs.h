/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ocinputs.h - the inputs of an OpenClaw compile, and the compile of one
 * session with the overlay applied. Errors are printed (cl_error).
 */
#ifndef CLAWLOCK_OCINPUTS_H
#define CLAWLOCK_OCINPUTS_H

#include "openclaw/ocpolicy.h"
#include "policy/policy.h"

/* The OpenClaw config, the baseline profiles and an optional overlay. */
struct oc_inputs {
	struct oc_config cfg;
	struct cl_policy baseline;
	struct cl_policy overlay;
	int have_overlay;
};

/* Load them (errors printed; returns an exit status, 0 on success). */
int cl_oc_load_inputs(const char *openclaw, const char *overlay, const char *baseline,
		      struct oc_inputs *in);
void cl_oc_free_inputs(struct oc_inputs *in);
/* Compile one session with the overlay applied; errors printed. */
int cl_oc_compile(struct oc_inputs *in, const char *agent, const char *session,
		  struct oc_compiled *c);

/*
 * The resource limits of @sb's scope, from OpenClaw's docker settings;
 * -1 (error printed, naming the config key) if they do not translate.
 */
struct cl_limits;
int cl_oc_limits(const struct oc_inputs *in, const struct oc_sandbox *sb, struct cl_limits *limits);

#endif /* CLAWLOCK_OCINPUTS_H */
