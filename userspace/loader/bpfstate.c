// SPDX-License-Identifier: GPL-2.0
/*
 * bpfstate.c - load, pin, unload; write policies and bindings.
 *
 * Everything lives under CL_PIN_ROOT in bpffs, so enforcement does not depend
 * on any clawlock process staying alive: maps are pinned by libbpf (by name),
 * programs and links by us as prog_NAME and link_NAME.
 */
#include "loader/bpfstate.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <linux/magic.h>

#include "loader/bpfload.h"
#include "clawlock.skel.h"
#include "util.h"

#define LSM_LIST "/sys/kernel/security/lsm"
#define BPFFS	 "/sys/fs/bpf"

static int read_lsm_list(char *buf, size_t size)
{
	if (!cl_read_first_line(LSM_LIST, buf, size))
		return 0;
	if (errno != ENOENT)
		return -1;
	/* securityfs may just not be mounted (containers, minimal hosts). */
	mount("securityfs", "/sys/kernel/security", "securityfs", 0, NULL);
	return cl_read_first_line(LSM_LIST, buf, size);
}

int cl_bpf_lsm_check(char *why, size_t size)
{
	char list[512], *save = NULL, copy[512];

	if (read_lsm_list(list, sizeof(list)) < 0) {
		snprintf(why, size,
			 "BPF LSM is not active: cannot read %s (%s); the kernel needs "
			 "CONFIG_SECURITY and securityfs",
			 LSM_LIST, strerror(errno));
		return -1;
	}
	cl_strlcpy(copy, list, sizeof(copy));
	for (char *name = strtok_r(copy, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
		if (strcmp(name, "bpf") == 0)
			return 0;
	}
	snprintf(why, size,
		 "BPF LSM is not active: the active LSMs are '%s'; boot with "
		 "lsm=%s,bpf (needs CONFIG_BPF_LSM=y)",
		 list, list);
	return -1;
}

static int ensure_bpffs(void)
{
	struct statfs fs;

	if (statfs(BPFFS, &fs) == 0 && fs.f_type == BPF_FS_MAGIC)
		return 0;
	if (mount("bpf", BPFFS, "bpf", 0, "mode=0700") == 0)
		return 0;
	cl_error("%s is not a bpf filesystem and mounting one failed: %s", BPFFS, strerror(errno));
	return -1;
}

/* Enough to load and attach BPF LSM programs: root's CAP_SYS_ADMIN, or CAP_BPF and CAP_PERFMON. */
static int bpf_privileged(void)
{
	cap_flag_value_t admin = CAP_CLEAR, bpf = CAP_CLEAR, perfmon = CAP_CLEAR;
	cap_t caps = cap_get_proc();

	if (!caps)
		return 1; /* cannot tell: let the kernel say */
	cap_get_flag(caps, CAP_SYS_ADMIN, CAP_EFFECTIVE, &admin);
	cap_get_flag(caps, CAP_BPF, CAP_EFFECTIVE, &bpf);
	cap_get_flag(caps, CAP_PERFMON, CAP_EFFECTIVE, &perfmon);
	cap_free(caps);
	return admin == CAP_SET || (bpf == CAP_SET && perfmon == CAP_SET);
}

static const char need_root[] = "clawlock needs root (CAP_SYS_ADMIN, or CAP_BPF and CAP_PERFMON)";

int cl_bpf_presence(char *why, size_t size)
{
	if (access(CL_PIN_ROOT "/link_cl_file_open", F_OK) == 0)
		return 1;
	if (errno == ENOENT)
		return 0;
	snprintf(why, size, "cannot look under %s: %s%s%s", CL_PIN_ROOT, strerror(errno),
		 errno == EACCES ? ": " : "", errno == EACCES ? need_root : "");
	return -1;
}

int cl_bpf_require(const char *hint)
{
	char why[640];

	switch (cl_bpf_presence(why, sizeof(why))) {
	case 1:
		return 0;
	case 0:
		cl_error("clawlock is not loaded: %s", hint);
		return -1;
	default:
		cl_error("%s", why);
		return -1;
	}
}

int cl_bpf_loaded(void)
{
	char why[256];

	return cl_bpf_presence(why, sizeof(why)) == 1;
}

int cl_pin_path(char *buf, size_t size, const char *kind, const char *name)
{
	/* bpffs refuses dots in names (reserved), hence the underscore. */
	if ((size_t)snprintf(buf, size, "%s/%s_%s", CL_PIN_ROOT, kind, name) >= size)
		return -1;
	return 0;
}

__u32 cl_kernel_dev(dev_t dev)
{
	return (major(dev) << 20) | minor(dev);
}

__u32 cl_object_id(__u32 kind, int fd)
{
	union {
		struct bpf_map_info map;
		struct bpf_prog_info prog;
		struct bpf_link_info link;
	} info;
	__u32 len = kind == CL_OBJ_MAP	  ? sizeof(info.map)
		    : kind == CL_OBJ_PROG ? sizeof(info.prog)
					  : sizeof(info.link);

	memset(&info, 0, sizeof(info));
	if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len))
		return 0;
	return kind == CL_OBJ_MAP ? info.map.id : kind == CL_OBJ_PROG ? info.prog.id : info.link.id;
}

/* Note one of our objects in cl_objects, for the guard. Returns 0 or -errno. */
int cl_record_object(struct clawlock_bpf *skel, __u32 kind, int fd)
{
	struct cl_object_key key = { .kind = kind, .id = cl_object_id(kind, fd) };
	__u32 one = 1;

	if (!key.id)
		return errno ? -errno : -EINVAL;
	if (bpf_map__update_elem(skel->maps.cl_objects, &key, sizeof(key), &one, sizeof(one),
				 BPF_ANY))
		return -errno;
	return 0;
}

/*
 * Ask the armed guard whether it takes us for the loader, as every later
 * clawlock will be asked: it does not while anyone holds this executable
 * open for writing. If not, disarm (through the descriptor we still hold),
 * so that the unload after the failure is not refused.
 */
static int confirm_guard(struct clawlock_bpf *skel)
{
	struct cl_guard off = { 0 };
	__u32 zero = 0;
	int fd = bpf_obj_get(CL_PIN_ROOT "/cl_guard");

	if (fd >= 0) {
		close(fd);
		return 0;
	}
	cl_error("self-protection does not recognise this executable (%s): another process "
		 "holds it open for writing; close that and load again",
		 strerror(errno));
	bpf_map__update_elem(skel->maps.cl_guard, &zero, sizeof(zero), &off, sizeof(off), BPF_ANY);
	return -1;
}

/*
 * Arm the guard: from now on only this executable may open, detach, unpin
 * or unmount what was just pinned. Maps are recorded here, programs and
 * links as they were pinned.
 */
static int arm_guard(struct clawlock_bpf *skel)
{
	struct cl_guard guard = { .armed = 1 };
	struct stat exe, pins;
	struct bpf_map *map;
	__u32 zero = 0;
	int err;

	bpf_object__for_each_map (map, skel->obj) {
		err = cl_record_object(skel, CL_OBJ_MAP, bpf_map__fd(map));
		if (err) {
			cl_error("cannot record map %s for self-protection: %s", bpf_map__name(map),
				 strerror(-err));
			return -1;
		}
	}
	if (stat("/proc/self/exe", &exe) < 0 || stat(CL_PIN_ROOT, &pins) < 0) {
		cl_error("cannot find this executable or %s: %s", CL_PIN_ROOT, strerror(errno));
		return -1;
	}
	guard.loader_dev = cl_kernel_dev(exe.st_dev);
	guard.loader_ino = exe.st_ino;
	guard.pin_dev = cl_kernel_dev(pins.st_dev);
	guard.pin_ino = pins.st_ino;
	if (bpf_map__update_elem(skel->maps.cl_guard, &zero, sizeof(zero), &guard, sizeof(guard),
				 BPF_ANY)) {
		cl_error("cannot arm self-protection: %s", strerror(errno));
		return -1;
	}
	return confirm_guard(skel);
}

/*
 * LSM hooks that only some kernels have. A program on one of them is left
 * out where the running kernel lacks the hook (its bpf_lsm_ function is not
 * in the kernel's BTF); every other program must load, or nothing does.
 */
static const char *const optional_hooks[] = {
	"inode_set_acl",     /* 6.2: before, ACLs are set through inode_setxattr */
	"inode_remove_acl",  /* 6.2: before, through inode_removexattr */
	"inode_get_acl",     /* 6.2: before, ACLs are read through inode_getxattr */
	"file_ioctl_compat", /* 6.8: before, 32-bit ioctls come through file_ioctl */
	"key_free",	     /* not a BPF LSM hook on 6.12: a stale key record then waits
			      * for its address to be reused by a host key (key_alloc) */
};

static bool hook_is_optional(const char *hook)
{
	for (size_t i = 0; i < sizeof(optional_hooks) / sizeof(optional_hooks[0]); i++) {
		if (!strcmp(hook, optional_hooks[i]))
			return true;
	}
	return false;
}

/* Leave out the programs on optional hooks this kernel does not have. */
int cl_drop_missing_hooks(struct clawlock_bpf *skel)
{
	struct btf *vmlinux = btf__load_vmlinux_btf();
	struct bpf_program *prog;

	if (!vmlinux) {
		cl_error("cannot read the kernel's BTF: %s", strerror(errno));
		return -1;
	}
	bpf_object__for_each_program (prog, skel->obj) {
		const char *hook = bpf_program__section_name(prog);
		char func[128];

		if (strncmp(hook, "lsm/", 4) || !hook_is_optional(hook + 4))
			continue;
		snprintf(func, sizeof(func), "bpf_lsm_%s", hook + 4);
		if (btf__find_by_name_kind(vmlinux, func, BTF_KIND_FUNC) >= 0)
			continue;
		cl_debug("this kernel has no %s hook: %s left out", hook + 4,
			 bpf_program__name(prog));
		bpf_program__set_autoload(prog, false);
	}
	btf__free(vmlinux);
	return 0;
}

/*
 * The addresses of the kernel's rename_lock and mount_lock, the seqlocks
 * whose counts tell the walk cache that a dentry or a mount moved. Returns
 * 0 when both were found (kallsyms lists data symbols and shows root their
 * addresses), else -1.
 */
static int find_walk_locks(__u64 *rename_lock, __u64 *mount_lock)
{
	FILE *f = fopen("/proc/kallsyms", "re");
	char line[256], type, name[128], rest[2];
	unsigned long long addr;

	*rename_lock = 0;
	*mount_lock = 0;
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		/* The kernel's own data: no module's symbol of the same name. */
		if (sscanf(line, "%llx %c %127s %1s", &addr, &type, name, rest) != 3 ||
		    !strchr("dDbB", type))
			continue;
		if (!strcmp(name, "rename_lock"))
			*rename_lock = addr;
		else if (!strcmp(name, "mount_lock"))
			*mount_lock = addr;
	}
	fclose(f);
	return *rename_lock && *mount_lock ? 0 : -1;
}

static int walk_state_set(struct clawlock_bpf *skel, __u32 at, __u64 value)
{
	if (!bpf_map__update_elem(skel->maps.cl_walk_state, &at, sizeof(at), &value, sizeof(value),
				  BPF_ANY))
		return 0;
	cl_error("cannot write the walk cache's state: %s", strerror(errno));
	return -1;
}

int cl_walk_cache_arm(struct clawlock_bpf *skel)
{
	const char *want = getenv("CLAWLOCK_WALK_CACHE");
	__u64 rename_lock, mount_lock, secret;

	if (want && !strcmp(want, "off")) {
		cl_info("walk cache left off (CLAWLOCK_WALK_CACHE=off)");
		return 0;
	}
	/* Off is only slower: every file decision then walks to the root. */
	if (find_walk_locks(&rename_lock, &mount_lock) < 0) {
		cl_info("walk cache left off: /proc/kallsyms does not show rename_lock and "
			"mount_lock");
		return 0;
	}
	if (getrandom(&secret, sizeof(secret), 0) != sizeof(secret)) {
		cl_error("cannot draw the walk cache's secret: %s", strerror(errno));
		return -1;
	}
	if (walk_state_set(skel, CL_WALK_RENAME_LOCK, rename_lock) < 0 ||
	    walk_state_set(skel, CL_WALK_MOUNT_LOCK, mount_lock) < 0 ||
	    walk_state_set(skel, CL_WALK_SECRET, secret) < 0)
		return -1;
	return walk_state_set(skel, CL_WALK_ARMED, 1);
}

/* Attach every program, then pin program and link; the pins keep them alive. */
static int attach_and_pin(struct clawlock_bpf *skel)
{
	struct bpf_program *prog;

	bpf_object__for_each_program (prog, skel->obj) {
		const char *name = bpf_program__name(prog);
		struct bpf_link *link;
		char path[PATH_MAX];
		int err;

		if (!bpf_program__autoload(prog))
			continue;
		link = bpf_program__attach(prog);
		if (!link) {
			cl_error("cannot attach %s: %s", name, strerror(errno));
			return -1;
		}
		cl_pin_path(path, sizeof(path), "link", name);
		err = bpf_link__pin(link, path);
		if (!err) {
			cl_pin_path(path, sizeof(path), "prog", name);
			err = bpf_obj_pin(bpf_program__fd(prog), path) ? -errno : 0;
		}
		if (!err)
			err = cl_record_object(skel, CL_OBJ_LINK, bpf_link__fd(link));
		if (!err)
			err = cl_record_object(skel, CL_OBJ_PROG, bpf_program__fd(prog));
		/* The pin holds the link; our fd is no longer needed. */
		bpf_link__disconnect(link);
		bpf_link__destroy(link);
		if (err) {
			cl_error("cannot pin %s: %s", path, strerror(-err));
			return -1;
		}
	}
	return 0;
}

static int init_state(struct clawlock_bpf *skel)
{
	/* Policy id 0 stays unused: it is the empty policy, which denies everything. */
	struct cl_state state = { .next_policy_id = 1, .next_rule_id = 1 };
	struct cl_settings settings = { .deny_per_sec = CL_DEFAULT_DENY_RATE,
					.audit_per_sec = CL_DEFAULT_AUDIT_RATE };
	__u32 zero = 0;

	if (bpf_map__update_elem(skel->maps.cl_settings, &zero, sizeof(zero), &settings,
				 sizeof(settings), BPF_ANY)) {
		cl_error("cannot initialise cl_settings: %s", strerror(errno));
		return -1;
	}
	if (bpf_map__update_elem(skel->maps.cl_state, &zero, sizeof(zero), &state, sizeof(state),
				 BPF_ANY)) {
		cl_error("cannot initialise cl_state: %s", strerror(errno));
		return -1;
	}
	return 0;
}

void cl_explain_load_error(int err)
{
	if (err == -EPERM && !bpf_privileged())
		cl_error("the kernel refused to load the LSM programs (%s): %s", strerror(-err),
			 need_root);
	else if (err == -EPERM)
		cl_error("the kernel refused to load the LSM programs (%s): this kernel does "
			 "not allow BPF LSM programs (lockdown, or BPF LSM disabled)",
			 strerror(-err));
	else if (err == -EACCES)
		cl_error("the verifier rejected a program (%s): this kernel lacks something "
			 "clawlock needs (run with -v for the verifier log)",
			 strerror(-err));
	else
		cl_error("cannot load the BPF programs: %s (run with -v for the verifier log)",
			 strerror(-err));
}

int cl_libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	static const enum cl_print_level levels[] = {
		[LIBBPF_WARN] = CL_PRINT_LIBBPF_WARN,
		[LIBBPF_INFO] = CL_PRINT_LIBBPF_INFO,
		[LIBBPF_DEBUG] = CL_PRINT_LIBBPF_DEBUG,
	};
	char *text;

	/* Unbounded: a verifier log runs to megabytes. */
	if (vasprintf(&text, fmt, ap) < 0)
		return 0;
	cl_print(level <= LIBBPF_DEBUG ? levels[level] : CL_PRINT_LIBBPF_DEBUG, text);
	free(text);
	return 0;
}

int cl_bpf_load(void)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = CL_PIN_ROOT);
	struct clawlock_bpf *skel;
	char why[640];
	int err;

	if (cl_bpf_lsm_check(why, sizeof(why)) < 0) {
		cl_error("%s", why);
		return -1;
	}
	if (!bpf_privileged()) {
		cl_error("cannot load: permission denied: %s", need_root);
		return -1;
	}
	if (ensure_bpffs() < 0)
		return -1;
	switch (cl_bpf_presence(why, sizeof(why))) {
	case 1:
		cl_info("already loaded (pinned under %s)", CL_PIN_ROOT);
		return 0;
	case -1:
		cl_error("%s", why);
		return -1;
	}
	if (mkdir(CL_PIN_ROOT, 0700) < 0 && errno != EEXIST) {
		cl_error("cannot create %s: %s", CL_PIN_ROOT, strerror(errno));
		return -1;
	}
	libbpf_set_print(cl_libbpf_print);
	skel = clawlock_bpf__open_opts(&opts);
	if (!skel) {
		cl_error("cannot open the BPF object: %s", strerror(errno));
		goto fail;
	}
	if (cl_drop_missing_hooks(skel) < 0)
		goto fail;
	err = clawlock_bpf__load(skel);
	if (err) {
		cl_explain_load_error(err);
		goto fail;
	}
	if (init_state(skel) < 0 || attach_and_pin(skel) < 0 || arm_guard(skel) < 0 ||
	    cl_walk_cache_arm(skel) < 0)
		goto fail;
	clawlock_bpf__destroy(skel);
	cl_info("loaded: programs attached and pinned under %s", CL_PIN_ROOT);
	return 0;
fail:
	clawlock_bpf__destroy(skel);
	cl_bpf_unload();
	return -1;
}

/* Links first (that detaches the programs), then programs, then maps. */
static int unpin_pass(DIR *dir, const char *prefix, int *left)
{
	struct dirent *ent;
	int failed = 0;

	rewinddir(dir);
	while ((ent = readdir(dir))) {
		char path[PATH_MAX];

		if (ent->d_name[0] == '.')
			continue;
		if (prefix && strncmp(ent->d_name, prefix, strlen(prefix)) != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", CL_PIN_ROOT, ent->d_name);
		if (unlink(path) < 0) {
			cl_error("cannot remove %s: %s", path, strerror(errno));
			failed = 1;
			(*left)++;
		}
	}
	return failed ? -1 : 0;
}

int cl_bpf_unload(void)
{
	DIR *dir = opendir(CL_PIN_ROOT);
	int left = 0;

	if (!dir) {
		if (errno == ENOENT)
			return 0;
		cl_error("cannot open %s: %s", CL_PIN_ROOT, strerror(errno));
		return -1;
	}
	unpin_pass(dir, "link_", &left);
	unpin_pass(dir, "prog_", &left);
	unpin_pass(dir, NULL, &left);
	closedir(dir);
	if (rmdir(CL_PIN_ROOT) < 0 && errno != ENOENT) {
		cl_error("cannot remove %s: %s", CL_PIN_ROOT, strerror(errno));
		return -1;
	}
	return left ? -1 : 0;
}

int cl_open_pinned(const char *name)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", CL_PIN_ROOT, name);
	fd = bpf_obj_get(path);
	if (fd < 0 && errno == EPERM)
		cl_error("cannot open %s: only the clawlock executable that loaded it may "
			 "(self-protection); run that one, or reboot to start over "
			 "(Documentation/internals.md)",
			 path);
	else if (fd < 0)
		cl_error("cannot open %s: %s", path, strerror(errno));
	return fd;
}

/* CL_PINNED_MAPS as a table: where each descriptor goes, and what it must be. */
#define PINNED(field, map, type, key, value, entries)                                              \
	{ offsetof(struct cl_maps, field), #map, BPF_MAP_TYPE_##type, key, value, entries },
static const struct pinned_map {
	size_t member; /* offsetof the int descriptor in struct cl_maps */
	const char *name;
	__u32 type, key_size, value_size, max_entries;
} pinned_maps[] = { CL_PINNED_MAPS(PINNED) };
#undef PINNED

/*
 * Maps pinned by another clawlock version may have another layout (or be
 * the half of an upgrade that was killed): writing ours into them would be
 * misread by the programs, or go where no program reads.
 */
static int same_layout(int fd, const struct pinned_map *want)
{
	struct bpf_map_info info = { 0 };
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
		cl_error("cannot read %s: %s", want->name, strerror(errno));
		return 0;
	}
	if (info.type == want->type && info.key_size == want->key_size &&
	    info.value_size == want->value_size && info.max_entries == want->max_entries)
		return 1;
	cl_error("%s was pinned by another clawlock version (type %u, key %u, values of %u "
		 "bytes, %u entries; this one: %u, %u, %u, %u): run this command with that "
		 "version, hand over with 'clawlock upgrade', or unload with it and load this one",
		 want->name, info.type, info.key_size, info.value_size, info.max_entries,
		 want->type, want->key_size, want->value_size, want->max_entries);
	return 0;
}

/* Map @size bytes of the mmapable array @fd (@name) shared; NULL, said, on failure. */
static void *map_shared(int fd, const char *name, size_t size)
{
	void *mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	if (mem == MAP_FAILED) {
		cl_error("cannot map %s: %s", name, strerror(errno));
		return NULL;
	}
	return mem;
}

static int *map_fd(struct cl_maps *maps, size_t i)
{
	return (int *)((char *)maps + pinned_maps[i].member);
}

int cl_maps_open(struct cl_maps *maps)
{
	for (size_t i = 0; i < sizeof(pinned_maps) / sizeof(pinned_maps[0]); i++)
		*map_fd(maps, i) = -1;
	maps->lock = -1;
	maps->live_mem = NULL;
	maps->ruled_mem = NULL;
	maps->cache = NULL;
	maps->cache_free = NULL;
	if (cl_bpf_require("run 'clawlock load' first") < 0)
		return -1;
	for (size_t i = 0; i < sizeof(pinned_maps) / sizeof(pinned_maps[0]); i++) {
		*map_fd(maps, i) = cl_open_pinned(pinned_maps[i].name);
		if (*map_fd(maps, i) < 0 || !same_layout(*map_fd(maps, i), &pinned_maps[i])) {
			cl_maps_close(maps);
			return -1;
		}
	}
	maps->live_mem = map_shared(maps->live, "cl_live", sizeof(struct cl_live));
	if (maps->live_mem)
		maps->ruled_mem = map_shared(maps->ruled, "cl_ruled", sizeof(struct cl_ruled));
	if (!maps->ruled_mem) {
		cl_maps_close(maps);
		return -1;
	}
	return 0;
}

/* Let go of what the writer kept beside the maps. */
static void drop_cache(struct cl_maps *maps)
{
	if (maps->cache)
		maps->cache_free(maps->cache);
	maps->cache = NULL;
}

void cl_maps_close(struct cl_maps *maps)
{
	if (maps->live_mem)
		munmap(maps->live_mem, sizeof(struct cl_live));
	maps->live_mem = NULL;
	if (maps->ruled_mem)
		munmap(maps->ruled_mem, sizeof(struct cl_ruled));
	maps->ruled_mem = NULL;
	drop_cache(maps);
	for (size_t i = 0; i < sizeof(pinned_maps) / sizeof(pinned_maps[0]); i++) {
		if (*map_fd(maps, i) >= 0)
			close(*map_fd(maps, i));
		*map_fd(maps, i) = -1;
	}
	if (maps->lock >= 0)
		close(maps->lock);
	maps->lock = -1;
}

static __u32 map_id(int fd)
{
	struct bpf_map_info info = { 0 };
	__u32 len = sizeof(info);

	return fd >= 0 && !bpf_obj_get_info_by_fd(fd, &info, &len) ? info.id : 0;
}

/*
 * Are the maps we hold still the pinned ones? An upgrade that carried a map
 * over to a new layout pinned another map under its name while we waited
 * for the lock: writing the old one would change what nothing reads.
 */
static bool maps_still_pinned(struct cl_maps *maps)
{
	for (size_t i = 0; i < sizeof(pinned_maps) / sizeof(pinned_maps[0]); i++) {
		char path[PATH_MAX];
		int fd;
		bool same;

		if (*map_fd(maps, i) < 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", CL_PIN_ROOT, pinned_maps[i].name);
		fd = bpf_obj_get(path);
		same = fd >= 0 && map_id(fd) == map_id(*map_fd(maps, i));
		if (fd >= 0)
			close(fd);
		if (!same)
			return false;
	}
	return true;
}

int cl_writers_lock(void)
{
	int fd;

	mkdir("/run/clawlock", 0700);
	fd = open(CL_LOCK_PATH, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0 || flock(fd, LOCK_EX) < 0) {
		cl_error("cannot lock %s: %s", CL_LOCK_PATH, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

int cl_maps_lock(struct cl_maps *maps)
{
	int lock;

	maps->lock = cl_writers_lock();
	if (maps->lock < 0)
		return -1;
	if (maps->bindings < 0 || maps_still_pinned(maps))
		return 0;
	/* Open them again (this binary may no longer be the loader: then it fails). */
	cl_debug("clawlock was upgraded while this waited: opening its maps again");
	lock = maps->lock;
	maps->lock = -1;
	cl_maps_close(maps);
	if (cl_maps_open(maps) < 0) {
		close(lock);
		return -1;
	}
	maps->lock = lock;
	return 0;
}

void cl_maps_unlock(struct cl_maps *maps)
{
	/* What the update resolved (inodes above all) is not to outlive it. */
	drop_cache(maps);
	if (maps->lock >= 0)
		close(maps->lock);
	maps->lock = -1;
}

#define CL_MAX_KEY 128

static int state_read(struct cl_maps *maps, struct cl_state *state)
{
	__u32 zero = 0;

	memset(state, 0, sizeof(*state));
	if (bpf_map_lookup_elem(maps->state, &zero, state)) {
		cl_error("cannot read cl_state: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static int state_write(struct cl_maps *maps, const struct cl_state *state)
{
	__u32 zero = 0;

	if (bpf_map_update_elem(maps->state, &zero, state, BPF_ANY)) {
		cl_error("cannot write cl_state: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* Keys to delete, collected while scanning (a hash map must not change under a scan). */
struct prune_scan {
	cl_pick_fn doomed;
	void *ctx;
	size_t key_size;
	unsigned char *keys;
	size_t count, cap;
};

static int collect_doomed(const void *key, const void *value, void *ctx)
{
	struct prune_scan *scan = ctx;

	if (!scan->doomed(key, value, scan->ctx))
		return 0;
	if (scan->count == scan->cap) {
		size_t cap = scan->cap ? scan->cap * 2 : 256;
		void *grown = realloc(scan->keys, cap * scan->key_size);

		if (!grown) {
			errno = ENOMEM;
			return -1;
		}
		scan->keys = grown;
		scan->cap = cap;
	}
	memcpy(scan->keys + scan->count++ * scan->key_size, key, scan->key_size);
	return 0;
}

/* Delete @count keys, in batches where the map has them; a key gone already is fine. */
static int delete_keys(int fd, const unsigned char *keys, size_t count, size_t key_size)
{
	size_t done = 0;
	int ret = 0;

	while (done < count) {
		__u32 n = count - done > 4096 ? 4096 : count - done;

		if (bpf_map_delete_batch(fd, keys + done * key_size, &n, NULL) == 0) {
			done += n;
			continue;
		}
		/*
		 * No batches (LPM tries), or a key already gone: the rest one at a
		 * time, from the start of this batch (the count is not to be
		 * trusted when the call failed; deleting twice is harmless).
		 */
		break;
	}
	for (; done < count; done++) {
		if (bpf_map_delete_elem(fd, keys + done * key_size) && errno != ENOENT)
			ret = -1;
	}
	return ret;
}

long cl_map_update_many(int fd, const void *keys, size_t key_size, const void *values,
			size_t value_size, size_t count)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts, .elem_flags = BPF_ANY);
	const unsigned char *k = keys, *v = values;
	size_t done = 0;
	enum {
		BATCH = 4096
	};

	while (done < count) {
		__u32 n = count - done > BATCH ? BATCH : count - done;

		if (bpf_map_update_batch(fd, k + done * key_size, v + done * value_size, &n, &opts))
			break; /* the rest one at a time, from this batch's start */
		done += n;
	}
	for (; done < count; done++) {
		if (bpf_map_update_elem(fd, k + done * key_size, v + done * value_size, BPF_ANY))
			return done;
	}
	return -1;
}

int cl_map_prune(int fd, size_t key_size, int want_values, cl_pick_fn doomed, void *ctx)
{
	struct prune_scan scan = { .doomed = doomed, .ctx = ctx, .key_size = key_size };
	int ret = cl_map_scan(fd, want_values, collect_doomed, &scan);

	if (!ret)
		ret = delete_keys(fd, scan.keys, scan.count, key_size);
	free(scan.keys);
	return ret < 0 ? -1 : (int)scan.count;
}

/* Which policies are dead: @doomed alone, or (doomed 0) every one not in @keep. */
struct dead_set {
	__u32 doomed;
	const __u32 *keep; /* sorted ascending */
	size_t keep_count;
};

static bool is_dead(const struct dead_set *dead, __u32 policy_id)
{
	if (dead->doomed)
		return policy_id == dead->doomed;
	return !bsearch(&policy_id, dead->keep, dead->keep_count, sizeof(*dead->keep), cl_u32_cmp);
}

/* Which entries of one rule map belong to a dead policy. */
struct dead_pick {
	size_t id_offset;
	int value_id;
	const struct dead_set *dead;
};

static bool holds_dead_policy(const void *key, const void *value, void *ctx)
{
	const struct dead_pick *pick = ctx;
	__u32 id;

	memcpy(&id, (const unsigned char *)(pick->value_id ? value : key) + pick->id_offset,
	       sizeof(id));
	return is_dead(pick->dead, id);
}

/*
 * Delete the entries of map @fd whose key holds a dead policy id at
 * @id_offset (or, with @value_id, whose value does: rule records). Returns
 * how many went, or -1.
 */
static int delete_dead(int fd, size_t key_size, size_t id_offset, int value_id,
		       const struct dead_set *dead)
{
	struct dead_pick pick = {
		.id_offset = id_offset,
		.value_id = value_id,
		.dead = dead,
	};
	int n = cl_map_prune(fd, key_size, value_id, holds_dead_policy, &pick);

	if (n < 0 && errno == ENOMEM)
		cl_error("out of memory while removing old rules");
	return n;
}

/* Rule records written and not deleted since: they are reclaimed when many. */
static void count_records(struct cl_maps *maps, long change)
{
	struct cl_state state;

	if (state_read(maps, &state) < 0)
		return;
	state.records = (long)state.records + change < 0 ? 0 : state.records + change;
	state_write(maps, &state);
}

/*
 * Delete every rule of the policies @dead says are dead; their rule records
 * too with @records. Unless @thorough, the rule maps are scanned only when
 * a policy record went: an update that replaced nothing costs one scan.
 */
static int delete_policies(struct cl_maps *maps, const struct dead_set *dead, int records,
			   int thorough)
{
	int ret = 0, n;

	/* The record first: a policy that has one has all its rules (install.c). */
	n = delete_dead(maps->policies, sizeof(__u32), 0, 0, dead);
	if (n == 0 && !thorough)
		return 0;
	ret |= n;
	ret |= delete_dead(maps->file_rules, sizeof(struct cl_file_key),
			   offsetof(struct cl_file_key, policy_id), 0, dead);
	ret |= delete_dead(maps->net4, sizeof(struct cl_net4_key),
			   offsetof(struct cl_net4_key, policy_id), 0, dead);
	ret |= delete_dead(maps->net6, sizeof(struct cl_net6_key),
			   offsetof(struct cl_net6_key, policy_id), 0, dead);
	ret |= delete_dead(maps->unix_names, sizeof(struct cl_unix_key),
			   offsetof(struct cl_unix_key, policy_id), 0, dead);
	ret |= delete_dead(maps->name_rules, sizeof(struct cl_name_key),
			   offsetof(struct cl_name_key, policy_id), 0, dead);
	if (records) {
		n = delete_dead(maps->rule_info, sizeof(__u32),
				offsetof(struct cl_rule_info, policy_id), 1, dead);
		if (n > 0)
			count_records(maps, -n);
		ret |= n;
	}
	return ret < 0 ? -1 : 0;
}

int cl_policy_reserve(struct cl_maps *maps, size_t rules, size_t records, __u32 *policy_id,
		      __u32 *first_rule_id)
{
	struct cl_state state;

	if (state_read(maps, &state) < 0)
		return -1;
	/* Above it, ids would meet the default records' (and wrap): never reached in practice. */
	if (state.next_rule_id + rules >= CL_DEFAULT_RECORD_BIT) {
		cl_error("rule ids are used up: unload and load clawlock again");
		errno = ENOSPC;
		return -1;
	}
	*policy_id = state.next_policy_id++;
	*first_rule_id = state.next_rule_id;
	state.next_rule_id += rules;
	state.records += records;
	return state_write(maps, &state);
}

void cl_policy_delete(struct cl_maps *maps, __u32 policy_id)
{
	struct dead_set dead = { .doomed = policy_id };

	/* Ids start at 1 (init_state): 0 would mean "not kept" below. */
	if (policy_id)
		delete_policies(maps, &dead, 1, 1);
}

/* Scan one key at a time: maps without batch lookups (LPM tries, old kernels). */
static int scan_by_key(int fd, const struct bpf_map_info *info, int want_values, cl_scan_fn fn,
		       void *ctx)
{
	unsigned char key[CL_MAX_KEY], next[CL_MAX_KEY];
	unsigned char *value = want_values ? malloc(info->value_size) : NULL;
	void *prev = NULL;
	int ret = 0;

	if (want_values && !value)
		return -1;
	while (!ret && !bpf_map_get_next_key(fd, prev, next)) {
		if (!want_values || !bpf_map_lookup_elem(fd, next, value))
			ret = fn(next, value, ctx) < 0 ? -1 : 0;
		memcpy(key, next, info->key_size);
		prev = key;
	}
	free(value);
	return ret;
}

int cl_map_scan(int fd, int want_values, cl_scan_fn fn, void *ctx)
{
	enum {
		BATCH = 4096
	};
	struct bpf_map_info info = { 0 };
	__u32 len = sizeof(info);
	unsigned char token[CL_MAX_KEY];
	unsigned char *keys, *values;
	void *in = NULL;
	int ret = 0;

	if (bpf_obj_get_info_by_fd(fd, &info, &len) || info.key_size > CL_MAX_KEY)
		return -1;
	keys = malloc((size_t)BATCH * info.key_size);
	values = malloc((size_t)BATCH * info.value_size);
	if (!keys || !values) {
		free(keys);
		free(values);
		return -1;
	}
	/*
	 * Thousands of entries a system call: a gc after an apply of a thousand
	 * agents scans a hundred thousand entries.
	 */
	for (;;) {
		__u32 count = BATCH;
		int err = bpf_map_lookup_batch(fd, in, token, keys, values, &count, NULL);

		if (err && errno != ENOENT) {
			/* Not supported for this map type: the old way, from the start. */
			ret = in ? -1 : scan_by_key(fd, &info, want_values, fn, ctx);
			break;
		}
		for (__u32 i = 0; i < count && !ret; i++)
			ret = fn(keys + (size_t)i * info.key_size,
				 values + (size_t)i * info.value_size, ctx) < 0
				      ? -1
				      : 0;
		if (err || ret)
			break;
		in = token;
	}
	free(keys);
	free(values);
	return ret;
}

static int count_one(const void *key, const void *value, void *ctx)
{
	(void)key;
	(void)value;
	++*(size_t *)ctx;
	return 0;
}

size_t cl_map_count(int fd, size_t key_size)
{
	size_t n = 0;

	(void)key_size;
	if (cl_map_scan(fd, 0, count_one, &n) < 0)
		return 0;
	return n;
}

int cl_policy_gc(struct cl_maps *maps, const uint32_t *keep, size_t count)
{
	/*
	 * Rule records outlive their policy, so that events still in the ring
	 * buffer can name the rule that decided them; they are reclaimed only
	 * once the table is half full.
	 */
	struct cl_state state;
	int records = state_read(maps, &state) < 0 || state.records > CL_MAX_FILE_RULES / 2;

	return delete_policies(maps, &(struct dead_set){ .keep = keep, .keep_count = count },
			       records, 0);
}

uint64_t cl_stat_read(struct cl_maps *maps, enum cl_stat stat)
{
	int ncpu = libbpf_num_possible_cpus();
	__u32 key = stat;
	uint64_t total = 0;
	__u64 *values;

	if (ncpu <= 0)
		return 0;
	values = calloc(ncpu, sizeof(*values));
	if (values && !bpf_map_lookup_elem(maps->stats, &key, values)) {
		for (int i = 0; i < ncpu; i++)
			total += values[i];
	}
	free(values);
	return total;
}
