// SPDX-License-Identifier: GPL-2.0
/*
 * cgroup.c - cgroup v2 helpers: cgroupfs work alone (how OpenClaw names and
 * sizes a scope's cgroup is openclaw/ocscope.c).
 */
#include "loader/cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
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
