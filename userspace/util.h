/* SPDX-License-Identifier: GPL-2.0 */
/*
 * util.h - messages and small helpers shared by every clawlock command.
 *
 * The library prints nothing itself: cl_error and the others format their
 * message and hand it to the printer set with cl_set_print (the clawlock
 * command's writes to stderr, cli/print.c), libbpf's messages as well.
 */
#ifndef CLAWLOCK_UTIL_H
#define CLAWLOCK_UTIL_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

/* Exit statuses, documented in `clawlock --help`. */
enum cl_exit {
	CL_EXIT_OK = 0,
	CL_EXIT_FAILURE = 1, /* the system refused (not loaded, no BPF LSM, I/O) */
	CL_EXIT_USAGE = 2,   /* bad command line or bad input file; nothing applied */
};

/* What a message is; the printer decides which ones to show, and how. */
enum cl_print_level {
	CL_PRINT_ERROR, /* cl_error */
	CL_PRINT_WARN,	/* cl_warn */
	CL_PRINT_INFO,	/* cl_info: a progress or status line */
	CL_PRINT_DEBUG, /* cl_debug: detail, for -v */
	/* libbpf's own messages at its three levels, newlines included. */
	CL_PRINT_LIBBPF_WARN,
	CL_PRINT_LIBBPF_INFO,
	CL_PRINT_LIBBPF_DEBUG,
};

/*
 * @msg is the message as the library's caller formatted it, without a
 * prefix or a newline (libbpf's come as libbpf wrote them).
 */
typedef void (*cl_print_fn)(enum cl_print_level level, const char *msg);

/*
 * Where every message of the library goes from now on; NULL (the start)
 * prints nothing. Returns the printer set before, for a new one to wrap.
 */
cl_print_fn cl_set_print(cl_print_fn fn);
/* Hand @msg, as it is, to the printer (libbpf's messages, among others). */
void cl_print(enum cl_print_level level, const char *msg);

void cl_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cl_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A progress or status line (the command: on stderr, unless --quiet). */
void cl_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A line of detail (the command: only with -v, and not with --quiet). */
void cl_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* strdup that reports failure instead of returning NULL silently. */
char *cl_strdup(const char *s);
/*
 * snprintf for text that may be cut (key paths, messages): always
 * terminated; returns false if the result did not fit.
 */
bool cl_format(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Bounded copy that always terminates; returns false if @src was cut. */
bool cl_strlcpy(char *dst, const char *src, size_t size);

/*
 * realpath(3) in one walk of the path: @path opened with O_PATH, and the
 * descriptor's link in /proc/self/fd read back. @st, when not NULL, gets
 * what stat(2) of @path says (zeros where stat fails). A malloc'd path, or
 * NULL with errno set.
 */
struct stat;
char *cl_realpath(const char *path, struct stat *st);

/* Is the absolute path @path @root itself or below it (by its text)? */
bool cl_path_inside(const char *root, const char *path);

/*
 * Open @path for reading, without a window for a swap: @root is a directory
 * and @path a file below it, both absolute and already resolved (realpath:
 * no symlink, no "..", as the caller checked them). The file is opened by
 * openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS)
 * from @root, first with O_PATH so that nothing but a regular file is ever
 * opened for reading (a FIFO would block, a device may be a secret). A
 * descriptor, or -1 with the reason in @why.
 */
int cl_open_beneath(const char *root, const char *path, char *why, size_t whysize);

/*
 * Where a name sits in an array of named items (json-c's linkhash), so that
 * a list of 100,000 rules is built in linear time, not quadratic.
 */
struct lh_table;
struct cl_name_index {
	struct lh_table *table;
};

/* The position of @name, or -1. */
long cl_name_index_get(const struct cl_name_index *index, const char *name);
/* Record @name at @pos (a name already there moves to @pos); 0, or -1 (ENOMEM). */
int cl_name_index_put(struct cl_name_index *index, const char *name, size_t pos);
/* How many names the index holds. */
size_t cl_name_index_count(const struct cl_name_index *index);
void cl_name_index_free(struct cl_name_index *index);
/* The first @digits (even, up to 64) hex digits of SHA-256(@text, @len) into @out. */
void cl_sha256_hex(const char *text, size_t len, char *out, int digits);
/* qsort/bsearch order of uint32_t values. */
int cl_u32_cmp(const void *a, const void *b);
/*
 * The first line of the file at @path (a sysfs or securityfs file, say),
 * read in one go, without its newline; -1 with errno when it cannot be
 * opened or read.
 */
int cl_read_first_line(const char *path, char *buf, size_t size);
/*
 * The environment's entries that start with @prefix (@with) or that do not
 * (!@with): a NULL-terminated array of environ's own strings (free the
 * array only), their number in @count. NULL when out of memory.
 */
char **cl_environ_pick(const char *prefix, bool with, size_t *count);
/* Now on @clock, in nanoseconds. */
long long cl_clock_ns(clockid_t clock);
/*
 * Before forking a child to wait for with cl_wait_relaying: SIGCHLD back
 * to its default (an ignored one, inherited across exec, would have the
 * kernel reap the child unseen, and the wait never end) and the signals of
 * @relayed, SIGCHLD among them, blocked (none is missed), the mask before
 * in *@old. 0, or -1 with errno.
 */
int cl_relay_begin(const sigset_t *relayed, sigset_t *old);
/*
 * Wait for @child, passing on to it every signal of @relayed but SIGCHLD.
 * @child's wait status, or -1 with errno.
 */
int cl_wait_relaying(pid_t child, const sigset_t *relayed);

#endif /* CLAWLOCK_UTIL_H */
