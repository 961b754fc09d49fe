// SPDX-License-Identifier: GPL-2.0
/*
 * install.c - write policies into the maps, each distinct policy once.
 *
 * An update installs a policy for every scope it makes: a thousand agents,
 * every session of an agent. Most of them are the same as one already live
 * or one installed a moment before, and each rule used to cost a stat and
 * three system calls. So a policy is first resolved in memory: its paths to
 * inodes, through a stat cache that lasts as long as the update's lock, and
 * its rules to map entries. A SHA-256 digest of what it would write (rule
 * texts, sources, inodes, capabilities) names it. A policy with the digest
 * of a live one, or of one this update installed, shares that one's id; a
 * new one is written in batches, thousands of entries a system call.
 *
 * Sharing is exact: the digest covers the sources the denial events quote,
 * and the inodes the rules are keyed by, so a rule whose file was replaced
 * since makes a new policy.
 */
#include "loader/bpfstate.h"
#include "loader/install.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include <linux/openat2.h>

#include <bpf/bpf.h>
#include <nettle/sha2.h>

#include "policy/netrule.h"
#include "util.h"

/* Bump when what the digest covers changes: old live policies stop matching. */
#define CL_DIGEST_VERSION 1

struct stat_result {
	int err; /* 0, or stat's errno */
	dev_t dev;
	ino_t ino;
	mode_t mode;
};

/* What a deny rule's path resolves to for stage_deny_names (cl_path_deny_name). */
struct deny_way {
	int ret;
	char *dir, *leaf;
};

/* One denied tree's files with more than one link: ids[first .. first + count). */
struct linked_set {
	size_t first, count;
};

struct file_id {
	dev_t dev;
	ino_t ino;
};

struct cl_install {
	struct cl_name_index paths; /* path -> index into stats */
	struct stat_result *stats;
	size_t stat_count, stat_cap;
	/* Per update too: a thousand policies deny the same secrets (over 9p in the VM, seconds).
	 */
	struct cl_name_index way_index; /* deny rule path -> index into ways */
	struct deny_way *ways;
	size_t way_count, way_cap;
	struct cl_name_index linked_index; /* root tag + denied tree -> index into linked */
	struct linked_set *linked;
	size_t linked_count, linked_cap;
	struct file_id *ids;
	size_t id_count, id_cap;
	struct cl_name_index digests;	   /* hex digest -> policy id */
	struct cl_name_index prefix_index; /* root, shared list, head -> index into prefixes */
	struct prefix **prefixes;
	size_t prefix_count, prefix_cap;
	int root_fd;	   /* -1: paths are the host's; else a container's root */
	char root_tag[32]; /* the root's name in the stat cache's keys */
};

struct file_entry {
	struct cl_file_key key;
	struct cl_file_rule value;
};

struct name_entry {
	struct cl_name_key key;
	struct cl_file_rule value;
};

/* A rule record to be: what the rule says and where it was written. */
struct info_ref {
	__u32 rule;
	__u32 access;
	const char *path;
	const char *source;
};

/* One policy resolved, rule ids relative to its first and policy id 0. */
struct staged {
	struct file_entry *files;
	size_t file_count, file_cap;
	struct name_entry *names;
	size_t name_count, name_cap;
	struct info_ref *infos; /* made into records only if the policy is written */
	size_t info_count;
	const char *default_source; /* the agent's, for the default record; "" for none */
	__u64 named;		    /* bit n: a name rule n bytes long */
	bool places;		    /* name rules anchored in directories */
	struct sha256_ctx md;
	__u8 digest[16]; /* the start of the SHA-256 of all the above */
	char hex[33];	 /* the same in hex, the reuse index's key */
};

/*
 * The profiles' rules an agent shares with others (struct cl_rule_list),
 * staged once: copies of them, and what they stage to.
 */
struct prefix {
	struct cl_rule *rules;
	size_t count;
	struct staged staged;
};

static void prefix_free(struct prefix *p);

/* Forget what this update resolved (cl_maps_unlock and cl_maps_close call it). */
static void install_free(void *cache)
{
	struct cl_install *in = cache;

	cl_name_index_free(&in->paths);
	cl_name_index_free(&in->digests);
	cl_name_index_free(&in->way_index);
	cl_name_index_free(&in->linked_index);
	for (size_t i = 0; i < in->way_count; i++) {
		free(in->ways[i].dir);
		free(in->ways[i].leaf);
	}
	free(in->ways);
	for (size_t i = 0; i < in->prefix_count; i++)
		prefix_free(in->prefixes[i]);
	free(in->prefixes);
	cl_name_index_free(&in->prefix_index);
	free(in->linked);
	free(in->ids);
	free(in->stats);
	free(in);
}

static struct cl_install *install_state(struct cl_maps *maps)
{
	struct cl_install *in;

	if (!maps->cache) {
		in = calloc(1, sizeof(*in));
		if (!in)
			return NULL;
		in->root_fd = -1;
		maps->cache = in;
		maps->cache_free = install_free;
	}
	return maps->cache;
}

void cl_install_root(struct cl_maps *maps, int root_fd, const char *tag)
{
	struct cl_install *in = install_state(maps);

	if (!in)
		return;
	in->root_fd = root_fd;
	cl_format(in->root_tag, sizeof(in->root_tag), "%s", root_fd >= 0 ? tag : "");
}

/*
 * An O_PATH descriptor of @path as a container's processes see it: the
 * lookup starts at its root and never leaves it (absolute links and ".."
 * included), and its mounts apply. Magic links (its /proc) are refused.
 */
static int open_in_root(int root_fd, const char *path)
{
	struct open_how how = {
		.flags = O_PATH | O_CLOEXEC,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};

	return syscall(SYS_openat2, root_fd, path, &how, sizeof(how));
}

static int root_stat(const struct cl_install *in, const char *path, struct stat *st)
{
	int fd, ret;

	if (in->root_fd < 0)
		return stat(path, st);
	fd = open_in_root(in->root_fd, path);
	if (fd < 0)
		return -1;
	ret = fstat(fd, st);
	close(fd);
	return ret;
}

/* stat(@path), once per update: a thousand agents name the same system paths. */
static void cached_stat(struct cl_install *in, const char *path, struct stat_result *out)
{
	char key[PATH_MAX + sizeof(in->root_tag)];
	struct stat st;
	long pos;

	cl_format(key, sizeof(key), "%s%s", in->root_tag, path);
	pos = cl_name_index_get(&in->paths, key);
	if (pos >= 0) {
		*out = in->stats[pos];
		return;
	}
	memset(out, 0, sizeof(*out));
	if (root_stat(in, path, &st) < 0) {
		out->err = errno;
	} else {
		out->dev = st.st_dev;
		out->ino = st.st_ino;
		out->mode = st.st_mode;
	}
	if (in->stat_count == in->stat_cap) {
		size_t cap = in->stat_cap ? in->stat_cap * 2 : 64;
		void *grown = realloc(in->stats, cap * sizeof(*in->stats));

		if (!grown)
			return; /* not cached: only slower */
		in->stats = grown;
		in->stat_cap = cap;
	}
	if (cl_name_index_put(&in->paths, key, in->stat_count) == 0)
		in->stats[in->stat_count++] = *out;
}

/* A digest as the reuse index's key: 32 hex digits. */
/* By hand: snprintf per byte was a fifteenth of an apply of 10,000 agents. */
static void digest_hex(const __u8 digest[16], char hex[33])
{
	static const char digits[] = "0123456789abcdef";

	for (int i = 0; i < 16; i++) {
		hex[2 * i] = digits[digest[i] >> 4];
		hex[2 * i + 1] = digits[digest[i] & 15];
	}
	hex[32] = '\0';
}

static void digest_bytes(struct staged *s, const void *data, size_t len)
{
	sha256_update(&s->md, len, data);
}

static void digest_string(struct staged *s, const char *text)
{
	digest_bytes(s, text, strlen(text) + 1);
}

static void stage_info(struct staged *s, __u32 rule, __u32 access, const char *path,
		       const char *source)
{
	s->infos[s->info_count++] = (struct info_ref){ rule, access, path, source };
}

/* Room in *@array (of @cap) for one more than @count entries of @size. */
static int room_for_one(void **array, size_t *cap, size_t count, size_t size)
{
	size_t grown_cap = *cap ? *cap * 2 : 16;
	void *grown;

	if (count < *cap)
		return 0;
	grown = realloc(*array, grown_cap * size);
	if (!grown) {
		cl_error("out of memory");
		return -1;
	}
	*array = grown;
	*cap = grown_cap;
	return 0;
}

/*
 * One name entry: a pattern (@dev 0), a name anchored in the directory
 * (@dev, @ino), or with an empty @name the mark of a directory on the way
 * to a deny rule.
 */
static int stage_name_key(struct staged *s, __u32 rule, __u32 access, dev_t dev, ino_t ino,
			  const char *name)
{
	struct name_entry *e;

	if (room_for_one((void **)&s->names, &s->name_cap, s->name_count, sizeof(*s->names)) < 0)
		return -1;
	e = &s->names[s->name_count++];
	memset(e, 0, sizeof(*e));
	e->key.dev = dev ? cl_kernel_dev(dev) : 0;
	e->key.ino = ino;
	memcpy(e->key.name, name, strnlen(name, sizeof(e->key.name) - 1));
	e->value.access = access;
	e->value.rule_id = rule;
	/* A directory's mark is never looked up by the walk: no length. */
	if (e->key.name[0])
		s->named |= 1ULL << strlen(e->key.name);
	if (dev)
		s->places = true;
	digest_bytes(s, &e->key, sizeof(e->key));
	return 0;
}

static int stage_name(struct staged *s, __u32 rule, const struct cl_rule *r, dev_t dev, ino_t ino,
		      const char *name)
{
	if (stage_name_key(s, rule, r->access, dev, ino, name) < 0)
		return -1;
	stage_info(s, rule, r->access, r->path, r->source);
	return 0;
}

/*
 * A deny rule also follows its name, and the directories on its way stay
 * where they are (internals.md, "Deny rules that follow names"): the name
 * @leaf is keyed in @dir (an existing directory, resolved), and @dir and
 * every directory above it but the root are marked, so that no sandbox
 * moves or removes them. A name too long for a key is not followed.
 */
static int stage_deny_names(struct cl_install *in, struct staged *s, __u32 rule, __u32 access,
			    const char *dir, const char *leaf)
{
	char up[PATH_MAX], *slash;
	struct stat_result st;

	cached_stat(in, dir, &st);
	if (st.err || !S_ISDIR(st.mode))
		return 0;
	if (strlen(leaf) < CL_NAME_MAX && stage_name_key(s, rule, access, st.dev, st.ino, leaf) < 0)
		return -1;
	cl_format(up, sizeof(up), "%s", dir);
	while (strcmp(up, "/")) {
		cached_stat(in, up, &st);
		if (!st.err && stage_name_key(s, rule, access, st.dev, st.ino, "") < 0)
			return -1;
		slash = strrchr(up, '/');
		if (!slash)
			break;
		if (slash == up)
			slash[1] = '\0';
		else
			*slash = '\0';
	}
	return 0;
}

/*
 * cl_path_deny_name in a container's tree: the nearest directory on
 * @path's way that exists there (through its root, not the host's
 * realpath), and the name below it.
 */
static int deny_name_in_root(struct cl_install *in, const char *path, char *dir, char *leaf,
			     size_t size)
{
	char head[PATH_MAX];
	struct stat_result st;

	cl_format(head, sizeof(head), "%s", path);
	for (;;) {
		if (cl_path_pop(head, leaf, size) < 0)
			return -1;
		cached_stat(in, head, &st);
		if (!st.err)
			return cl_format(dir, size, "%s", head) ? 0 : -1;
	}
}

/* cl_path_deny_name(@path) on the host, once per update: realpath reads every link on the way. */
static int cached_deny_name(struct cl_install *in, const char *path, char *dir, char *leaf,
			    size_t size)
{
	long pos = cl_name_index_get(&in->way_index, path);
	struct deny_way *way;
	int ret;

	if (pos >= 0) {
		way = &in->ways[pos];
		if (way->ret < 0 || !cl_format(dir, size, "%s", way->dir) ||
		    !cl_format(leaf, size, "%s", way->leaf))
			return -1;
		return 0;
	}
	ret = cl_path_deny_name(path, dir, leaf, size);
	if (ret < 0)
		*dir = *leaf = '\0';
	if (room_for_one((void **)&in->ways, &in->way_cap, in->way_count, sizeof(*in->ways)) < 0)
		return ret; /* not cached: only slower */
	way = &in->ways[in->way_count];
	*way = (struct deny_way){ .ret = ret, .dir = strdup(dir), .leaf = strdup(leaf) };
	if (way->dir && way->leaf && cl_name_index_put(&in->way_index, path, in->way_count) == 0) {
		in->way_count++;
	} else {
		free(way->dir);
		free(way->leaf);
	}
	return ret;
}

/* A deny rule on @r->path: its name followed, its way marked (stage_deny_names). */
static int stage_deny_way(struct cl_install *in, struct staged *s, __u32 rule,
			  const struct cl_rule *r)
{
	char dir[PATH_MAX], leaf[PATH_MAX];
	int ret = in->root_fd >= 0 ? deny_name_in_root(in, r->path, dir, leaf, sizeof(dir))
				   : cached_deny_name(in, r->path, dir, leaf, sizeof(dir));

	if (ret < 0)
		return 0;
	return stage_deny_names(in, s, rule, r->access, dir, leaf);
}

/* One inode entry; grows the array. */
static int stage_file_key(struct staged *s, __u32 rule, __u32 access, dev_t dev, ino_t ino)
{
	struct file_entry *e;

	if (room_for_one((void **)&s->files, &s->file_cap, s->file_count, sizeof(*s->files)) < 0)
		return -1;
	e = &s->files[s->file_count++];
	memset(e, 0, sizeof(*e));
	e->key.dev = cl_kernel_dev(dev);
	e->key.ino = ino;
	e->value.access = access;
	e->value.rule_id = rule;
	digest_bytes(s, &e->key, sizeof(e->key));
	return 0;
}

static int stage_file(struct staged *s, __u32 rule, const struct cl_rule *r,
		      const struct stat_result *st)
{
	if (stage_file_key(s, rule, r->access, st->dev, st->ino) < 0)
		return -1;
	stage_info(s, rule, r->access, r->path, r->source);
	return 0;
}

/* Entries a denied tree is searched through for linked files, and how deep. */
#define CL_LINK_SCAN_MAX   10000
#define CL_LINK_SCAN_DEPTH 16

/* nftw passes no context: the scan in progress (one at a time, under the update's lock). */
static struct link_scan {
	struct cl_install *in;
	size_t seen;
	int err;
} * link_scan;

static int link_scan_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	struct cl_install *in = link_scan->in;

	(void)path;
	if (++link_scan->seen > CL_LINK_SCAN_MAX)
		return FTW_STOP;
	if (type == FTW_F && S_ISREG(st->st_mode) && st->st_nlink > 1) {
		if (room_for_one((void **)&in->ids, &in->id_cap, in->id_count, sizeof(*in->ids)) <
		    0) {
			link_scan->err = -1;
			return FTW_STOP;
		}
		in->ids[in->id_count++] = (struct file_id){ st->st_dev, st->st_ino };
	}
	return type == FTW_D && ftw->level >= CL_LINK_SCAN_DEPTH ? FTW_SKIP_SUBTREE : FTW_CONTINUE;
}

/* The files of the denied tree @r->path with more than one link, into @set. */
static int scan_linked(struct cl_install *in, const struct cl_rule *r, struct linked_set *set)
{
	struct link_scan scan = { .in = in };
	char top[64];
	int fd = -1;

	*set = (struct linked_set){ .first = in->id_count };
	/* In a container: the tree its processes see, through a descriptor. */
	if (in->root_fd >= 0) {
		fd = open_in_root(in->root_fd, r->path);
		if (fd < 0)
			return 0;
		/* The slash: nftw follows the descriptor to the directory, not the link. */
		cl_format(top, sizeof(top), "/proc/self/fd/%d/", fd);
	}
	link_scan = &scan;
	nftw(fd >= 0 ? top : r->path, link_scan_entry, 16, FTW_PHYS | FTW_MOUNT | FTW_ACTIONRETVAL);
	link_scan = NULL;
	if (fd >= 0)
		close(fd);
	set->count = in->id_count - set->first;
	if (scan.seen > CL_LINK_SCAN_MAX)
		cl_debug("%s: %s has more than %d entries: linked files past them are not "
			 "looked for",
			 r->source, r->path, CL_LINK_SCAN_MAX);
	return scan.err;
}

/*
 * A file of a denied tree with more than one link may have a name outside
 * it (a hard link made before load): it gets the deny rule on its own
 * inode, which holds for every name it has. The search is bounded (and
 * does not cross mounts); what it does not reach is the residual risk
 * internals.md names. Each tree is searched once per update, as paths are
 * stat'ed once: a thousand policies deny the same secrets.
 */
static int stage_linked_files(struct cl_install *in, struct staged *s, __u32 rule,
			      const struct cl_rule *r)
{
	char key[PATH_MAX + sizeof(in->root_tag)];
	struct linked_set fresh;
	const struct linked_set *set;
	long pos;

	cl_format(key, sizeof(key), "%s%s", in->root_tag, r->path);
	pos = cl_name_index_get(&in->linked_index, key);
	if (pos >= 0) {
		set = &in->linked[pos];
	} else {
		if (scan_linked(in, r, &fresh) < 0)
			return -1;
		set = &fresh;
		if (room_for_one((void **)&in->linked, &in->linked_cap, in->linked_count,
				 sizeof(*in->linked)) == 0 &&
		    cl_name_index_put(&in->linked_index, key, in->linked_count) == 0)
			in->linked[in->linked_count++] = fresh; /* else not cached: only slower */
	}
	for (size_t i = set->first; i < set->first + set->count; i++) {
		if (stage_file_key(s, rule, r->access, in->ids[i].dev, in->ids[i].ino) < 0)
			return -1;
	}
	return 0;
}

/*
 * A rule on a path that does not exist (yet): keyed by its directory and
 * its last name, so it holds for whatever appears there later. Returns 1 if
 * staged, 0 if the directory is missing too (nothing to key it by), -1 on
 * error.
 */
static int stage_missing(struct cl_install *in, struct staged *s, __u32 rule,
			 const struct cl_rule *r)
{
	char dir[CL_RULE_PATH_MAX];
	const char *leaf = cl_path_split(r->path, dir, sizeof(dir));
	struct stat_result st;

	cached_stat(in, dir, &st);
	if (st.err || !S_ISDIR(st.mode))
		return 0;
	if (strlen(leaf) >= CL_NAME_MAX) {
		cl_error("%s: rule path %s does not exist, and its last name is too long to "
			 "watch for (at most %d bytes)",
			 r->source, r->path, CL_NAME_MAX - 1);
		return -1;
	}
	cl_debug("%s: %s does not exist yet; its rule holds once it does", r->source, r->path);
	return stage_name(s, rule, r, st.dev, st.ino, leaf) < 0 ? -1 : 1;
}

/* One file rule: by inode, by name (a pattern or a missing path). */
static int stage_file_rule(struct cl_install *in, struct staged *s, __u32 rule,
			   const struct cl_rule *r)
{
	const char *pattern = cl_path_pattern_name(r->path);
	struct stat_result st;
	int ret;

	digest_bytes(s, &rule, sizeof(rule));
	digest_bytes(s, &r->access, sizeof(r->access));
	digest_string(s, r->path);
	digest_string(s, r->source);
	if (pattern)
		return stage_name(s, rule, r, 0, 0, pattern);
	if (r->access == CL_ACC_DENY && stage_deny_way(in, s, rule, r) < 0)
		return -1;
	cached_stat(in, r->path, &st);
	if (!st.err) {
		if (stage_file(s, rule, r, &st) < 0)
			return -1;
		if (r->access == CL_ACC_DENY && S_ISDIR(st.mode))
			return stage_linked_files(in, s, rule, r);
		return 0;
	}
	/* A container's own files: a link out of it, or a file where a directory was. */
	if (in->root_fd >= 0 && st.err != ENOENT && st.err != EACCES && st.err != EPERM)
		return 0;
	if (st.err != ENOENT) {
		cl_error("%s: rule path %s: %s", r->source, r->path, strerror(st.err));
		return -1;
	}
	ret = stage_missing(in, s, rule, r);
	if (ret < 0)
		return -1;
	if (ret > 0)
		return 0;
	/* A host path outside a container's mounts simply does not exist in it. */
	if (r->access != CL_ACC_DENY && in->root_fd >= 0)
		return 0;
	if (r->access != CL_ACC_DENY) {
		cl_error("%s: rule path %s: neither it nor its directory exists", r->source,
			 r->path);
		return -1;
	}
	/* Keyed above, on the first missing directory: all of it is denied once it appears. */
	cl_debug("%s: neither %s nor its directory exists: the first missing directory "
		 "on its way is denied",
		 r->source, r->path);
	stage_info(s, rule, r->access, r->path, r->source);
	return 0;
}

static void digest_net_rule(struct staged *s, const struct cl_net_rule *r)
{
	__u8 head[4] = { r->family, r->prefix, r->proto, r->allow };
	__u16 ports[2] = { r->port_lo, r->port_hi };

	digest_bytes(s, head, sizeof(head));
	digest_bytes(s, ports, sizeof(ports));
	digest_bytes(s, r->addr, sizeof(r->addr));
	digest_bytes(s, r->name, strnlen(r->name, sizeof(r->name)));
	digest_string(s, r->text);
	digest_string(s, r->source);
}

static void staged_free(struct staged *s)
{
	free(s->files);
	free(s->names);
	free(s->infos);
}

/* An empty @s with room for the records of @rules rules, its digest begun. */
static int staged_init(struct staged *s, size_t rules)
{
	memset(s, 0, sizeof(*s));
	s->infos = calloc(rules + 1, sizeof(*s->infos));
	if (!s->infos) {
		cl_error("out of memory");
		return -1;
	}
	return 0;
}

/* What the digest starts with: the version, then what the whole agent has. */
static void digest_head(struct staged *s, const struct cl_agent *agent)
{
	__u32 version = CL_DIGEST_VERSION;

	sha256_init(&s->md);
	digest_bytes(s, &version, sizeof(version));
	digest_bytes(s, &agent->cap_drop, sizeof(agent->cap_drop));
	digest_bytes(s, &agent->no_exec, sizeof(agent->no_exec));
	digest_bytes(s, &agent->files.count, sizeof(agent->files.count));
	digest_bytes(s, &agent->net.count, sizeof(agent->net.count));
}

static void prefix_free(struct prefix *p)
{
	for (size_t i = 0; i < p->count; i++)
		free(p->rules[i].path);
	free(p->rules);
	staged_free(&p->staged);
	free(p);
}

/* Are @agent's first @count rules @rules (its profiles', not overridden)? */
static bool rules_hold(const struct cl_rule *rules, size_t count, const struct cl_agent *agent)
{
	for (size_t i = 0; i < count; i++) {
		const struct cl_rule *a = &agent->files.rules[i], *b = &rules[i];

		if (a->access != b->access || (a->path != b->path && strcmp(a->path, b->path)) ||
		    strcmp(a->source, b->source))
			return false;
	}
	return true;
}

/*
 * @agent's shared rules (its profiles', struct cl_rule_list) staged with
 * the head of its digest, from copies of them: once per update for every
 * agent with the same profiles, the same head, the same root. *@out NULL
 * when there is none to share or it cannot be kept; -1 on a rule's error.
 */
static int stage_prefix(struct cl_install *in, const struct cl_agent *agent,
			const struct prefix **out)
{
	size_t count = agent->files.shared;
	char key[256];
	struct prefix *p;
	long pos;

	*out = NULL;
	/* An agent that overrides one of its profiles' rules stages whole. */
	if (!agent->files.base || !count || count > agent->files.count ||
	    count > agent->files.base->count || !rules_hold(agent->files.base->rules, count, agent))
		return 0;
	cl_format(key, sizeof(key), "%s|%p|%zu|%llx|%d|%zu|%zu", in->root_tag,
		  (const void *)agent->files.base, count, (unsigned long long)agent->cap_drop,
		  agent->no_exec, agent->files.count, agent->net.count);
	pos = cl_name_index_get(&in->prefix_index, key);
	if (pos >= 0)
		goto found;
	if (room_for_one((void **)&in->prefixes, &in->prefix_cap, in->prefix_count,
			 sizeof(*in->prefixes)) < 0)
		return 0;
	p = calloc(1, sizeof(*p));
	if (!p || !(p->rules = calloc(count, sizeof(*p->rules)))) {
		free(p);
		return 0;
	}
	for (; p->count < count; p->count++) {
		const struct cl_rule *r = &agent->files.base->rules[p->count];

		p->rules[p->count] = *r;
		p->rules[p->count].path = strdup(r->path);
		if (!p->rules[p->count].path)
			goto fail;
	}
	if (staged_init(&p->staged, count) < 0)
		goto fail;
	digest_head(&p->staged, agent);
	for (size_t i = 0; i < count; i++) {
		if (stage_file_rule(in, &p->staged, i, &p->rules[i]) < 0) {
			prefix_free(p);
			return -1;
		}
	}
	if (cl_name_index_put(&in->prefix_index, key, in->prefix_count) < 0)
		goto fail;
	pos = in->prefix_count;
	in->prefixes[in->prefix_count++] = p;
found:
	/* Another list where a freed one was: staged whole. */
	if (rules_hold(in->prefixes[pos]->rules, count, agent))
		*out = in->prefixes[pos];
	return 0;
fail:
	prefix_free(p);
	return 0;
}

/* A copy of @count entries of @size at @from, into *@to with its capacity *@cap. */
static int copy_entries(void **to, size_t *cap, const void *from, size_t count, size_t size)
{
	if (!count)
		return 0;
	*to = malloc(count * size);
	if (!*to) {
		cl_error("out of memory");
		return -1;
	}
	memcpy(*to, from, count * size);
	*cap = count;
	return 0;
}

/* @s starts where the staged @p ends: its entries, records and digest so far. */
static int staged_from(struct staged *s, const struct prefix *p)
{
	const struct staged *from = &p->staged;

	if (copy_entries((void **)&s->files, &s->file_cap, from->files, from->file_count,
			 sizeof(*s->files)) < 0 ||
	    copy_entries((void **)&s->names, &s->name_cap, from->names, from->name_count,
			 sizeof(*s->names)) < 0)
		return -1;
	s->file_count = from->file_count;
	s->name_count = from->name_count;
	memcpy(s->infos, from->infos, from->info_count * sizeof(*s->infos));
	s->info_count = from->info_count;
	s->named = from->named;
	s->places = from->places;
	/* Nettle's state is plain data: a copy goes on from where it was. */
	s->md = from->md;
	return 0;
}

/* Resolve @agent into @s, and its digest. */
static int stage_policy(struct cl_install *in, const struct cl_agent *agent, struct staged *s)
{
	size_t files = agent->files.count, rules = files + agent->net.count, first = 0;
	unsigned char digest[SHA256_DIGEST_SIZE];
	const struct prefix *prefix;

	if (staged_init(s, rules) < 0 || stage_prefix(in, agent, &prefix) < 0)
		return -1;
	if (prefix) {
		if (staged_from(s, prefix) < 0)
			return -1;
		first = prefix->count;
	} else {
		digest_head(s, agent);
	}
	for (size_t i = first; i < files; i++) {
		if (stage_file_rule(in, s, i, &agent->files.rules[i]) < 0)
			return -1;
	}
	/* Only when set: the policies of clawlock's own files keep their digests. */
	s->default_source = agent->default_source;
	if (agent->default_source[0])
		digest_string(s, agent->default_source);
	for (size_t i = 0; i < agent->net.count; i++) {
		const struct cl_net_rule *r = &agent->net.rules[i];

		digest_net_rule(s, r);
		stage_info(s, files + i, r->allow ? CL_ACC_NET : CL_ACC_DENY, r->text, r->source);
	}
	sha256_digest(&s->md, sizeof(digest), digest);
	memcpy(s->digest, digest, sizeof(s->digest));
	digest_hex(s->digest, s->hex);
	return 0;
}

/* Order entries (@key_size bytes of key, then a struct cl_file_rule) by key, then rule. */
static int compare_entries(const void *a, const void *b, size_t key_size)
{
	const struct cl_file_rule *x = (const void *)((const char *)a + key_size);
	const struct cl_file_rule *y = (const void *)((const char *)b + key_size);
	int c = memcmp(a, b, key_size);

	return c ? c : (x->rule_id > y->rule_id) - (x->rule_id < y->rule_id);
}

static int by_file_key(const void *a, const void *b)
{
	return compare_entries(a, b, sizeof(struct cl_file_key));
}

static int by_name_key(const void *a, const void *b)
{
	return compare_entries(a, b, sizeof(struct cl_name_key));
}

/*
 * Two rules on one key (hard links, bind mounts, a name twice) make one
 * entry: the stricter access, the later rule's id. @entries are sorted by
 * key, then rule; returns how many are left.
 */
static size_t merge_same_keys(void *entries, size_t count, size_t size, size_t key_size)
{
	unsigned char *e = entries;
	size_t kept = 0;

	for (size_t i = 0; i < count; i++) {
		unsigned char *cur = e + i * size, *last = e + (kept - 1) * size;
		struct cl_file_rule merged, next;

		if (kept && !memcmp(last, cur, key_size)) {
			memcpy(&merged, last + key_size, sizeof(merged));
			memcpy(&next, cur + key_size, sizeof(next));
			merged.access = cl_access_stricter(merged.access, next.access);
			merged.rule_id = next.rule_id;
			memcpy(last + key_size, &merged, sizeof(merged));
			continue;
		}
		if (kept != i)
			memcpy(e + kept * size, cur, size);
		kept++;
	}
	return kept;
}

/* Give the staged entries their policy id and absolute rule ids, merged by key. */
static void number_entries(struct staged *s, __u32 id, __u32 first_rule)
{
	for (size_t i = 0; i < s->file_count; i++) {
		s->files[i].key.policy_id = id;
		s->files[i].value.rule_id += first_rule;
	}
	for (size_t i = 0; i < s->name_count; i++) {
		s->names[i].key.policy_id = id;
		s->names[i].value.rule_id += first_rule;
	}
	for (size_t i = 0; i < s->info_count; i++) {
		s->infos[i].rule += first_rule;
	}
	/* qsort must not be given a NULL array, even an empty one. */
	if (s->file_count)
		qsort(s->files, s->file_count, sizeof(*s->files), by_file_key);
	if (s->name_count)
		qsort(s->names, s->name_count, sizeof(*s->names), by_name_key);
	s->file_count = merge_same_keys(s->files, s->file_count, sizeof(*s->files),
					sizeof(struct cl_file_key));
	s->name_count = merge_same_keys(s->names, s->name_count, sizeof(*s->names),
					sizeof(struct cl_name_key));
}

/* Split key-value pairs into the key and value arrays a batch takes. */
static int write_pairs(int fd, const void *pairs, size_t count, size_t key_size, size_t value_size,
		       long *failed)
{
	size_t pair = key_size + value_size;
	unsigned char *keys = malloc(count * key_size + 1);
	unsigned char *values = malloc(count * value_size + 1);
	const unsigned char *p = pairs;

	*failed = -1;
	if (!keys || !values) {
		free(keys);
		free(values);
		errno = ENOMEM;
		*failed = 0;
		return -1;
	}
	for (size_t i = 0; i < count; i++) {
		memcpy(keys + i * key_size, p + i * pair, key_size);
		memcpy(values + i * value_size, p + i * pair + key_size, value_size);
	}
	*failed = cl_map_update_many(fd, keys, key_size, values, value_size, count);
	free(keys);
	free(values);
	return *failed < 0 ? 0 : -1;
}

static const char *rule_path(const struct staged *s, __u32 rule_id)
{
	for (size_t i = 0; i < s->info_count; i++) {
		if (s->infos[i].rule == rule_id)
			return s->infos[i].path;
	}
	return "?";
}

/*
 * The records events name rules by (cl_rule_info), written before the
 * rules, and the policy's default record when it has a default source.
 */
static int write_records(struct cl_maps *maps, const struct staged *s, __u32 policy_id)
{
	struct cl_rule_info *records = calloc(s->info_count + 1, sizeof(*records));
	__u32 *ids = calloc(s->info_count + 1, sizeof(*ids));
	size_t n = s->info_count;
	long failed = 0;

	if (records && ids) {
		for (size_t i = 0; i < n; i++) {
			const struct info_ref *ref = &s->infos[i];

			ids[i] = ref->rule;
			records[i].policy_id = policy_id;
			records[i].access = ref->access;
			cl_strlcpy(records[i].path, ref->path, sizeof(records[i].path));
			cl_strlcpy(records[i].source, ref->source, sizeof(records[i].source));
		}
		if (s->default_source[0]) {
			ids[n] = CL_DEFAULT_RECORD_BIT | policy_id;
			records[n].policy_id = policy_id;
			records[n].access = CL_ACC_DENY;
			cl_strlcpy(records[n++].source, s->default_source,
				   sizeof(records[0].source));
		}
		failed = cl_map_update_many(maps->rule_info, ids, sizeof(*ids), records,
					    sizeof(*records), n);
	} else {
		errno = ENOMEM;
	}
	free(records);
	free(ids);
	return failed < 0 ? 0 : -1;
}

static int write_file_entries(struct cl_maps *maps, const struct staged *s, __u32 policy_id)
{
	long failed;

	_Static_assert(sizeof(struct file_entry) ==
			       sizeof(struct cl_file_key) + sizeof(struct cl_file_rule),
		       "file entries are packed key-value pairs");
	_Static_assert(sizeof(struct name_entry) ==
			       sizeof(struct cl_name_key) + sizeof(struct cl_file_rule),
		       "name entries are packed key-value pairs");
	if (write_records(maps, s, policy_id) < 0) {
		cl_error("cannot store the rule records: %s", strerror(errno));
		return -1;
	}
	/*
	 * The walk looks an inode up only if its bit is set: set before the
	 * rule exists, and long before a switch binds the policy.
	 */
	for (size_t i = 0; i < s->file_count; i++) {
		__u32 bit = cl_ruled_bit(s->files[i].key.dev, s->files[i].key.ino);

		__atomic_fetch_or(&maps->ruled_mem->words[bit / 64], 1ULL << (bit % 64),
				  __ATOMIC_SEQ_CST);
	}
	/* And a directory's names are looked up only if its anchor bit is set. */
	for (size_t i = 0; i < s->name_count; i++) {
		const struct cl_name_key *key = &s->names[i].key;
		__u32 bit = cl_anchor_bit(key->dev, key->ino);

		if (!key->dev || !key->name[0])
			continue;
		__atomic_fetch_or(&maps->ruled_mem->words[bit / 64], 1ULL << (bit % 64),
				  __ATOMIC_SEQ_CST);
	}
	if (write_pairs(maps->file_rules, s->files, s->file_count, sizeof(struct cl_file_key),
			sizeof(struct cl_file_rule), &failed) < 0) {
		cl_error("cannot store the rule for %s: %s",
			 rule_path(s, s->files[failed].value.rule_id), strerror(errno));
		return -1;
	}
	if (write_pairs(maps->name_rules, s->names, s->name_count, sizeof(struct cl_name_key),
			sizeof(struct cl_file_rule), &failed) < 0) {
		cl_error("cannot store the rule for %s: %s",
			 rule_path(s, s->names[failed].value.rule_id), strerror(errno));
		return -1;
	}
	return 0;
}

static int write_net_node(struct cl_maps *maps, __u32 policy_id, const struct cl_net_node *node)
{
	struct cl_net4_key k4 = { .prefixlen = 32 + node->prefix, .policy_id = policy_id };
	struct cl_net6_key k6 = { .prefixlen = 32 + node->prefix, .policy_id = policy_id };
	int err;

	if (node->family == AF_INET) {
		memcpy(k4.addr, node->addr, 4);
		err = bpf_map_update_elem(maps->net4, &k4, &node->value, BPF_ANY);
	} else {
		memcpy(k6.addr, node->addr, 16);
		err = bpf_map_update_elem(maps->net6, &k6, &node->value, BPF_ANY);
	}
	if (err)
		cl_error("cannot store a network prefix: %s", strerror(errno));
	return err ? -1 : 0;
}

/* Network rules: one trie entry per prefix, one name entry per abstract socket. */
static int write_net_rules(struct cl_maps *maps, __u32 policy_id, __u32 first_rule_id,
			   const struct cl_net_list *net)
{
	struct cl_net_node *nodes;
	size_t count;
	char err[512];
	int ret = 0;

	if (cl_net_build(net, first_rule_id, &nodes, &count, err, sizeof(err)) < 0) {
		cl_error("%s", err);
		return -1;
	}
	for (size_t i = 0; i < count && !ret; i++)
		ret = write_net_node(maps, policy_id, &nodes[i]);
	free(nodes);
	for (size_t i = 0; i < net->count && !ret; i++) {
		const struct cl_net_rule *rule = &net->rules[i];
		__u32 rule_id = first_rule_id + i;
		struct cl_unix_key key = { .policy_id = policy_id };

		if (rule->family != AF_UNIX || !rule->allow)
			continue;
		memcpy(key.name, rule->name, strnlen(rule->name, sizeof(key.name)));
		if (bpf_map_update_elem(maps->unix_names, &key, &rule_id, BPF_ANY)) {
			cl_error("cannot store the rule %s: %s", rule->text, strerror(errno));
			ret = -1;
		}
	}
	return ret;
}

/* The record goes last: a policy that has one is whole (cl_policy_reusable relies on it). */
static int write_policy_info(struct cl_maps *maps, __u32 policy_id, const struct cl_agent *agent,
			     const struct staged *s)
{
	struct cl_policy_info info = {
		.cap_drop = agent->cap_drop,
		.flags = (s->named || s->places ? CL_POLICY_NAME_RULES : 0) |
			 (agent->no_exec ? CL_POLICY_NO_EXEC : 0),
		.name_lengths = s->named,
	};

	memcpy(info.digest, s->digest, sizeof(info.digest));
	if (bpf_map_update_elem(maps->policies, &policy_id, &info, BPF_ANY)) {
		cl_error("cannot store policy %u: %s", policy_id, strerror(errno));
		return -1;
	}
	return 0;
}

static int write_policy(struct cl_maps *maps, const struct cl_agent *agent, struct staged *s,
			__u32 *policy_id)
{
	__u32 id, first_rule;

	/* Reserve the ids first: a crash half-way leaves garbage, never a reuse. */
	if (cl_policy_reserve(maps, agent->files.count + agent->net.count,
			      s->info_count + !!s->default_source[0], &id, &first_rule) < 0)
		return -1;
	number_entries(s, id, first_rule);
	if (write_file_entries(maps, s, id) < 0 ||
	    write_net_rules(maps, id, first_rule + agent->files.count, &agent->net) < 0 ||
	    write_policy_info(maps, id, agent, s) < 0) {
		cl_policy_delete(maps, id);
		return -1;
	}
	*policy_id = id;
	return 0;
}

int cl_policy_install(struct cl_maps *maps, const struct cl_agent *agent, uint32_t *policy_id)
{
	struct cl_install *in = install_state(maps);
	struct staged s;
	long known;
	int ret;

	if (!in) {
		cl_error("out of memory");
		return -1;
	}
	ret = stage_policy(in, agent, &s);
	if (ret == 0) {
		known = cl_name_index_get(&in->digests, s.hex);
		if (known > 0) {
			*policy_id = known;
		} else {
			ret = write_policy(maps, agent, &s, policy_id);
			/* Not remembered (no memory): the next identical one is written again. */
			if (ret == 0)
				cl_name_index_put(&in->digests, s.hex, *policy_id);
		}
	}
	staged_free(&s);
	return ret;
}

struct reusable_scan {
	struct cl_install *in;
	const uint32_t *ids; /* sorted ascending */
	size_t count;
};

static int offer(const void *key, const void *value, void *ctx)
{
	const struct cl_policy_info *info = value;
	struct reusable_scan *scan = ctx;
	static const __u8 none[sizeof(info->digest)];
	__u32 id;
	char hex[33];

	memcpy(&id, key, sizeof(id));
	if (!bsearch(&id, scan->ids, scan->count, sizeof(id), cl_u32_cmp) ||
	    !memcmp(info->digest, none, sizeof(none)))
		return 0;
	digest_hex(info->digest, hex);
	cl_name_index_put(&scan->in->digests, hex, id);
	return 0;
}

int cl_policy_reusable(struct cl_maps *maps, const uint32_t *ids, size_t count)
{
	struct reusable_scan scan = { .in = install_state(maps), .ids = ids, .count = count };

	if (!scan.in)
		return -1;
	return cl_map_scan(maps->policies, 1, offer, &scan);
}

void cl_install_forget(struct cl_maps *maps)
{
	struct cl_install *in = maps->cache;

	if (in)
		cl_name_index_free(&in->digests);
}
