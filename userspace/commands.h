/* SPDX-License-Identifier: GPL-2.0 */
/*
 * commands.h - the clawlock subcommands. Each returns an exit status
 * (enum cl_exit) and prints its own errors.
 */
#ifndef CLAWLOCK_COMMANDS_H
#define CLAWLOCK_COMMANDS_H

#include "ocpolicy.h"
#include "policy.h"

int cl_cmd_load(int argc, char **argv);
int cl_cmd_unload(int argc, char **argv);
int cl_cmd_run(int argc, char **argv);
int cl_cmd_apply(int argc, char **argv);
int cl_cmd_attach(int argc, char **argv);
int cl_cmd_mode(int argc, char **argv);
int cl_cmd_events(int argc, char **argv);
int cl_cmd_status(int argc, char **argv);
int cl_cmd_check(int argc, char **argv);
int cl_cmd_compile(int argc, char **argv);
int cl_cmd_explain(int argc, char **argv);
int cl_cmd_audit(int argc, char **argv);

/* Where policies/baseline.json5 is (see clawlock compile --help). */
int cl_find_baseline(char *path, size_t size);

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

#endif /* CLAWLOCK_COMMANDS_H */
