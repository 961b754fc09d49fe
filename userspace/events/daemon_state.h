/* SPDX-License-Identifier: GPL-2.0 */
/*
 * daemon_state.h - the running daemon, as the commands beside it see it.
 */
#ifndef CLAWLOCK_DAEMON_STATE_H
#define CLAWLOCK_DAEMON_STATE_H

#include <stdbool.h>

/*
 * The daemon holds CL_DAEMON_LOCK_PATH locked (flock) while it runs, with
 * its pid and config in it: a second daemon and a manual apply refuse, and
 * name it. It keeps its sink counts in CL_DAEMON_STATE_PATH for status.
 */
#define CL_DAEMON_LOCK_PATH  "/run/clawlock/daemon.lock"
#define CL_DAEMON_STATE_PATH "/run/clawlock/daemon.json"
struct cl_daemon_info {
	int pid; /* 0 if the lock holder has not written it yet */
	char config[8300];
};

/* 1 and @out filled if a daemon runs, 0 if none does, -1 if that cannot be told. */
int cl_daemon_running(struct cl_daemon_info *out);
/* Records the daemon failed to write to a sink since boot (0 if none or unknown). */
long long cl_daemon_unwritten(void);
/*
 * The running daemon's signed-policy state (allowedSigners, refused: why
 * its last refused change was refused, or null), or NULL when it requires
 * no signatures. The caller puts it.
 */
struct json_object;
struct json_object *cl_daemon_signed_policy(void);
/*
 * While the daemon requires signed policy, commands that install a policy
 * beside it (run, attach, sandbox exec) require the same: begins @in with
 * the daemon's allowed signers and returns true, else false. The caller
 * ends it with cl_signed_inputs_end().
 */
struct cl_signed_inputs;
bool cl_daemon_signed_inputs_begin(struct cl_signed_inputs *in);
/* Does the running daemon require signed policy inputs? */
bool cl_daemon_requires_signatures(void);

#endif /* CLAWLOCK_DAEMON_STATE_H */
