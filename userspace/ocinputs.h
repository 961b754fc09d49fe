/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ocinputs.h - the inputs of an OpenClaw compile, and the compile of one
 * session with the overlay applied. Errors are printed (cl_error).
 */
#ifndef CLAWLOCK_OCINPUTS_H
#define CLAWLOCK_OCINPUTS_H

#include "ocpolicy.h"
#include "policy.h"

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

#endif /* CLAWLOCK_OCINPUTS_H */
