// SPDX-License-Identifier: GPL-2.0
/*
 * util.c - messages and small helpers.
 */
#include "util.h"

#include "policy/json5.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <json-c/linkhash.h>
#include <nettle/sha2.h>

static cl_print_fn print_fn;

cl_print_fn cl_set_print(cl_print_fn fn)
{
	cl_print_fn old = print_fn;

	print_fn = fn;
	return old;
}

void cl_print(enum cl_print_level level, const char *msg)
{
	if (print_fn)
		print_fn(level, msg);
}

static void vmessage(enum cl_print_level level, const char *fmt, va_list ap)
{
	char text[4096];

	if (!print_fn)
		return;
	vsnprintf(text, sizeof(text), fmt, ap);
	print_fn(level, text);
}

/* cl_error, cl_warn, cl_info and cl_debug: the same body, a level each. */
#define CL_MESSAGE_FN(name, level)                                                                 \
	void name(const char *fmt, ...)                                                            \
	{                                                                                          \
		va_list ap;                                                                        \
                                                                                                   \
		va_start(ap, fmt);                                                                 \
		vmessage(level, fmt, ap);                                                          \
		va_end(ap);                                                                        \
	}

CL_MESSAGE_FN(cl_error, CL_PRINT_ERROR)
CL_MESSAGE_FN(cl_warn, CL_PRINT_WARN)
CL_MESSAGE_FN(cl_info, CL_PRINT_INFO)
CL_MESSAGE_FN(cl_debug, CL_PRINT_DEBUG)

char *cl_strdup(const char *s)
{
	char *copy = strdup(s);

	if (!copy)
		cl_error("out of memory");
	return copy;
}

bool cl_format(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n >= 0 && (size_t)n < size;
}

bool cl_strlcpy(char *dst, const char *src, size_t size)
{
	size_t len = strlen(src);

	if (!size)
		return len == 0;
	if (len >= size) {
		memcpy(dst, src, size - 1);
		dst[size - 1] = '\0';
		return false;
	}
	memcpy(dst, src, len + 1);
	return true;
}

/*
 * Nettle's SHA-256 is plain code: OpenSSL's first digest loaded its
 * provider tables, a millisecond of every sandbox call.
 */
void cl_sha256_hex(const char *text, size_t len, char *out, int digits)
{
	unsigned char digest[SHA256_DIGEST_SIZE];
	struct sha256_ctx ctx;

	sha256_init(&ctx);
	sha256_update(&ctx, len, (const uint8_t *)text);
	sha256_digest(&ctx, sizeof(digest), digest);
	for (int i = 0; i < digits / 2; i++)
		snprintf(out + 2 * i, 3, "%02x", digest[i]);
}

int cl_u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* The index owns copies of its names: the items they come from may move. */
static void name_index_free_entry(struct lh_entry *entry)
{
	free((void *)lh_entry_k(entry));
}

long cl_name_index_get(const struct cl_name_index *index, const char *name)
{
	void *value;

	if (!index->table || !lh_table_lookup_ex(index->table, name, &value))
		return -1;
	return (long)((uintptr_t)value - 1);
}

int cl_name_index_put(struct cl_name_index *index, const char *name, size_t pos)
{
	struct lh_entry *entry;
	char *copy;

	if (!index->table) {
		index->table = lh_kchar_table_new(64, name_index_free_entry);
		if (!index->table)
			return -1;
	}
	entry = lh_table_lookup_entry(index->table, name);
	if (entry) {
		entry->v = (const void *)(uintptr_t)(pos + 1);
		return 0;
	}
	copy = strdup(name);
	if (!copy)
		return -1;
	if (lh_table_insert(index->table, copy, (const void *)(uintptr_t)(pos + 1)) < 0) {
		free(copy);
		return -1;
	}
	return 0;
}

size_t cl_name_index_count(const struct cl_name_index *index)
{
	return index->table ? (size_t)index->table->count : 0;
}

void cl_name_index_free(struct cl_name_index *index)
{
	if (index->table)
		lh_table_free(index->table);
	index->table = NULL;
}

/* @rel beneath @dirfd, never through a symlink, a magic link or "..". */
static int open_under(int dirfd, const char *rel, int flags)
{
	struct open_how how = {
		/* openat2 refuses O_PATH with any flag but O_CLOEXEC (and two more). */
		.flags = (uint64_t)(flags | O_CLOEXEC | (flags & O_PATH ? 0 : O_NOCTTY)),
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_SYMLINKS,
	};
	long fd;

	do
		fd = syscall(SYS_openat2, dirfd, rel, &how, sizeof(how));
	while (fd < 0 && errno == EAGAIN);
	return (int)fd;
}

/* Open the file that @path_fd (O_PATH) names for reading, if it is a regular one. */
static int reopen_regular(int rootfd, const char *rel, int path_fd, char *why, size_t whysize)
{
	struct stat want, got;
	int fd;

	if (fstat(path_fd, &want) < 0) {
		cl_format(why, whysize, "%s", strerror(errno));
		return -1;
	}
	if (!S_ISREG(want.st_mode)) {
		cl_format(why, whysize, "not a regular file (%s)", json5_file_kind(want.st_mode));
		return -1;
	}
	/* O_NONBLOCK: if a FIFO was swapped in meanwhile, the open does not hang. */
	fd = open_under(rootfd, rel, O_RDONLY | O_NONBLOCK);
	if (fd < 0) {
		cl_format(why, whysize, "%s", strerror(errno));
		return -1;
	}
	if (fstat(fd, &got) < 0 || got.st_dev != want.st_dev || got.st_ino != want.st_ino) {
		cl_format(why, whysize, "the file changed while it was being opened");
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * glibc's realpath reads every prefix of the path as a link, a walk from
 * the root each: a dozen lookups for a workspace, and per call of the
 * sandbox. The kernel resolves it once here. What /proc cannot say as a
 * plain path (no /proc, a name deleted meanwhile, a root elsewhere) is
 * left to realpath(3), and so is a path that open refuses to follow but
 * readlink reads (a nosymfollow mount, fs.protected_symlinks): only a
 * missing one is not looked at again.
 */
char *cl_realpath(const char *path, struct stat *st)
{
	static const char deleted[] = " (deleted)";
	char link[32], *real = malloc(PATH_MAX);
	int fd = open(path, O_PATH | O_CLOEXEC);
	struct stat own;
	ssize_t len = -1;
	int err = errno;

	if (!real) {
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	if (fd < 0 && (err == ENOENT || err == ENOTDIR)) {
		free(real);
		errno = err;
		return NULL;
	}
	if (fd >= 0 && fstat(fd, st ? st : &own) == 0 &&
	    cl_format(link, sizeof(link), "/proc/self/fd/%d", fd))
		len = readlink(link, real, PATH_MAX);
	if (fd >= 0)
		close(fd);
	if (len > 0 && len < PATH_MAX && real[0] == '/') {
		real[len] = '\0';
		if ((size_t)len < sizeof(deleted) ||
		    strcmp(real + len - (sizeof(deleted) - 1), deleted))
			return real;
	}
	free(real);
	real = realpath(path, NULL);
	/* What stat(2) of the path says; nothing when it refuses to follow. */
	if (real && st && stat(path, st) < 0)
		memset(st, 0, sizeof(*st));
	return real;
}

bool cl_path_inside(const char *root, const char *path)
{
	size_t len = strlen(root);

	return !strcmp(root, "/") ||
	       (!strncmp(root, path, len) && (path[len] == '\0' || path[len] == '/'));
}

int cl_open_beneath(const char *root, const char *path, char *why, size_t whysize)
{
	size_t len = strlen(root);
	const char *rel;
	int rootfd, path_fd, fd = -1;

	while (len && root[len - 1] == '/')
		len--;
	rel = path + len;
	if (strncmp(root, path, len) || rel[0] != '/' || !rel[1]) {
		cl_format(why, whysize, "not inside %s", root);
		return -1;
	}
	rel++;
	rootfd = open(len ? root : "/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0) {
		cl_format(why, whysize, "cannot open %s: %s", root, strerror(errno));
		return -1;
	}
	path_fd = open_under(rootfd, rel, O_PATH);
	if (path_fd < 0) {
		cl_format(why, whysize, "%s",
			  errno == ELOOP || errno == EXDEV
				  ? "a link on its path changed while it was being opened"
				  : strerror(errno));
	} else {
		fd = reopen_regular(rootfd, rel, path_fd, why, whysize);
		close(path_fd);
	}
	close(rootfd);
	return fd;
}

int cl_read_first_line(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

char **cl_environ_pick(const char *prefix, bool with, size_t *count)
{
	extern char **environ;
	size_t all = 0, plen = strlen(prefix);
	char **picked;

	for (char **e = environ; *e; e++)
		all++;
	picked = calloc(all + 1, sizeof(*picked));
	if (!picked)
		return NULL;
	*count = 0;
	for (char **e = environ; *e; e++)
		if (!strncmp(*e, prefix, plen) == with)
			picked[(*count)++] = *e;
	return picked;
}

long long cl_clock_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int cl_relay_begin(const sigset_t *relayed, sigset_t *old)
{
	if (signal(SIGCHLD, SIG_DFL) == SIG_ERR)
		return -1;
	return sigprocmask(SIG_BLOCK, relayed, old);
}

int cl_wait_relaying(pid_t child, const sigset_t *relayed)
{
	siginfo_t info;
	int status;

	for (;;) {
		pid_t done = waitpid(child, &status, WNOHANG);

		if (done == child)
			return status;
		if (done < 0 && errno != EINTR)
			return -1;
		if (done == 0 && sigwaitinfo(relayed, &info) > 0 && info.si_signo != SIGCHLD)
			kill(child, info.si_signo);
	}
}
