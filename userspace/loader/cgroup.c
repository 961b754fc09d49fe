// SPDX-License-Identifier: GPL-2.0
/*
 * cgroup.c - cgroup v2 helpers.
 */
#include "loader/cgroup.h"

#include <ctype.h>
#include <stdbool.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <linux/magic.h>

#include "util.h"

int cl_cgroup_mount(char *out, size_t size)
{
	static const char *const candidates[] = { "/sys/fs/cgroup", "/sys/fs/cgroup/unified" };

	for (size_t i = 0; i < sizeof(candidates) / sizeof(candidates[0]); i++) {
		struct statfs fs;

		if (statfs(candidates[i], &fs) == 0 && fs.f_type == CGROUP2_SUPER_MAGIC) {
			cl_strlcpy(out, candidates[i], size);
			return 0;
		}
	}
	cl_error("no cgroup v2 hierarchy at /sys/fs/cgroup or /sys/fs/cgroup/unified");
	return -1;
}

/* Ends in ":workspace:" and 32 hex digits (OpenClaw's workspace-qualified keys). */
static bool has_workspace_suffix(const char *key, size_t len)
{
	static const char marker[] = ":workspace:";
	size_t mlen = sizeof(marker) - 1;

	if (len < mlen + 32 || strncasecmp(key + len - 32 - mlen, marker, mlen) != 0)
		return false;
	for (size_t i = len - 32; i < len; i++) {
		if (!isxdigit((unsigned char)key[i]))
			return false;
	}
	return true;
}

/* The first 32 characters of @key mapped as OpenClaw does, dashes trimmed. */
static size_t slug_base(const char *key, size_t len, char *base)
{
	size_t n = 0, start = 0;
	bool in_run = false;

	/* Lower-case; each run outside [a-z0-9._-] becomes one dash ... */
	for (size_t i = 0; i < len; i++) {
		char c = (char)tolower((unsigned char)key[i]);
		bool allowed = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
			       c == '_' || c == '-';

		if (allowed)
			base[n++] = c;
		else if (!in_run)
			base[n++] = '-';
		in_run = !allowed;
	}
	/* ... dashes trimmed at both ends, then the first 32 characters. */
	while (n && base[n - 1] == '-')
		n--;
	while (start < n && base[start] == '-')
		start++;
	if (n - start > 32)
		n = start + 32;
	memmove(base, base + start, n - start);
	base[n - start] = '\0';
	return n - start;
}

/* OpenClaw's slugifySessionKey (src/agents/sandbox/shared.ts, 2026.9.6). */
void cl_slugify(const char *key, char out[CL_SLUG_MAX])
{
	size_t len;
	char hash[33], *base;

	/* String.prototype.trim(), then "session" for an empty key. */
	while (*key && isspace((unsigned char)*key))
		key++;
	len = strlen(key);
	while (len && isspace((unsigned char)key[len - 1]))
		len--;
	if (!len) {
		key = "session";
		len = strlen(key);
	}
	if (has_workspace_suffix(key, len)) {
		cl_sha256_hex(key, len, hash, 32);
		snprintf(out, CL_SLUG_MAX, "workspace-%s", hash);
		return;
	}
	cl_sha256_hex(key, len, hash, 8);
	base = malloc(len + 1);
	if (base && slug_base(key, len, base))
		snprintf(out, CL_SLUG_MAX, "%s-%s", base, hash);
	else
		snprintf(out, CL_SLUG_MAX, "session-%s", hash);
	free(base);
}

void cl_scope_key(const char *agent, const char *session, char *out, size_t size)
{
	if (session)
		snprintf(out, size, "%s", session);
	else
		snprintf(out, size, "agent:%s", agent);
}

int cl_cgroup_root(const char *override, char *out, size_t size)
{
	char mount[PATH_MAX];

	if (override) {
		if (cl_strlcpy(out, override, size))
			return 0;
	} else {
		if (cl_cgroup_mount(mount, sizeof(mount)) < 0)
			return -1;
		if (cl_format(out, size, "%s/%s", mount, CL_CGROUP_SUBTREE))
			return 0;
	}
	cl_error("the cgroup root path is too long");
	return -1;
}

int cl_cgroup_make(const char *path)
{
	char buf[PATH_MAX];

	if (mkdir(path, 0755) == 0)
		return 1;
	if (errno == EEXIST)
		return 0;
	/* A parent is missing: make the whole chain. */
	if (!cl_strlcpy(buf, path, sizeof(buf)))
		return -1;
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			goto fail;
		*p = '/';
	}
	if (mkdir(buf, 0755) == 0)
		return 1;
	if (errno == EEXIST)
		return 0;
fail:
	cl_error("cannot create cgroup %s: %s", buf, strerror(errno));
	return -1;
}

int cl_cgroup_create(const char *path)
{
	return cl_cgroup_make(path) < 0 ? -1 : 0;
}

int cl_cgroup_id(const char *path, uint64_t *id)
{
	struct {
		struct file_handle handle;
		uint64_t id;
	} fh = { .handle.handle_bytes = sizeof(uint64_t) };
	int mount_id;

	/* cgroupfs hands out the kernfs node id as the file handle. */
	if (name_to_handle_at(AT_FDCWD, path, &fh.handle, &mount_id, 0) < 0) {
		cl_error("cannot get the id of cgroup %s: %s", path, strerror(errno));
		return -1;
	}
	*id = fh.id;
	return 0;
}

int cl_cgroup_enter(const char *path)
{
	char procs[PATH_MAX];
	int fd, ok;

	snprintf(procs, sizeof(procs), "%s/cgroup.procs", path);
	fd = open(procs, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		cl_error("cannot open %s: %s", procs, strerror(errno));
		return -1;
	}
	/* "0" means the writing process itself. */
	ok = write(fd, "0", 1) == 1;
	if (!ok)
		cl_error("cannot move into %s: %s", path, strerror(errno));
	close(fd);
	return ok ? 0 : -1;
}

/* The size suffix of docker's units.RAMInBytes: "", b, or k/m/g/t/p then b or ib. */
static int size_power(const char *sfx)
{
	static const char units[] = "kmgtp";
	const char *unit;

	if (!*sfx || !strcasecmp(sfx, "b"))
		return 0;
	unit = strchr(units, tolower((unsigned char)*sfx));
	if (!unit)
		return -1;
	if (sfx[1] && strcasecmp(sfx + 1, "b") && strcasecmp(sfx + 1, "ib"))
		return -1;
	return (int)(unit - units) + 1;
}

int cl_docker_bytes(const char *text, long long *out)
{
	char trimmed[80], num[64], *end;
	size_t sep, numlen;
	double value;
	int power;

	/* OpenClaw trims the value before docker reads it. */
	text += strspn(text, " \t\n\r\f\v");
	sep = strlen(text);
	while (sep && isspace((unsigned char)text[sep - 1]))
		sep--;
	if (sep >= sizeof(trimmed))
		return -1;
	memcpy(trimmed, text, sep);
	trimmed[sep] = '\0';
	text = trimmed;
	/* The number runs to the last digit, dot or space (docker's parseSize). */
	while (sep && !strchr("0123456789. ", text[sep - 1]))
		sep--;
	numlen = sep && text[sep - 1] == ' ' ? sep - 1 : sep;
	if (!numlen || numlen >= sizeof(num) || !strchr("+-.0123456789", text[0]))
		return -1;
	memcpy(num, text, numlen);
	num[numlen] = '\0';
	errno = 0;
	value = strtod(num, &end);
	/* strtod would also take "nan", "inf" and hex, which docker refuses. */
	if (*end || errno || !isfinite(value) || value < 0 || strpbrk(num, "xX"))
		return -1;
	power = strlen(text + sep) <= 3 ? size_power(text + sep) : -1;
	if (power < 0)
		return -1;
	while (power--)
		value *= 1024;
	if (value > 9.2e18)
		return -1;
	*out = (long long)value;
	return 0;
}

static bool blank(const char *text)
{
	return text && !text[strspn(text, " \t\n\r\f\v")];
}

static int memory_limits(const char *memory, const char *memory_swap, struct cl_limits *limits,
			 char *err, size_t errsize)
{
	long long total = 0;

	if (memory && !blank(memory) && cl_docker_bytes(memory, &limits->memory_max) < 0) {
		snprintf(err, errsize, "memory \"%s\" is not a size (like 512m or 1g)", memory);
		return -1;
	}
	/* docker --memory 0 means no limit. */
	if (limits->memory_max == 0)
		limits->memory_max = -1;
	if (memory_swap && (blank(memory_swap) || !strcmp(memory_swap, "-1")))
		return 0;
	if (memory_swap && cl_docker_bytes(memory_swap, &total) < 0) {
		snprintf(err, errsize, "memorySwap \"%s\" is not a size (like 2g, or -1)",
			 memory_swap);
		return -1;
	}
	if (total > 0) {
		if (limits->memory_max < 0 || total < limits->memory_max) {
			snprintf(err, errsize,
				 "memorySwap (memory plus swap) needs memory, and must not be "
				 "below it (docker refuses this too)");
			return -1;
		}
		limits->memory_swap_max = total - limits->memory_max;
	} else if (limits->memory_max >= 0) {
		/* docker's default (no memorySwap, or 0): as much swap as memory. */
		limits->memory_swap_max = limits->memory_max;
	}
	return 0;
}

int cl_limits_from_docker(long long pids, const char *memory, const char *memory_swap,
			  const char *cpus, struct cl_limits *limits, char *err, size_t errsize)
{
	double cores;
	char *end;

	*limits = (struct cl_limits){ -1, -1, -1, -1 };
	if (pids > 0)
		limits->pids_max = pids;
	if (memory_limits(memory, memory_swap, limits, err, errsize) < 0)
		return -1;
	if (cpus) {
		errno = 0;
		cores = strtod(cpus, &end);
		/* !(cores > 0): NaN fails every comparison, and NaN cast to an integer is UB. */
		if (end == cpus || *end || errno || !(cores > 0) || cores > 4096) {
			snprintf(err, errsize, "cpus \"%s\" is not a positive number", cpus);
			return -1;
		}
		limits->cpu_quota = (long long)(cores * 100000 + 0.5);
		if (limits->cpu_quota < 1000)
			limits->cpu_quota = 1000; /* the kernel's minimum quota is 1 ms */
	}
	return 0;
}

int cl_limits_any(const struct cl_limits *limits)
{
	return limits->pids_max >= 0 || limits->memory_max >= 0 || limits->memory_swap_max >= 0 ||
	       limits->cpu_quota >= 0;
}

static int write_file(const char *dir, const char *name, const char *text)
{
	char path[PATH_MAX];
	int fd, ok;

	if (!cl_format(path, sizeof(path), "%s/%s", dir, name))
		return -1;
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		cl_error("cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	ok = write(fd, text, strlen(text)) == (ssize_t)strlen(text);
	if (!ok)
		cl_error("cannot write '%s' to %s: %s", text, path, strerror(errno));
	close(fd);
	return ok ? 0 : -1;
}

static int enable_controllers(const char *path)
{
	static const char *const controllers[] = { "+pids", "+memory", "+cpu" };

	for (size_t i = 0; i < sizeof(controllers) / sizeof(controllers[0]); i++) {
		if (write_file(path, "cgroup.subtree_control", controllers[i]) < 0)
			return -1;
	}
	return 0;
}

int cl_cgroup_prepare_root(const char *root)
{
	char parent[PATH_MAX];

	if (cl_cgroup_create(root) < 0 || !cl_strlcpy(parent, root, sizeof(parent)))
		return -1;
	/* Controllers reach a cgroup only through every ancestor's subtree_control. */
	if (enable_controllers(dirname(parent)) < 0 || enable_controllers(root) < 0)
		return -1;
	return 0;
}

/*
 * Set one limit file to @text unless it reads so already: an apply that
 * changes nothing leaves the scheduler alone (writing cpu.max
 * recomputes the group's bandwidth even when the value is the same).
 */
static int write_limit(const char *path, const char *file, long long value, const char *suffix)
{
	char text[64], now[64], file_path[PATH_MAX];
	ssize_t n;
	int fd, ok;

	if (value < 0)
		snprintf(text, sizeof(text), "max%s", suffix);
	else
		snprintf(text, sizeof(text), "%lld%s", value, suffix);
	if (!cl_format(file_path, sizeof(file_path), "%s/%s", path, file))
		return -1;
	fd = open(file_path, O_RDWR | O_CLOEXEC);
	/* A controller the kernel lacks is fine while nothing asks for it. */
	if (fd < 0 && errno == ENOENT && value < 0)
		return 0;
	if (fd < 0) {
		cl_error("cannot open %s: %s", file_path, strerror(errno));
		return -1;
	}
	n = read(fd, now, sizeof(now) - 1);
	now[n > 0 ? n : 0] = '\0';
	now[strcspn(now, "\n")] = '\0';
	ok = !strcmp(now, text) || pwrite(fd, text, strlen(text), 0) == (ssize_t)strlen(text);
	if (!ok)
		cl_error("cannot write '%s' to %s: %s", text, file_path, strerror(errno));
	close(fd);
	return ok ? 0 : -1;
}

int cl_cgroup_set_limits(const char *path, const struct cl_limits *limits)
{
	/* Every file is written, "max" where unset: a limit dropped from the config goes. */
	if (write_limit(path, "pids.max", limits->pids_max, "") < 0 ||
	    write_limit(path, "memory.max", limits->memory_max, "") < 0 ||
	    write_limit(path, "memory.swap.max", limits->memory_swap_max, "") < 0 ||
	    write_limit(path, "cpu.max", limits->cpu_quota, " 100000") < 0)
		return -1;
	return 0;
}

int cl_cgroup_empty(const char *path)
{
	char file[PATH_MAX], line[64];
	FILE *f;
	int empty = 1;

	if (!cl_format(file, sizeof(file), "%s/cgroup.events", path))
		return 0;
	f = fopen(file, "re");
	if (!f)
		return errno == ENOENT;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "populated ", 10))
			empty = line[10] == '0';
	}
	fclose(f);
	return empty;
}
