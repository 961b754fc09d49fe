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
int cl_cmd_upgrade(int argc, char **argv);
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
int cl_cmd_learn(int argc, char **argv);
int cl_cmd_sandbox(int argc, char **argv);

/* The config files the last apply used, as it recorded them in CL_APPLIED_PATH. */
struct cl_applied {
	char openclaw[4096]; /* "" when none */
	char policy[4096];
	char cgroup_root[4096]; /* "" when the default */
};

/* 0 and @out filled if a config was applied; -1 if none was (or the record is unreadable). */
int cl_applied_config(struct cl_applied *out);

/* clawlock apply, for the daemon: an exit status (errors printed). */
int cl_apply(const char *openclaw, const char *policy, const char *cgroup_root);

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

#endif /* CLAWLOCK_COMMANDS_H */
