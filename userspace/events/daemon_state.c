// SPDX-License-Identifier: GPL-2.0
/*
 * daemon_state.c - what the running daemon says about itself, for the
 * commands beside it: whether one runs (its lock), its sink counts and its
 * signed-policy state (its state file).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <sys/file.h>

#include <json-c/json.h>

#include "events/daemon_state.h"
#include "policy/signature.h"
#include "util.h"

int cl_daemon_running(struct cl_daemon_info *out)
{
	int fd = open(CL_DAEMON_LOCK_PATH, O_RDONLY | O_CLOEXEC);
	char text[sizeof(out->config) + 32] = "";
	ssize_t n = 0;

	memset(out, 0, sizeof(*out));
	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	if (flock(fd, LOCK_SH | LOCK_NB) == 0) {
		close(fd);
		return 0;
	}
	if (errno != EWOULDBLOCK) {
		close(fd);
		return -1;
	}
	/* The holder writes its pid right after it locks: give it a moment. */
	for (int tries = 0; tries < 50 && n <= 0; tries++) {
		n = pread(fd, text, sizeof(text) - 1, 0);
		if (n <= 0)
			usleep(10000);
	}
	close(fd);
	text[n > 0 ? n : 0] = '\0';
	if (sscanf(text, "%d", &out->pid) == 1 && strchr(text, '\n'))
		cl_strlcpy(out->config, strchr(text, '\n') + 1, sizeof(out->config));
	out->config[strcspn(out->config, "\n")] = '\0';
	return 1;
}

/*
 * The running daemon's allowed-signers file (in a static buffer) and
 * whether the config must be signed too; NULL when it requires no
 * signature.
 */
static const char *daemon_allowed_signers(bool *openclaw_too)
{
	static char signers[PATH_MAX];
	struct json_object *sig = cl_daemon_signed_policy(), *v;
	const char *path = NULL;

	if (sig && json_object_object_get_ex(sig, "allowedSigners", &v) && v &&
	    cl_strlcpy(signers, json_object_get_string(v), sizeof(signers))) {
		path = signers;
		*openclaw_too = json_object_object_get_ex(sig, "openclawToo", &v) &&
				json_object_get_boolean(v);
	}
	json_object_put(sig);
	return path;
}

bool cl_daemon_requires_signatures(void)
{
	bool openclaw_too;

	return daemon_allowed_signers(&openclaw_too) != NULL;
}

bool cl_daemon_signed_inputs_begin(struct cl_signed_inputs *in)
{
	bool openclaw_too = false;
	const char *signers = daemon_allowed_signers(&openclaw_too);

	if (!signers)
		return false;
	memset(in, 0, sizeof(*in));
	in->allowed_signers = signers;
	in->openclaw_too = openclaw_too;
	cl_signed_inputs_begin(in);
	return true;
}

/*
 * Only the running daemon's own state counts: a daemon killed (or one that
 * started since without signatures) leaves a state file behind that says
 * nothing about what is required now.
 */
struct json_object *cl_daemon_signed_policy(void)
{
	struct json_object *doc, *v, *out = NULL;
	struct cl_daemon_info daemon;

	if (cl_daemon_running(&daemon) <= 0)
		return NULL;
	doc = json_object_from_file(CL_DAEMON_STATE_PATH);
	if (doc && json_object_object_get_ex(doc, "pid", &v) &&
	    json_object_get_int64(v) == daemon.pid &&
	    json_object_object_get_ex(doc, "signedPolicy", &v) && v)
		out = json_object_get(v);
	json_object_put(doc);
	return out;
}

long long cl_daemon_unwritten(void)
{
	struct json_object *doc = json_object_from_file(CL_DAEMON_STATE_PATH), *v;
	long long n = 0;

	if (doc && json_object_object_get_ex(doc, "unwritten", &v))
		n = json_object_get_int64(v);
	json_object_put(doc);
	return n;
}
