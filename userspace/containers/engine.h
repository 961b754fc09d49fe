/* SPDX-License-Identifier: GPL-2.0 */
/*
 * engine.h - the container engine's HTTP API over its unix socket: Docker's
 * /var/run/docker.sock, or Podman's Docker-compatible one. Lists and
 * inspects OpenClaw's containers, and follows the engine's event stream in
 * a thread of its own that reconnects with backoff.
 *
 * libcurl speaks HTTP; it is loaded when first needed (dlopen), so that
 * the commands that never talk to an engine start without it.
 */
#ifndef CLAWLOCK_ENGINE_H
#define CLAWLOCK_ENGINE_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#define CL_CONTAINER_ID_MAX 65

struct cl_engine {
	char name[16];	  /* docker, podman */
	char socket[108]; /* the API's unix socket */
};

/*
 * Pick the engine: @which "docker", "podman" or "auto" (the first whose
 * socket exists), or @socket when given. -1 with the reason in @err.
 */
int cl_engine_locate(const char *which, const char *socket, struct cl_engine *e, char *err,
		     size_t errsize);

/* GET @path (an API path with its query) as JSON into *@out; -1 with the reason in @err. */
int cl_engine_get(const struct cl_engine *e, const char *path, struct json_object **out, char *err,
		  size_t errsize);

/* One container of OpenClaw's, as its labels and its engine say. */
struct cl_container {
	char id[CL_CONTAINER_ID_MAX];
	char name[128];
	int pid;	      /* its init on the host; 0: not running */
	char scope_key[192];  /* openclaw.sessionKey: OpenClaw's scope key ("" none) */
	bool sandbox;	      /* openclaw.sandbox=1 */
	bool browser;	      /* openclaw.sandboxBrowser=1 */
	char tenant[256];     /* openclaw.fleet.tenant ("" none) */
	long long started_ns; /* State.StartedAt, since the epoch; 0 unknown */
};

/* Is this label set one of OpenClaw's containers (sandbox, browser or fleet cell)? */
bool cl_container_labelled(struct json_object *labels);

/*
 * The running containers of OpenClaw's into *@out (free()), @count of them.
 * Their pid is not known yet (0): cl_engine_inspect tells.
 */
int cl_engine_list(const struct cl_engine *e, struct cl_container **out, size_t *count, char *err,
		   size_t errsize);

/* Inspect container @id into @ct. -1 with the reason in @err (gone: errno ENOENT). */
int cl_engine_inspect(const struct cl_engine *e, const char *id, struct cl_container *ct, char *err,
		      size_t errsize);

/* What the event stream reports, one message at a time. */
enum cl_engine_news {
	CL_ENGINE_UP,	 /* connected (again): list everything, events follow */
	CL_ENGINE_DOWN,	 /* the connection failed or broke; retrying after a pause */
	CL_ENGINE_START, /* a container of OpenClaw's started */
	CL_ENGINE_GONE,	 /* one died or was destroyed */
};

struct cl_engine_event {
	enum cl_engine_news news;
	char id[CL_CONTAINER_ID_MAX];
	long long time_ns; /* when the engine says it happened; 0 unknown */
	char text[160];	   /* DOWN: why */
};

struct cl_engine_watch;

/* Follow @e's events in a thread; read them from cl_engine_watch_fd. NULL on error (said). */
struct cl_engine_watch *cl_engine_watch_start(const struct cl_engine *e);
int cl_engine_watch_fd(const struct cl_engine_watch *w);
/* The next message, 1; 0 when none is waiting. */
int cl_engine_watch_next(struct cl_engine_watch *w, struct cl_engine_event *ev);
/* Was news lost (a full pipe, an event too long) since last asked? Then list everything. */
bool cl_engine_watch_overflowed(struct cl_engine_watch *w);
void cl_engine_watch_stop(struct cl_engine_watch *w);

#endif /* CLAWLOCK_ENGINE_H */
