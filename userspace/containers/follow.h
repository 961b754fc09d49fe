/* SPDX-License-Identifier: GPL-2.0 */
/*
 * follow.h - the daemon's half of container confinement: follow the
 * engine's events and keep every running container of OpenClaw's bound
 * to its scope's policy (bind.h), across engine restarts and config
 * changes.
 */
#ifndef CLAWLOCK_CONTAINERS_FOLLOW_H
#define CLAWLOCK_CONTAINERS_FOLLOW_H

#include "containers/bind.h"

/* What the follower tells its daemon: each binding, and news of the engine. */
struct cl_follow_report {
	/* @window_ns: from the engine's start event to the switch (0 unknown). */
	void (*bound)(void *data, const struct cl_container *ct,
		      const struct cl_container_bound *how, long long window_ns);
	/* A container that could not be bound, or the engine's state (@error: a problem). */
	void (*said)(void *data, int error, const char *text);
	void *data;
};

struct cl_follow;

/*
 * Follow engine @which (docker, podman, auto; @socket overrides where its
 * API is). NULL on error (said).
 */
struct cl_follow *cl_follow_start(const char *which, const char *socket,
				  enum cl_unmatched unmatched,
				  const struct cl_follow_report *report);
/* Readable when the engine has news: then call cl_follow_handle. */
int cl_follow_fd(const struct cl_follow *f);
/* Act on the news, binding with the config @openclaw / @policy. */
void cl_follow_handle(struct cl_follow *f, const char *openclaw, const char *policy);
/*
 * Once a second: bind every running container again after a failed batch,
 * and every minute anyway, so that one no event reported is found.
 */
void cl_follow_tick(struct cl_follow *f, const char *openclaw, const char *policy);
/* Bind every running container again (after the config changed). */
void cl_follow_resync(struct cl_follow *f, const char *openclaw, const char *policy);
void cl_follow_stop(struct cl_follow *f);

#endif /* CLAWLOCK_CONTAINERS_FOLLOW_H */
