// SPDX-License-Identifier: GPL-2.0
/*
 * cgroup.c - cgroup v2 helpers.
 */
#include "cgroup.h"

#include <ctype.h>
#include <stdbool.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <linux/magic.h>
#include <openssl/evp.h>

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

static void sha256_hex8(const char *text, char out[9])
{
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned int len = 0;

	EVP_Digest(text, strlen(text), digest, &len, EVP_sha256(), NULL);
	for (int i = 0; i < 4; i++)
		snprintf(out + 2 * i, 3, "%02x", digest[i]);
}

void cl_slugify(const char *key, char out[CL_SLUG_MAX])
{
	size_t len = strlen(key), n = 0, start = 0;
	char *mapped = malloc(len + 1), hash[9];
	bool in_run = false;

	sha256_hex8(key, hash);
	if (!mapped) {
		snprintf(out, CL_SLUG_MAX, "session-%s", hash);
		return;
	}
	/* As OpenClaw: lower-case, each run outside [a-z0-9._-] becomes one dash ... */
	for (size_t i = 0; i < len; i++) {
		char c = (char)tolower((unsigned char)key[i]);
		bool allowed = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
			       c == '_' || c == '-';

		if (allowed)
			mapped[n++] = c;
		else if (!in_run)
			mapped[n++] = '-';
		in_run = !allowed;
	}
	/* ... dashes trimmed at both ends, then the first 32 characters. */
	while (n && mapped[n - 1] == '-')
		n--;
	while (start < n && mapped[start] == '-')
		start++;
	if (n - start > 32)
		n = start + 32;
	mapped[n] = '\0';
	snprintf(out, CL_SLUG_MAX, "%s-%s", n > start ? mapped + start : "session", hash);
	free(mapped);
}

void cl_scope_key(const char *agent, const char *session, char *out, size_t size)
{
	if (session)
		snprintf(out, size, "%s", session);
	else
		snprintf(out, size, "agent:%s", agent);
}

int cl_cgroup_create(const char *path)
{
	char buf[PATH_MAX];

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
	if (mkdir(buf, 0755) < 0 && errno != EEXIST)
		goto fail;
	return 0;
fail:
	cl_error("cannot create cgroup %s: %s", buf, strerror(errno));
	return -1;
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
