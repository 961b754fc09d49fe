// SPDX-License-Identifier: GPL-2.0
/*
 * follow.c - keep OpenClaw's containers bound while the daemon runs.
 *
 * The engine's event thread (engine.c) says when the stream is open; the
 * follower then lists every running container of OpenClaw's and binds
 * them all in one switch, so a container started while the engine or the
 * daemon was away is found too. Each start event binds that container;
 * each death drops bindings whose cgroup is gone. After a config change
 * the daemon calls cl_follow_resync: every container is bound again, so
 * none keeps a stale policy.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "containers/follow.h"
#include "util.h"

struct cl_follow {
	struct cl_engine engine;
	struct cl_engine_watch *watch;
	enum cl_unmatched unmatched;
	struct cl_follow_report report;
	bool up;	/* the stream is open */
	bool said_down; /* its loss was said once */
	bool pending;	/* a batch failed, or news was lost: list and bind all again */
	int ticks;	/* seconds since every container was last bound */
};

/* Every so often all are bound again anyway: what no event said is found. */
#define CL_FOLLOW_RECONCILE_TICKS 60

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void say(struct cl_follow *f, int error, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void say(struct cl_follow *f, int error, const char *fmt, ...)
{
	char text[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	f->report.said(f->report.data, error, text);
}

struct cl_follow *cl_follow_start(const char *which, const char *socket,
				  enum cl_unmatched unmatched,
				  const struct cl_follow_report *report)
{
	struct cl_follow *f = calloc(1, sizeof(*f));
	char err[256];

	if (!f) {
		cl_error("containers: out of memory");
		return NULL;
	}
	if (cl_engine_locate(which, socket, &f->engine, err, sizeof(err)) < 0) {
		cl_error("containers: %s", err);
		free(f);
		return NULL;
	}
	f->unmatched = unmatched;
	f->report = *report;
	f->watch = cl_engine_watch_start(&f->engine);
	if (!f->watch) {
		free(f);
		return NULL;
	}
	cl_info("containers: following %s at %s", f->engine.name, f->engine.socket);
	return f;
}

int cl_follow_fd(const struct cl_follow *f)
{
	return cl_engine_watch_fd(f->watch);
}

/* Inspect and stage container @id; the window from @event_ns is reported after the switch. */
static int stage_one(struct cl_follow *f, struct cl_binder *b, const char *id,
		     struct cl_container *ct, struct cl_container_bound *how)
{
	char err[512];

	if (cl_engine_inspect(&f->engine, id, ct, err, sizeof(err)) < 0) {
		if (errno != ENOENT)
			say(f, 1, "containers: cannot inspect %.12s: %s", id, err);
		return -1;
	}
	if (!ct->pid)
		return -1; /* not running: nothing to bind */
	if (cl_binder_add(b, ct, how) < 0) {
		say(f, 1, "containers: %.12s (%s) not bound: %s", ct->id, ct->name, how->why);
		return -1;
	}
	return 0;
}

/* Bind container @one_id (NULL: all the running ones) in one switch; false if it failed. */
static bool bind_batch(struct cl_follow *f, const char *openclaw, const char *policy,
		       const char *one_id, long long event_ns, bool quiet)
{
	struct cl_container *list = NULL, *cts;
	struct cl_container_bound *hows;
	size_t count = 1;
	struct cl_binder *b;
	char err[512];

	bool ok = false;

	if (!one_id && cl_engine_list(&f->engine, &list, &count, err, sizeof(err)) < 0) {
		say(f, 1, "containers: cannot list %s's containers: %s", f->engine.name, err);
		return false;
	}
	cts = calloc(count + 1, sizeof(*cts));
	hows = calloc(count + 1, sizeof(*hows));
	b = cts && hows ? cl_binder_open(openclaw, policy, f->unmatched) : NULL;
	if (!b) {
		say(f, 1,
		    "containers: cannot bind now (the log says why); retrying at the next event");
		goto out;
	}
	cl_binder_prune(b);
	for (size_t i = 0; i < count; i++) {
		if (stage_one(f, b, one_id ? one_id : list[i].id, &cts[i], &hows[i]) < 0)
			cts[i].pid = 0;
	}
	if (cl_binder_commit(b) < 0) {
		say(f, 1,
		    "containers: the switch failed: bindings unchanged; retrying in a second");
		goto out;
	}
	ok = true;
	for (size_t i = 0; i < count; i++) {
		if (cts[i].pid && (!quiet || hows[i].changed))
			f->report.bound(f->report.data, &cts[i], &hows[i],
					event_ns ? now_ns() - event_ns : 0);
	}
out:
	cl_binder_close(b);
	free(cts);
	free(hows);
	free(list);
	return ok;
}

/* Bind every running container; on failure, again at the next tick. */
static void bind_all(struct cl_follow *f, const char *openclaw, const char *policy, bool quiet)
{
	f->pending = !bind_batch(f, openclaw, policy, NULL, 0, quiet);
	f->ticks = 0;
}

static void drop_gone(struct cl_follow *f, const char *openclaw, const char *policy)
{
	struct cl_binder *b = cl_binder_open(openclaw, policy, f->unmatched);

	if (b && cl_binder_prune(b) && cl_binder_commit(b) < 0)
		say(f, 1, "containers: cannot drop the bindings of containers gone");
	cl_binder_close(b);
}

void cl_follow_handle(struct cl_follow *f, const char *openclaw, const char *policy)
{
	struct cl_engine_event ev;

	while (cl_engine_watch_next(f->watch, &ev)) {
		switch (ev.news) {
		case CL_ENGINE_UP:
			say(f, 0, "containers: %s %s at %s: binding every running container",
			    f->engine.name, f->said_down ? "is back" : "answers", f->engine.socket);
			f->up = true;
			f->said_down = false;
			bind_all(f, openclaw, policy, false);
			break;
		case CL_ENGINE_DOWN:
			if (!f->said_down)
				say(f, 1, "containers: %s; bound containers stay bound", ev.text);
			f->said_down = true;
			f->up = false;
			break;
		case CL_ENGINE_START:
			f->pending |= !bind_batch(f, openclaw, policy, ev.id, ev.time_ns, false);
			break;
		case CL_ENGINE_GONE:
			drop_gone(f, openclaw, policy);
			break;
		}
	}
	if (cl_engine_watch_overflowed(f->watch)) {
		say(f, 1,
		    "containers: events were lost (too many at once): binding every "
		    "running container again");
		f->pending = true;
	}
	if (f->up && f->pending)
		bind_all(f, openclaw, policy, false);
}

void cl_follow_tick(struct cl_follow *f, const char *openclaw, const char *policy)
{
	if (!f || !f->up)
		return;
	/* The minute's round says only what changed; a retry says all. */
	if (f->pending || ++f->ticks >= CL_FOLLOW_RECONCILE_TICKS)
		bind_all(f, openclaw, policy, !f->pending);
}

void cl_follow_resync(struct cl_follow *f, const char *openclaw, const char *policy)
{
	if (f && f->up)
		bind_all(f, openclaw, policy, false);
}

void cl_follow_stop(struct cl_follow *f)
{
	if (!f)
		return;
	cl_engine_watch_stop(f->watch);
	free(f);
}
