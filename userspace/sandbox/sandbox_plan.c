// SPDX-License-Identifier: GPL-2.0
/*
 * sandbox_plan.c - a scope's plan: what `sandbox exec` compiled, and the
 * fingerprint of everything it compiled from (sandbox_plan.h).
 *
 * The fingerprint errs on the side of compiling: any difference, even one
 * that would not change the policy (a new variable in the Gateway's
 * environment), costs one compile, never a stale policy.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "policy/ifaddr.h"
#include "policy/json5.h"
#include "sandbox/sandbox_plan.h"
#include "util.h"

#define PLAN_VERSION 3
/* A file read twice with different bytes in one compile: never matches. */
#define DIGEST_TORN "torn"

static struct cl_plan_input *find_input(struct cl_sbx_plan *p, const char *path, bool probe)
{
	for (size_t i = 0; i < p->input_count; i++) {
		if (p->inputs[i].probe == probe && !strcmp(p->inputs[i].path, path))
			return &p->inputs[i];
	}
	return NULL;
}

static struct cl_plan_input *add_input(struct cl_sbx_plan *p, const char *path, bool probe)
{
	struct cl_plan_input *in = find_input(p, path, probe), *grown;

	if (in)
		return in;
	grown = realloc(p->inputs, (p->input_count + 1) * sizeof(*grown));
	if (!grown)
		return NULL;
	p->inputs = grown;
	in = &p->inputs[p->input_count];
	in->path = strdup(path);
	if (!in->path)
		return NULL;
	cl_strlcpy(in->digest, "-", sizeof(in->digest));
	in->probe = probe;
	p->input_count++;
	return in;
}

/*
 * A path noted before it is opened counts as missing until its bytes come.
 * Out of memory poisons the plan (fingerprint "" never matches).
 */
static void noted_read(const char *path, void *data)
{
	struct cl_sbx_plan *p = data;

	if (!add_input(p, path, false))
		p->incomplete = true;
}

static void noted_bytes(const char *path, const char *text, size_t len, void *data)
{
	struct cl_sbx_plan *p = data;
	struct cl_plan_input *in = add_input(p, path, false);
	char digest[CL_PLAN_DIGEST];

	if (!in) {
		p->incomplete = true;
		return;
	}
	cl_sha256_hex(len ? text : "", len, digest, CL_PLAN_DIGEST - 1);
	if (strcmp(in->digest, "-") && strcmp(in->digest, digest))
		cl_strlcpy(in->digest, DIGEST_TORN, sizeof(in->digest));
	else
		cl_strlcpy(in->digest, digest, sizeof(in->digest));
}

/* What @path is now, as the compile saw it: kind, owner, inode, target. */
static void probe_now(const char *path, char out[CL_PLAN_DIGEST])
{
	char text[PATH_MAX + 128], *real;
	struct stat st, lst;

	if (lstat(path, &lst) < 0) {
		cl_strlcpy(out, "-", CL_PLAN_DIGEST);
		return;
	}
	real = cl_realpath(path, &st);
	if (!real)
		memset(&st, 0, sizeof(st));
	cl_format(text, sizeof(text), "%llx %llu %o %u %u %o %s", (unsigned long long)st.st_dev,
		  (unsigned long long)st.st_ino, st.st_mode, st.st_uid, st.st_gid, lst.st_mode,
		  real ? real : "-");
	free(real);
	cl_sha256_hex(text, strlen(text), out, CL_PLAN_DIGEST - 1);
}

static void noted_probe(const char *path, void *data)
{
	struct cl_sbx_plan *p = data;
	struct cl_plan_input *in = add_input(p, path, true);

	if (!in)
		p->incomplete = true;
	else
		probe_now(path, in->digest);
}

void cl_plan_record_begin(struct cl_sbx_plan *p)
{
	json5_set_read_hook(noted_read, p);
	json5_set_bytes_hook(noted_bytes, p);
	json5_set_probe_hook(noted_probe, p);
}

void cl_plan_record_end(void)
{
	json5_set_read_hook(NULL, NULL);
	json5_set_bytes_hook(NULL, NULL);
	json5_set_probe_hook(NULL, NULL);
}

/* The SHA-256 of @path's bytes now: "-" if it is missing, "?" if unreadable. */
static void digest_now(const char *path, char out[CL_PLAN_DIGEST])
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	char *text = NULL;
	struct stat st;
	size_t len = 0;
	ssize_t n = -1;

	cl_strlcpy(out, fd < 0 && errno == ENOENT ? "-" : "?", CL_PLAN_DIGEST);
	if (fd < 0)
		return;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > JSON5_MAX_FILE_BYTES)
		goto out;
	text = malloc((size_t)st.st_size + 1);
	while (text && len <= (size_t)st.st_size &&
	       (n = read(fd, text + len, (size_t)st.st_size + 1 - len)) > 0)
		len += (size_t)n;
	/* Grown while read: "?" (the compile would not see these bytes either). */
	if (text && len == (size_t)st.st_size && n == 0)
		cl_sha256_hex(len ? text : "", len, out, CL_PLAN_DIGEST - 1);
out:
	free(text);
	close(fd);
}

int cl_plan_add_file(struct cl_sbx_plan *p, const char *path)
{
	struct cl_plan_input *in = add_input(p, path, false);

	if (!in)
		return -1;
	digest_now(path, in->digest);
	return 0;
}

static void print_stat(FILE *f, const char *what, const char *path, bool follow)
{
	struct stat st;
	int ret = follow ? stat(path, &st) : lstat(path, &st);

	if (ret < 0) {
		fprintf(f, "%s %s error %d\n", what, path, errno);
		return;
	}
	fprintf(f, "%s %s %llx %llu %o %u %u %lld %lld.%09ld %lld.%09ld\n", what, path,
		(unsigned long long)st.st_dev, (unsigned long long)st.st_ino, st.st_mode, st.st_uid,
		st.st_gid, (long long)st.st_size, (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec,
		(long long)st.st_ctim.tv_sec, st.st_ctim.tv_nsec);
}

/*
 * A directory the policy or identity was made from: what it is, whose, and
 * where it leads, as probe_now says. Not its times: every file made or
 * removed at its top would change them, and no policy depends on those.
 */
static void print_dir(FILE *f, const char *what, const char *path)
{
	char now[CL_PLAN_DIGEST];

	if (!path)
		return;
	probe_now(path, now);
	fprintf(f, "%s %zu %s %s\n", what, strlen(path), path, now);
}

static int env_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* clawlock's own environment (${VAR}, HOME, OPENCLAW_*), not the command's. */
static int print_env(FILE *f)
{
	size_t n;
	char **sorted = cl_environ_pick(CL_SANDBOX_ENV_PREFIX, false, &n);

	if (!sorted)
		return -1;
	qsort(sorted, n, sizeof(*sorted), env_cmp);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "env %zu %s\n", strlen(sorted[i]), sorted[i]);
	free(sorted);
	return 0;
}

/* Profiles' "host" and "if:NAME" words were expanded from these. */
static int print_addrs(FILE *f)
{
	struct cl_if_addr *addrs = NULL;
	size_t count = 0;

	if (cl_if_addrs(&addrs, &count) < 0)
		return -1;
	for (size_t i = 0; i < count; i++) {
		fprintf(f, "addr %s %u %u ", addrs[i].ifname, addrs[i].family, addrs[i].prefix);
		for (size_t b = 0; b < sizeof(addrs[i].addr); b++)
			fprintf(f, "%02x", addrs[i].addr[b]);
		fputc('\n', f);
	}
	free(addrs);
	return 0;
}

static int print_inputs(FILE *f, const struct cl_sbx_plan *p, bool reread)
{
	char now[CL_PLAN_DIGEST];

	for (size_t i = 0; i < p->input_count; i++) {
		const struct cl_plan_input *in = &p->inputs[i];

		if (reread && in->probe)
			probe_now(in->path, now);
		else if (reread)
			digest_now(in->path, now);
		fprintf(f, "%s %zu %s %s\n", in->probe ? "probe" : "file", strlen(in->path),
			in->path, reread ? now : in->digest);
	}
	return 0;
}

int cl_plan_fingerprint(const struct cl_sbx_plan *p, const char *request, bool reread,
			char out[CL_PLAN_DIGEST])
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	int ret = -1;

	out[0] = '\0';
	if (!f)
		return -1;
	fprintf(f, "clawlock-sandbox-plan %d\n%s\ncaller %u %u\n", PLAN_VERSION, request,
		(unsigned int)getuid(), (unsigned int)getgid());
	/* Another clawlock may compile differently. */
	print_stat(f, "exe", "/proc/self/exe", true);
	print_stat(f, "passwd", "/etc/passwd", true);
	print_stat(f, "group", "/etc/group", true);
	/* Where else users and groups come from (docker.user names, owners). */
	print_stat(f, "nsswitch", "/etc/nsswitch.conf", true);
	print_dir(f, "workdir", p->workdir);
	print_dir(f, "agent-workspace", p->agent_workspace);
	print_dir(f, "sandbox-dir", p->sandbox_dir);
	if (print_env(f) == 0 && print_addrs(f) == 0 && print_inputs(f, p, reread) == 0)
		ret = 0;
	if (fclose(f) != 0)
		ret = -1;
	if (!ret)
		cl_sha256_hex(text, len, out, CL_PLAN_DIGEST - 1);
	free(text);
	return ret;
}

static struct json_object *scratch_array(const struct cl_scratch *items, size_t count)
{
	struct json_object *a = json_object_new_array();

	for (size_t i = 0; a && i < count; i++) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "path", json_object_new_string(items[i].path));
		json_object_object_add(o, "size", json_object_new_uint64(items[i].size));
		json_object_object_add(o, "readOnly", json_object_new_boolean(items[i].read_only));
		json_object_object_add(o, "noExec", json_object_new_boolean(items[i].no_exec));
		json_object_array_add(a, o);
	}
	return a;
}

static struct json_object *plan_json(const struct cl_sbx_plan *p)
{
	struct json_object *o = json_object_new_object(), *inputs = json_object_new_array();

	for (size_t i = 0; inputs && i < p->input_count; i++) {
		struct json_object *in = json_object_new_object();

		json_object_object_add(in, "path", json_object_new_string(p->inputs[i].path));
		json_object_object_add(in, "digest", json_object_new_string(p->inputs[i].digest));
		json_object_object_add(in, "probe", json_object_new_boolean(p->inputs[i].probe));
		json_object_array_add(inputs, in);
	}
	json_object_object_add(o, "version", json_object_new_int(PLAN_VERSION));
	json_object_object_add(o, "fingerprint", json_object_new_string(p->fingerprint));
	json_object_object_add(o, "digest", json_object_new_string(p->digest));
	json_object_object_add(o, "slug", json_object_new_string(p->slug));
	json_object_object_add(o, "cgroup", json_object_new_string(p->cgroup));
	json_object_object_add(o, "workdir", json_object_new_string(p->workdir));
	json_object_object_add(o, "agentWorkspace", json_object_new_string(p->agent_workspace));
	json_object_object_add(o, "sandboxDir", json_object_new_string(p->sandbox_dir));
	json_object_object_add(o, "uid", json_object_new_int64(p->uid));
	json_object_object_add(o, "gid", json_object_new_int64(p->gid));
	json_object_object_add(o, "networkNone", json_object_new_boolean(p->net_none));
	json_object_object_add(o, "tmpfs", scratch_array(p->tmpfs, p->tmpfs_count));
	json_object_object_add(o, "inputs", inputs);
	return o;
}

bool cl_plan_path(const char *dir, const char *request, char *out, size_t size)
{
	char hash[CL_PLAN_DIGEST];

	cl_sha256_hex(request, strlen(request), hash, 40);
	return cl_format(out, size, "%s/%s", dir, hash);
}

/* @path's folder (its own parent exists), made ours and private if it is missing. */
static int make_parent(const char *path)
{
	char dir[PATH_MAX], *slash;
	struct stat st;

	if (!cl_strlcpy(dir, path, sizeof(dir)) || !(slash = strrchr(dir, '/')) || slash == dir)
		return -1;
	*slash = '\0';
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return -1;
	if (lstat(dir, &st) < 0)
		return -1;
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 022)) {
		errno = EPERM;
		return -1;
	}
	return 0;
}

int cl_plan_write(const char *path, const struct cl_sbx_plan *p)
{
	char tmp[PATH_MAX];
	struct json_object *o;
	int ret = -1;

	/* Two writers of one request (a session key whose scope moved) never share it. */
	if (!cl_format(tmp, sizeof(tmp), "%s.%d.new", path, (int)getpid()))
		return -1;
	o = plan_json(p);
	if (o && make_parent(path) == 0 &&
	    json_object_to_file_ext(tmp, o, JSON_C_TO_STRING_PLAIN) == 0 &&
	    rename(tmp, path) == 0) {
		ret = 0;
	} else {
		cl_error("cannot record %s: %s", path, strerror(errno));
		unlink(tmp); /* named by pid: nothing would ever reuse it */
	}
	json_object_put(o);
	return ret;
}

static const char *get_string(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string)
		       ? json_object_get_string(v)
		       : NULL;
}

static int get_id(struct json_object *o, const char *key, unsigned int *out)
{
	struct json_object *v;
	int64_t n;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_int))
		return -1;
	n = json_object_get_int64(v);
	if (n < 0 || n > (int64_t)UINT_MAX - 1)
		return -1;
	*out = (unsigned int)n;
	return 0;
}

static int get_bool(struct json_object *o, const char *key, bool *out)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_boolean))
		return -1;
	*out = json_object_get_boolean(v);
	return 0;
}

static int read_scratch(struct json_object *o, struct cl_sbx_plan *p)
{
	struct json_object *t, *size;

	if (!json_object_object_get_ex(o, "tmpfs", &t) || !json_object_is_type(t, json_type_array))
		return -1;
	for (size_t i = 0; i < json_object_array_length(t); i++) {
		struct json_object *item = json_object_array_get_idx(t, i);
		struct cl_scratch s = { .path = (char *)get_string(item, "path") };

		if (!s.path || !json_object_object_get_ex(item, "size", &size) ||
		    !json_object_is_type(size, json_type_int) ||
		    get_bool(item, "readOnly", &s.read_only) < 0 ||
		    get_bool(item, "noExec", &s.no_exec) < 0)
			return -1;
		s.size = json_object_get_uint64(size);
		if (cl_plan_add_tmpfs(p, &s) < 0)
			return -1;
	}
	return 0;
}

static int read_inputs(struct json_object *o, struct cl_sbx_plan *p)
{
	struct json_object *a;

	if (!json_object_object_get_ex(o, "inputs", &a) || !json_object_is_type(a, json_type_array))
		return -1;
	for (size_t i = 0; i < json_object_array_length(a); i++) {
		struct json_object *in = json_object_array_get_idx(a, i);
		const char *path = get_string(in, "path"), *digest = get_string(in, "digest");
		struct cl_plan_input *added;
		struct json_object *probe;

		if (!path || !digest || !json_object_object_get_ex(in, "probe", &probe) ||
		    !(added = add_input(p, path, json_object_get_boolean(probe))))
			return -1;
		cl_strlcpy(added->digest, digest, sizeof(added->digest));
	}
	return read_scratch(o, p);
}

/* Only our own file: whoever else could write it would choose the uid. */
static struct json_object *read_plan_file(const char *path)
{
	struct json_object *o = NULL;
	struct stat st;
	int fd;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == geteuid() &&
	    !(st.st_mode & 022) && st.st_size < (1 << 20))
		o = json_object_from_fd(fd);
	close(fd);
	return o;
}

int cl_plan_read(const char *path, struct cl_sbx_plan *p)
{
	struct json_object *o = read_plan_file(path), *v;
	const char *fp, *digest;
	unsigned int uid, gid;
	int ret = -1;

	memset(p, 0, sizeof(*p));
	if (!o)
		return -1;
	fp = get_string(o, "fingerprint");
	digest = get_string(o, "digest");
	if (!json_object_object_get_ex(o, "version", &v) ||
	    json_object_get_int(v) != PLAN_VERSION || !fp || !digest ||
	    get_id(o, "uid", &uid) < 0 || get_id(o, "gid", &gid) < 0 ||
	    !json_object_object_get_ex(o, "networkNone", &v))
		goto out;
	p->net_none = json_object_get_boolean(v);
	p->uid = uid;
	p->gid = gid;
	cl_strlcpy(p->fingerprint, fp, sizeof(p->fingerprint));
	cl_strlcpy(p->digest, digest, sizeof(p->digest));
	if (cl_plan_set_paths(p, get_string(o, "slug"), get_string(o, "cgroup"),
			      get_string(o, "workdir"), get_string(o, "agentWorkspace"),
			      get_string(o, "sandboxDir")) < 0 ||
	    read_inputs(o, p) < 0)
		goto out;
	ret = 0;
out:
	json_object_put(o);
	if (ret)
		cl_plan_free(p);
	return ret;
}

static int set_string(char **dst, const char *src)
{
	free(*dst);
	*dst = src ? strdup(src) : NULL;
	return *dst ? 0 : -1;
}

int cl_plan_set_paths(struct cl_sbx_plan *p, const char *slug, const char *cgroup,
		      const char *workdir, const char *agent_workspace, const char *sandbox_dir)
{
	return set_string(&p->slug, slug) < 0 || set_string(&p->cgroup, cgroup) < 0 ||
			       set_string(&p->workdir, workdir) < 0 ||
			       set_string(&p->agent_workspace, agent_workspace) < 0 ||
			       set_string(&p->sandbox_dir, sandbox_dir) < 0
		       ? -1
		       : 0;
}

int cl_plan_add_tmpfs(struct cl_sbx_plan *p, const struct cl_scratch *s)
{
	struct cl_scratch *grown = realloc(p->tmpfs, (p->tmpfs_count + 1) * sizeof(*grown));

	if (!grown)
		return -1;
	p->tmpfs = grown;
	p->tmpfs[p->tmpfs_count] = *s;
	p->tmpfs[p->tmpfs_count].path = strdup(s->path);
	if (!p->tmpfs[p->tmpfs_count].path)
		return -1;
	p->tmpfs_count++;
	return 0;
}

void cl_plan_free(struct cl_sbx_plan *p)
{
	for (size_t i = 0; i < p->input_count; i++)
		free(p->inputs[i].path);
	for (size_t i = 0; i < p->tmpfs_count; i++)
		free(p->tmpfs[i].path);
	free(p->inputs);
	free(p->tmpfs);
	free(p->slug);
	free(p->cgroup);
	free(p->workdir);
	free(p->agent_workspace);
	free(p->sandbox_dir);
	memset(p, 0, sizeof(*p));
}

void cl_plan_forget(const char *dir, const char *slug)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[PATH_MAX];

	while (d && (e = readdir(d))) {
		struct cl_sbx_plan p;

		if (e->d_name[0] == '.' || !cl_format(path, sizeof(path), "%s/%s", dir, e->d_name))
			continue;
		if (cl_plan_read(path, &p) == 0) {
			if (!strcmp(p.slug, slug))
				unlink(path);
			cl_plan_free(&p);
		}
	}
	if (d)
		closedir(d);
}
