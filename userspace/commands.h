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
int cl_cmd_daemon(int argc, char **argv);
int cl_cmd_events(int argc, char **argv);
int cl_cmd_status(int argc, char **argv);
int cl_cmd_check(int argc, char **argv);
int cl_cmd_compile(int argc, char **argv);
int cl_cmd_explain(int argc, char **argv);
int cl_cmd_audit(int argc, char **argv);
int cl_cmd_sandbox(int argc, char **argv);

/*
 * The event stream (cmd_events.c): records of the ring buffer, as JSON
 * objects, handed to @sink (a negative return stops the current poll);
 * drop records (decision "dropped") whenever the drop counters moved.
 */
struct events_ctx;
struct json_object;
struct events_ctx *cl_event_stream_open(const char *agent, const char *session, const char *op,
					int (*sink)(struct json_object *record, void *data),
					void *data);
/* Readable when records wait (for epoll). */
int cl_event_stream_fd(struct events_ctx *ctx);
/* Wait up to @timeout_ms (0: do not wait) and hand over what arrived. */
int cl_event_stream_poll(struct events_ctx *ctx, int timeout_ms);
void cl_event_stream_free(struct events_ctx *ctx);

/* An operation's name in events and status (enum cl_op). */
const char *cl_op_name(unsigned int op);

/* The config files the last apply used, as it recorded them in CL_APPLIED_PATH. */
struct cl_applied {
	char openclaw[4096]; /* "" when none */
	char policy[4096];
};

/* 0 and @out filled if a config was applied; -1 if none was (or the record is unreadable). */
int cl_applied_config(struct cl_applied *out);

/* clawlock apply, for the daemon: an exit status (errors printed). */
int cl_apply(const char *openclaw, const char *policy, const char *cgroup_root);

/*
 * For audit --deep: compare every live scope with what the config compiles
 * to, calling @report for each that differs. -1 if the config does not load.
 */
struct cl_scope;
int cl_apply_diff(const char *openclaw, const char *policy,
		  void (*report)(void *data, const struct cl_scope *scope, const char *why),
		  void *data);

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
