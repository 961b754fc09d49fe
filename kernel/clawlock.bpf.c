// SPDX-License-Identifier: GPL-2.0
/*
 * clawlock.bpf.c - the eBPF-LSM programs.
 *
 * Every hook starts with one question: is the current task confined? The
 * answer comes from the nearest bound ancestor of its cgroup and is cached
 * per task, so an unconfined task pays one cgroup-id read and one task
 * storage lookup. Confined tasks are default-deny: a request is allowed only
 * when the nearest rule says so. Any lookup that cannot finish (a walk that
 * hits its bound) denies.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "clawlock.h"

char LICENSE[] SEC("license") = "GPL";

#define EPERM  1
#define EACCES 13
/* include/uapi/linux/magic.h */
#define CGROUP_SUPER_MAGIC  0x27e0eb
#define CGROUP2_SUPER_MAGIC 0x63677270
#define BPF_FS_MAGIC	    0xcafe4a11
/* include/linux/fs.h and uapi fcntl.h: macros are not in BTF. */
#define FMODE_READ   0x1
#define FMODE_WRITE  0x2
#define FMODE_EXEC   0x20
#define __FMODE_EXEC 0x20 /* in f_flags: how AppArmor and TOMOYO spot exec opens */
#define O_TRUNC	     01000
#define PROT_EXEC    0x4
#define S_ISUID	     04000
#define S_ISGID	     02000

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, CL_MAX_BINDINGS);
	__type(key, __u64);
	__type(value, struct cl_binding);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} cl_bindings SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, CL_MAX_FILE_RULES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct cl_file_key);
	__type(value, struct cl_file_rule);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} cl_file_rules SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct cl_state);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} cl_state SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct cl_task_cache);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} cl_task_cache SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, CL_EVENT_RING_BYTES);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} cl_events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, CL_STAT_MAX);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} cl_stats SEC(".maps");

/* Userspace-only tables (see clawlock.h); created and pinned with the rest. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, CL_MAX_BINDINGS);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u64);
	__type(value, struct cl_scope_info);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} cl_scope_info SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, CL_MAX_FILE_RULES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u32);
	__type(value, struct cl_rule_info);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} cl_rule_info SEC(".maps");

/* Who is asking: the binding that applies to the current task. */
struct cl_identity {
	__u64 bound_cgroup_id;
	struct cl_binding binding;
};

static __always_inline void cl_count(enum cl_stat stat)
{
	__u32 key = stat;
	__u64 *value = bpf_map_lookup_elem(&cl_stats, &key);

	if (value)
		*value += 1;
}

struct cl_ancestor_walk {
	int level; /* level of the current task's cgroup */
	struct cl_identity *id;
	int found;
};

/* One step up the cgroup hierarchy, starting at the task's own cgroup. */
static long cl_ancestor_step(__u32 i, void *data)
{
	struct cl_ancestor_walk *walk = data;
	int level = walk->level - (int)i;
	struct cl_binding *binding;
	__u64 cgid;

	if (level < 0)
		return 1;
	cgid = bpf_get_current_ancestor_cgroup_id(level);
	binding = bpf_map_lookup_elem(&cl_bindings, &cgid);
	if (!binding)
		return 0;
	walk->id->bound_cgroup_id = cgid;
	walk->id->binding = *binding;
	walk->found = 1;
	return 1;
}

/*
 * Find the nearest bound ancestor of the current task's cgroup (the cgroup
 * itself included). Returns 1 if the task is confined. The walk visits every
 * level, so it cannot be cut short; if bpf_loop itself refuses, the task is
 * treated as confined by an empty policy, which denies everything.
 */
static __always_inline int cl_resolve(struct task_struct *task, struct cl_identity *id)
{
	struct cl_ancestor_walk walk = { .id = id };
	long ret;

	walk.level = BPF_CORE_READ(task, cgroups, dfl_cgrp, level);
	ret = bpf_loop(walk.level + 1, cl_ancestor_step, &walk, 0);
	if (ret < 0) {
		id->bound_cgroup_id = 0;
		id->binding.policy_id = 0;
		id->binding.mode = CL_MODE_ENFORCE;
		return 1;
	}
	return walk.found;
}

/*
 * Is the current task confined? The answer is cached in task storage and
 * trusted while the task's cgroup and the global binding epoch are unchanged.
 * The epoch is read before resolving: a binding that lands during the walk
 * bumps the epoch afterwards, so a stale answer never outlives the next hook.
 */
static __always_inline int cl_identify(struct cl_identity *id)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u64 cgid = bpf_get_current_cgroup_id();
	struct cl_task_cache *cache;
	struct cl_state *state;
	__u32 zero = 0;
	__u64 epoch = 0;
	int confined;

	state = bpf_map_lookup_elem(&cl_state, &zero);
	if (state)
		epoch = state->bind_epoch;
	cache = bpf_task_storage_get(&cl_task_cache, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (state && cache && cache->valid && cache->cgroup_id == cgid && cache->epoch == epoch) {
		if (!cache->bound_cgroup_id)
			return 0;
		id->bound_cgroup_id = cache->bound_cgroup_id;
		id->binding = cache->binding;
		return 1;
	}

	confined = cl_resolve(task, id);
	/* A confinement with no bound cgroup (bpf_loop refused) is not cached. */
	if (state && cache && (!confined || id->bound_cgroup_id)) {
		cache->cgroup_id = cgid;
		cache->epoch = epoch;
		cache->bound_cgroup_id = confined ? id->bound_cgroup_id : 0;
		cache->binding = id->binding;
		cache->valid = 1;
	}
	return confined;
}

struct cl_file_walk {
	struct dentry *dentry;
	struct mount *mnt;
	__u32 policy_id;
	int done; /* reached the root of the mount namespace */
	int found;
	struct cl_file_rule rule;
};

/*
 * One step of the walk from a file to the root. Rules are keyed by inode, so
 * the walk follows the object: up d_parent within its filesystem (through the
 * root of a bind mount, to the directory it was bound from), then from the
 * filesystem root to the mount point it hangs on.
 */
static long cl_file_step(__u32 i, void *data)
{
	struct cl_file_walk *walk = data;
	/* Locals: CO-RE must not relocate accesses to our own struct. */
	struct dentry *dentry = walk->dentry;
	struct mount *mnt = walk->mnt;
	struct inode *inode = BPF_CORE_READ(dentry, d_inode);
	struct cl_file_rule *rule;
	struct dentry *parent;
	struct mount *up;

	/*
	 * Every dentry on the way is positive. One whose inode or parent cannot
	 * be read must not be stepped over (a deny rule may sit right there):
	 * the walk stops short of the root, which denies.
	 */
	if (!inode)
		return 1;
	{
		struct cl_file_key key = {
			.policy_id = walk->policy_id,
			.dev = BPF_CORE_READ(inode, i_sb, s_dev),
			.ino = BPF_CORE_READ(inode, i_ino),
		};

		rule = bpf_map_lookup_elem(&cl_file_rules, &key);
		if (rule) {
			walk->rule = *rule;
			walk->found = 1;
			return 1;
		}
	}

	parent = BPF_CORE_READ(dentry, d_parent);
	if (!parent)
		return 1;
	if (parent != dentry) {
		walk->dentry = parent;
		return 0;
	}
	/* The root of this filesystem: continue at the mount point, if known. */
	if (!mnt) {
		walk->done = 1;
		return 1;
	}
	up = BPF_CORE_READ(mnt, mnt_parent);
	if (!up || up == mnt) {
		walk->done = 1;
		return 1;
	}
	walk->dentry = BPF_CORE_READ(mnt, mnt_mountpoint);
	walk->mnt = up;
	return 0;
}

static __always_inline struct mount *cl_real_mount(struct vfsmount *vfsmnt)
{
	return (struct mount *)((void *)vfsmnt - bpf_core_field_offset(struct mount, mnt));
}

/* What an open asks for, as rule access bits. */
static __always_inline __u32 cl_open_access(struct file *file)
{
	unsigned int fmode = BPF_CORE_READ(file, f_mode);
	unsigned int flags = BPF_CORE_READ(file, f_flags);
	__u32 access = 0;

	/*
	 * An exec open also reads; the exec right alone covers it. Since 6.8 the
	 * reliable mark of an exec open is __FMODE_EXEC in f_flags.
	 */
	if ((fmode & FMODE_EXEC) || (flags & __FMODE_EXEC))
		return CL_ACC_EXEC;
	if (fmode & FMODE_READ)
		access |= CL_ACC_READ;
	if ((fmode & FMODE_WRITE) || (flags & O_TRUNC))
		access |= CL_ACC_WRITE;
	return access;
}

/* The fields every event has. */
static __always_inline void cl_event_fill(struct cl_event *event, struct cl_identity *id, __u32 op,
					  __u32 access, __u32 rule_id, __u32 flags)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u64 pid_tgid = bpf_get_current_pid_tgid();

	event->time_ns = bpf_ktime_get_boot_ns();
	event->cgroup_id = bpf_get_current_cgroup_id();
	event->bound_cgroup_id = id->bound_cgroup_id;
	event->pid = (__u32)pid_tgid;
	event->tgid = pid_tgid >> 32;
	event->ppid = BPF_CORE_READ(task, real_parent, tgid);
	event->uid = (__u32)bpf_get_current_uid_gid();
	event->policy_id = id->binding.policy_id;
	event->rule_id = rule_id;
	event->op = op;
	event->access = access;
	event->decision = id->binding.mode == CL_MODE_AUDIT ? CL_DECISION_AUDIT : CL_DECISION_DENY;
	event->flags = flags;
	bpf_get_current_comm(event->comm, sizeof(event->comm));
}

static __always_inline void cl_emit_open(struct file *file, struct cl_identity *id, __u32 access,
					 __u32 rule_id, __u32 flags)
{
	struct cl_event *event;
	long len;

	/* A failed reserve is counted; the verdict is already decided. */
	event = bpf_ringbuf_reserve(&cl_events, sizeof(*event), 0);
	if (!event) {
		cl_count(CL_STAT_EVENT_DROP);
		return;
	}
	cl_event_fill(event, id, CL_OP_OPEN, access, rule_id, flags);
	len = bpf_d_path((struct path *)&file->f_path, event->path, sizeof(event->path));
	if (len < 0) {
		const unsigned char *name = BPF_CORE_READ(file, f_path.dentry, d_name.name);

		bpf_probe_read_kernel_str(event->path, sizeof(event->path), name);
		event->flags |= CL_EVENT_PATH_TRUNCATED;
	}
	bpf_ringbuf_submit(event, 0);
}

/*
 * bpf_d_path is not allowed on every hook of every kernel, so events of the
 * other file hooks carry the name the operation was about, flagged as such.
 */
static __always_inline void cl_emit_name(struct dentry *dentry, struct cl_identity *id, __u32 op,
					 __u32 access, __u32 rule_id, __u32 flags)
{
	struct cl_event *event = bpf_ringbuf_reserve(&cl_events, sizeof(*event), 0);
	const unsigned char *name;

	if (!event) {
		cl_count(CL_STAT_EVENT_DROP);
		return;
	}
	cl_event_fill(event, id, op, access, rule_id, flags | CL_EVENT_PATH_TRUNCATED);
	name = BPF_CORE_READ(dentry, d_name.name);
	bpf_probe_read_kernel_str(event->path, sizeof(event->path), name);
	bpf_ringbuf_submit(event, 0);
}

/* Deny (or, in audit mode, only report) a confined request. */
static __always_inline int cl_refuse(struct cl_identity *id)
{
	if (id->binding.mode == CL_MODE_AUDIT) {
		cl_count(CL_STAT_AUDIT);
		return 0;
	}
	cl_count(CL_STAT_DENY);
	return -EACCES;
}

struct cl_verdict {
	int allowed;
	__u32 rule_id;
	__u32 flags;
};

/*
 * The one file decision: walk from @dentry (on @mnt, or NULL when the hook
 * gives no mount) to the root; the nearest rule decides; no rule, a walk cut
 * short or a refused loop deny.
 */
static __always_inline void cl_decide(struct dentry *dentry, struct mount *mnt, __u32 policy_id,
				      __u32 access, struct cl_verdict *d)
{
	struct cl_file_walk walk = { .dentry = dentry, .mnt = mnt, .policy_id = policy_id };
	unsigned long magic = BPF_CORE_READ(dentry, d_sb, s_magic);

	d->allowed = 0;
	d->rule_id = 0;
	d->flags = 0;
	/* cgroupfs and bpffs are the sandbox's walls: no rule opens them for writing. */
	if ((access & CL_ACC_WRITE) && (magic == CGROUP_SUPER_MAGIC ||
					magic == CGROUP2_SUPER_MAGIC || magic == BPF_FS_MAGIC)) {
		d->flags = CL_EVENT_CONTROL_FS;
		return;
	}
	bpf_loop(CL_WALK_MAX, cl_file_step, &walk, 0);
	if (walk.found) {
		d->rule_id = walk.rule.rule_id;
		d->allowed =
			!(walk.rule.access & CL_ACC_DENY) && (walk.rule.access & access) == access;
	} else if (walk.done) {
		d->flags = CL_EVENT_NO_RULE;
	} else {
		/* The bound was hit, or bpf_loop refused: fail closed. */
		d->flags = CL_EVENT_WALK_LIMIT;
		cl_count(CL_STAT_WALK_LIMIT);
	}
}

SEC("lsm/file_open")
int BPF_PROG(cl_file_open, struct file *file, int ret)
{
	struct cl_identity id = {};
	struct cl_verdict d;
	__u32 access;

	if (ret)
		return ret;
	if (!cl_identify(&id))
		return 0;
	access = cl_open_access(file);
	cl_decide(BPF_CORE_READ(file, f_path.dentry),
		  cl_real_mount(BPF_CORE_READ(file, f_path.mnt)), id.binding.policy_id, access, &d);
	if (d.allowed)
		return 0;
	cl_emit_open(file, &id, access, d.rule_id, d.flags);
	return cl_refuse(&id);
}

/* A write-like change to @dentry (on @mnt): the write right is needed on it. */
static __always_inline int cl_write_check(struct cl_identity *id, struct dentry *dentry,
					  struct mount *mnt, __u32 op)
{
	struct cl_verdict d;

	cl_decide(dentry, mnt, id->binding.policy_id, CL_ACC_WRITE, &d);
	if (d.allowed)
		return 0;
	cl_emit_name(dentry, id, op, CL_ACC_WRITE, d.rule_id, d.flags);
	return cl_refuse(id);
}

static __always_inline int cl_path_write(const struct path *path, __u32 op)
{
	struct cl_identity id = {};

	if (!cl_identify(&id))
		return 0;
	return cl_write_check(&id, BPF_CORE_READ(path, dentry),
			      cl_real_mount(BPF_CORE_READ(path, mnt)), op);
}

/*
 * The hooks below ignore the previous program's verdict argument: it comes
 * last, after arguments whose number differs between kernels (path_rename
 * gained flags), and clawlock attaches only one program per hook.
 */

/* A new name in @dir: write on the directory. */
SEC("lsm/path_mkdir")
int BPF_PROG(cl_path_mkdir, const struct path *dir)
{
	return cl_path_write(dir, CL_OP_CREATE);
}

SEC("lsm/path_mknod")
int BPF_PROG(cl_path_mknod, const struct path *dir)
{
	return cl_path_write(dir, CL_OP_CREATE);
}

SEC("lsm/path_symlink")
int BPF_PROG(cl_path_symlink, const struct path *dir)
{
	return cl_path_write(dir, CL_OP_CREATE);
}

/* Removing a name: write on the victim itself (its own rule, else its directory's). */
static __always_inline int cl_remove(const struct path *dir, struct dentry *dentry)
{
	struct cl_identity id = {};

	if (!cl_identify(&id))
		return 0;
	return cl_write_check(&id, dentry, cl_real_mount(BPF_CORE_READ(dir, mnt)), CL_OP_UNLINK);
}

SEC("lsm/path_unlink")
int BPF_PROG(cl_path_unlink, const struct path *dir, struct dentry *dentry)
{
	return cl_remove(dir, dentry);
}

SEC("lsm/path_rmdir")
int BPF_PROG(cl_path_rmdir, const struct path *dir, struct dentry *dentry)
{
	return cl_remove(dir, dentry);
}

/*
 * A rename writes the object it moves (so nothing leaves a tree it may not
 * write, a denied tree above all), the target directory, and whatever it
 * replaces (or, for RENAME_EXCHANGE, moves back).
 */
SEC("lsm/path_rename")
int BPF_PROG(cl_path_rename, const struct path *old_dir, struct dentry *old_dentry,
	     const struct path *new_dir, struct dentry *new_dentry)
{
	struct mount *old_mnt, *new_mnt;
	struct cl_identity id = {};
	int err;

	if (!cl_identify(&id))
		return 0;
	old_mnt = cl_real_mount(BPF_CORE_READ(old_dir, mnt));
	new_mnt = cl_real_mount(BPF_CORE_READ(new_dir, mnt));
	err = cl_write_check(&id, old_dentry, old_mnt, CL_OP_RENAME);
	if (err)
		return err;
	err = cl_write_check(&id, BPF_CORE_READ(new_dir, dentry), new_mnt, CL_OP_RENAME);
	if (err)
		return err;
	if (BPF_CORE_READ(new_dentry, d_inode))
		return cl_write_check(&id, new_dentry, new_mnt, CL_OP_RENAME);
	return 0;
}

/*
 * A hard link exposes the object under a new name: it needs write on the
 * object itself, so a file of a denied (or read-only) tree cannot be linked
 * into a tree the agent may read, and write on the new directory.
 */
SEC("lsm/path_link")
int BPF_PROG(cl_path_link, struct dentry *old_dentry, const struct path *new_dir)
{
	struct cl_identity id = {};
	struct mount *mnt;
	int err;

	if (!cl_identify(&id))
		return 0;
	mnt = cl_real_mount(BPF_CORE_READ(new_dir, mnt));
	err = cl_write_check(&id, old_dentry, mnt, CL_OP_LINK);
	if (err)
		return err;
	return cl_write_check(&id, BPF_CORE_READ(new_dir, dentry), mnt, CL_OP_LINK);
}

SEC("lsm/path_truncate")
int BPF_PROG(cl_path_truncate, const struct path *path)
{
	return cl_path_write(path, CL_OP_SETATTR);
}

SEC("lsm/path_chmod")
int BPF_PROG(cl_path_chmod, const struct path *path)
{
	return cl_path_write(path, CL_OP_SETATTR);
}

SEC("lsm/path_chown")
int BPF_PROG(cl_path_chown, const struct path *path)
{
	return cl_path_write(path, CL_OP_SETATTR);
}

/*
 * xattr hooks give a dentry and no mount (and their first argument's type
 * differs between kernels): the walk stops at the root of the file's own
 * filesystem, so a file whose rules all lie above that root is denied.
 */
static __always_inline int cl_xattr(struct dentry *dentry)
{
	struct cl_identity id = {};

	if (!cl_identify(&id))
		return 0;
	return cl_write_check(&id, dentry, 0, CL_OP_XATTR);
}

SEC("lsm/inode_setxattr")
int BPF_PROG(cl_inode_setxattr, void *ns, struct dentry *dentry)
{
	return cl_xattr(dentry);
}

SEC("lsm/inode_removexattr")
int BPF_PROG(cl_inode_removexattr, void *ns, struct dentry *dentry)
{
	return cl_xattr(dentry);
}

/*
 * No new privileges: an exec that would raise credentials is refused, and so
 * is the exec of a deleted file (or one with no name, like a memfd's). The
 * capability module decides the transition before this hook runs (it comes
 * first in the LSM order) and marks it in bprm->secureexec; set-id mode
 * bits are refused outright, so running as root does not hide them.
 */
SEC("lsm/bprm_creds_from_file")
int BPF_PROG(cl_bprm_creds_from_file, struct linux_binprm *bprm, struct file *file)
{
	struct cl_identity id = {};
	__u32 flags = 0;
	umode_t mode;

	if (!cl_identify(&id))
		return 0;
	mode = BPF_CORE_READ(file, f_inode, i_mode);
	if ((mode & (S_ISUID | S_ISGID)) || BPF_CORE_READ_BITFIELD_PROBED(bprm, secureexec))
		flags = CL_EVENT_SETID;
	/* A deleted file has no place in the tree any more: it is not run either. */
	if (!BPF_CORE_READ(file, f_inode, i_nlink))
		flags |= CL_EVENT_UNLINKED;
	if (!flags)
		return 0;
	cl_emit_name(BPF_CORE_READ(file, f_path.dentry), &id, CL_OP_EXEC, CL_ACC_EXEC, 0, flags);
	return cl_refuse(&id);
}

/* Executable code from a file needs the exec right on it, however it is mapped. */
static __always_inline int cl_exec_map(struct file *file)
{
	struct cl_identity id = {};
	struct cl_verdict d;

	if (!cl_identify(&id))
		return 0;
	cl_decide(BPF_CORE_READ(file, f_path.dentry),
		  cl_real_mount(BPF_CORE_READ(file, f_path.mnt)), id.binding.policy_id, CL_ACC_EXEC,
		  &d);
	if (d.allowed)
		return 0;
	cl_emit_name(BPF_CORE_READ(file, f_path.dentry), &id, CL_OP_MMAP, CL_ACC_EXEC, d.rule_id,
		     d.flags);
	return cl_refuse(&id);
}

/* Anonymous executable memory (JITs) is not a file and is not checked here. */
SEC("lsm/mmap_file")
int BPF_PROG(cl_mmap_file, struct file *file, unsigned long reqprot, unsigned long prot)
{
	if (!file || !(prot & PROT_EXEC))
		return 0;
	return cl_exec_map(file);
}

SEC("lsm/file_mprotect")
int BPF_PROG(cl_file_mprotect, struct vm_area_struct *vma, unsigned long reqprot,
	     unsigned long prot)
{
	struct file *file;

	if (!(prot & PROT_EXEC))
		return 0;
	file = BPF_CORE_READ(vma, vm_file);
	if (!file)
		return 0;
	return cl_exec_map(file);
}

/*
 * Hardening: operations no sandbox may perform at all, whatever its rules.
 * They fail with EPERM (audit mode only reports them, like every denial).
 */
static __always_inline void cl_emit_op(struct cl_identity *id, __u32 op)
{
	struct cl_event *event = bpf_ringbuf_reserve(&cl_events, sizeof(*event), 0);

	if (!event) {
		cl_count(CL_STAT_EVENT_DROP);
		return;
	}
	cl_event_fill(event, id, op, 0, 0, CL_EVENT_HARDENING);
	event->path[0] = '\0';
	bpf_ringbuf_submit(event, 0);
}

static __always_inline int cl_forbid(__u32 op)
{
	struct cl_identity id = {};

	if (!cl_identify(&id))
		return 0;
	cl_emit_op(&id, op);
	if (id.binding.mode == CL_MODE_AUDIT) {
		cl_count(CL_STAT_AUDIT);
		return 0;
	}
	cl_count(CL_STAT_DENY);
	return -EPERM;
}

SEC("lsm/bpf")
int BPF_PROG(cl_bpf, int cmd)
{
	return cl_forbid(CL_OP_BPF);
}

SEC("lsm/perf_event_open")
int BPF_PROG(cl_perf_event_open, struct perf_event_attr *attr)
{
	return cl_forbid(CL_OP_PERF);
}

/* init_module, finit_module, firmware, kexec and policy loads. */
SEC("lsm/kernel_load_data")
int BPF_PROG(cl_kernel_load_data, int id)
{
	return cl_forbid(CL_OP_MODULE);
}

SEC("lsm/kernel_read_file")
int BPF_PROG(cl_kernel_read_file, struct file *file)
{
	return cl_forbid(CL_OP_MODULE);
}

SEC("lsm/sb_mount")
int BPF_PROG(cl_sb_mount, const char *dev_name)
{
	return cl_forbid(CL_OP_MOUNT);
}

SEC("lsm/sb_umount")
int BPF_PROG(cl_sb_umount, struct vfsmount *mnt)
{
	return cl_forbid(CL_OP_MOUNT);
}

SEC("lsm/sb_pivotroot")
int BPF_PROG(cl_sb_pivotroot, const struct path *old_path)
{
	return cl_forbid(CL_OP_MOUNT);
}

SEC("lsm/move_mount")
int BPF_PROG(cl_move_mount, const struct path *from_path)
{
	return cl_forbid(CL_OP_MOUNT);
}

/* New user namespaces are how sandboxes leak: none inside one. */
SEC("lsm/userns_create")
int BPF_PROG(cl_userns_create, const struct cred *cred)
{
	return cl_forbid(CL_OP_USERNS);
}
