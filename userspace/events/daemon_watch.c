// SPDX-License-Identifier: GPL-2.0
/*
 * daemon_watch.c - notice every way an operator changes a config: an edit
 * in place, a file renamed over, a folder renamed into place, a symlink
 * swapped (Kubernetes mounts a ConfigMap as NAME -> ..data/NAME, ..data ->
 * ..TIMESTAMP, and swaps ..data), an included file rewritten.
 *
 * inotify watches an inode, so a watch on a file or on a folder that is
 * later replaced goes stale. Instead each folder along each path is
 * watched for the one name that comes next on the path, symlinks are
 * followed (their targets walked the same way), and the whole set is
 * armed again after every apply, when the paths may lead elsewhere.
 */
#include "events/daemon_watch.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/inotify.h>
#include <sys/stat.h>

#include "util.h"

#define WATCH_MASK                                                                                 \
	(IN_CLOSE_WRITE | IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_ATTRIB |        \
	 IN_ONLYDIR | IN_DONT_FOLLOW)
#define MAX_SYMLINK_HOPS 40 /* as the kernel's own limit */

/* A folder (its watch) and the name in it that leads to a config file. */
struct watched {
	int wd;
	char *name;
};

struct watch_list {
	struct watched *items;
	size_t count, cap;
};

struct cl_watch {
	int fd;
	struct watch_list list;
};

static void list_free(struct watch_list *l)
{
	for (size_t i = 0; i < l->count; i++)
		free(l->items[i].name);
	free(l->items);
	memset(l, 0, sizeof(*l));
}

static int list_has(const struct watch_list *l, int wd, const char *name)
{
	for (size_t i = 0; i < l->count; i++) {
		if (l->items[i].wd == wd && (!name || !strcmp(l->items[i].name, name)))
			return 1;
	}
	return 0;
}

/* Watch @dir for @name. */
static int arm(struct cl_watch *w, struct watch_list *next, const char *dir, const char *name)
{
	int wd = inotify_add_watch(w->fd, dir, WATCH_MASK);
	struct watched *bigger;

	if (wd < 0) {
		cl_warn("cannot watch %s for a config change: %s", dir, strerror(errno));
		return -1;
	}
	if (list_has(next, wd, name))
		return 0;
	if (next->count == next->cap) {
		next->cap = next->cap ? next->cap * 2 : 16;
		bigger = realloc(next->items, next->cap * sizeof(*bigger));
		if (!bigger)
			return -1;
		next->items = bigger;
	}
	next->items[next->count].wd = wd;
	next->items[next->count].name = strdup(name);
	return next->items[next->count++].name ? 0 : -1;
}

/* @path made absolute (the daemon never changes folder). */
static int absolute(const char *path, char *out, size_t size)
{
	char cwd[PATH_MAX];

	if (path[0] == '/')
		return cl_strlcpy(out, path, size) ? 0 : -1;
	if (!getcwd(cwd, sizeof(cwd)))
		return -1;
	return cl_format(out, size, "%s/%s", cwd, path) ? 0 : -1;
}

/* Arm every folder along @path for its next name, through symlinks. */
static void walk(struct cl_watch *w, struct watch_list *next, const char *path)
{
	char todo[PATH_MAX], cur[PATH_MAX], here[PATH_MAX], target[PATH_MAX];
	int hops = 0;
	struct stat st;
	ssize_t n;

	if (absolute(path, todo, sizeof(todo)) < 0)
		return;
restart:
	cur[0] = '\0';
	for (char *save = NULL, *name = strtok_r(todo, "/", &save); name;
	     name = strtok_r(NULL, "/", &save)) {
		if (!strcmp(name, "."))
			continue;
		if (!strcmp(name, "..")) {
			*(strrchr(cur, '/') ?: cur) = '\0';
			continue;
		}
		if (arm(w, next, cur[0] ? cur : "/", name) < 0 ||
		    !cl_format(here, sizeof(here), "%s/%s", cur, name) || lstat(here, &st) < 0)
			return; /* missing: its folder is watched for it to appear */
		if (!S_ISLNK(st.st_mode)) {
			strcpy(cur, here);
			continue;
		}
		n = readlink(here, target, sizeof(target) - 1);
		if (n <= 0 || ++hops > MAX_SYMLINK_HOPS)
			return;
		target[n] = '\0';
		/* Walk on from where the link leads, with the rest of the path. */
		if (!cl_format(here, sizeof(here), "%s%s%s%s%s", target[0] == '/' ? "" : cur,
			       target[0] == '/' ? "" : "/", target, save && *save ? "/" : "",
			       save ? save : ""))
			return;
		strcpy(todo, here);
		goto restart;
	}
}

struct cl_watch *cl_watch_new(void)
{
	struct cl_watch *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (w->fd < 0) {
		cl_error("inotify: %s", strerror(errno));
		free(w);
		return NULL;
	}
	return w;
}

int cl_watch_fd(const struct cl_watch *w)
{
	return w->fd;
}

int cl_watch_set(struct cl_watch *w, char *const *paths, size_t count)
{
	struct watch_list next = { 0 };

	for (size_t i = 0; i < count; i++)
		walk(w, &next, paths[i]);
	/* Only now drop what the new set does not use: no gap without a watch. */
	for (size_t i = 0; i < w->list.count; i++) {
		int wd = w->list.items[i].wd;

		if (!list_has(&next, wd, NULL))
			inotify_rm_watch(w->fd, wd);
	}
	list_free(&w->list);
	w->list = next;
	return next.count ? 0 : -1;
}

int cl_watch_changed(struct cl_watch *w)
{
	char buf[8192] __attribute__((aligned(__alignof__(struct inotify_event))));
	int changed = 0;
	ssize_t n;

	while ((n = read(w->fd, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *ev = (const struct inotify_event *)p;

			/* A lost event may have been ours. */
			if (ev->mask & IN_Q_OVERFLOW)
				changed = 1;
			else if (ev->len && list_has(&w->list, ev->wd, ev->name))
				changed = 1;
			p += sizeof(*ev) + ev->len;
		}
	}
	return changed;
}

void cl_watch_free(struct cl_watch *w)
{
	if (!w)
		return;
	list_free(&w->list);
	close(w->fd);
	free(w);
}
