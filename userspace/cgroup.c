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
#include <strings.h>
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

void cl_sha256_hex(const char *text, size_t len, char *out, int digits)
{
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned int dlen = 0;

	EVP_Digest(text, len, digest, &dlen, EVP_sha256(), NULL);
	for (int i = 0; i < digits / 2; i++)
		snprintf(out + 2 * i, 3, "%02x", digest[i]);
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
