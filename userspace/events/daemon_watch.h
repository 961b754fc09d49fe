/* SPDX-License-Identifier: GPL-2.0 */
/*
 * daemon_watch.h - what the daemon watches to notice a config change: every
 * file the last apply read, and every name on the way to each of them.
 */
#ifndef CLAWLOCK_DAEMON_WATCH_H
#define CLAWLOCK_DAEMON_WATCH_H

#include <stddef.h>

struct cl_watch;

struct cl_watch *cl_watch_new(void);
/* Readable when something happened in a watched folder (for epoll). */
int cl_watch_fd(const struct cl_watch *w);
/*
 * Watch @paths from now on, and every name on the way to each: each folder
 * along a path, for the next name on it, and again along every symlink
 * target met (a ConfigMap's ..data swap, a folder renamed into place, an
 * included file rewritten). Watches the old set no longer needs go after
 * the new ones are armed, so nothing that changes in between is missed.
 */
int cl_watch_set(struct cl_watch *w, char *const *paths, size_t count);
/* Read what happened: 1 if it touched a watched name, else 0. */
int cl_watch_changed(struct cl_watch *w);
void cl_watch_free(struct cl_watch *w);

#endif /* CLAWLOCK_DAEMON_WATCH_H */
