/* SPDX-License-Identifier: GPL-2.0 */
/*
 * commands.h - the clawlock subcommands. Each returns an exit status
 * (enum cl_exit) and prints its own errors.
 */
#ifndef CLAWLOCK_COMMANDS_H
#define CLAWLOCK_COMMANDS_H

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

#endif /* CLAWLOCK_COMMANDS_H */
