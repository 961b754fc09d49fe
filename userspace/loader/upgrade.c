// SPDX-License-Identifier: GPL-2.0
/*
 * upgrade.c - hand the loaded programs over to a new clawlock binary with
 * no moment when nothing enforces.
 *
 * Only the executable that loaded clawlock may touch its pins and maps
 * (self-protection), so a new binary cannot simply load over the old one.
 * The old binary (the loader) authorises the new one as its successor in
 * the guard, then runs it. The successor opens the pinned maps (reusing
 * those of the same layout, migrating the others), loads and attaches its
 * own programs beside the old ones, moves every pin over to its own objects,
 * makes itself the loader, and only then lets the old programs go. While
 * both sets are attached, the kernel runs both on every hook and the first
 * denial wins: two at once is stricter than either, never looser.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "loader/bpfload.h"
#include "loader/bpfstate.h"
#include "clawlock.skel.h"
#include "loader/upgrade.h"
#include "util.h"

extern char **environ;

/* One pin moved from an old object to a new one, undone on failure. */
struct pin_swap {
	char path[PATH_MAX];
	int old_fd; /* what was pinned there (-1: nothing), held until the end */
};

/* A pinned map of another layout, copied into the new object's map. */
struct migration {
	struct bpf_map *map;
	int old_fd;
	struct bpf_map_info old;
};

/* What became of each map of the new object, by its order in the object. */
enum map_fate {
	MAP_FRESH,   /* internal (no pin), or migrated into before its pin moves */
	MAP_REUSED,  /* the pinned map itself, same layout */
	MAP_CREATED, /* not pinned before: created and pinned by this load */
};

struct takeover {
	struct clawlock_bpf *skel;
	int objects_fd; /* the pinned cl_objects, before the load reuses it */
	enum map_fate *fates;
	struct migration *migrations;
	size_t migrated;
	struct bpf_link **links; /* one per program, NULL where left out */
	size_t programs;
	struct pin_swap *swaps;
	size_t swapped;
	size_t kept; /* maps reused as pinned */
};

/* The kernel's identity of the executable @fd or this process's (@fd < 0). */
static int exe_identity(int fd, __u32 *dev, __u64 *ino)
{
	struct stat st;

	if ((fd >= 0 ? fstat(fd, &st) : stat("/proc/self/exe", &st)) < 0)
		return -1;
	*dev = cl_kernel_dev(st.st_dev);
	*ino = st.st_ino;
	return 0;
}

static int guard_read(int fd, struct cl_guard *guard)
{
	__u32 zero = 0;

	if (bpf_map_lookup_elem(fd, &zero, guard)) {
		cl_error("cannot read cl_guard: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static int guard_write(int fd, const struct cl_guard *guard)
{
	__u32 zero = 0;

	return bpf_map_update_elem(fd, &zero, guard, BPF_ANY) ? -errno : 0;
}

/* Name (or, with @dev 0, take back) the successor in the guard. */
static int authorise(int guard_fd, __u32 dev, __u64 ino)
{
	struct cl_guard guard;
	int err;

	if (guard_read(guard_fd, &guard) < 0)
		return -1;
	guard.successor_dev = dev;
	guard.successor_ino = ino;
	/* CLOCK_BOOTTIME: the clock the programs read (bpf_ktime_get_boot_ns). */
	guard.successor_until = dev ? (__u64)cl_clock_ns(CLOCK_BOOTTIME) + CL_SUCCESSOR_NS : 0;
	err = guard_write(guard_fd, &guard);
	if (err && dev)
		cl_error("cannot authorise the new binary in cl_guard: %s", strerror(-err));
	return err;
}

/* ---- The successor's side ---- */

static bool is_percpu(enum bpf_map_type type)
{
	return type == BPF_MAP_TYPE_PERCPU_HASH || type == BPF_MAP_TYPE_PERCPU_ARRAY ||
	       type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
}

/*
 * Maps that carry nothing a copy could keep: a fresh one replaces them.
 * Event rings hold records in flight. Local storage cannot be walked from
 * userspace, and clawlock keeps only caches in it (cl_task_cache), which
 * the programs fill again on the next miss.
 */
static bool holds_no_state(enum bpf_map_type type)
{
	return type == BPF_MAP_TYPE_RINGBUF || type == BPF_MAP_TYPE_PERF_EVENT_ARRAY ||
	       type == BPF_MAP_TYPE_TASK_STORAGE || type == BPF_MAP_TYPE_INODE_STORAGE ||
	       type == BPF_MAP_TYPE_SK_STORAGE;
}

/*
 * Can the pinned map (@old) be carried into @map? A layout may only grow:
 * the same type, key and flags, values with fields appended (zero meaning
 * what the old version did) and room for at least as many entries. The
 * guard's own maps must not change at all: the old programs read them
 * until the end. 1: migrate, 0: same layout, -1: refused (said).
 */
static int judge_layout(const struct bpf_map *map, const struct bpf_map_info *old)
{
	const char *name = bpf_map__name(map);
	bool same = old->type == bpf_map__type(map) && old->key_size == bpf_map__key_size(map) &&
		    old->value_size == bpf_map__value_size(map) &&
		    old->max_entries == bpf_map__max_entries(map) &&
		    old->map_flags == bpf_map__map_flags(map);

	if (same)
		return 0;
	if (!strcmp(name, "cl_guard") || !strcmp(name, "cl_objects")) {
		cl_error(
			"%s: its layout changed (self-protection reads it during the hand-over), "
			"so this binary cannot take over: unload with the old one and load this one",
			name);
		return -1;
	}
	if (old->type != bpf_map__type(map) || old->key_size != bpf_map__key_size(map) ||
	    old->map_flags != bpf_map__map_flags(map) ||
	    old->value_size > bpf_map__value_size(map) ||
	    old->max_entries > bpf_map__max_entries(map)) {
		cl_error(
			"%s: no migration from the pinned layout (type %u, key %u, value %u bytes, "
			"%u entries, flags %#x) to this binary's (type %u, key %u, value %u, %u, "
			"%#x): only values that grow and tables that grow are carried over",
			name, old->type, old->key_size, old->value_size, old->max_entries,
			old->map_flags, bpf_map__type(map), bpf_map__key_size(map),
			bpf_map__value_size(map), bpf_map__max_entries(map),
			bpf_map__map_flags(map));
		return -1;
	}
	return 1;
}

/* Is map @id one the guard records (cl_objects, pinned)? */
static bool is_ours(const struct takeover *t, __u32 id)
{
	struct cl_object_key key = { .kind = CL_OBJ_MAP, .id = id };
	__u32 one;

	return !bpf_map_lookup_elem(t->objects_fd, &key, &one);
}

/*
 * Before the load: every pinned map of the same layout is reused as it is
 * (libbpf, by pin path); one whose layout grew gets a fresh map, filled
 * after the load; one the old version did not have is created and pinned.
 */
static int plan_maps(struct takeover *t)
{
	struct bpf_map *map;
	size_t count = 0, n = 0;

	bpf_object__for_each_map (map, t->skel->obj)
		count++;
	t->migrations = calloc(count, sizeof(*t->migrations));
	t->fates = calloc(count, sizeof(*t->fates));
	if (!t->migrations || !t->fates)
		return -1;
	bpf_object__for_each_map (map, t->skel->obj) {
		struct migration *m = &t->migrations[t->migrated];
		enum map_fate *fate = &t->fates[n++];
		__u32 len = sizeof(m->old);
		int fd, verdict;

		if (!bpf_map__pin_path(map))
			continue;
		fd = bpf_obj_get(bpf_map__pin_path(map));
		if (fd < 0 && errno == ENOENT) {
			*fate = MAP_CREATED;
			continue;
		}
		if (fd < 0) {
			cl_error("cannot open %s: %s", bpf_map__pin_path(map), strerror(errno));
			return -1;
		}
		memset(&m->old, 0, sizeof(m->old));
		if (bpf_obj_get_info_by_fd(fd, &m->old, &len)) {
			cl_error("cannot read %s: %s", bpf_map__pin_path(map), strerror(errno));
			verdict = -1;
		} else if (!is_ours(t, m->old.id)) {
			/* Nobody else may pin under our root; if someone did, it is not ours. */
			cl_error("%s is not a map clawlock recorded: refusing to take it over",
				 bpf_map__pin_path(map));
			verdict = -1;
		} else {
			verdict = judge_layout(map, &m->old);
		}
		if (verdict <= 0) {
			close(fd);
			if (verdict < 0)
				return -1;
			*fate = MAP_REUSED;
			t->kept++;
			continue;
		}
		if (bpf_map__set_pin_path(map, NULL)) {
			close(fd);
			return -1;
		}
		m->map = map;
		m->old_fd = fd;
		t->migrated++;
	}
	return 0;
}

/* How a migration lays its values out (per-CPU maps: one slot a CPU). */
struct value_shape {
	size_t cpus, old_slot, new_slot, old_size;
};

static struct value_shape shape_of(const struct migration *m)
{
	bool percpu = is_percpu(m->old.type);
	size_t new_size = bpf_map__value_size(m->map);
	struct value_shape v = {
		.cpus = percpu ? (size_t)libbpf_num_possible_cpus() : 1,
		.old_slot = percpu ? (m->old.value_size + 7) / 8 * 8 : m->old.value_size,
		.new_slot = percpu ? (new_size + 7) / 8 * 8 : new_size,
		.old_size = m->old.value_size,
	};

	return v;
}

/* Write one old entry into the new map, its value zero-extended. */
static int carry_one(const struct migration *m, const struct value_shape *v, const void *key,
		     const unsigned char *old_value, unsigned char *new_value, __u64 flags)
{
	memset(new_value, 0, v->cpus * v->new_slot);
	for (size_t cpu = 0; cpu < v->cpus; cpu++)
		memcpy(new_value + cpu * v->new_slot, old_value + cpu * v->old_slot, v->old_size);
	if (!bpf_map_update_elem(bpf_map__fd(m->map), key, new_value, flags))
		return 0;
	/* The second pass adds only what is missing. */
	return flags == BPF_NOEXIST && errno == EEXIST ? 0 : -1;
}

/*
 * Key by key, for maps without batch lookups (LPM tries). Only clawlock
 * writes those, under the lock, so no key goes away under the walk.
 */
static int carry_by_key(const struct migration *m, const struct value_shape *v,
			unsigned char *old_value, unsigned char *new_value, __u64 flags)
{
	unsigned char key[128], next[128];
	void *prev = NULL;

	if (m->old.key_size > sizeof(key))
		return -1;
	while (!bpf_map_get_next_key(m->old_fd, prev, next)) {
		if (!bpf_map_lookup_elem(m->old_fd, next, old_value) &&
		    carry_one(m, v, next, old_value, new_value, flags) < 0)
			return -1;
		memcpy(key, next, m->old.key_size);
		prev = key;
	}
	return errno == ENOENT ? 0 : -1;
}

/*
 * Copy every entry of @m's pinned map into the new one, values
 * zero-extended, a thousand a call: a batch walk does not start over when
 * the programs delete the key it stands on. @flags BPF_NOEXIST adds only
 * the keys the new map lacks.
 */
static int copy_entries(const struct migration *m, __u64 flags)
{
	enum {
		BATCH = 1024
	};
	struct value_shape v = shape_of(m);
	unsigned char *keys = calloc(BATCH, m->old.key_size + 1);
	unsigned char *values = calloc(BATCH, v.cpus * v.old_slot + 1);
	unsigned char *new_value = calloc(1, v.cpus * v.new_slot + 1);
	unsigned char token[128];
	void *in = NULL;
	int ret = -1;

	if (!keys || !values || !new_value || m->old.key_size > sizeof(token))
		goto out;
	for (;;) {
		__u32 count = BATCH;
		int err = bpf_map_lookup_batch(m->old_fd, in, token, keys, values, &count, NULL);

		if (err && errno != ENOENT) {
			ret = in ? -1 : carry_by_key(m, &v, values, new_value, flags);
			break;
		}
		for (__u32 i = 0; i < count; i++) {
			if (carry_one(m, &v, keys + (size_t)i * m->old.key_size,
				      values + (size_t)i * v.cpus * v.old_slot, new_value, flags))
				goto out;
		}
		if (err) {
			ret = 0;
			break;
		}
		in = token;
	}
out:
	if (ret)
		cl_error("cannot carry %s over: %s", bpf_map__name(m->map), strerror(errno));
	free(keys);
	free(values);
	free(new_value);
	return ret;
}

static int migrate_maps(struct takeover *t)
{
	for (size_t i = 0; i < t->migrated; i++) {
		struct migration *m = &t->migrations[i];

		if (holds_no_state(m->old.type))
			continue;
		if (copy_entries(m, BPF_ANY) < 0)
			return -1;
		cl_debug("%s: carried over into values of %u bytes (were %u)",
			 bpf_map__name(m->map), bpf_map__value_size(m->map), m->old.value_size);
	}
	return 0;
}

/* Does object @id (@kind) still exist? (We may open it: we are the successor.) */
static bool object_exists(__u32 kind, __u32 id)
{
	int fd = kind == CL_OBJ_MAP    ? bpf_map_get_fd_by_id(id)
		 : kind == CL_OBJ_PROG ? bpf_prog_get_fd_by_id(id)
				       : bpf_link_get_fd_by_id(id);

	if (fd >= 0)
		close(fd);
	return fd >= 0 || errno != ENOENT;
}

/*
 * Forget the ids of objects that are gone: what earlier hand-overs could
 * not name (the old object's internal maps, programs on dropped hooks).
 * Ids are not reused soon, but cl_objects must have room for two loads.
 */
static void prune_objects(struct takeover *t)
{
	struct cl_object_key key, next, gone[256];
	size_t count = 0;
	void *prev = NULL;

	while (count < 256 && !bpf_map_get_next_key(t->objects_fd, prev, &next)) {
		if (!object_exists(next.kind, next.id))
			gone[count++] = next;
		key = next;
		prev = &key;
	}
	for (size_t i = 0; i < count; i++)
		bpf_map_delete_elem(t->objects_fd, &gone[i]);
}

/*
 * Guard every map of the new object at once, before anything is copied
 * into it (and the kernel refuses others any object by id meanwhile).
 */
static int record_maps(struct takeover *t)
{
	struct bpf_map *map;

	bpf_object__for_each_map (map, t->skel->obj) {
		int err = cl_record_object(t->skel, CL_OBJ_MAP, bpf_map__fd(map));

		if (err) {
			cl_error("cannot record map %s for self-protection: %s", bpf_map__name(map),
				 strerror(-err));
			return -1;
		}
	}
	return 0;
}

/* Attach every program beside the old ones, each guarded before it decides. */
static int attach_all(struct takeover *t)
{
	struct bpf_program *prog;
	size_t i = 0;

	bpf_object__for_each_program (prog, t->skel->obj)
		t->programs++;
	t->links = calloc(t->programs, sizeof(*t->links));
	if (!t->links)
		return -1;
	bpf_object__for_each_program (prog, t->skel->obj) {
		struct bpf_link *link;
		int err;

		if (!bpf_program__autoload(prog)) {
			i++;
			continue;
		}
		err = cl_record_object(t->skel, CL_OBJ_PROG, bpf_program__fd(prog));
		link = err ? NULL : bpf_program__attach(prog);
		if (!link) {
			cl_error("cannot %s %s: %s", err ? "record" : "attach",
				 bpf_program__name(prog), strerror(err ? -err : errno));
			return -1;
		}
		t->links[i++] = link;
		err = cl_record_object(t->skel, CL_OBJ_LINK, bpf_link__fd(link));
		if (err) {
			cl_error("cannot record the link of %s: %s", bpf_program__name(prog),
				 strerror(-err));
			return -1;
		}
	}
	return 0;
}

/*
 * Make @path hold @fd in one step: pinned under a name of its own, then
 * renamed over the old pin. At every moment the name holds the old object
 * or the new one, so even a hand-over killed here leaves every hook with
 * a program. bpffs names take no dots, hence "new_".
 */
static int pin_over(const char *path, int fd)
{
	char tmp[PATH_MAX];

	snprintf(tmp, sizeof(tmp), "%s/new_%s", CL_PIN_ROOT, strrchr(path, '/') + 1);
	unlink(tmp); /* left by a hand-over that was killed */
	if (bpf_obj_pin(fd, tmp))
		return -1;
	if (rename(tmp, path) == 0)
		return 0;
	unlink(tmp);
	return -1;
}

/* Pin @fd at @path in place of what is pinned there, which is kept open. */
static int swap_pin(struct takeover *t, const char *path, int fd)
{
	struct pin_swap *s = &t->swaps[t->swapped];

	snprintf(s->path, sizeof(s->path), "%s", path);
	s->old_fd = bpf_obj_get(path);
	if (s->old_fd < 0 && errno != ENOENT) {
		cl_error("cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	if (pin_over(path, fd)) {
		cl_error("cannot pin %s: %s", path, strerror(errno));
		if (s->old_fd >= 0)
			close(s->old_fd);
		return -1;
	}
	t->swapped++;
	return 0;
}

/* Put every swapped pin back as it was (a failed hand-over). */
static void unswap_pins(struct takeover *t)
{
	while (t->swapped) {
		struct pin_swap *s = &t->swaps[--t->swapped];

		if (s->old_fd < 0)
			unlink(s->path);
		else if (pin_over(s->path, s->old_fd))
			cl_error("cannot pin the old %s again: %s", s->path, strerror(errno));
		if (s->old_fd >= 0)
			close(s->old_fd);
	}
}

/*
 * The migrated maps first: from then on a writer opening them by name
 * finds the new layout, which an old binary refuses, so nothing writes a
 * map that only old programs read. Then every link and program pin.
 */
static int swap_pins(struct takeover *t)
{
	struct bpf_program *prog;
	char path[PATH_MAX];
	size_t i = 0;

	t->swaps = calloc(2 * t->programs + t->migrated, sizeof(*t->swaps));
	if (!t->swaps)
		return -1;
	for (size_t m = 0; m < t->migrated; m++) {
		snprintf(path, sizeof(path), "%s/%s", CL_PIN_ROOT,
			 bpf_map__name(t->migrations[m].map));
		if (swap_pin(t, path, bpf_map__fd(t->migrations[m].map)))
			return -1;
	}
	bpf_object__for_each_program (prog, t->skel->obj) {
		struct bpf_link *link = t->links[i++];
		const char *name = bpf_program__name(prog);

		if (!link)
			continue;
		if (cl_pin_path(path, sizeof(path), "link", name) ||
		    swap_pin(t, path, bpf_link__fd(link)) ||
		    cl_pin_path(path, sizeof(path), "prog", name) ||
		    swap_pin(t, path, bpf_program__fd(prog)))
			return -1;
	}
	return 0;
}

/*
 * Is @name (an entry of CL_PIN_ROOT) a link or program pin that no swap
 * moved? Then it belongs to a hook the new binary no longer has.
 */
static bool is_stale_pin(const struct takeover *t, const char *name)
{
	char path[PATH_MAX];

	if (strncmp(name, "link_", 5) && strncmp(name, "prog_", 5))
		return false;
	snprintf(path, sizeof(path), "%s/%s", CL_PIN_ROOT, name);
	for (size_t i = 0; i < t->swapped; i++) {
		if (!strcmp(t->swaps[i].path, path))
			return false;
	}
	return true;
}

/* Unpin the old programs on hooks this binary leaves out (links first). */
static void unpin_stale(const struct takeover *t)
{
	static const char *const kinds[] = { "link_", "prog_" };

	for (size_t k = 0; k < 2; k++) {
		DIR *dir = opendir(CL_PIN_ROOT);
		struct dirent *ent;

		while (dir && (ent = readdir(dir))) {
			char path[PATH_MAX];

			if (strncmp(ent->d_name, kinds[k], 5) || !is_stale_pin(t, ent->d_name))
				continue;
			snprintf(path, sizeof(path), "%s/%s", CL_PIN_ROOT, ent->d_name);
			if (unlink(path) < 0)
				cl_error("cannot remove %s: %s", path, strerror(errno));
			else
				cl_debug("%s: not in this binary, removed", ent->d_name);
		}
		if (dir)
			closedir(dir);
	}
}

/*
 * Make this executable the loader, with no successor: one write, so the
 * programs never see a guard that trusts neither binary.
 */
static int become_loader(int fd)
{
	struct cl_guard guard;
	int err;

	if (guard_read(fd, &guard) < 0)
		return -1;
	if (exe_identity(-1, &guard.loader_dev, &guard.loader_ino) < 0) {
		cl_error("cannot find this executable: %s", strerror(errno));
		return -1;
	}
	guard.successor_dev = 0;
	guard.successor_ino = 0;
	guard.successor_until = 0;
	err = guard_write(fd, &guard);
	if (err)
		cl_error("cannot write cl_guard: %s", strerror(-err));
	return err ? -1 : 0;
}

/* What a pin under CL_PIN_ROOT holds, by its name. */
static __u32 pin_kind(const char *path)
{
	const char *name = strrchr(path, '/') + 1;

	return !strncmp(name, "link_", 5)   ? CL_OBJ_LINK
	       : !strncmp(name, "prog_", 5) ? CL_OBJ_PROG
					    : CL_OBJ_MAP;
}

/* Forget object @id (@kind) in cl_objects: it is ours no more. */
static void forget_id(struct takeover *t, __u32 kind, __u32 id)
{
	struct cl_object_key key = { .kind = kind, .id = id };

	if (id)
		bpf_map_delete_elem(t->objects_fd, &key);
}

/*
 * A failed hand-over leaves nothing of the new binary: its programs and
 * links go with it, and so do the ids it recorded and the maps it pinned.
 */
static void forget_new_objects(struct takeover *t)
{
	struct bpf_program *prog;
	struct bpf_map *map;
	size_t i = 0;

	bpf_object__for_each_program (prog, t->skel->obj) {
		forget_id(t, CL_OBJ_PROG, cl_object_id(CL_OBJ_PROG, bpf_program__fd(prog)));
		if (t->links && i < t->programs && t->links[i])
			forget_id(t, CL_OBJ_LINK,
				  cl_object_id(CL_OBJ_LINK, bpf_link__fd(t->links[i])));
		i++;
	}
	i = 0;
	bpf_object__for_each_map (map, t->skel->obj) {
		enum map_fate fate = t->fates[i++];

		if (fate == MAP_REUSED)
			continue;
		forget_id(t, CL_OBJ_MAP, cl_object_id(CL_OBJ_MAP, bpf_map__fd(map)));
		if (fate == MAP_CREATED)
			bpf_map__unpin(map, NULL);
	}
}

/*
 * Let the old programs go: the last reference to each old link detaches
 * it. Its id is forgotten only once it is closed, so the guard covers it
 * to the end.
 */
static void release_old(struct takeover *t)
{
	for (size_t i = 0; i < t->swapped; i++) {
		struct pin_swap *s = &t->swaps[i];
		__u32 kind = pin_kind(s->path), id;

		if (s->old_fd < 0)
			continue;
		id = cl_object_id(kind, s->old_fd);
		close(s->old_fd);
		s->old_fd = -1;
		forget_id(t, kind, id);
	}
	t->swapped = 0;
}

/*
 * The old programs wrote into the old maps until they were let go (a file
 * owner set meanwhile, a key made): carry over what the new maps still
 * lack. Entries the new programs wrote since stay as they are.
 */
static void carry_late_entries(struct takeover *t)
{
	for (size_t i = 0; i < t->migrated; i++) {
		struct migration *m = &t->migrations[i];

		if (!holds_no_state(m->old.type))
			copy_entries(m, BPF_NOEXIST);
	}
}

/* The new links stay, held by their pins. */
static size_t keep_links(struct takeover *t)
{
	size_t attached = 0;

	for (size_t i = 0; i < t->programs; i++) {
		if (!t->links[i])
			continue;
		bpf_link__disconnect(t->links[i]);
		attached++;
	}
	return attached;
}

static void takeover_free(struct takeover *t)
{
	for (size_t i = 0; i < t->programs && t->links; i++)
		bpf_link__destroy(t->links[i]);
	for (size_t i = 0; i < t->migrated; i++)
		close(t->migrations[i].old_fd);
	if (t->objects_fd >= 0)
		close(t->objects_fd);
	free(t->links);
	free(t->fates);
	free(t->migrations);
	free(t->swaps);
	clawlock_bpf__destroy(t->skel);
}

/*
 * Are we the successor the loader authorised, run from a file that still
 * has a name? Said if not. Returns the guard's descriptor.
 */
static int check_authorised(void)
{
	struct cl_guard guard;
	struct stat exe;
	int fd = bpf_obj_get(CL_PIN_ROOT "/cl_guard");

	if (fd < 0) {
		cl_error("this executable may not take over (%s): the clawlock that loaded the "
			 "programs authorises it, with 'clawlock upgrade PATH'",
			 strerror(errno));
		return -1;
	}
	if (guard_read(fd, &guard) < 0 || stat("/proc/self/exe", &exe) < 0) {
		close(fd);
		return -1;
	}
	if (guard.loader_dev == cl_kernel_dev(exe.st_dev) && guard.loader_ino == exe.st_ino)
		cl_error("this executable is already the loader: nothing to take over");
	else if (guard.successor_dev != cl_kernel_dev(exe.st_dev) ||
		 guard.successor_ino != exe.st_ino)
		cl_error("this executable was not authorised to take over: run 'clawlock "
			 "upgrade PATH' with the clawlock that loaded the programs");
	else if (exe.st_nlink < 1)
		cl_error("this executable has no name any more: it may not take over");
	else
		return fd;
	close(fd);
	return -1;
}

/* Load the new object beside the old one, its maps reused or carried over. */
static int load_beside(struct takeover *t)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = CL_PIN_ROOT);
	int err;

	t->objects_fd = bpf_obj_get(CL_PIN_ROOT "/cl_objects");
	if (t->objects_fd < 0) {
		cl_error("cannot open %s/cl_objects: %s", CL_PIN_ROOT, strerror(errno));
		return -1;
	}
	libbpf_set_print(cl_libbpf_print);
	t->skel = clawlock_bpf__open_opts(&opts);
	if (!t->skel) {
		cl_error("cannot open the BPF object: %s", strerror(errno));
		return -1;
	}
	if (plan_maps(t) < 0 || cl_drop_missing_hooks(t->skel) < 0)
		return -1;
	err = clawlock_bpf__load(t->skel);
	if (err) {
		cl_explain_load_error(err);
		return -1;
	}
	return 0;
}

int cl_upgrade_take_over(void)
{
	struct takeover t = { .objects_fd = -1 };
	int guard_fd = check_authorised(), err;

	if (guard_fd < 0)
		return -1;
	if (load_beside(&t) < 0)
		goto fail;
	prune_objects(&t);
	if (record_maps(&t) < 0 || migrate_maps(&t) < 0 || attach_all(&t) < 0 ||
	    cl_walk_cache_arm(t.skel) < 0)
		goto undo;
	/* From here both sets of programs decide, the old ones still pinned. */
	if (swap_pins(&t) < 0 || become_loader(guard_fd) < 0) {
		unswap_pins(&t);
		goto undo;
	}
	unpin_stale(&t);
	release_old(&t);
	carry_late_entries(&t);
	cl_info("took over: %zu programs attached, %zu maps kept as they were, %zu carried "
		"over to a new layout",
		keep_links(&t), t.kept, t.migrated);
	takeover_free(&t);
	close(guard_fd);
	return 0;
undo:
	forget_new_objects(&t);
fail:
	takeover_free(&t);
	/* Still trusted: no successor is left behind, whatever the parent does. */
	err = authorise(guard_fd, 0, 0);
	if (err)
		cl_error("cannot write cl_guard: %s", strerror(err < 0 ? -err : EIO));
	close(guard_fd);
	return -1;
}

/* ---- The loader's side ---- */

/*
 * Is @fd (@path) a file root alone controls, on a filesystem that cannot
 * change it behind the kernel's back? Whoever could change it would choose
 * what runs as the loader.
 */
static int check_candidate(int fd, const char *path, __u32 *dev, __u64 *ino)
{
	static const long remote[] = { 0x65735546 /* FUSE */, 0x6969 /* NFS */,
				       (long)0xff534d42 /* CIFS */, (long)0xfe534d42 /* SMB2 */,
				       0x01021997 /* 9p */ };
	struct statfs fs;
	struct stat st;
	__u32 self_dev;
	__u64 self_ino;

	if (fstat(fd, &st) < 0 || fstatfs(fd, &fs) < 0) {
		cl_error("%s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode) || !(st.st_mode & S_IXUSR)) {
		cl_error("%s: not an executable file", path);
		return -1;
	}
	if (st.st_uid != 0 || (st.st_mode & (S_IWGRP | S_IWOTH)) || st.st_nlink < 1) {
		cl_error("%s: must be owned by root and writable by nobody else (it is uid %u, "
			 "mode %04o)",
			 path, (unsigned int)st.st_uid, (unsigned int)(st.st_mode & 07777));
		return -1;
	}
	for (size_t i = 0; i < sizeof(remote) / sizeof(remote[0]); i++) {
		if ((long)fs.f_type == remote[i]) {
			cl_error("%s: on a network or FUSE filesystem, whose server can change it: "
				 "copy it to a local one",
				 path);
			return -1;
		}
	}
	*dev = cl_kernel_dev(st.st_dev);
	*ino = st.st_ino;
	if (exe_identity(-1, &self_dev, &self_ino) == 0 && self_dev == *dev && self_ino == *ino) {
		cl_error("%s: is this very executable, already the loader", path);
		return -1;
	}
	return 0;
}

static int wait_for(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return -1;
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/*
 * Run the executable @fd with @global then @args (each NULL-terminated,
 * after argv[0]). With @answer, its standard output lands there (up
 * to @size - 1 bytes) and it has 30 s. @inherit (or -1) stays open in it:
 * the writers' lock, held for as long as it runs. Returns its exit status.
 */
static int run_candidate(int fd, const char *const *global, const char *const *args, char *answer,
			 size_t size, int inherit)
{
	const char *argv[12] = { "clawlock" };
	size_t n = 1, got = 0;
	int out[2] = { -1, -1 };
	pid_t pid;

	while (*global && n < sizeof(argv) / sizeof(argv[0]) - 1)
		argv[n++] = *global++;
	while (*args && n < sizeof(argv) / sizeof(argv[0]) - 1)
		argv[n++] = *args++;
	if (answer && pipe2(out, O_CLOEXEC) < 0)
		return -1;
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		if (answer && dup2(out[1], STDOUT_FILENO) < 0)
			_exit(127);
		if (answer)
			alarm(30);
		if (inherit >= 0 && fcntl(inherit, F_SETFD, 0) < 0)
			_exit(127);
		fexecve(fd, (char *const *)argv, environ);
		_exit(127);
	}
	if (answer) {
		close(out[1]);
		while (pid > 0 && got + 1 < size) {
			ssize_t r = read(out[0], answer + got, size - 1 - got);

			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				break;
			got += r;
		}
		answer[got] = '\0';
		close(out[0]);
	}
	return pid < 0 ? -1 : wait_for(pid);
}

/* Does @fd answer as a clawlock that can take over? */
static int check_protocol(int fd, const char *path, const char *const *global)
{
	static const char *const args[] = { "upgrade", "--protocol", NULL };
	char answer[128];
	int status = run_candidate(fd, global, args, answer, sizeof(answer), -1);

	answer[strcspn(answer, "\n")] = '\0';
	if (status == 0 && !strcmp(answer, CL_UPGRADE_PROTOCOL))
		return 0;
	cl_error("%s is not a clawlock that can take over from this one (asked for its upgrade "
		 "protocol, it %s '%.60s'; this one speaks '%s')",
		 path, status == 0 ? "answered" : "failed and said", answer, CL_UPGRADE_PROTOCOL);
	return -1;
}

/*
 * After the successor ran: did it take over? Then this executable is no
 * longer trusted, and opening the guard is refused.
 */
static bool handed_over(void)
{
	int fd = bpf_obj_get(CL_PIN_ROOT "/cl_guard");

	if (fd >= 0) {
		close(fd);
		return false;
	}
	return errno == EPERM;
}

/* Still the file that was checked, with its name? (Now guarded: it cannot change.) */
static int still_the_candidate(int fd, const char *path, __u32 dev, __u64 ino)
{
	struct stat st;

	if (fstat(fd, &st) == 0 && st.st_nlink >= 1 && cl_kernel_dev(st.st_dev) == dev &&
	    st.st_ino == ino)
		return 0;
	cl_error("%s changed while it was being authorised", path);
	return -1;
}

/*
 * Authorise first: from then on the kernel refuses every change to the
 * file, and trusts it only while nobody holds it open for writing. So the
 * binary asked for its protocol is the one that takes over.
 */
static int hand_over_locked(int fd, const char *path, const char *const *global, int *guard_fd,
			    int lock_fd)
{
	static const char *const args[] = { "upgrade", "--take-over", NULL };
	__u32 dev;
	__u64 ino;
	int status = -1, err;

	/* Asked once before, too: no other program is trusted even for a moment. */
	if (check_candidate(fd, path, &dev, &ino) < 0 || check_protocol(fd, path, global) < 0 ||
	    authorise(*guard_fd, dev, ino))
		return -1;
	if (still_the_candidate(fd, path, dev, ino) == 0 && check_protocol(fd, path, global) == 0) {
		cl_info("handing over to %s", path);
		/* Hold no descriptor of clawlock's once it is no longer ours. */
		close(*guard_fd);
		*guard_fd = -1;
		status = run_candidate(fd, global, args, NULL, 0, lock_fd);
		if (handed_over()) {
			if (status)
				cl_error("%s took over but exited with status %d", path, status);
			return status ? -1 : 0;
		}
		cl_error("%s did not take over (exit status %d); the programs loaded by this "
			 "binary still enforce",
			 path, status);
		*guard_fd = cl_open_pinned("cl_guard");
	}
	/* Still ours: take the authorisation back, nothing else changed. */
	err = *guard_fd < 0 ? -EPERM : authorise(*guard_fd, 0, 0);
	if (err)
		cl_error("cannot take the authorisation of %s back: %s", path, strerror(-err));
	return -1;
}

int cl_upgrade_hand_over(const char *path, const char *const *global)
{
	sigset_t quiet, saved;
	int fd, guard_fd, lock_fd, ret = -1;

	if (cl_bpf_require("nothing to hand over ('clawlock load' loads it)") < 0)
		return -1;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		cl_error("%s: %s", path, strerror(errno));
		return -1;
	}
	guard_fd = cl_open_pinned("cl_guard");
	/* No apply, run or daemon update writes while the programs change hands. */
	lock_fd = guard_fd < 0 ? -1 : cl_writers_lock();
	if (lock_fd >= 0) {
		/*
		 * A terminal's ^C or a service manager's TERM would reach both
		 * halves mid-way: both ignore them until the hand-over is done.
		 */
		sigemptyset(&quiet);
		sigaddset(&quiet, SIGINT);
		sigaddset(&quiet, SIGTERM);
		sigaddset(&quiet, SIGHUP);
		sigaddset(&quiet, SIGQUIT);
		sigprocmask(SIG_BLOCK, &quiet, &saved);
		ret = hand_over_locked(fd, path, global, &guard_fd, lock_fd);
		sigprocmask(SIG_SETMASK, &saved, NULL);
		close(lock_fd);
	}
	if (guard_fd >= 0)
		close(guard_fd);
	close(fd);
	return ret;
}
