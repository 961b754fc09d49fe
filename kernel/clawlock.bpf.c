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
#include <bpf/bpf_endian.h>
#include "clawlock.h"

char LICENSE[] SEC("license") = "GPL";

/* One load the compiler may not split, merge or repeat. */
#define READ_ONCE(x) (*(const volatile typeof(x) *)&(x))

#define EPERM  1
#define ENOMEM 12
#define EACCES 13
#define ENOSPC 28
/* include/uapi/linux/magic.h */
#define CGROUP_SUPER_MAGIC  0x27e0eb
#define CGROUP2_SUPER_MAGIC 0x63677270
#define BPF_FS_MAGIC	    0xcafe4a11
/* include/linux/fs.h and uapi fcntl.h: macros are not in BTF. */
#define FMODE_READ	    0x1
#define FMODE_WRITE	    0x2
#define FMODE_EXEC	    0x20
#define __FMODE_EXEC	    0x20 /* in f_flags: how AppArmor and TOMOYO spot exec opens */
#define O_TRUNC		    01000
#define PROT_EXEC	    0x4
#define S_ISUID		    04000
#define S_ISGID		    02000
#define S_IFMT		    0170000
#define S_IFSOCK	    0140000
#define S_IFIFO		    0010000
#define ANON_INODE_FS_MAGIC 0x09041934
#define PIPEFS_MAGIC	    0x50495045
/* include/linux/fs.h: what a setattr changes. */
#define ATTR_SIZE  (1 << 3)
#define ATTR_ATIME (1 << 4)
#define ATTR_MTIME (1 << 5)
/* uapi linux/fs.h: the attribute ioctls, 64- and 32-bit. */
#define FS_IOC_SETFLAGS	    0x40086602
#define FS_IOC32_SETFLAGS   0x40046602
#define FS_IOC_SETVERSION   0x40087602
#define FS_IOC32_SETVERSION 0x40047602
#define FS_IOC_FSSETXATTR   0x401c5820
/* include/linux/dcache.h: a dentry d_obtain_alias made, maybe not in its tree. */
#define DCACHE_DISCONNECTED 0x00000020
/* Socket families, types and protocols (uapi; not all in BTF). */
#define AF_UNSPEC	0
#define AF_UNIX		1
#define AF_INET		2
#define AF_INET6	10
#define AF_NETLINK	16
#define AF_PACKET	17
#define SOCK_RAW	3
#define SOCK_PACKET	10
#define NETLINK_ROUTE	0
#define IPPROTO_TCP	6
#define IPPROTO_MPTCP	262
#define CAP_OPT_NOAUDIT 0x2
/* Process and terminal constants (uapi). */
#define CLONE_INTO_CGROUP     0x200000000ULL
#define TIOCSTI		      0x5412
#define TIOCLINUX	      0x541C
#define FIOASYNC	      0x5452
#define FIOSETOWN	      0x8901
#define SIOCSPGRP	      0x8902
#define F_SETFL		      4
#define F_SETOWN	      8
#define F_SETOWN_EX	      15
#define O_ASYNC		      020000
#define KEY_ALLOC_UID_KEYRING 0x0010

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	/* Two generations of every binding. */
	__uint(max_entries, 2 * CL_MAX_BINDINGS);
	__type(key, struct cl_binding_key);
	__type(value, struct cl_binding);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} cl_bindings SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	/* The loader switches generations with one atomic store into a mapping. */
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct cl_live);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} cl_live SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	/* Set by the loader through a mapping, with no system call per rule. */
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct cl_ruled);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} cl_ruled SEC(".maps");

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

/* A cache only: an upgrade to another layout starts it empty (userspace/upgrade.c). */
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

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, CL_MAX_RATE_KEYS);
	__type(key, struct cl_rate_key);
	__type(value, struct cl_rate);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} cl_rate SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct cl_settings);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} cl_settings SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, CL_OP_STATS);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} cl_op_stats SEC(".maps");

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

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, CL_MAX_POLICIES);
	__type(key, __u32);
	__type(value, struct cl_policy_info);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} cl_policies SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, CL_MAX_NET_PREFIXES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct cl_net4_key);
	__type(value, struct cl_net_value);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} cl_net4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, CL_MAX_NET_PREFIXES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct cl_net6_key);
	__type(value, struct cl_net_value);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} cl_net6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, CL_MAX_UNIX_NAMES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct cl_unix_key);
	__type(value, __u32); /* rule id */
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} cl_unix_names SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, CL_MAX_NAME_RULES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct cl_name_key);
	__type(value, struct cl_file_rule);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} cl_name_rules SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct cl_guard);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} cl_guard SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, CL_MAX_OBJECTS);
	__type(key, struct cl_object_key);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} cl_objects SEC(".maps");

/* Keys and SysV objects made by confined tasks (see struct cl_owner_key). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, CL_MAX_OWNERS);
	__type(key, struct cl_owner_key);
	__type(value, __u64); /* the maker's bound cgroup */
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} cl_owners SEC(".maps");

/* Files whose owner a confined task set (see struct cl_fown); preallocated. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, CL_MAX_FOWNS);
	__type(key, __u64);
	__type(value, struct cl_fown);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} cl_fowns SEC(".maps");

/* The host's network namespace: its loopback reaches the host's services. */
extern const void init_net __ksym;

/* Who is asking: the binding that applies to the current task. */
struct cl_identity {
	__u64 bound_cgroup_id;
	struct cl_binding binding;
	__u32 slot; /* the binding generation this decision reads */
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
	struct cl_binding_key key = { .slot = walk->id->slot };
	struct cl_binding *binding;

	if (level < 0)
		return 1;
	key.cgroup_id = bpf_get_current_ancestor_cgroup_id(level);
	binding = bpf_map_lookup_elem(&cl_bindings, &key);
	if (!binding)
		return 0;
	walk->id->bound_cgroup_id = key.cgroup_id;
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
 * trusted while the task's cgroup and the live generation are unchanged.
 * The generation is read once, before anything else: it picks the binding
 * slot this whole decision reads, so a switch in the middle of a hook
 * cannot mix two generations, and the next hook looks again.
 */
static __always_inline int cl_identify(struct cl_identity *id)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u64 cgid = bpf_get_current_cgroup_id();
	struct cl_task_cache *cache;
	struct cl_live *live;
	__u64 generation = 0;
	__u32 zero = 0;
	int confined;

	live = bpf_map_lookup_elem(&cl_live, &zero);
	if (live)
		generation = READ_ONCE(live->generation);
	id->slot = generation & 1;
	cache = bpf_task_storage_get(&cl_task_cache, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (live && cache && cache->valid && cache->cgroup_id == cgid &&
	    cache->generation == generation) {
		if (!cache->bound_cgroup_id)
			return 0;
		id->bound_cgroup_id = cache->bound_cgroup_id;
		id->binding = cache->binding;
		return 1;
	}

	confined = cl_resolve(task, id);
	/* A confinement with no bound cgroup (bpf_loop refused) is not cached. */
	if (live && cache && (!confined || id->bound_cgroup_id)) {
		cache->cgroup_id = cgid;
		cache->generation = generation;
		cache->bound_cgroup_id = confined ? id->bound_cgroup_id : 0;
		cache->binding = id->binding;
		cache->valid = 1;
	}
	return confined;
}

/* Count one request of a confined task by op (cl_op_stats, CL_OPSTAT_*). */
static __always_inline void cl_op_count(__u32 op, __u32 kind)
{
	__u32 slot = op * CL_OPSTAT_KINDS + kind;
	__u64 *count = bpf_map_lookup_elem(&cl_op_stats, &slot);

	if (count)
		*count += 1;
}

/* cl_identify, counting the request by op when the task is confined. */
static __always_inline int cl_identify_op(struct cl_identity *id, __u32 op)
{
	if (!cl_identify(id))
		return 0;
	cl_op_count(op, CL_OPSTAT_CHECKED);
	return 1;
}

struct cl_file_walk {
	struct dentry *dentry;
	struct mount *mnt;
	__u32 policy_id;
	__u64 names; /* the policy's name rule lengths (cl_policy_info) */
	/*
	 * A second object that must allow the access too (an overlay's real
	 * file): the walk goes on from there once the first one allows it.
	 */
	struct dentry *also;
	__u32 access;
	__u32 dev; /* s_dev of the current mount's filesystem */
	int dev_known;
	int new_name;	  /* the first dentry may be negative: a name being created */
	int done;	  /* reached the root of the mount namespace */
	int disconnected; /* stopped at a dentry that is not connected to its tree */
	int found;
	struct cl_file_rule rule;
};

/* What a walk step reads of a dentry. */
struct cl_dentry_head {
	struct dentry *parent;
	struct inode *inode;
	const unsigned char *name;
	__u32 name_len;
};

/* Is @bit of cl_ruled set? When the bitmap cannot be read: yes. */
static __always_inline int cl_ruled_test(__u32 bit)
{
	__u32 zero = 0;
	struct cl_ruled *ruled = bpf_map_lookup_elem(&cl_ruled, &zero);

	if (!ruled)
		return 1;
	return (ruled->words[bit / 64] >> (bit % 64)) & 1;
}

/* May (@dev, @ino) have a file rule? */
static __always_inline int cl_maybe_ruled(__u32 dev, __u64 ino)
{
	return cl_ruled_test(cl_ruled_bit(dev, ino));
}

/*
 * The name rule for the dentry @head was read from: one anchored in its
 * directory (a path that was missing at load, a deny rule followed by
 * name), else a pattern on its name. The directory's names are looked up
 * only if its anchor bit is set. Returns 1 and fills @rule on a match, 0 on
 * none, -1 when the name cannot be read.
 */
static __always_inline int cl_name_rule(struct cl_file_walk *walk,
					const struct cl_dentry_head *head,
					struct cl_file_rule *rule)
{
	/* Locals: CO-RE must not relocate accesses to our own struct. */
	struct dentry *parent = head->parent;
	const unsigned char *name = head->name;
	struct inode *dir = BPF_CORE_READ(parent, d_inode);
	struct cl_name_key key = { .policy_id = walk->policy_id };
	struct cl_file_rule *found = NULL;

	/* No rule can hold a name this long: it cannot match. */
	if (head->name_len >= CL_NAME_MAX)
		return 0;
	if (bpf_probe_read_kernel_str(key.name, sizeof(key.name), name) < 0)
		return -1;
	if (!dir)
		return -1;
	/* d_parent never leaves a filesystem: the directory's device is the walk's. */
	key.dev = walk->dev_known ? walk->dev : BPF_CORE_READ(dir, i_sb, s_dev);
	key.ino = BPF_CORE_READ(dir, i_ino);
	if (cl_ruled_test(cl_anchor_bit(key.dev, key.ino)))
		found = bpf_map_lookup_elem(&cl_name_rules, &key);
	if (!found) {
		key.dev = 0;
		key.ino = 0;
		found = bpf_map_lookup_elem(&cl_name_rules, &key);
	}
	if (!found)
		return 0;
	*rule = *found;
	return 1;
}

/*
 * May a name @len bytes long have a name rule? Only lengths the policy has
 * rules for are read and looked up; a longer name than any rule can hold
 * cannot match.
 */
static __always_inline int cl_name_length_ruled(__u64 lengths, __u32 len)
{
	return len < CL_NAME_MAX && (lengths & (1ULL << len));
}

/* d_parent, d_name and d_inode lead struct dentry: one read covers them. */
#define CL_DENTRY_SPAN 40

/*
 * Read @dentry's parent, inode and name. Each BPF_CORE_READ is a
 * helper call, and they were most of a step's cost: where the fields lie
 * within CL_DENTRY_SPAN bytes of each other (every kernel clawlock is
 * tested on) one probe reads them all, else one each. Returns -1 when the
 * dentry cannot be read.
 */
static __always_inline int cl_dentry_read(struct dentry *dentry, struct cl_dentry_head *head)
{
	__u32 parent_at = bpf_core_field_offset(struct dentry, d_parent);
	__u32 inode_at = bpf_core_field_offset(struct dentry, d_inode);
	__u32 len_at = bpf_core_field_offset(struct dentry, d_name.len);
	__u32 name_at = bpf_core_field_offset(struct dentry, d_name.name);
	__u64 span[CL_DENTRY_SPAN / 8];

	if (inode_at < parent_at || len_at < parent_at || name_at < parent_at ||
	    inode_at + 8 > parent_at + sizeof(span) || len_at + 4 > parent_at + sizeof(span) ||
	    name_at + 8 > parent_at + sizeof(span)) {
		head->parent = BPF_CORE_READ(dentry, d_parent);
		head->inode = BPF_CORE_READ(dentry, d_inode);
		head->name = BPF_CORE_READ(dentry, d_name.name);
		head->name_len = BPF_CORE_READ(dentry, d_name.len);
		return 0;
	}
	if (bpf_probe_read_kernel(span, sizeof(span), (void *)dentry + parent_at))
		return -1;
	head->parent = (struct dentry *)span[0];
	head->inode = *(struct inode **)((void *)span + (inode_at - parent_at));
	head->name = *(const unsigned char **)((void *)span + (name_at - parent_at));
	head->name_len = *(__u32 *)((void *)span + (len_at - parent_at));
	return 0;
}

/* Is @dentry the root of its filesystem, or of @mnt (when known)? */
static __always_inline int cl_is_fs_root(struct dentry *dentry, struct mount *mnt)
{
	if (dentry == BPF_CORE_READ(dentry, d_sb, s_root))
		return 1;
	return mnt && dentry == BPF_CORE_READ(mnt, mnt.mnt_root);
}

/*
 * A rule decides at this step. When it allows and a second object must
 * allow too, the walk starts again there (one loop: one verification).
 * Returns what the step returns: 1 to stop, 0 to go on.
 */
static __always_inline long cl_walk_decided(struct cl_file_walk *walk,
					    const struct cl_file_rule *rule)
{
	walk->rule = *rule;
	walk->found = 1;
	if (!walk->also || (rule->access & CL_ACC_DENY) ||
	    (rule->access & walk->access) != walk->access)
		return 1;
	walk->dentry = walk->also;
	walk->mnt = NULL;
	walk->also = NULL;
	walk->found = 0;
	walk->dev_known = 0;
	return 0;
}

/*
 * One step of the walk from a file to the root. Rules are keyed by inode, so
 * the walk follows the object: up d_parent within its filesystem (through the
 * root of a bind mount, to the directory it was bound from), then from the
 * filesystem root to the mount point it hangs on. A rule on the inode comes
 * first; then, for a policy that has them, a name rule for the place.
 */
static long cl_file_step(__u32 i, void *data)
{
	struct cl_file_walk *walk = data;
	/* Locals: CO-RE must not relocate accesses to our own struct. */
	struct dentry *dentry = walk->dentry;
	struct mount *mnt = walk->mnt;
	struct cl_dentry_head head;
	struct cl_file_rule *rule;
	struct inode *inode;
	struct dentry *parent;
	struct mount *up;

	/*
	 * Every dentry on the way is positive but a name being created. One
	 * whose inode or parent cannot be read must not be stepped over (a deny
	 * rule may sit right there): the walk stops short of the root, which
	 * denies.
	 */
	if (cl_dentry_read(dentry, &head))
		return 1;
	inode = head.inode;
	if (inode) {
		struct cl_file_key key = {
			.policy_id = walk->policy_id,
			.ino = BPF_CORE_READ(inode, i_ino),
		};

		/* d_parent never leaves a filesystem: its device is read once per mount. */
		if (!walk->dev_known) {
			walk->dev = BPF_CORE_READ(inode, i_sb, s_dev);
			walk->dev_known = 1;
		}
		key.dev = walk->dev;

		rule = cl_maybe_ruled(key.dev, key.ino) ? bpf_map_lookup_elem(&cl_file_rules, &key)
							: NULL;
		if (rule)
			return cl_walk_decided(walk, rule);
	} else if (i || !walk->new_name) {
		return 1;
	}

	parent = head.parent;
	if (!parent)
		return 1;
	if (parent != dentry) {
		if (cl_name_length_ruled(walk->names, head.name_len)) {
			struct cl_file_rule named;
			int match = cl_name_rule(walk, &head, &named);

			if (match < 0)
				return 1;
			if (match)
				return cl_walk_decided(walk, &named);
		}
		walk->dentry = parent;
		return 0;
	}
	/*
	 * A dentry that is its own parent. The root of its filesystem or mount
	 * continues at the mount point. Any other one is not in the tree: a
	 * file opened by handle after its dentry was evicted (disconnected), or
	 * a pseudo file (a pipe's, a memfd's). Whatever rule lies above it is
	 * unknown, so the walk stops there, denied, instead of skipping to the
	 * mount point.
	 */
	if (!cl_is_fs_root(dentry, mnt)) {
		if (BPF_CORE_READ(dentry, d_flags) & DCACHE_DISCONNECTED)
			walk->disconnected = 1;
		else
			walk->done = 1;
		return 1;
	}
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
	walk->dev_known = 0;
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

/*
 * May a record for (cgroup, rule, op, decision) go out now? Returns 1 with
 * *held set to the records held back since the last one that went, or 0
 * (held back, counted). A key the table cannot hold goes out: the limit
 * only ever sheds records, it never decides anything.
 */
static __always_inline int cl_rate_pass(struct cl_identity *id, __u32 op, __u32 rule_id,
					__u32 *held)
{
	struct cl_rate_key key = { .cgroup_id = id->bound_cgroup_id, .rule_id = rule_id };
	struct cl_settings *settings;
	struct cl_rate *rate, fresh = {};
	__u64 now = bpf_ktime_get_boot_ns();
	__u32 zero = 0, limit;

	key.decision = id->binding.mode == CL_MODE_AUDIT ? CL_DECISION_AUDIT : CL_DECISION_DENY;
	/* Without a rule, each op gets its own budget. */
	key.op = rule_id ? 0 : op;
	settings = bpf_map_lookup_elem(&cl_settings, &zero);
	limit = !settings			    ? 0
		: key.decision == CL_DECISION_AUDIT ? settings->audit_per_sec
						    : settings->deny_per_sec;
	*held = 0;
	if (!limit)
		return 1;
	rate = bpf_map_lookup_elem(&cl_rate, &key);
	if (!rate) {
		fresh.window_ns = now;
		fresh.sent = 1;
		bpf_map_update_elem(&cl_rate, &key, &fresh, BPF_NOEXIST);
		return 1;
	}
	if (now - rate->window_ns >= CL_RATE_WINDOW_NS) {
		/* Racy across CPUs by a record or two a window; never by a verdict. */
		rate->window_ns = now;
		rate->sent = 0;
	}
	if (rate->sent >= limit) {
		__sync_fetch_and_add(&rate->held, 1);
		cl_count(CL_STAT_RATE_DROP);
		return 0;
	}
	__sync_fetch_and_add(&rate->sent, 1);
	*held = __sync_lock_test_and_set(&rate->held, 0);
	return 1;
}

/* A record with the common fields filled and no target yet; NULL is counted. */
static __always_inline struct cl_event *cl_event_start(struct cl_identity *id, __u32 op,
						       __u32 access, __u32 rule_id, __u32 flags)
{
	struct cl_event *event;
	__u32 held;

	/* Every refusal of a confined task comes through here: count it by op. */
	cl_op_count(op, id->binding.mode == CL_MODE_AUDIT ? CL_OPSTAT_AUDITED : CL_OPSTAT_DENIED);
	if (!cl_rate_pass(id, op, rule_id, &held))
		return NULL;
	event = bpf_ringbuf_reserve(&cl_events, sizeof(*event), 0);
	if (!event) {
		cl_count(CL_STAT_EVENT_DROP);
		return NULL;
	}
	cl_event_fill(event, id, op, access, rule_id, flags);
	event->suppressed = held;
	event->pad = 0;
	event->target_pid = 0;
	event->arg = 0;
	event->port = 0;
	event->family = 0;
	event->proto = 0;
	__builtin_memset(event->addr, 0, sizeof(event->addr));
	event->path[0] = '\0';
	return event;
}

static __always_inline void cl_emit_open(struct file *file, struct cl_identity *id, __u32 access,
					 __u32 rule_id, __u32 flags)
{
	/* A failed reserve is counted; the verdict is already decided. */
	struct cl_event *event = cl_event_start(id, CL_OP_OPEN, access, rule_id, flags);
	long len;

	if (!event)
		return;
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
	struct cl_event *event =
		cl_event_start(id, op, access, rule_id, flags | CL_EVENT_PATH_TRUNCATED);
	const unsigned char *name;

	if (!event)
		return;
	name = BPF_CORE_READ(dentry, d_name.name);
	bpf_probe_read_kernel_str(event->path, sizeof(event->path), name);
	bpf_ringbuf_submit(event, 0);
}

/* Refuse a confined request with @err (in audit mode: only report it). */
static __always_inline int cl_refuse_as(struct cl_identity *id, int err)
{
	if (id->binding.mode == CL_MODE_AUDIT) {
		cl_count(CL_STAT_AUDIT);
		return 0;
	}
	cl_count(CL_STAT_DENY);
	return err;
}

/* Deny (or, in audit mode, only report) a confined request. */
static __always_inline int cl_refuse(struct cl_identity *id)
{
	return cl_refuse_as(id, -EACCES);
}

struct cl_verdict {
	int allowed;
	__u32 rule_id;
	__u32 rule_access; /* the deciding rule's access bits; 0 when none decided */
	__u32 flags;
};

/* The lengths of @policy_id's name rules: only those names are read. */
static __always_inline __u64 cl_name_rule_lengths(__u32 policy_id)
{
	struct cl_policy_info *info = bpf_map_lookup_elem(&cl_policies, &policy_id);

	/* No record: look every name up; a failed lookup never skips a rule. */
	if (!info)
		return ~0ULL;
	return (info->flags & CL_POLICY_NAME_RULES) ? info->name_lengths : 0;
}

/*
 * The one file decision: walk from @dentry (on @mnt, or NULL when the hook
 * gives no mount) to the root; the nearest rule decides; no rule, a walk cut
 * short or a refused loop deny. With @new_name, @dentry may be a name about
 * to be created (negative): its own name rules apply, then its directory's.
 * With @also, that object (walked without a mount) must allow it too.
 */
static __always_inline void cl_decide_both(struct dentry *dentry, struct mount *mnt,
					   struct dentry *also, __u32 policy_id, __u32 access,
					   int new_name, struct cl_verdict *d)
{
	struct cl_file_walk walk = {
		.dentry = dentry,
		.mnt = mnt,
		.policy_id = policy_id,
		.new_name = new_name,
		.also = also,
		.access = access,
	};

	d->allowed = 0;
	d->rule_id = 0;
	d->rule_access = 0;
	d->flags = 0;
	/*
	 * cgroupfs and bpffs are the sandbox's walls: no rule opens them for
	 * writing. Only a write asks (two reads a decision saved on reads).
	 */
	if (access & CL_ACC_WRITE) {
		unsigned long magic = BPF_CORE_READ(dentry, d_sb, s_magic);

		if (magic == CGROUP_SUPER_MAGIC || magic == CGROUP2_SUPER_MAGIC ||
		    magic == BPF_FS_MAGIC) {
			d->flags = CL_EVENT_CONTROL_FS;
			return;
		}
	}
	walk.names = cl_name_rule_lengths(policy_id);
	bpf_loop(CL_WALK_MAX, cl_file_step, &walk, 0);
	if (walk.found) {
		d->rule_id = walk.rule.rule_id;
		d->rule_access = walk.rule.access;
		d->allowed =
			!(walk.rule.access & CL_ACC_DENY) && (walk.rule.access & access) == access;
	} else if (walk.done) {
		d->flags = CL_EVENT_NO_RULE;
	} else if (walk.disconnected) {
		d->flags = CL_EVENT_DISCONNECTED;
	} else {
		/* The bound was hit, or bpf_loop refused: fail closed. */
		d->flags = CL_EVENT_WALK_LIMIT;
		cl_count(CL_STAT_WALK_LIMIT);
	}
}

static __always_inline void cl_decide_at(struct dentry *dentry, struct mount *mnt, __u32 policy_id,
					 __u32 access, int new_name, struct cl_verdict *d)
{
	cl_decide_both(dentry, mnt, NULL, policy_id, access, new_name, d);
}

/* A dentry of @inode (its first alias), or NULL if it has none. */
static __always_inline struct dentry *cl_inode_alias(struct inode *inode)
{
	struct hlist_node *first = BPF_CORE_READ(inode, i_dentry.first);

	if (!first)
		return NULL;
	return (struct dentry *)((void *)first - bpf_core_field_offset(struct dentry, d_u.d_alias));
}

/*
 * The decision on an open file's object (its dentry on its mount). A file
 * whose inode is not its path's is the real file of an overlay, opened on
 * 6.1 under the overlay's path (open_with_fake_path): the overlay's path
 * and the real file must both allow it. The real file's mount is the
 * overlay's private one, so its walk ends at the root of its filesystem.
 */
static __always_inline void cl_decide_file(struct file *file, __u32 policy_id, __u32 access,
					   struct cl_verdict *d)
{
	struct dentry *dentry = BPF_CORE_READ(file, f_path.dentry);
	struct inode *inode = BPF_CORE_READ(file, f_inode);
	struct dentry *real = NULL;

	if (inode != BPF_CORE_READ(dentry, d_inode)) {
		real = cl_inode_alias(inode);
		if (!real) {
			d->allowed = 0;
			d->rule_id = 0;
			d->rule_access = 0;
			d->flags = CL_EVENT_DISCONNECTED;
			return;
		}
	}
	cl_decide_both(dentry, cl_real_mount(BPF_CORE_READ(file, f_path.mnt)), real, policy_id,
		       access, 0, d);
}

/* Self-protection of the loader's executable (defined with the guard, below). */
static __always_inline int cl_guard_exe_open(struct file *file);

SEC("lsm/file_open")
int BPF_PROG(cl_file_open, struct file *file, int ret)
{
	struct cl_identity id = {};
	struct cl_verdict d;
	__u32 access;

	if (ret)
		return ret;
	ret = cl_guard_exe_open(file);
	if (ret)
		return ret;
	if (!cl_identify_op(&id, CL_OP_OPEN))
		return 0;
	/*
	 * An anonymous pipe reopened through /proc/<pid>/fd (/dev/stdout when
	 * it is a pipe) is one the task or its sandbox already holds (another
	 * process's fd directory needs ptrace access): it has no place in the
	 * tree, as on receipt (cl_file_receive). A named FIFO is not on pipefs.
	 */
	if (BPF_CORE_READ(file, f_inode, i_sb, s_magic) == PIPEFS_MAGIC)
		return 0;
	access = cl_open_access(file);
	cl_decide_file(file, id.binding.policy_id, access, &d);
	if (d.allowed)
		return 0;
	cl_emit_open(file, &id, access, d.rule_id, d.flags);
	return cl_refuse(&id);
}

/*
 * A write-like change to @dentry (on @mnt): the write right is needed on it.
 * With @new_name, @dentry is the name a create, rename or link makes.
 */
static __always_inline int cl_write_check_at(struct cl_identity *id, struct dentry *dentry,
					     struct mount *mnt, __u32 op, int new_name)
{
	struct cl_verdict d;

	cl_decide_at(dentry, mnt, id->binding.policy_id, CL_ACC_WRITE, new_name, &d);
	if (d.allowed)
		return 0;
	cl_emit_name(dentry, id, op, CL_ACC_WRITE, d.rule_id, d.flags);
	return cl_refuse(id);
}

static __always_inline int cl_write_check(struct cl_identity *id, struct dentry *dentry,
					  struct mount *mnt, __u32 op)
{
	return cl_write_check_at(id, dentry, mnt, op, 0);
}

static __always_inline int cl_path_write(const struct path *path, __u32 op)
{
	struct cl_identity id = {};

	if (!cl_identify_op(&id, op))
		return 0;
	return cl_write_check(&id, BPF_CORE_READ(path, dentry),
			      cl_real_mount(BPF_CORE_READ(path, mnt)), op);
}

/*
 * A new name @dentry in @dir: the write right on the new name, which is the
 * directory's unless a name rule covers the new name itself (a secret file
 * that does not exist yet cannot be created either).
 */
static __always_inline int cl_path_create(const struct path *dir, struct dentry *dentry)
{
	struct cl_identity id = {};

	if (!cl_identify_op(&id, CL_OP_CREATE))
		return 0;
	return cl_write_check_at(&id, dentry, cl_real_mount(BPF_CORE_READ(dir, mnt)), CL_OP_CREATE,
				 1);
}

/*
 * Self-protection (see struct cl_guard): applies to every task, confined or
 * not. Before the loader arms the guard nothing is recorded, so nothing is
 * refused; once armed, an object or pin of ours touched by another program
 * is refused with EPERM and reported.
 */
static __always_inline struct cl_guard *cl_guard_armed(void)
{
	__u32 zero = 0;
	struct cl_guard *guard = bpf_map_lookup_elem(&cl_guard, &zero);

	return guard && guard->armed ? guard : NULL;
}

/*
 * Is @exe the loader's executable, or the successor it authorised for an
 * upgrade? The inode number first: it rarely matches.
 */
static __always_inline int cl_successor_named(struct cl_guard *guard)
{
	return guard->successor_ino && bpf_ktime_get_boot_ns() < guard->successor_until;
}

static __always_inline int cl_is_loader_exe(struct cl_guard *guard, struct inode *exe)
{
	__u64 ino;
	__u32 dev;

	if (!exe)
		return 0;
	ino = BPF_CORE_READ(exe, i_ino);
	if (ino != guard->loader_ino && (!guard->successor_ino || ino != guard->successor_ino))
		return 0;
	dev = BPF_CORE_READ(exe, i_sb, s_dev);
	if (ino == guard->loader_ino && dev == guard->loader_dev)
		return 1;
	return ino == guard->successor_ino && dev == guard->successor_dev &&
	       cl_successor_named(guard);
}

/* Does @task run the loader's executable (whatever it does with it)? */
static __always_inline int cl_runs_loader(struct cl_guard *guard, struct task_struct *task)
{
	return cl_is_loader_exe(guard, BPF_CORE_READ(task, mm, exe_file, f_inode));
}

/*
 * Is the current task the loader? It runs the loader's executable, and
 * nobody holds that file open for writing (i_writecount > 0): a writer could
 * have changed what runs under the trusted inode. New writers are refused
 * while armed (cl_guard_exe); this also covers one opened before.
 */
static __always_inline int cl_is_loader(struct cl_guard *guard)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct inode *exe = BPF_CORE_READ(task, mm, exe_file, f_inode);

	/* No executable (a kernel thread) or an unreadable one: not the loader. */
	return cl_is_loader_exe(guard, exe) && BPF_CORE_READ(exe, i_writecount.counter) <= 0;
}

/*
 * Refuse a touch of clawlock itself, whoever asks, and report it: the
 * caller may be a host process. @target is the process or @name the file
 * it was about, when there is one.
 */
static __always_inline int cl_refuse_self(__u32 kind, struct task_struct *target,
					  struct dentry *name)
{
	struct cl_identity id = {};
	struct cl_event *event;

	cl_identify(&id);
	event = cl_event_start(&id, CL_OP_SELF, 0, 0, 0);
	if (event) {
		event->arg = kind;
		if (target) {
			event->target_pid = BPF_CORE_READ(target, tgid);
			bpf_probe_read_kernel_str(event->path, sizeof(event->comm),
						  BPF_CORE_READ(target, comm));
		} else if (name) {
			bpf_probe_read_kernel_str(event->path, sizeof(event->path),
						  BPF_CORE_READ(name, d_name.name));
		}
		bpf_ringbuf_submit(event, 0);
	}
	/* Never audit-only: the sandbox's mode does not weaken clawlock's own guard. */
	cl_count(CL_STAT_DENY);
	return -EPERM;
}

/* Refuse a touch of clawlock's objects by anyone but the loader. */
static __always_inline int cl_protect(struct cl_guard *guard, __u32 op_arg)
{
	if (cl_is_loader(guard))
		return 0;
	return cl_refuse_self(op_arg, NULL, NULL);
}

static __always_inline int cl_guard_object(__u32 kind, __u32 obj_id)
{
	struct cl_object_key key = { .kind = kind, .id = obj_id };
	struct cl_guard *guard = cl_guard_armed();

	if (!guard || !bpf_map_lookup_elem(&cl_objects, &key))
		return 0;
	return cl_protect(guard, kind);
}

/*
 * Is @dentry clawlock's pin directory? Every rename and removal on the
 * system asks, so the inode number is compared first: the device (two more
 * reads) only when it matches.
 */
static __always_inline int cl_is_pin_dir(struct cl_guard *guard, struct dentry *dentry)
{
	struct inode *inode = BPF_CORE_READ(dentry, d_inode);

	return inode && BPF_CORE_READ(inode, i_ino) == guard->pin_ino &&
	       BPF_CORE_READ(inode, i_sb, s_dev) == guard->pin_dev;
}

/* Removing or renaming a pin (or the pin directory) would detach clawlock. */
static __always_inline int cl_guard_pins(struct dentry *dir, struct dentry *victim)
{
	struct cl_guard *guard = cl_guard_armed();

	if (!guard)
		return 0;
	if (cl_is_pin_dir(guard, dir) || (victim && cl_is_pin_dir(guard, victim)))
		return cl_protect(guard, 0);
	return 0;
}

/*
 * The loader's executable is its identity, so while clawlock is loaded
 * nobody may change it (write, truncate, chmod, chown) or remove its name
 * (unlink, rename over it), the loader included: new content, or a freed
 * inode number given to another file, would inherit the trust. The same
 * holds for a successor while an upgrade hands over to it.
 */
static __always_inline int cl_guard_exe(struct dentry *dentry)
{
	struct cl_guard *guard = cl_guard_armed();

	if (!guard || !cl_is_loader_exe(guard, BPF_CORE_READ(dentry, d_inode)))
		return 0;
	return cl_refuse_self(CL_OBJ_EXE, NULL, dentry);
}

static __always_inline int cl_guard_exe_open(struct file *file)
{
	if (!(BPF_CORE_READ(file, f_mode) & FMODE_WRITE) &&
	    !(BPF_CORE_READ(file, f_flags) & O_TRUNC))
		return 0;
	return cl_guard_exe(BPF_CORE_READ(file, f_path.dentry));
}

/*
 * The loader's processes hold clawlock's maps: only the loader may trace
 * them or look into them (pidfd_getfd, PTRACE_ATTACH, /proc/PID/fd, mem,
 * environ, ...: the kernel asks ptrace_access_check for each).
 */
#define PTRACE_MODE_NOAUDIT 0x04
static __always_inline int cl_guard_tracee(struct task_struct *child, unsigned int mode)
{
	struct cl_guard *guard = cl_guard_armed();

	if (!guard || !cl_runs_loader(guard, child) || cl_is_loader(guard))
		return 0;
	/* A quiet probe (ps reading /proc/PID/stat) is refused without a record. */
	if (mode & PTRACE_MODE_NOAUDIT)
		return -EPERM;
	return cl_refuse_self(CL_OBJ_PROCESS, child, NULL);
}

/*
 * The hooks below ignore the previous program's verdict argument: it comes
 * last, after arguments whose number differs between kernels (path_rename
 * gained flags), and clawlock attaches only one program per hook.
 */

/* A new name in @dir (mkdir, mknod and open with O_CREAT, symlink). */
SEC("lsm/path_mkdir")
int BPF_PROG(cl_path_mkdir, const struct path *dir, struct dentry *dentry)
{
	return cl_path_create(dir, dentry);
}

SEC("lsm/path_mknod")
int BPF_PROG(cl_path_mknod, const struct path *dir, struct dentry *dentry)
{
	return cl_path_create(dir, dentry);
}

SEC("lsm/path_symlink")
int BPF_PROG(cl_path_symlink, const struct path *dir, struct dentry *dentry)
{
	return cl_path_create(dir, dentry);
}

/*
 * Is @dentry a directory on the way to one of the policy's deny rules (an
 * empty name keyed on it in cl_name_rules)? The rule's names are anchored
 * in it: moved or removed, the name a secret appears under later would be
 * in a directory no rule knows. Refused, naming the deny rule.
 */
static __always_inline int cl_anchor_check(struct cl_identity *id, struct dentry *dentry, __u32 op)
{
	struct inode *inode = BPF_CORE_READ(dentry, d_inode);
	struct cl_name_key key = { .policy_id = id->binding.policy_id };
	struct cl_file_rule *rule;

	if (!inode)
		return 0;
	key.dev = BPF_CORE_READ(inode, i_sb, s_dev);
	key.ino = BPF_CORE_READ(inode, i_ino);
	rule = bpf_map_lookup_elem(&cl_name_rules, &key);
	if (!rule)
		return 0;
	cl_emit_name(dentry, id, op, CL_ACC_WRITE, rule->rule_id, 0);
	return cl_refuse(id);
}

/* Removing a name: write on the victim itself (its own rule, else its directory's). */
static __always_inline int cl_remove(const struct path *dir, struct dentry *dentry)
{
	struct cl_identity id = {};
	int err = cl_guard_pins(BPF_CORE_READ(dir, dentry), dentry);

	if (!err)
		err = cl_guard_exe(dentry);
	if (err)
		return err;
	if (!cl_identify_op(&id, CL_OP_UNLINK))
		return 0;
	err = cl_write_check(&id, dentry, cl_real_mount(BPF_CORE_READ(dir, mnt)), CL_OP_UNLINK);
	return err ? err : cl_anchor_check(&id, dentry, CL_OP_UNLINK);
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
 * write, a denied tree above all), the new name (its name rule, else the
 * target directory), and whatever it replaces with that directory (or, for
 * RENAME_EXCHANGE, what it moves back).
 */
SEC("lsm/path_rename")
int BPF_PROG(cl_path_rename, const struct path *old_dir, struct dentry *old_dentry,
	     const struct path *new_dir, struct dentry *new_dentry)
{
	struct mount *old_mnt, *new_mnt;
	struct cl_identity id = {};
	int err;

	err = cl_guard_pins(BPF_CORE_READ(old_dir, dentry), old_dentry);
	if (!err)
		err = cl_guard_pins(BPF_CORE_READ(new_dir, dentry), NULL);
	if (!err)
		err = cl_guard_exe(new_dentry); /* replaced, or swapped away */
	if (err)
		return err;
	if (!cl_identify_op(&id, CL_OP_RENAME))
		return 0;
	old_mnt = cl_real_mount(BPF_CORE_READ(old_dir, mnt));
	new_mnt = cl_real_mount(BPF_CORE_READ(new_dir, mnt));
	err = cl_write_check(&id, old_dentry, old_mnt, CL_OP_RENAME);
	if (!err)
		err = cl_anchor_check(&id, old_dentry, CL_OP_RENAME);
	if (err)
		return err;
	/* The new name (a name rule on it, else its directory), or what it replaces. */
	err = cl_write_check_at(&id, new_dentry, new_mnt, CL_OP_RENAME, 1);
	if (!err)
		err = cl_anchor_check(&id, new_dentry, CL_OP_RENAME);
	if (err || !BPF_CORE_READ(new_dentry, d_inode))
		return err;
	/* Replacing a file changes its directory too. */
	return cl_write_check(&id, BPF_CORE_READ(new_dir, dentry), new_mnt, CL_OP_RENAME);
}

/*
 * A hard link exposes the object under a new name: it needs write on the
 * object itself, so a file of a denied (or read-only) tree cannot be linked
 * into a tree the agent may read, and write on the new name (its name rule,
 * else its directory).
 */
SEC("lsm/path_link")
int BPF_PROG(cl_path_link, struct dentry *old_dentry, const struct path *new_dir,
	     struct dentry *new_dentry)
{
	struct cl_identity id = {};
	struct mount *mnt;
	int err;

	if (!cl_identify_op(&id, CL_OP_LINK))
		return 0;
	mnt = cl_real_mount(BPF_CORE_READ(new_dir, mnt));
	err = cl_write_check(&id, old_dentry, mnt, CL_OP_LINK);
	if (err)
		return err;
	return cl_write_check_at(&id, new_dentry, mnt, CL_OP_LINK, 1);
}

SEC("lsm/path_truncate")
int BPF_PROG(cl_path_truncate, const struct path *path)
{
	int err = cl_guard_exe(BPF_CORE_READ(path, dentry));

	return err ? err : cl_path_write(path, CL_OP_SETATTR);
}

SEC("lsm/path_chmod")
int BPF_PROG(cl_path_chmod, const struct path *path)
{
	int err = cl_guard_exe(BPF_CORE_READ(path, dentry));

	return err ? err : cl_path_write(path, CL_OP_SETATTR);
}

SEC("lsm/path_chown")
int BPF_PROG(cl_path_chown, const struct path *path)
{
	int err = cl_guard_exe(BPF_CORE_READ(path, dentry));

	return err ? err : cl_path_write(path, CL_OP_SETATTR);
}

/*
 * xattr hooks give a dentry and no mount (and their first argument's type
 * differs between kernels): the walk stops at the root of the file's own
 * filesystem, so a file whose rules all lie above that root is denied.
 */
static __always_inline int cl_xattr(struct dentry *dentry)
{
	struct cl_identity id = {};

	if (!cl_identify_op(&id, CL_OP_XATTR))
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
 * The exec switch (CL_POLICY_NO_EXEC): only the loader's executable, that is
 * `clawlock run` starting the sandbox's first program, may exec in such a
 * scope. A missing policy record is the empty policy: no exec either.
 */
static __always_inline int cl_exec_switched_off(struct cl_identity *id)
{
	struct cl_policy_info *info = bpf_map_lookup_elem(&cl_policies, &id->binding.policy_id);
	struct cl_guard *guard;

	if (info && !(info->flags & CL_POLICY_NO_EXEC))
		return 0;
	guard = cl_guard_armed();
	return !guard || !cl_is_loader(guard);
}

/*
 * POSIX ACLs change who may do what with a file, its mode among it: a write.
 * From 6.2 they have their own hooks (before, they were a setxattr of
 * system.posix_acl_*, decided above); the loader leaves these programs out
 * on kernels without the hooks (userspace/bpfstate.c).
 */
SEC("lsm/inode_set_acl")
int BPF_PROG(cl_inode_set_acl, void *idmap, struct dentry *dentry)
{
	return cl_xattr(dentry);
}

SEC("lsm/inode_remove_acl")
int BPF_PROG(cl_inode_remove_acl, void *idmap, struct dentry *dentry)
{
	return cl_xattr(dentry);
}

/*
 * Times (utimensat, utimes, futimens) reach no path hook: setting them is a
 * write, decided here without a mount, as for xattrs. Mode, owner and size
 * were decided with their mount by path_chmod, path_chown, path_truncate
 * (and file_open for O_TRUNC); the kernel's own setattr after a write
 * (dropping set-id bits) sets no times. 6.8 put an idmap before the
 * dentry: the arguments are counted.
 */
SEC("lsm/inode_setattr")
int BPF_PROG(cl_inode_setattr)
{
	int first = bpf_get_func_arg_cnt(ctx) > 2 ? 1 : 0;
	struct cl_identity id = {};
	__u64 dentry = 0, attr = 0;
	unsigned int valid;

	if (!cl_identify(&id))
		return 0;
	/* An argument that cannot be read: the times may be set, so it is decided. */
	if (bpf_get_func_arg(ctx, first + 1, &attr) == 0) {
		/* A failed read is taken as a change of the times: decided. */
		if (bpf_core_read(&valid, sizeof(valid), &((struct iattr *)attr)->ia_valid))
			valid = ATTR_ATIME;
		if (!(valid & (ATTR_ATIME | ATTR_MTIME)) || (valid & ATTR_SIZE))
			return 0;
	}
	cl_op_count(CL_OP_SETATTR, CL_OPSTAT_CHECKED);
	if (bpf_get_func_arg(ctx, first, &dentry) || !dentry) {
		struct cl_event *event =
			cl_event_start(&id, CL_OP_SETATTR, CL_ACC_WRITE, 0, CL_EVENT_WALK_LIMIT);

		if (event)
			bpf_ringbuf_submit(event, 0);
		return cl_refuse(&id);
	}
	return cl_write_check(&id, (struct dentry *)dentry, 0, CL_OP_SETATTR);
}

/*
 * Inode flags (immutable, append-only, ...) and the inode version are set
 * by ioctl on any descriptor, a read-only one too: a write on the file. A
 * program of its own on file_ioctl, beside the terminal ioctl check.
 */
static __always_inline int cl_setattr_ioctl(struct file *file, unsigned int cmd)
{
	struct cl_identity id = {};
	struct cl_verdict d;

	if (cmd != FS_IOC_SETFLAGS && cmd != FS_IOC32_SETFLAGS && cmd != FS_IOC_FSSETXATTR &&
	    cmd != FS_IOC_SETVERSION && cmd != FS_IOC32_SETVERSION)
		return 0;
	if (!cl_identify_op(&id, CL_OP_SETATTR))
		return 0;
	cl_decide_file(file, id.binding.policy_id, CL_ACC_WRITE, &d);
	if (d.allowed)
		return 0;
	cl_emit_name(BPF_CORE_READ(file, f_path.dentry), &id, CL_OP_SETATTR, CL_ACC_WRITE,
		     d.rule_id, d.flags);
	return cl_refuse(&id);
}

/*
 * Metadata of what a deny rule hides: stat, getxattr and listxattr of an
 * object a deny rule decides (or whose walk cannot finish, or ends at a
 * disconnected dentry) are refused. Objects with no rule stay visible:
 * programs stat their way up to the root, and a stat every confined task
 * makes cannot be refused. Every stat asks: unconfined tasks leave after
 * the identity check.
 */
static __always_inline int cl_reveal_check(struct cl_identity *id, struct dentry *dentry,
					   struct mount *mnt)
{
	struct cl_verdict d;

	cl_decide_at(dentry, mnt, id->binding.policy_id, CL_ACC_READ, 0, &d);
	if (d.allowed || (d.rule_access && !(d.rule_access & CL_ACC_DENY)) ||
	    (d.flags & CL_EVENT_NO_RULE))
		return 0;
	cl_emit_name(dentry, id, CL_OP_STAT, CL_ACC_READ, d.rule_id, d.flags);
	return cl_refuse(id);
}

SEC("lsm/inode_getattr")
int BPF_PROG(cl_inode_getattr, const struct path *path)
{
	struct cl_identity id = {};

	if (!cl_identify_op(&id, CL_OP_STAT))
		return 0;
	return cl_reveal_check(&id, BPF_CORE_READ(path, dentry),
			       cl_real_mount(BPF_CORE_READ(path, mnt)));
}

/* xattr reads give no mount: the walk ends at the root of the file's filesystem. */
SEC("lsm/inode_getxattr")
int BPF_PROG(cl_inode_getxattr, struct dentry *dentry)
{
	struct cl_identity id = {};

	if (!cl_identify_op(&id, CL_OP_STAT))
		return 0;
	return cl_reveal_check(&id, dentry, 0);
}

/*
 * From 6.2 a read of system.posix_acl_* is no getxattr: it has a hook of its
 * own (the loader leaves this program out on older kernels, where the
 * getxattr hook above decides it).
 */
SEC("lsm/inode_get_acl")
int BPF_PROG(cl_inode_get_acl, void *idmap, struct dentry *dentry)
{
	struct cl_identity id = {};

	if (!cl_identify_op(&id, CL_OP_STAT))
		return 0;
	return cl_reveal_check(&id, dentry, 0);
}

SEC("lsm/inode_listxattr")
int BPF_PROG(cl_inode_listxattr, struct dentry *dentry)
{
	struct cl_identity id = {};

	if (!cl_identify_op(&id, CL_OP_STAT))
		return 0;
	return cl_reveal_check(&id, dentry, 0);
}

/*
 * A watch (inotify, fanotify, dnotify) reports the names and changes of
 * what it watches: it needs the read right, as a directory listing does.
 */
SEC("lsm/path_notify")
int BPF_PROG(cl_path_notify, const struct path *path)
{
	struct cl_identity id = {};
	struct dentry *dentry;
	struct cl_verdict d;

	if (!cl_identify_op(&id, CL_OP_WATCH))
		return 0;
	dentry = BPF_CORE_READ(path, dentry);
	cl_decide_at(dentry, cl_real_mount(BPF_CORE_READ(path, mnt)), id.binding.policy_id,
		     CL_ACC_READ, 0, &d);
	if (d.allowed)
		return 0;
	cl_emit_name(dentry, &id, CL_OP_WATCH, CL_ACC_READ, d.rule_id, d.flags);
	return cl_refuse(&id);
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

	if (!cl_identify_op(&id, CL_OP_EXEC))
		return 0;
	mode = BPF_CORE_READ(file, f_inode, i_mode);
	if ((mode & (S_ISUID | S_ISGID)) || BPF_CORE_READ_BITFIELD_PROBED(bprm, secureexec))
		flags = CL_EVENT_SETID;
	/* A deleted file has no place in the tree any more: it is not run either. */
	if (!BPF_CORE_READ(file, f_inode, i_nlink))
		flags |= CL_EVENT_UNLINKED;
	if (cl_exec_switched_off(&id))
		flags |= CL_EVENT_EXEC_OFF;
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

	if (!cl_identify_op(&id, CL_OP_MMAP))
		return 0;
	cl_decide_file(file, id.binding.policy_id, CL_ACC_EXEC, &d);
	if (d.allowed)
		return 0;
	cl_emit_name(BPF_CORE_READ(file, f_path.dentry), &id, CL_OP_MMAP, CL_ACC_EXEC, d.rule_id,
		     d.flags);
	return cl_refuse(&id);
}

/* A confined task holding an io_uring instance is refused (process section). */
static __always_inline int cl_io_uring_refuse(struct file *file);

/*
 * Anonymous executable memory (JITs) is not a file and is not checked here.
 * Other mappings are checked only for an io_uring's rings.
 */
SEC("lsm/mmap_file")
int BPF_PROG(cl_mmap_file, struct file *file, unsigned long reqprot, unsigned long prot)
{
	if (!file)
		return 0;
	if (!(prot & PROT_EXEC))
		return cl_io_uring_refuse(file);
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
	struct cl_event *event = cl_event_start(id, op, 0, 0, CL_EVENT_HARDENING);

	if (event)
		bpf_ringbuf_submit(event, 0);
}

/* Refuse @op to a confined @id outright (in audit mode: only report it). */
static __always_inline int cl_forbid_as(struct cl_identity *id, __u32 op)
{
	cl_emit_op(id, op);
	return cl_refuse_as(id, -EPERM);
}

static __always_inline int cl_forbid(__u32 op)
{
	struct cl_identity id = {};

	if (!cl_identify_op(&id, op))
		return 0;
	return cl_forbid_as(&id, op);
}

/* Report @op with @arg (and the reason @flags), then refuse it with @err. */
static __always_inline int cl_refuse_arg(struct cl_identity *id, __u32 op, __u32 flags, __u32 arg,
					 int err)
{
	struct cl_event *event = cl_event_start(id, op, 0, 0, flags);

	if (event) {
		event->arg = arg;
		bpf_ringbuf_submit(event, 0);
	}
	return cl_refuse_as(id, err);
}

/* A map descriptor is being made (by id or from a pin): ours only for the loader. */
SEC("lsm/bpf_map")
int BPF_PROG(cl_bpf_map, struct bpf_map *map)
{
	return cl_guard_object(CL_OBJ_MAP, BPF_CORE_READ(map, id));
}

SEC("lsm/bpf_prog")
int BPF_PROG(cl_bpf_prog, struct bpf_prog *prog)
{
	return cl_guard_object(CL_OBJ_PROG, BPF_CORE_READ(prog, aux, id));
}

/*
 * BPF_LINK_DETACH names a link by descriptor: which link is it? 0 if the
 * descriptor is not open (the command fails anyway), -1 if it cannot be read.
 */
static __always_inline long cl_link_of_fd(int fd)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	struct file **fds = BPF_CORE_READ(fdt, fd);
	struct bpf_link *link;
	struct file *file = NULL;

	if (fd < 0 || (unsigned int)fd >= BPF_CORE_READ(fdt, max_fds))
		return 0;
	if (bpf_probe_read_kernel(&file, sizeof(file), &fds[fd]))
		return -1;
	if (!file)
		return 0;
	link = BPF_CORE_READ(file, private_data);
	return link ? BPF_CORE_READ(link, id) : 0;
}

/*
 * Inside a sandbox bpf() is refused outright. Outside, links need a look
 * here: no hook guards a link descriptor, so the ways to get one by id and
 * to detach one are checked by command.
 */
/* Getting or detaching one of clawlock's links: the loader only. */
static __always_inline int cl_guard_links(int cmd, union bpf_attr *attr)
{
	struct cl_object_key key = { .kind = CL_OBJ_LINK };
	struct cl_guard *guard;
	long link_id;

	if (cmd == BPF_LINK_GET_FD_BY_ID)
		return cl_guard_object(CL_OBJ_LINK, BPF_CORE_READ(attr, link_id));
	if (cmd != BPF_LINK_DETACH)
		return 0;
	guard = cl_guard_armed();
	if (!guard)
		return 0;
	link_id = cl_link_of_fd(BPF_CORE_READ(attr, link_detach.link_fd));
	/* A descriptor that cannot be read might be ours: refused. */
	key.id = (__u32)link_id;
	if (link_id < 0 || (link_id && bpf_map_lookup_elem(&cl_objects, &key)))
		return cl_protect(guard, CL_OBJ_LINK);
	return 0;
}

/*
 * While an upgrade hands over (a successor is named), the new binary's maps
 * exist for a while before it can record them in cl_objects, and a map it
 * adds is pinned by the load itself: until the hand-over ends, nobody but
 * the loader and the successor gets any BPF object by id or by pin.
 */
static __always_inline int cl_guard_handover(int cmd)
{
	struct cl_guard *guard;

	if (cmd != BPF_MAP_GET_FD_BY_ID && cmd != BPF_PROG_GET_FD_BY_ID &&
	    cmd != BPF_LINK_GET_FD_BY_ID && cmd != BPF_OBJ_GET)
		return 0;
	guard = cl_guard_armed();
	if (!guard || !cl_successor_named(guard))
		return 0;
	return cl_protect(guard, CL_OBJ_MAP);
}

/*
 * The link guard comes first: a sandbox in audit mode is let through the
 * "never in a sandbox" refusal below, and must still not reach clawlock.
 */
SEC("lsm/bpf")
int BPF_PROG(cl_bpf, int cmd, union bpf_attr *attr)
{
	struct cl_identity id = {};
	int err = cl_guard_handover(cmd);

	if (!err)
		err = cl_guard_links(cmd, attr);
	if (err)
		return err;
	if (cl_identify_op(&id, CL_OP_BPF))
		return cl_forbid_as(&id, CL_OP_BPF);
	return 0;
}

/*
 * A traced process that execs the loader would hand its tracer the loader's
 * maps: the tracer was never asked about (ptrace_access_check ran before
 * the exec, on another program). So the loader runs untraced or not at all.
 */
SEC("lsm/bprm_check_security")
int BPF_PROG(cl_bprm_check_security, struct linux_binprm *bprm)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct cl_guard *guard = cl_guard_armed();

	if (!guard || !cl_is_loader_exe(guard, BPF_CORE_READ(bprm, file, f_inode)) || !task->ptrace)
		return 0;
	return cl_refuse_self(CL_OBJ_PROCESS, task, NULL);
}

/*
 * prctl(PR_SET_MM, PR_SET_MM_EXE_FILE or PR_SET_MM_MAP) gives a process
 * another mm->exe_file: the loader's identity, without running it. Refused
 * while armed (only checkpoint/restore tools use it).
 */
#define PR_SET_MM	   35
#define PR_SET_MM_EXE_FILE 13
#define PR_SET_MM_MAP	   14
SEC("lsm/task_prctl")
int BPF_PROG(cl_task_prctl, int option, unsigned long arg2)
{
	if (option != PR_SET_MM || (arg2 != PR_SET_MM_EXE_FILE && arg2 != PR_SET_MM_MAP) ||
	    !cl_guard_armed())
		return 0;
	return cl_refuse_self(CL_OBJ_EXE, NULL, NULL);
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

/* Unmounting the bpffs that holds the pins would drop them, and detach clawlock. */
SEC("lsm/sb_umount")
int BPF_PROG(cl_sb_umount, struct vfsmount *mnt)
{
	struct cl_guard *guard = cl_guard_armed();
	int err;

	if (guard && BPF_CORE_READ(mnt, mnt_sb, s_dev) == guard->pin_dev) {
		err = cl_protect(guard, 0);
		if (err)
			return err;
	}
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

/*
 * Network. An address is decided by one LPM lookup: the longest prefix of
 * the policy holding it carries every rule that contains the address, most
 * specific first, and the first one matching protocol and port decides. No
 * prefix, or no entry matching, denies: `network: none` is no rules at all.
 * Loopback is allowed only in a private network namespace; the host's
 * loopback reaches the Gateway and every local service.
 */
struct cl_net_request {
	__u8 family; /* AF_INET or AF_INET6 (v4-mapped addresses become AF_INET) */
	__u8 proto;
	__u16 port;
	__u8 addr[16];
};

static __always_inline int cl_net_match(struct cl_net_value *value, struct cl_net_request *req,
					__u32 *rule_id)
{
	__u32 count = value->count;

	for (int i = 0; i < CL_NET_ENTRIES; i++) {
		struct cl_net_entry *e = &value->entries[i];

		if (i >= count)
			break;
		if (e->proto && e->proto != req->proto)
			continue;
		if (req->port < e->port_lo || req->port > e->port_hi)
			continue;
		*rule_id = e->rule_id;
		return e->allow;
	}
	return 0;
}

static __always_inline int cl_is_loopback(struct cl_net_request *req)
{
	if (req->family == AF_INET)
		return req->addr[0] == 127;
	for (int i = 0; i < 15; i++)
		if (req->addr[i])
			return 0;
	return req->addr[15] == 1;
}

static __always_inline void cl_net_decide(struct sock *sk, __u32 policy_id,
					  struct cl_net_request *req, struct cl_verdict *v)
{
	struct cl_net_value *value;

	v->allowed = 0;
	v->rule_id = 0;
	v->flags = 0;
	if (cl_is_loopback(req)) {
		void *net = BPF_CORE_READ(sk, __sk_common.skc_net.net);

		if (net && net != &init_net) {
			v->allowed = 1;
			return;
		}
		v->flags = CL_EVENT_HOST_LOOPBACK;
	}
	if (req->family == AF_INET) {
		struct cl_net4_key key = { .prefixlen = 64, .policy_id = policy_id };

		__builtin_memcpy(key.addr, req->addr, 4);
		value = bpf_map_lookup_elem(&cl_net4, &key);
	} else {
		struct cl_net6_key key = { .prefixlen = 160, .policy_id = policy_id };

		__builtin_memcpy(key.addr, req->addr, 16);
		value = bpf_map_lookup_elem(&cl_net6, &key);
	}
	if (value)
		v->allowed = cl_net_match(value, req, &v->rule_id);
	if (!v->allowed && !v->rule_id)
		v->flags |= CL_EVENT_NO_RULE;
}

/* An IPv6 address into @req: ::ffff:a.b.c.d is an IPv4 address and is decided as one. */
static __always_inline void cl_set_inet6(struct cl_net_request *req, __u8 *a)
{
	if (!a[0] && !a[1] && !a[2] && !a[3] && !a[4] && !a[5] && !a[6] && !a[7] && !a[8] &&
	    !a[9] && a[10] == 0xff && a[11] == 0xff) {
		req->family = AF_INET;
		__builtin_memcpy(req->addr, a + 12, 4);
	} else {
		req->family = AF_INET6;
		__builtin_memcpy(req->addr, a, 16);
	}
}

/*
 * The address of a sockaddr in kernel memory. Returns 1 with @req filled, 0
 * for AF_UNSPEC (no address: a disconnect, or a send to the peer), -1 for
 * anything an inet socket cannot take (denied: the kernel would refuse it).
 * With @unspec_inet, an AF_UNSPEC address long enough for a sockaddr_in is
 * that sockaddr_in: IPv4 bind() and udp_sendmsg() read it as one.
 */
static __always_inline int cl_sockaddr(struct sockaddr *address, int addrlen,
				       struct cl_net_request *req, int unspec_inet)
{
	__u16 family = 0;

	/* An unreadable address is not a disconnect: deny. */
	if (bpf_probe_read_kernel(&family, sizeof(family), &address->sa_family))
		return -1;
	if (family == AF_UNSPEC && unspec_inet)
		family = AF_INET;
	if (family == AF_INET && addrlen >= (int)sizeof(struct sockaddr_in)) {
		struct sockaddr_in sin = {};

		if (bpf_probe_read_kernel(&sin, sizeof(sin), address))
			return -1;
		req->family = AF_INET;
		req->port = bpf_ntohs(sin.sin_port);
		__builtin_memcpy(req->addr, &sin.sin_addr, 4);
		return 1;
	}
	if (family == AF_INET6 && addrlen >= (int)sizeof(struct sockaddr_in6)) {
		struct sockaddr_in6 sin6 = {};

		if (bpf_probe_read_kernel(&sin6, sizeof(sin6), address))
			return -1;
		req->port = bpf_ntohs(sin6.sin6_port);
		cl_set_inet6(req, (__u8 *)&sin6.sin6_addr);
		return 1;
	}
	if (family == AF_UNSPEC)
		return 0;
	return -1;
}

static __always_inline __u8 cl_sock_proto(struct sock *sk)
{
	__u16 proto = BPF_CORE_READ(sk, sk_protocol);

	/* MPTCP is TCP on the wire (and does not fit a byte). */
	return proto == IPPROTO_MPTCP ? IPPROTO_TCP : (__u8)proto;
}

static __always_inline void cl_emit_net(struct cl_identity *id, __u32 op,
					struct cl_net_request *req, struct cl_verdict *v)
{
	struct cl_event *event = cl_event_start(id, op, CL_ACC_NET, v->rule_id, v->flags);

	if (!event)
		return;
	event->family = req->family;
	event->proto = req->proto;
	event->port = req->port;
	__builtin_memcpy(event->addr, req->addr, 16);
	bpf_ringbuf_submit(event, 0);
}

static __always_inline int cl_inet_family(struct sock *sk)
{
	__u16 family = BPF_CORE_READ(sk, __sk_common.skc_family);

	return family == AF_INET || family == AF_INET6;
}

/*
 * Decide @req for @op: @found is what cl_sockaddr returned (-1: nothing an
 * inet socket takes, denied without a lookup).
 */
static __always_inline int cl_net_verdict(struct cl_identity *id, struct sock *sk,
					  struct cl_net_request *req, int found, __u32 op)
{
	struct cl_verdict v;

	if (found < 0) {
		v.allowed = 0;
		v.rule_id = 0;
		v.flags = CL_EVENT_NO_RULE;
	} else {
		cl_net_decide(sk, id->binding.policy_id, req, &v);
	}
	if (v.allowed)
		return 0;
	cl_emit_net(id, op, req, &v);
	return cl_refuse(id);
}

/* connect and bind on an inet socket name an address: decide it. */
static __always_inline int cl_net_address(struct socket *sock, struct sockaddr *address,
					  int addrlen, __u32 op)
{
	struct cl_net_request req = {};
	struct cl_identity id = {};
	struct sock *sk;
	int ret, ipv4;

	if (!cl_identify_op(&id, op))
		return 0;
	sk = BPF_CORE_READ(sock, sk);
	if (!sk || !cl_inet_family(sk))
		return 0;
	req.proto = cl_sock_proto(sk);
	ipv4 = BPF_CORE_READ(sk, __sk_common.skc_family) == AF_INET;
	/* bind() on an IPv4 socket takes AF_UNSPEC as AF_INET (INADDR_ANY). */
	ret = cl_sockaddr(address, addrlen, &req, op == CL_OP_BIND && ipv4);
	/* AF_UNSPEC: connect disconnects; any other bind the kernel refuses. */
	if (ret == 0 && op != CL_OP_BIND)
		return 0;
	return cl_net_verdict(&id, sk, &req, ret ? ret : -1, op);
}

SEC("lsm/socket_connect")
int BPF_PROG(cl_socket_connect, struct socket *sock, struct sockaddr *address, int addrlen)
{
	return cl_net_address(sock, address, addrlen, CL_OP_CONNECT);
}

/*
 * Where a send with no address (or AF_UNSPEC, which udpv6_sendmsg takes as
 * none) goes: a connected datagram socket's peer. Decided at every send, so
 * that no way of connecting it (nor a policy switch since) is trusted. 0 for
 * a stream socket (its peer was decided at connect, or is a client it
 * accepted) and for an unconnected one (the kernel refuses: EDESTADDRREQ).
 */
static __always_inline int cl_sock_peer(struct sock *sk, struct cl_net_request *req)
{
	if (BPF_CORE_READ(sk, sk_type) != SOCK_DGRAM ||
	    BPF_CORE_READ(sk, __sk_common.skc_state) != TCP_ESTABLISHED)
		return 0;
	req->port = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	if (BPF_CORE_READ(sk, __sk_common.skc_family) == AF_INET) {
		__be32 daddr = BPF_CORE_READ(sk, __sk_common.skc_daddr);

		req->family = AF_INET;
		__builtin_memcpy(req->addr, &daddr, 4);
	} else {
		struct in6_addr a6 = BPF_CORE_READ(sk, __sk_common.skc_v6_daddr);

		cl_set_inet6(req, (__u8 *)&a6);
	}
	return 1;
}

/* Source-routing options and control messages (uapi macros are not in BTF). */
#define CL_SOL_IP	       0
#define CL_SOL_IPV6	       41
#define CL_SOL_SCTP	       132
#define CL_IP_OPTIONS	       4
#define CL_IP_RETOPTS	       7 /* IP options as a control message */
#define CL_IPV6_2292RTHDR      5
#define CL_IPV6_2292PKTOPTIONS 6 /* a buffer of control messages, kept */
#define CL_IPV6_RTHDR	       57
#define CL_SCTP_DSTADDRV4      7 /* extra peers of a new association */
#define CL_SCTP_DSTADDRV6      8
#define CL_CMSG_MAX	       32

/*
 * Options that route a packet through hops other than its destination
 * (IPv4 LSRR/SSRR, IPv6 routing headers and segment routing), or add peers
 * no hook decides: a sandbox could reach a denied hop by way of an allowed
 * address. No rule allows them.
 */
static __always_inline int cl_routing_option(int level, int name, int cmsg)
{
	if (level == CL_SOL_IP)
		return name == (cmsg ? CL_IP_RETOPTS : CL_IP_OPTIONS);
	if (level == CL_SOL_IPV6)
		return name == CL_IPV6_RTHDR || name == CL_IPV6_2292RTHDR ||
		       (!cmsg && name == CL_IPV6_2292PKTOPTIONS);
	if (level == CL_SOL_SCTP && cmsg)
		return name == CL_SCTP_DSTADDRV4 || name == CL_SCTP_DSTADDRV6;
	return 0;
}

static __always_inline int cl_option_refuse(struct cl_identity *id, struct sock *sk, int level,
					    int name, const char *what)
{
	struct cl_event *event = cl_event_start(id, CL_OP_SOCKET, 0, 0, CL_EVENT_HARDENING);

	if (event) {
		event->family = BPF_CORE_READ(sk, __sk_common.skc_family);
		event->proto = level;
		event->arg = name;
		__builtin_memcpy(event->path, what, 16);
		bpf_ringbuf_submit(event, 0);
	}
	return cl_refuse_as(id, -EPERM);
}

SEC("lsm/socket_setsockopt")
int BPF_PROG(cl_socket_setsockopt, struct socket *sock, int level, int optname)
{
	struct cl_identity id = {};
	struct sock *sk;

	/* Two compares first: every other option costs an unconfined task nothing more. */
	if (!cl_routing_option(level, optname, 0) || !cl_identify_op(&id, CL_OP_SOCKET))
		return 0;
	sk = BPF_CORE_READ(sock, sk);
	if (!sk || !cl_inet_family(sk))
		return 0;
	return cl_option_refuse(&id, sk, level, optname, "socket option\0\0");
}

struct cl_cmsghdr {
	__u64 len;
	int level;
	int type;
};

struct cl_cmsg_walk {
	void *control;
	__u64 size;
	__u64 off;
	int level; /* of a refused message */
	int type;
	int refused;
	int done;
};

/* One control message, as for_each_cmsghdr and CMSG_OK step them. */
static long cl_cmsg_step(__u32 i, void *data)
{
	struct cl_cmsg_walk *w = data;
	struct cl_cmsghdr h;
	void *at = w->control + w->off;

	if (w->off + sizeof(h) > w->size) {
		w->done = 1;
		return 1;
	}
	/* Copied into the kernel by ____sys_sendmsg, else still the caller's. */
	if (bpf_probe_read_kernel(&h, sizeof(h), at) && bpf_probe_read_user(&h, sizeof(h), at)) {
		w->refused = 1; /* unreadable: not known to be harmless */
		return 1;
	}
	if (cl_routing_option(h.level, h.type, 1)) {
		w->level = h.level;
		w->type = h.type;
		w->refused = 1;
		return 1;
	}
	/* A message the kernel takes as malformed (!CMSG_OK) fails the whole send. */
	if (h.len < sizeof(h) || h.len > w->size - w->off) {
		w->done = 1;
		return 1;
	}
	w->off += (h.len + 7) & ~7ULL;
	return 0;
}

/* 1 if a control message of @msg routes or addresses (or cannot be read through). */
static __always_inline int cl_cmsg_routes(struct msghdr *msg, struct cl_cmsg_walk *w)
{
	w->size = BPF_CORE_READ(msg, msg_controllen);
	if (!w->size)
		return 0;
	w->control = BPF_CORE_READ(msg, msg_control);
	bpf_loop(CL_CMSG_MAX, cl_cmsg_step, w, 0);
	/* More messages than the walk takes: refused, never assumed harmless. */
	return w->refused || !w->done;
}

/*
 * A send: the address it names (sendto, sendmsg, io_uring, TCP fast open),
 * or, with none, where a datagram socket is connected. Control messages
 * that route are refused first.
 */
SEC("lsm/socket_sendmsg")
int BPF_PROG(cl_socket_sendmsg, struct socket *sock, struct msghdr *msg, int size)
{
	struct cl_net_request req = {};
	struct cl_cmsg_walk walk = {};
	struct cl_identity id = {};
	struct sock *sk = BPF_CORE_READ(sock, sk);
	void *name;
	int ret = 0;

	if (!sk || !cl_inet_family(sk) || !cl_identify_op(&id, CL_OP_SENDTO))
		return 0;
	if (cl_cmsg_routes(msg, &walk))
		return cl_option_refuse(&id, sk, walk.level, walk.type, "control message");
	req.proto = cl_sock_proto(sk);
	name = BPF_CORE_READ(msg, msg_name);
	/* udp_sendmsg reads an AF_UNSPEC name as a sockaddr_in; udpv6 as no name. */
	if (name)
		ret = cl_sockaddr(name, BPF_CORE_READ(msg, msg_namelen), &req,
				  BPF_CORE_READ(sk, __sk_common.skc_family) == AF_INET);
	if (ret == 0 && !cl_sock_peer(sk, &req))
		return 0;
	return cl_net_verdict(&id, sk, &req, ret ? ret : 1, CL_OP_SENDTO);
}

/* listen: the address the socket is bound to (0.0.0.0 if it never was). */
SEC("lsm/socket_listen")
int BPF_PROG(cl_socket_listen, struct socket *sock, int backlog)
{
	struct cl_net_request req = {};
	struct cl_identity id = {};
	struct cl_verdict v;
	struct sock *sk;

	if (!cl_identify_op(&id, CL_OP_LISTEN))
		return 0;
	sk = BPF_CORE_READ(sock, sk);
	if (!sk || !cl_inet_family(sk))
		return 0;
	req.proto = cl_sock_proto(sk);
	req.port = BPF_CORE_READ(sk, __sk_common.skc_num);
	if (BPF_CORE_READ(sk, __sk_common.skc_family) == AF_INET) {
		__be32 saddr = BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr);

		req.family = AF_INET;
		__builtin_memcpy(req.addr, &saddr, 4);
	} else {
		struct in6_addr a6 = BPF_CORE_READ(sk, __sk_common.skc_v6_rcv_saddr);

		cl_set_inet6(&req, (__u8 *)&a6);
	}
	cl_net_decide(sk, id.binding.policy_id, &req, &v);
	if (v.allowed)
		return 0;
	cl_emit_net(&id, CL_OP_LISTEN, &req, &v);
	return cl_refuse(&id);
}

/* SCTP's optnames (uapi/linux/sctp.h); the ASCONF ones are enum sctp_param. */
#define CL_SCTP_SET_PEER_PRIMARY_ADDR 5
#define CL_SCTP_SOCKOPT_BINDX_ADD     100
#define CL_SCTP_ADDRS_MAX	      32

struct cl_sctp_walk {
	struct cl_identity *id;
	struct sock *sk;
	__u64 addrs; /* the packed list, as a number */
	int size;
	int off;
	__u32 op;
	int ret;
	int done;
};

/* One address of a packed list: sockaddr_in or sockaddr_in6, as sctp_bindx packs them. */
static long cl_sctp_step(__u32 i, void *data)
{
	struct cl_sctp_walk *w = data;
	struct cl_net_request req = { .proto = IPPROTO_SCTP };
	void *at = (void *)(w->addrs + w->off);
	__u16 family = 0;
	int found;

	if (w->off >= w->size) {
		w->done = 1;
		return 1;
	}
	found = cl_sockaddr(at, w->size - w->off, &req, 0);
	/* AF_UNSPEC or an unknown family: the kernel refuses; so do we. */
	w->ret = cl_net_verdict(w->id, w->sk, &req, found > 0 ? 1 : -1, w->op);
	if (w->ret || found <= 0 || bpf_probe_read_kernel(&family, sizeof(family), at))
		return 1;
	w->off += family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
	return 0;
}

/*
 * SCTP names addresses outside bind and connect: sctp_bindx
 * (SCTP_SOCKOPT_BINDX_ADD), sctp_connectx, a sendmsg that starts an
 * association, and the primary-address options. Each address of the list
 * is decided as bind (a local address) or connect (a peer). The ASCONF
 * parameters come from the peer in softirq, where current is no one in
 * particular: not the sandbox's own addressing, not decided.
 */
SEC("lsm/sctp_bind_connect")
int BPF_PROG(cl_sctp_bind_connect, struct sock *sk, int optname, struct sockaddr *address,
	     int addrlen)
{
	struct cl_identity id = {};
	struct cl_sctp_walk walk = { .sk = sk, .size = addrlen };
	struct cl_net_request unread = { .proto = IPPROTO_SCTP };

	if (optname == SCTP_PARAM_ADD_IP || optname == SCTP_PARAM_SET_PRIMARY)
		return 0;
	walk.op = optname == CL_SCTP_SOCKOPT_BINDX_ADD || optname == CL_SCTP_SET_PEER_PRIMARY_ADDR
			  ? CL_OP_BIND
			  : CL_OP_CONNECT;
	if (!cl_identify_op(&id, walk.op))
		return 0;
	walk.id = &id;
	/*
	 * The list's address as a number: the verifier allows no variable
	 * offset on the hook's own pointer. Unread, it is 0: every read fails.
	 */
	bpf_probe_read_kernel(&walk.addrs, sizeof(walk.addrs), &address);
	bpf_loop(CL_SCTP_ADDRS_MAX, cl_sctp_step, &walk, 0);
	/* Refused (and reported) by a step; the verifier wants the constant. */
	if (walk.ret)
		return -EACCES;
	/* More addresses than the walk takes: denied, never assumed allowed. */
	if (!walk.done)
		return cl_net_verdict(&id, sk, &unread, -1, walk.op);
	return 0;
}

#define CL_IPPROTO_ICMPV6 58

/*
 * Inet protocols whose every peer the hooks above decide: TCP and MPTCP
 * (connect), UDP, UDP-Lite and ping (connect, the send's address or the
 * connected peer), SCTP (also sctp_bind_connect). Others address peers in
 * ways no hook here reads (L2TP's connection ids, SMC's own handshake):
 * refused.
 */
static __always_inline int cl_addressed_protocol(int protocol)
{
	return protocol == 0 || protocol == IPPROTO_TCP || protocol == IPPROTO_UDP ||
	       protocol == IPPROTO_UDPLITE || protocol == IPPROTO_ICMP ||
	       protocol == CL_IPPROTO_ICMPV6 || protocol == IPPROTO_SCTP ||
	       protocol == IPPROTO_MPTCP;
}

/*
 * Sockets a sandbox may create: unix, inet and inet6 (not raw) of the
 * protocols above, and NETLINK_ROUTE (name resolution asks it for interface
 * addresses). Packet and raw sockets, other protocols and every other
 * family are refused.
 */
SEC("lsm/socket_create")
int BPF_PROG(cl_socket_create, int family, int type, int protocol, int kern)
{
	struct cl_identity id = {};
	struct cl_event *event;

	if (kern || !cl_identify_op(&id, CL_OP_SOCKET))
		return 0;
	if (family == AF_UNIX)
		return 0;
	if ((family == AF_INET || family == AF_INET6) && type != SOCK_RAW && type != SOCK_PACKET &&
	    cl_addressed_protocol(protocol))
		return 0;
	if (family == AF_NETLINK && protocol == NETLINK_ROUTE && type != SOCK_PACKET)
		return 0;
	event = cl_event_start(&id, CL_OP_SOCKET, 0, 0, CL_EVENT_HARDENING);
	if (event) {
		event->family = family;
		event->proto = type;
		event->arg = protocol;
		bpf_ringbuf_submit(event, 0);
	}
	return cl_refuse_as(&id, -EPERM);
}

/*
 * Read an abstract name of @len bytes into @key; 1 if a rule lists it.
 * Abstract names are compared by length (a NUL is a byte like any other),
 * while keys are zero-padded: so a name a rule can list has no NUL and at
 * most CL_UNIX_NAME_MAX bytes, and any other name matches nothing ("@name\0"
 * and "@name\0junk" are not "@name").
 */
static __always_inline int cl_unix_name_read(struct cl_unix_key *key, void *name, int len)
{
	/*
	 * A fixed-size read (the verifier wants a constant), then everything
	 * past the name is cleared. A failed read matches nothing.
	 */
	if (len <= 0 || bpf_probe_read_kernel(key->name, CL_UNIX_NAME_MAX, name))
		return 0;
	for (int i = 0; i < CL_UNIX_NAME_MAX; i++) {
		if (i >= len)
			key->name[i] = 0;
		else if (!key->name[i])
			return 0;
	}
	if (len > CL_UNIX_NAME_MAX)
		return 0;
	return bpf_map_lookup_elem(&cl_unix_names, key) != NULL;
}

static __always_inline int cl_unix_refuse(struct cl_identity *id, struct cl_unix_key *key, __u32 op)
{
	struct cl_event *event = cl_event_start(id, op, CL_ACC_WRITE, 0, CL_EVENT_ABSTRACT);

	if (event) {
		event->family = AF_UNIX;
		event->path[0] = '@';
		__builtin_memcpy(event->path + 1, key->name, sizeof(key->name));
		event->path[sizeof(key->name) + 1] = '\0';
		bpf_ringbuf_submit(event, 0);
	}
	return cl_refuse(id);
}

/*
 * Unix sockets. A path socket is decided as a write to its file (what keeps
 * docker.sock out of reach); an abstract one (no file) must be listed by
 * name. @other is the socket being reached.
 */
static __always_inline int cl_unix_reach(struct sock *other)
{
	struct unix_sock *u = (struct unix_sock *)other;
	struct cl_identity id = {};
	struct unix_address *addr;
	struct cl_unix_key key = {};
	struct dentry *dentry;
	int len;

	if (!cl_identify_op(&id, CL_OP_UNIX))
		return 0;
	if (!other)
		goto abstract;
	dentry = BPF_CORE_READ(u, path.dentry);
	if (dentry)
		return cl_write_check(&id, dentry, cl_real_mount(BPF_CORE_READ(u, path.mnt)),
				      CL_OP_UNIX);
abstract:
	key.policy_id = id.binding.policy_id;
	addr = other ? BPF_CORE_READ(u, addr) : NULL;
	len = addr ? BPF_CORE_READ(addr, len) : 0;
	/* sun_family, then the NUL that makes it abstract, then the name. */
	len -= 3;
	if (addr && len > 0) {
		void *name = (void *)addr + bpf_core_field_offset(struct unix_address, name) + 3;

		if (cl_unix_name_read(&key, name, len))
			return 0;
	}
	return cl_unix_refuse(&id, &key, CL_OP_UNIX);
}

SEC("lsm/unix_stream_connect")
int BPF_PROG(cl_unix_stream_connect, struct sock *sock, struct sock *other)
{
	return cl_unix_reach(other);
}

SEC("lsm/unix_may_send")
int BPF_PROG(cl_unix_may_send, struct socket *sock, struct socket *other)
{
	return cl_unix_reach(BPF_CORE_READ(other, sk));
}

/*
 * Binding an abstract unix name lets a sandbox stand in for a host service
 * that listens there: only listed names. Autobind (no name) is harmless.
 */
static __always_inline int cl_unix_bind(struct sockaddr *address, int addrlen)
{
	struct cl_unix_key key = {};
	struct cl_identity id = {};
	char first = 0;

	if (addrlen <= 2)
		return 0;
	/* An unreadable name is taken as abstract, which must be listed. */
	if (!bpf_probe_read_kernel(&first, 1, (void *)address + 2) && first)
		return 0; /* a path: creating its file is a write on the directory */
	if (!cl_identify_op(&id, CL_OP_BIND))
		return 0;
	key.policy_id = id.binding.policy_id;
	if (cl_unix_name_read(&key, (void *)address + 3, addrlen - 3))
		return 0;
	return cl_unix_refuse(&id, &key, CL_OP_BIND);
}

SEC("lsm/socket_bind")
int BPF_PROG(cl_socket_bind, struct socket *sock, struct sockaddr *address, int addrlen)
{
	if (BPF_CORE_READ(sock, sk, __sk_common.skc_family) == AF_UNIX)
		return cl_unix_bind(address, addrlen);
	return cl_net_address(sock, address, addrlen, CL_OP_BIND);
}

/*
 * Process isolation: a sandbox may signal, trace or look into (through
 * /proc/<pid>/mem, environ, fd, root, ...: the kernel asks ptrace_access_check
 * for each) only processes of the same sandbox. The other process's binding
 * is found by walking its cgroup's ancestors; a walk that cannot finish
 * counts as another sandbox.
 */
struct cl_cgroup_walk {
	struct cgroup *cgrp;
	__u64 bound_cgroup_id;
	__u32 slot;
	int done;
};

static long cl_cgroup_step(__u32 i, void *data)
{
	struct cl_cgroup_walk *walk = data;
	struct cgroup *cgrp = walk->cgrp;
	struct cl_binding_key key = { .slot = walk->slot };
	__u64 cgid;

	if (!cgrp) {
		walk->done = 1; /* above the root: unconfined */
		return 1;
	}
	cgid = BPF_CORE_READ(cgrp, kn, id);
	/* An id that cannot be read must not be stepped over: unfinished, denied. */
	if (!cgid)
		return 1;
	key.cgroup_id = cgid;
	if (bpf_map_lookup_elem(&cl_bindings, &key)) {
		walk->bound_cgroup_id = cgid;
		walk->done = 1;
		return 1;
	}
	/* self is a cgroup's first member: its parent css is the parent cgroup. */
	walk->cgrp = (struct cgroup *)BPF_CORE_READ(cgrp, self.parent);
	return 0;
}

static __always_inline int cl_same_sandbox(struct cl_identity *id, struct task_struct *other)
{
	struct cl_cgroup_walk walk = { .cgrp = BPF_CORE_READ(other, cgroups, dfl_cgrp),
				       .slot = id->slot };

	if (!id->bound_cgroup_id)
		return 0;
	bpf_loop(CL_WALK_MAX, cl_cgroup_step, &walk, 0);
	return walk.done && walk.bound_cgroup_id == id->bound_cgroup_id;
}

/* Refuse (and report) @op on @other unless it is in the sandbox @id names. */
static __always_inline int cl_other_sandbox(struct cl_identity *id, struct task_struct *other,
					    __u32 op, __u32 arg)
{
	struct cl_event *event;

	if (cl_same_sandbox(id, other))
		return 0;
	event = cl_event_start(id, op, 0, 0, CL_EVENT_OTHER_SANDBOX);
	if (event) {
		event->target_pid = BPF_CORE_READ(other, tgid);
		event->arg = arg;
		bpf_probe_read_kernel_str(event->path, sizeof(event->comm),
					  BPF_CORE_READ(other, comm));
		bpf_ringbuf_submit(event, 0);
	}
	return cl_refuse_as(id, -EPERM);
}

static __always_inline int cl_process_check(struct task_struct *other, __u32 op, __u32 arg)
{
	struct cl_identity id = {};

	if (!cl_identify_op(&id, op))
		return 0;
	return cl_other_sandbox(&id, other, op, arg);
}

SEC("lsm/task_kill")
int BPF_PROG(cl_task_kill, struct task_struct *p, struct kernel_siginfo *info, int sig)
{
	return cl_process_check(p, CL_OP_SIGNAL, sig);
}

SEC("lsm/ptrace_access_check")
int BPF_PROG(cl_ptrace_access_check, struct task_struct *child, unsigned int mode)
{
	int err = cl_guard_tracee(child, mode);

	if (err)
		return err;
	return cl_process_check(child, CL_OP_PTRACE, mode);
}

SEC("lsm/ptrace_traceme")
int BPF_PROG(cl_ptrace_traceme, struct task_struct *parent)
{
	return cl_process_check(parent, CL_OP_PTRACE, 0);
}

SEC("lsm/task_setnice")
int BPF_PROG(cl_task_setnice, struct task_struct *p)
{
	return cl_process_check(p, CL_OP_SIGNAL, 0);
}

SEC("lsm/task_setscheduler")
int BPF_PROG(cl_task_setscheduler, struct task_struct *p)
{
	return cl_process_check(p, CL_OP_SIGNAL, 0);
}

SEC("lsm/task_setioprio")
int BPF_PROG(cl_task_setioprio, struct task_struct *p, int ioprio)
{
	return cl_process_check(p, CL_OP_SIGNAL, 0);
}

/*
 * prlimit on another process (the kernel does not ask for the caller
 * itself). The hook names the other process only by its credentials, which
 * say nothing of its cgroup, so a confined task may change or read no other
 * process's limits, not even its own children's: they can set their own.
 */
SEC("lsm/task_prlimit")
int BPF_PROG(cl_task_prlimit, const struct cred *cred, const struct cred *tcred, unsigned int flags)
{
	struct cl_identity id = {};

	if (!cl_identify_op(&id, CL_OP_PRLIMIT))
		return 0;
	return cl_refuse_arg(&id, CL_OP_PRLIMIT, CL_EVENT_OTHER_SANDBOX, flags, -EPERM);
}

/*
 * Cgroup migration at fork: clone3(CLONE_INTO_CGROUP) starts the child in
 * the cgroup a descriptor names, which an O_PATH descriptor (no file_open)
 * of any cgroup directory does; the child would run outside the bound
 * subtree, unconfined. No confined task may place a child anywhere: the
 * flag is refused before the child exists. Writing cgroup.procs is refused
 * as a write to cgroupfs (cl_decide_at).
 */
SEC("lsm/task_alloc")
int BPF_PROG(cl_task_alloc, struct task_struct *task, unsigned long clone_flags)
{
	if (!(clone_flags & CLONE_INTO_CGROUP))
		return 0;
	return cl_forbid(CL_OP_CGROUP);
}

/*
 * SIGIO and SIGURG: a file's owner (F_SETOWN, F_SETOWN_EX, FIOSETOWN,
 * SIOCSPGRP, or a terminal's process group on O_ASYNC) gets a signal when
 * the file is ready, sent by whoever made it ready. The signal is the
 * setter's: it is decided like task_kill from the setter's sandbox, which
 * cl_fowns records by file. Records are written before the owner is set
 * (fcntl and ioctl below, where a full table refuses the call) and again
 * when it is set (every other way); a host process setting an owner clears
 * the record.
 */
struct fown_struct___61 {
	struct pid *pid;
} __attribute__((preserve_access_index));

struct file___61 {
	struct fown_struct___61 f_owner; /* 6.1: embedded; 6.12: a pointer */
} __attribute__((preserve_access_index));

static __always_inline struct file *cl_fown_file(struct fown_struct *fown)
{
	if (bpf_core_field_exists(struct fown_struct, file))
		return BPF_CORE_READ(fown, file);
	return (void *)fown - bpf_core_field_offset(struct file___61, f_owner);
}

/* Could @file have an owner record? Only files with an owner ever get one. */
static __always_inline int cl_file_has_owner(struct file *file)
{
	if (bpf_core_field_exists(struct fown_struct, file))
		return BPF_CORE_READ(file, f_owner) != NULL;
	return BPF_CORE_READ((struct file___61 *)file, f_owner.pid) != NULL;
}

/* Record that a confined @id sets @file's owner. Returns 0, or -ENOSPC. */
static __always_inline int cl_fown_record(struct file *file, struct cl_identity *id)
{
	struct cl_fown rec = { .bound_cgroup_id = id->bound_cgroup_id, .binding = id->binding };
	__u64 key = (__u64)file;

	return bpf_map_update_elem(&cl_fowns, &key, &rec, BPF_ANY) ? -ENOSPC : 0;
}

/* Before a call that sets @file's owner: a record, or the call is refused. */
static __always_inline int cl_fown_prepare(struct file *file)
{
	struct cl_identity id = {};

	if (!cl_identify_op(&id, CL_OP_SIGNAL))
		return 0;
	if (!cl_fown_record(file, &id))
		return 0;
	cl_emit_op(&id, CL_OP_SIGNAL);
	return cl_refuse_as(&id, -ENOSPC);
}

SEC("lsm/file_fcntl")
int BPF_PROG(cl_file_fcntl, struct file *file, unsigned int cmd, unsigned long arg)
{
	if (cmd == F_SETOWN || cmd == F_SETOWN_EX || (cmd == F_SETFL && (arg & O_ASYNC)))
		return cl_fown_prepare(file);
	return 0;
}

SEC("lsm/file_set_fowner")
int BPF_PROG(cl_file_set_fowner, struct file *file)
{
	struct cl_identity id = {};
	__u64 key = (__u64)file;

	if (cl_identify(&id))
		cl_fown_record(file, &id);
	else
		bpf_map_delete_elem(&cl_fowns, &key);
	return 0;
}

SEC("lsm/file_send_sigiotask")
int BPF_PROG(cl_file_send_sigiotask, struct task_struct *tsk, struct fown_struct *fown, int sig)
{
	__u64 key = (__u64)cl_fown_file(fown);
	struct cl_fown *rec = bpf_map_lookup_elem(&cl_fowns, &key);
	struct cl_identity id = {};
	struct cl_live *live;
	__u32 zero = 0;

	if (!rec)
		return 0;
	id.bound_cgroup_id = rec->bound_cgroup_id;
	id.binding = rec->binding;
	live = bpf_map_lookup_elem(&cl_live, &zero);
	id.slot = live ? READ_ONCE(live->generation) & 1 : 0;
	return cl_other_sandbox(&id, tsk, CL_OP_SIGNAL, sig ? sig : 29 /* SIGIO */);
}

/* A freed file's record goes with it; only files with an owner can have one. */
SEC("lsm/file_free_security")
int BPF_PROG(cl_file_free_security, struct file *file)
{
	__u64 key = (__u64)file;

	/* O_ASYNC on a file that never got an owner left a record too. */
	if (cl_file_has_owner(file) || (BPF_CORE_READ(file, f_flags) & O_ASYNC))
		bpf_map_delete_elem(&cl_fowns, &key);
	return 0;
}

/*
 * Terminal ioctls that type into a terminal: TIOCSTI pushes a byte into its
 * input, and TIOCLINUX pastes the console selection. No sandbox may inject
 * input into any terminal (`clawlock run` also starts the command without a
 * controlling terminal). The owner-setting ioctls get an owner record
 * (above). Kept apart from attribute ioctls, which are file rules' business.
 */
static __always_inline int cl_ioctl_process(struct file *file, unsigned int cmd)
{
	struct cl_identity id = {};

	if (cmd == FIOASYNC || cmd == FIOSETOWN || cmd == SIOCSPGRP)
		return cl_fown_prepare(file);
	if (cmd != TIOCSTI && cmd != TIOCLINUX)
		return 0;
	if (!cl_identify_op(&id, CL_OP_IOCTL))
		return 0;
	return cl_refuse_arg(&id, CL_OP_IOCTL, CL_EVENT_HARDENING, cmd, -EPERM);
}

/*
 * One program per hook: with two, the later could return 0 over the
 * earlier's refusal. Terminal input first, then the attribute ioctls that
 * change a file (file section, cl_setattr_ioctl).
 */
static __always_inline int cl_ioctl(struct file *file, unsigned int cmd)
{
	int err = cl_ioctl_process(file, cmd);

	return err ? err : cl_setattr_ioctl(file, cmd);
}

SEC("lsm/file_ioctl")
int BPF_PROG(cl_file_ioctl, struct file *file, unsigned int cmd, unsigned long arg)
{
	return cl_ioctl(file, cmd);
}

/* 32-bit callers (6.8+, and Debian's 6.1 backport; optional in the loader). */
SEC("lsm/file_ioctl_compat")
int BPF_PROG(cl_file_ioctl_compat, struct file *file, unsigned int cmd, unsigned long arg)
{
	return cl_ioctl(file, cmd);
}

/*
 * Keys and SysV IPC: a confined task reaches only what a task of its own
 * sandbox made (cl_owners). The makers are recorded when the kernel asks to
 * allocate, where a record that cannot be written refuses the allocation.
 * A uid's user keyrings are shared with the host's processes of that uid
 * and are never the sandbox's.
 */
static __always_inline int cl_owner_made(__u32 kind, __u64 object, int shared)
{
	struct cl_owner_key key = { .object = object, .kind = kind };
	struct cl_identity id = {};

	if (!cl_identify(&id)) {
		/* A host object reuses a serial or an address: no stale record. */
		bpf_map_delete_elem(&cl_owners, &key);
		return 0;
	}
	if (shared) {
		/* Never the sandbox's; nor may a freed object's record at this address count. */
		bpf_map_delete_elem(&cl_owners, &key);
		return 0;
	}
	if (!bpf_map_update_elem(&cl_owners, &key, &id.bound_cgroup_id, BPF_ANY))
		return 0;
	cl_emit_op(&id, kind == CL_OWNER_KEY ? CL_OP_KEY : CL_OP_IPC);
	return cl_refuse_as(&id, -ENOMEM);
}

static __always_inline void cl_owner_gone(__u32 kind, __u64 object)
{
	struct cl_owner_key key = { .object = object, .kind = kind };

	bpf_map_delete_elem(&cl_owners, &key);
}

/* May the current task reach @object? @arg goes in the event (serial, id). */
static __always_inline int cl_owner_check(__u32 kind, __u64 object, __u32 arg)
{
	struct cl_owner_key key = { .object = object, .kind = kind };
	__u32 op = kind == CL_OWNER_KEY ? CL_OP_KEY : CL_OP_IPC;
	struct cl_identity id = {};
	__u64 *maker;

	if (!cl_identify_op(&id, op))
		return 0;
	maker = bpf_map_lookup_elem(&cl_owners, &key);
	if (maker && *maker == id.bound_cgroup_id)
		return 0;
	return cl_refuse_arg(&id, op, CL_EVENT_OTHER_SANDBOX, arg, -EACCES);
}

SEC("lsm/key_alloc")
int BPF_PROG(cl_key_alloc, struct key *key, const struct cred *cred, unsigned long flags)
{
	/* By address: the serial may not be given yet when this hook runs. */
	return cl_owner_made(CL_OWNER_KEY, (__u64)key, flags & KEY_ALLOC_UID_KEYRING);
}

/* A freed key's record goes with it: a new key at its address is not its maker's. */
SEC("lsm/key_free")
int BPF_PROG(cl_key_free, struct key *key)
{
	cl_owner_gone(CL_OWNER_KEY, (__u64)key);
	return 0;
}

/*
 * key_ref_t points to a type BTF only declares, which the verifier does not
 * let a program read as an argument: it is fetched with bpf_get_func_arg.
 */
SEC("lsm/key_permission")
int cl_key_permission(unsigned long long *ctx)
{
	__u64 key_ref = 0;
	struct key *key;
	__u32 serial;

	/* Unreadable: address 0, which no record has, is denied to a sandbox. */
	bpf_get_func_arg(ctx, 0, &key_ref);
	/* The low bit of a key reference says "possessed"; the rest is the key. */
	key = (struct key *)(key_ref & ~1ULL);
	serial = key ? (__u32)BPF_CORE_READ(key, serial) : 0;
	return cl_owner_check(CL_OWNER_KEY, (__u64)key, serial);
}

static __always_inline int cl_ipc_check(struct kern_ipc_perm *perm)
{
	/* IPC_INFO and friends name no object: they pass. */
	if (!perm)
		return 0;
	return cl_owner_check(CL_OWNER_IPC, (__u64)perm, BPF_CORE_READ(perm, id));
}

SEC("lsm/ipc_permission")
int BPF_PROG(cl_ipc_permission, struct kern_ipc_perm *ipcp, short flag)
{
	return cl_ipc_check(ipcp);
}

/*
 * Per kind of object: its allocation and release, and the two checks that
 * do not go through ipc_permission (getting an existing object by key, and
 * the ctl commands, IPC_RMID and IPC_SET among them).
 */
#define CL_IPC_HOOKS(kind, ctl)                                                                    \
	SEC("lsm/" #kind "_alloc_security")                                                        \
	int BPF_PROG(cl_##kind##_alloc, struct kern_ipc_perm *perm)                                \
	{                                                                                          \
		return cl_owner_made(CL_OWNER_IPC, (__u64)perm, 0);                                \
	}                                                                                          \
	SEC("lsm/" #kind "_free_security")                                                         \
	int BPF_PROG(cl_##kind##_free, struct kern_ipc_perm *perm)                                 \
	{                                                                                          \
		cl_owner_gone(CL_OWNER_IPC, (__u64)perm);                                          \
		return 0;                                                                          \
	}                                                                                          \
	SEC("lsm/" #kind "_associate")                                                             \
	int BPF_PROG(cl_##kind##_associate, struct kern_ipc_perm *perm)                            \
	{                                                                                          \
		return cl_ipc_check(perm);                                                         \
	}                                                                                          \
	SEC("lsm/" #ctl)                                                                           \
	int BPF_PROG(cl_##ctl, struct kern_ipc_perm *perm)                                         \
	{                                                                                          \
		return cl_ipc_check(perm);                                                         \
	}

CL_IPC_HOOKS(shm, shm_shmctl)
CL_IPC_HOOKS(msg_queue, msg_queue_msgctl)
CL_IPC_HOOKS(sem, sem_semctl)

/*
 * io_uring: IORING_OP_MSG_RING installs a descriptor into another ring's
 * table with no security hook (no file_receive), and an SQPOLL ring works
 * in its maker's context. No sandbox gets a ring: its anonymous inode is
 * refused at creation, a ring passed in is refused at file_receive, and
 * mapping one is refused in case a kernel makes rings without asking.
 */
static __always_inline int cl_is_io_uring_name(const unsigned char *name)
{
	static const char ring[] = "[io_uring]";
	char buf[sizeof(ring)] = {};

	if (bpf_probe_read_kernel_str(buf, sizeof(buf), name) < 0)
		return 1; /* unreadable: treated as a ring */
	for (int i = 0; i < sizeof(ring); i++)
		if (buf[i] != ring[i])
			return 0;
	return 1;
}

static __always_inline int cl_is_io_uring_file(struct file *file)
{
	if (BPF_CORE_READ(file, f_inode, i_sb, s_magic) != ANON_INODE_FS_MAGIC)
		return 0;
	return cl_is_io_uring_name(BPF_CORE_READ(file, f_path.dentry, d_name.name));
}

static __always_inline int cl_io_uring_refuse(struct file *file)
{
	struct cl_identity id = {};

	if (!cl_is_io_uring_file(file) || !cl_identify_op(&id, CL_OP_IO_URING))
		return 0;
	return cl_forbid_as(&id, CL_OP_IO_URING);
}

SEC("lsm/inode_init_security_anon")
int BPF_PROG(cl_inode_init_security_anon, struct inode *inode, const struct qstr *name)
{
	struct cl_identity id = {};

	if (!cl_identify(&id))
		return 0;
	if (!cl_is_io_uring_name(BPF_CORE_READ(name, name)))
		return 0;
	cl_op_count(CL_OP_IO_URING, CL_OPSTAT_CHECKED);
	return cl_forbid_as(&id, CL_OP_IO_URING);
}

/*
 * Capabilities the policy drops (OpenClaw's capDrop; "ALL" by default). Only
 * checks of the current task's own credentials are decided here. Checks the
 * kernel makes quietly (CAP_OPT_NOAUDIT, e.g. probing for an override it can
 * do without) are refused without a record.
 */
SEC("lsm/capable")
int BPF_PROG(cl_capable, const struct cred *cred, struct user_namespace *ns, int cap,
	     unsigned int opts)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct cl_policy_info *info;
	struct cl_identity id = {};
	struct cl_event *event;
	__u64 dropped;

	if (cred != task->cred && cred != task->real_cred)
		return 0;
	if (!cl_identify_op(&id, CL_OP_CAPABILITY))
		return 0;
	info = bpf_map_lookup_elem(&cl_policies, &id.binding.policy_id);
	/* No policy record (the empty policy): every capability is dropped. */
	dropped = info ? info->cap_drop : ~0ULL;
	if (cap < 0 || cap > 63 || !(dropped & (1ULL << cap)))
		return 0;
	if (!(opts & CAP_OPT_NOAUDIT)) {
		event = cl_event_start(&id, CL_OP_CAPABILITY, 0, 0, 0);
		if (event) {
			event->arg = cap;
			bpf_ringbuf_submit(event, 0);
		}
	}
	return cl_refuse_as(&id, -EPERM);
}

/*
 * A file received over a unix socket (SCM_RIGHTS, pidfd_getfd) is decided as
 * if the sandbox opened it with the same mode: a host process cannot hand a
 * sandbox what its rules keep shut. Pipes, sockets and anonymous inodes have
 * no place in the tree and pass.
 */
SEC("lsm/file_receive")
int BPF_PROG(cl_file_receive, struct file *file)
{
	umode_t type = BPF_CORE_READ(file, f_inode, i_mode) & S_IFMT;
	struct cl_identity id = {};
	struct cl_verdict d;
	__u32 access;

	if (type == S_IFIFO || type == S_IFSOCK)
		return 0;
	/* Anonymous inodes pass, but an io_uring instance is no sandbox's. */
	if (BPF_CORE_READ(file, f_inode, i_sb, s_magic) == ANON_INODE_FS_MAGIC)
		return cl_io_uring_refuse(file);
	if (!cl_identify_op(&id, CL_OP_RECEIVE))
		return 0;
	access = cl_open_access(file);
	if (!access)
		access = CL_ACC_READ; /* O_PATH and friends: at least visible */
	cl_decide_file(file, id.binding.policy_id, access, &d);
	if (d.allowed)
		return 0;
	cl_emit_name(BPF_CORE_READ(file, f_path.dentry), &id, CL_OP_RECEIVE, access, d.rule_id,
		     d.flags);
	return cl_refuse(&id);
}
