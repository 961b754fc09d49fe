// SPDX-License-Identifier: GPL-2.0
/*
 * engine.c - Docker's HTTP API (and Podman's copy of it) over the engine's
 * unix socket, through libcurl, loaded with dlopen when first needed: every
 * call of OpenClaw's backend starts clawlock anew, and linking libcurl and
 * its dozen libraries would make each start slower for nothing.
 *
 * The event stream runs in a thread of its own, blocking in libcurl. It
 * hands each message to the daemon's loop through a pipe, one write of a
 * whole struct (smaller than PIPE_BUF, so never torn), and the loop does
 * everything else: lists, inspects and binds.
 */
#define CURL_DISABLE_TYPECHECK
#include <curl/curl.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "containers/engine.h"
#include "util.h"

/* A list of thousands of containers is some megabytes; more is not an engine's answer. */
#define CL_ENGINE_BODY_MAX   (64 << 20)
#define CL_ENGINE_TIMEOUT_MS 10000
#define CL_BACKOFF_MIN_MS    500
#define CL_BACKOFF_MAX_MS    30000

static struct {
	void *lib;
	typeof(curl_global_init) *global_init;
	typeof(curl_easy_init) *easy_init;
	typeof(curl_easy_setopt) *easy_setopt;
	typeof(curl_easy_perform) *easy_perform;
	typeof(curl_easy_getinfo) *easy_getinfo;
	typeof(curl_easy_cleanup) *easy_cleanup;
	typeof(curl_easy_strerror) *easy_strerror;
} curl;

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void curl_load_once(void)
{
	void *lib = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);

	if (!lib)
		return;
	curl.global_init = dlsym(lib, "curl_global_init");
	curl.easy_init = dlsym(lib, "curl_easy_init");
	curl.easy_setopt = dlsym(lib, "curl_easy_setopt");
	curl.easy_perform = dlsym(lib, "curl_easy_perform");
	curl.easy_getinfo = dlsym(lib, "curl_easy_getinfo");
	curl.easy_cleanup = dlsym(lib, "curl_easy_cleanup");
	curl.easy_strerror = dlsym(lib, "curl_easy_strerror");
	if (!curl.global_init || !curl.easy_init || !curl.easy_setopt || !curl.easy_perform ||
	    !curl.easy_getinfo || !curl.easy_cleanup || !curl.easy_strerror ||
	    curl.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		dlclose(lib);
		return;
	}
	curl.lib = lib;
}

static int curl_load(char *err, size_t errsize)
{
	pthread_once(&curl_once, curl_load_once);
	if (curl.lib)
		return 0;
	cl_format(err, errsize, "cannot load libcurl (libcurl.so.4; Debian: libcurl4)");
	return -1;
}

int cl_engine_locate(const char *which, const char *socket, struct cl_engine *e, char *err,
		     size_t errsize)
{
	static const struct {
		const char *name, *socket;
	} known[] = {
		{ "docker", "/var/run/docker.sock" },
		{ "docker", "/run/docker.sock" },
		{ "podman", "/run/podman/podman.sock" },
	};
	bool any = !which || !strcmp(which, "auto");

	memset(e, 0, sizeof(*e));
	if (!any && strcmp(which, "docker") && strcmp(which, "podman")) {
		cl_format(err, errsize, "unknown engine '%s' (docker, podman or auto)", which);
		return -1;
	}
	if (socket) {
		cl_format(e->name, sizeof(e->name), "%s", any ? "docker" : which);
		if (!cl_format(e->socket, sizeof(e->socket), "%s", socket)) {
			cl_format(err, errsize, "socket path too long: %s", socket);
			return -1;
		}
		return 0;
	}
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		if ((any || !strcmp(which, known[i].name)) && access(known[i].socket, F_OK) == 0) {
			cl_format(e->name, sizeof(e->name), "%s", known[i].name);
			cl_format(e->socket, sizeof(e->socket), "%s", known[i].socket);
			return 0;
		}
	}
	/* Not there yet (the engine starts later): wait on the usual socket. */
	cl_format(e->name, sizeof(e->name), "%s", any ? "docker" : which);
	cl_format(e->socket, sizeof(e->socket), "%s",
		  !strcmp(e->name, "podman") ? "/run/podman/podman.sock" : "/var/run/docker.sock");
	return 0;
}

/* A string member's text, "" for a missing, null or non-string value (engines are not trusted). */
static const char *member(struct json_object *obj, const char *key)
{
	struct json_object *v;

	if (!obj || !json_object_object_get_ex(obj, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return "";
	return json_object_get_string(v);
}

struct body {
	char *data;
	size_t len;
	bool too_big;
};

static size_t body_add(char *ptr, size_t size, size_t n, void *data)
{
	struct body *b = data;
	size_t add = size * n;
	char *grown;

	if (b->len + add > CL_ENGINE_BODY_MAX) {
		b->too_big = true;
		return 0;
	}
	grown = realloc(b->data, b->len + add + 1);
	if (!grown)
		return 0;
	memcpy(grown + b->len, ptr, add);
	b->len += add;
	grown[b->len] = '\0';
	b->data = grown;
	return add;
}

static CURL *engine_handle(const struct cl_engine *e, const char *path)
{
	char url[1024];
	CURL *h = curl.easy_init();

	if (!h)
		return NULL;
	cl_format(url, sizeof(url), "http://localhost%s", path);
	curl.easy_setopt(h, CURLOPT_UNIX_SOCKET_PATH, e->socket);
	curl.easy_setopt(h, CURLOPT_URL, url);
	curl.easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	return h;
}

/* The engine's own words for a refusal: {"message": "..."} */
static void api_error(const struct body *b, long status, char *err, size_t errsize)
{
	struct json_object *doc = b->data ? json_tokener_parse(b->data) : NULL;

	if (member(doc, "message")[0])
		cl_format(err, errsize, "HTTP %ld: %.200s", status, member(doc, "message"));
	else
		cl_format(err, errsize, "HTTP %ld", status);
	json_object_put(doc);
	errno = status == 404 ? ENOENT : EIO;
}

int cl_engine_get(const struct cl_engine *e, const char *path, struct json_object **out, char *err,
		  size_t errsize)
{
	struct body b = { 0 };
	long status = 0;
	CURLcode rc;
	CURL *h;

	*out = NULL;
	if (curl_load(err, errsize) < 0 || !(h = engine_handle(e, path)))
		return errno = EIO, -1;
	curl.easy_setopt(h, CURLOPT_WRITEFUNCTION, body_add);
	curl.easy_setopt(h, CURLOPT_WRITEDATA, &b);
	curl.easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)CL_ENGINE_TIMEOUT_MS);
	rc = curl.easy_perform(h);
	curl.easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	curl.easy_cleanup(h);
	if (rc != CURLE_OK) {
		cl_format(err, errsize, "%s %s: %s", e->socket, path,
			  b.too_big ? "answer too large" : curl.easy_strerror(rc));
		errno = EIO;
	} else if (status != 200) {
		api_error(&b, status, err, errsize);
	} else if (!(*out = json_tokener_parse(b.data ? b.data : ""))) {
		cl_format(err, errsize, "%s %s: the answer is not JSON", e->socket, path);
		errno = EIO;
	}
	free(b.data);
	return *out ? 0 : -1;
}

/* A label's value, NULL when it is not set (or not a string). */
static const char *label(struct json_object *labels, const char *name)
{
	struct json_object *v;

	if (!labels || !json_object_object_get_ex(labels, name, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

bool cl_container_labelled(struct json_object *labels)
{
	const char *sandbox = label(labels, "openclaw.sandbox");
	const char *browser = label(labels, "openclaw.sandboxBrowser");

	return (sandbox && !strcmp(sandbox, "1")) || (browser && !strcmp(browser, "1")) ||
	       label(labels, "openclaw.fleet.tenant");
}

static void container_labels(struct cl_container *ct, struct json_object *labels)
{
	const char *v;

	v = label(labels, "openclaw.sandbox");
	ct->sandbox = v && !strcmp(v, "1");
	v = label(labels, "openclaw.sandboxBrowser");
	ct->browser = v && !strcmp(v, "1");
	/* Too long to hold whole: a key cut short could name another scope. */
	if (!cl_format(ct->scope_key, sizeof(ct->scope_key), "%s",
		       (v = label(labels, "openclaw.sessionKey")) ? v : ""))
		cl_format(ct->scope_key, sizeof(ct->scope_key), "(too long)");
	if (!cl_format(ct->tenant, sizeof(ct->tenant), "%s",
		       (v = label(labels, "openclaw.fleet.tenant")) ? v : ""))
		ct->tenant[0] = '\0'; /* no tenant: denied everything, never the default cell's */
}

int cl_engine_list(const struct cl_engine *e, struct cl_container **out, size_t *count, char *err,
		   size_t errsize)
{
	struct json_object *doc, *item, *v, *labels;
	size_t n = 0, len;

	*out = NULL;
	*count = 0;
	if (cl_engine_get(e, "/containers/json", &doc, err, errsize) < 0)
		return -1;
	len = json_object_is_type(doc, json_type_array) ? json_object_array_length(doc) : 0;
	*out = calloc(len + 1, sizeof(**out));
	for (size_t i = 0; *out && i < len; i++) {
		item = json_object_array_get_idx(doc, i);
		labels = json_object_object_get_ex(item, "Labels", &v) ? v : NULL;
		if (!cl_container_labelled(labels) || !member(item, "Id")[0])
			continue;
		cl_format((*out)[n].id, sizeof((*out)[n].id), "%s", member(item, "Id"));
		container_labels(&(*out)[n], labels);
		n++;
	}
	json_object_put(doc);
	if (!*out) {
		cl_format(err, errsize, "out of memory");
		return -1;
	}
	*count = n;
	return 0;
}

/* RFC 3339 with nanoseconds ("2026-11-30T08:02:31.448199579Z") as ns since the epoch. */
static long long rfc3339_ns(const char *text)
{
	struct tm tm = { 0 };
	const char *rest = text ? strptime(text, "%Y-%m-%dT%H:%M:%S", &tm) : NULL;
	long long ns = 0, scale = 100000000;

	if (!rest || tm.tm_year < 100)
		return 0;
	if (*rest == '.') {
		for (rest++; *rest >= '0' && *rest <= '9'; rest++, scale /= 10)
			ns += (*rest - '0') * scale;
	}
	return (long long)timegm(&tm) * 1000000000LL + ns;
}

int cl_engine_inspect(const struct cl_engine *e, const char *id, struct cl_container *ct, char *err,
		      size_t errsize)
{
	struct json_object *doc, *state = NULL, *config = NULL, *v;
	char path[256];

	memset(ct, 0, sizeof(*ct));
	/* An id, a prefix of one, or a name: nothing that could change the API path. */
	if (!id[0] || id[0] == '.' || strlen(id) >= sizeof(ct->id) ||
	    strspn(id, "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_.-") !=
		    strlen(id)) {
		cl_format(err, errsize, "not a container id or name: '%.80s'", id);
		return errno = EINVAL, -1;
	}
	cl_format(path, sizeof(path), "/containers/%s/json", id);
	if (cl_engine_get(e, path, &doc, err, errsize) < 0)
		return -1;
	json_object_object_get_ex(doc, "State", &state);
	json_object_object_get_ex(doc, "Config", &config);
	cl_format(ct->id, sizeof(ct->id), "%s", member(doc, "Id"));
	cl_format(ct->name, sizeof(ct->name), "%s", member(doc, "Name"));
	if (state && json_object_object_get_ex(state, "Running", &v) &&
	    json_object_get_boolean(v) && json_object_object_get_ex(state, "Pid", &v))
		ct->pid = json_object_get_int(v);
	ct->started_ns = rfc3339_ns(member(state, "StartedAt"));
	container_labels(ct, config && json_object_object_get_ex(config, "Labels", &v) ? v : NULL);
	json_object_put(doc);
	return 0;
}

struct cl_engine_watch {
	struct cl_engine engine;
	pthread_t thread;
	int pipe[2]; /* messages: thread -> loop */
	int stop[2]; /* a byte: loop -> thread, stop now */
	atomic_int stopping;
	atomic_int overflowed; /* news lost to a full pipe: the loop must list everything */
	char line[65536];      /* the event being received */
	size_t line_len;
	bool up_said;
};

static void watch_say(struct cl_engine_watch *w, const struct cl_engine_event *ev)
{
	/* Non-blocking: a loop behind loses news, never the thread; it is told to list all. */
	if (write(w->pipe[1], ev, sizeof(*ev)) != sizeof(*ev))
		atomic_store(&w->overflowed, 1);
}

static void watch_say_news(struct cl_engine_watch *w, enum cl_engine_news news, const char *text)
{
	struct cl_engine_event ev = { .news = news };

	cl_format(ev.text, sizeof(ev.text), "%s", text ? text : "");
	watch_say(w, &ev);
}

/* One line of the stream: an event of a container of OpenClaw's, said; the rest ignored. */
static void watch_line(struct cl_engine_watch *w, const char *line)
{
	static const char *const gone[] = { "die", "died", "destroy", "remove", "stop", "kill" };
	struct json_object *doc = json_tokener_parse(line), *actor = NULL, *attrs = NULL, *v;
	struct cl_engine_event ev = { 0 };
	const char *action;

	if (!doc)
		return;
	action = member(doc, "Action");
	if (json_object_object_get_ex(doc, "Actor", &actor))
		json_object_object_get_ex(actor, "Attributes", &attrs);
	if (json_object_object_get_ex(doc, "timeNano", &v))
		ev.time_ns = json_object_get_int64(v);
	cl_format(ev.id, sizeof(ev.id), "%s", member(actor, "ID"));
	ev.news = CL_ENGINE_UP; /* not one to say */
	if (!strcmp(action, "start") || !strcmp(action, "restart"))
		ev.news = CL_ENGINE_START;
	for (size_t i = 0; i < sizeof(gone) / sizeof(gone[0]); i++) {
		if (!strcmp(action, gone[i]))
			ev.news = CL_ENGINE_GONE;
	}
	/* A gone container's labels are not needed: the loop drops what it bound. */
	if (ev.id[0] && (ev.news == CL_ENGINE_GONE ||
			 (ev.news == CL_ENGINE_START && cl_container_labelled(attrs))))
		watch_say(w, &ev);
	json_object_put(doc);
}

static size_t watch_data(char *ptr, size_t size, size_t n, void *data)
{
	struct cl_engine_watch *w = data;
	size_t len = size * n;

	for (size_t i = 0; i < len; i++) {
		if (ptr[i] != '\n') {
			if (w->line_len < sizeof(w->line) - 1)
				w->line[w->line_len++] = ptr[i];
			continue;
		}
		w->line[w->line_len] = '\0';
		if (w->line_len < sizeof(w->line) - 1)
			watch_line(w, w->line);
		else
			atomic_store(&w->overflowed, 1); /* an event too long to read: list all */
		w->line_len = 0;
	}
	return len;
}

/* The headers have come: the stream is open, so what is listed now misses no event. */
static size_t watch_header(char *ptr, size_t size, size_t n, void *data)
{
	struct cl_engine_watch *w = data;

	if (!w->up_said && size * n == 2 && !memcmp(ptr, "\r\n", 2)) {
		w->up_said = true;
		watch_say_news(w, CL_ENGINE_UP, NULL);
	}
	return size * n;
}

static int watch_progress(void *data, curl_off_t a, curl_off_t b, curl_off_t c, curl_off_t d)
{
	struct cl_engine_watch *w = data;

	(void)a, (void)b, (void)c, (void)d;
	return atomic_load(&w->stopping);
}

/* Follow the stream until it ends or fails; why it ended into @why. */
static void watch_once(struct cl_engine_watch *w, char *why, size_t size)
{
	static const char path[] = "/events?filters=%7B%22type%22%3A%5B%22container%22%5D%7D";
	long status = 0;
	CURLcode rc;
	CURL *h = engine_handle(&w->engine, path);

	if (!h) {
		cl_format(why, size, "out of memory");
		return;
	}
	w->line_len = 0;
	w->up_said = false;
	curl.easy_setopt(h, CURLOPT_WRITEFUNCTION, watch_data);
	curl.easy_setopt(h, CURLOPT_WRITEDATA, w);
	curl.easy_setopt(h, CURLOPT_HEADERFUNCTION, watch_header);
	curl.easy_setopt(h, CURLOPT_HEADERDATA, w);
	curl.easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
	curl.easy_setopt(h, CURLOPT_XFERINFOFUNCTION, watch_progress);
	curl.easy_setopt(h, CURLOPT_XFERINFODATA, w);
	curl.easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)CL_ENGINE_TIMEOUT_MS);
	rc = curl.easy_perform(h);
	curl.easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	curl.easy_cleanup(h);
	if (rc == CURLE_OK && status != 200)
		cl_format(why, size, "%s: event stream: HTTP %ld", w->engine.socket, status);
	else
		cl_format(why, size, "%s: event stream: %s", w->engine.socket,
			  rc == CURLE_OK ? "the engine closed it" : curl.easy_strerror(rc));
}

/* Sleep @ms unless told to stop; true if told. */
static bool watch_pause(struct cl_engine_watch *w, int ms)
{
	struct pollfd p = { .fd = w->stop[0], .events = POLLIN };

	return poll(&p, 1, ms) > 0 || atomic_load(&w->stopping);
}

static void *watch_thread(void *data)
{
	struct cl_engine_watch *w = data;
	int backoff = CL_BACKOFF_MIN_MS;
	char why[160];

	while (!atomic_load(&w->stopping)) {
		struct timespec t0, t1;

		clock_gettime(CLOCK_MONOTONIC, &t0);
		watch_once(w, why, sizeof(why));
		if (atomic_load(&w->stopping))
			break;
		clock_gettime(CLOCK_MONOTONIC, &t1);
		/* A stream that stayed up a while starts the backoff over. */
		if (t1.tv_sec - t0.tv_sec > 30)
			backoff = CL_BACKOFF_MIN_MS;
		cl_format(why + strlen(why), sizeof(why) - strlen(why), "; again in %d ms",
			  backoff);
		watch_say_news(w, CL_ENGINE_DOWN, why);
		if (watch_pause(w, backoff))
			break;
		backoff = backoff * 2 > CL_BACKOFF_MAX_MS ? CL_BACKOFF_MAX_MS : backoff * 2;
	}
	return NULL;
}

struct cl_engine_watch *cl_engine_watch_start(const struct cl_engine *e)
{
	struct cl_engine_watch *w = calloc(1, sizeof(*w));
	char err[256];

	if (!w || curl_load(err, sizeof(err)) < 0) {
		cl_error("containers: %s", w ? err : "out of memory");
		free(w);
		return NULL;
	}
	w->engine = *e;
	w->pipe[0] = w->pipe[1] = w->stop[0] = w->stop[1] = -1;
	if (pipe2(w->pipe, O_CLOEXEC | O_NONBLOCK) < 0 || pipe2(w->stop, O_CLOEXEC) < 0 ||
	    pthread_create(&w->thread, NULL, watch_thread, w)) {
		cl_error("containers: cannot start following %s: %s", e->socket, strerror(errno));
		for (int i = 0; i < 2; i++) {
			if (w->pipe[i] >= 0)
				close(w->pipe[i]);
			if (w->stop[i] >= 0)
				close(w->stop[i]);
		}
		free(w);
		return NULL;
	}
	return w;
}

int cl_engine_watch_fd(const struct cl_engine_watch *w)
{
	return w->pipe[0];
}

bool cl_engine_watch_overflowed(struct cl_engine_watch *w)
{
	return atomic_exchange(&w->overflowed, 0) != 0;
}

int cl_engine_watch_next(struct cl_engine_watch *w, struct cl_engine_event *ev)
{
	return read(w->pipe[0], ev, sizeof(*ev)) == sizeof(*ev);
}

void cl_engine_watch_stop(struct cl_engine_watch *w)
{
	if (!w)
		return;
	atomic_store(&w->stopping, 1);
	/* Wakes a pause at once; a transfer sees the flag within a second. */
	if (write(w->stop[1], "x", 1) != 1)
		cl_warn("containers: the event thread stops within a second");
	pthread_join(w->thread, NULL);
	close(w->pipe[0]);
	close(w->pipe[1]);
	close(w->stop[0]);
	close(w->stop[1]);
	free(w);
}
