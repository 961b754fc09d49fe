/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lib/walk.h - where a file rule is decided: the walk from a dentry up to
 * the root, looking up each step's inode (and name) rules, nearest first.
 */
#ifndef CLAWLOCK_LIB_WALK_H
#define CLAWLOCK_LIB_WALK_H

#include "lib/common.h"
#include "lib/maps.h"
#include "lib/identity.h"
#include "lib/event.h"

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

/* The device of @inode, a step of the walk. */
static __always_inline __u32 cl_walk_dev(struct cl_file_walk *walk, struct inode *inode)
{
	/* d_parent never leaves a filesystem: its device is read once per mount. */
	if (!walk->dev_known) {
		walk->dev = BPF_CORE_READ(inode, i_sb, s_dev);
		walk->dev_known = 1;
	}
	return walk->dev;
}

/* The rule on @inode in the walk's policy, or NULL (the common case: none). */
static __always_inline struct cl_file_rule *cl_inode_rule(struct cl_file_walk *walk,
							  struct inode *inode)
{
	struct cl_file_key key = {
		.policy_id = walk->policy_id,
		.ino = BPF_CORE_READ(inode, i_ino),
		.dev = cl_walk_dev(walk, inode),
	};

	if (!cl_maybe_ruled(key.dev, key.ino))
		return NULL;
	return bpf_map_lookup_elem(&cl_file_rules, &key);
}

/*
 * A dentry that is its own parent. The root of its filesystem or mount
 * continues at the mount point. Any other one is not in the tree: a file
 * opened by handle after its dentry was evicted (disconnected), or a pseudo
 * file (a pipe's, a memfd's). Whatever rule lies above it is unknown, so the
 * walk stops there, denied, instead of skipping to the mount point.
 * Returns what the step returns: 1 to stop, 0 to go on.
 */
static __always_inline long cl_walk_mount_up(struct cl_file_walk *walk, struct dentry *dentry,
					     struct mount *mnt)
{
	struct mount *up;

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
	struct cl_dentry_head head;
	struct cl_file_rule *rule;

	/*
	 * Every dentry on the way is positive but a name being created. One
	 * whose inode or parent cannot be read must not be stepped over (a deny
	 * rule may sit right there): the walk stops short of the root, which
	 * denies.
	 */
	if (cl_dentry_read(dentry, &head))
		return 1;
	if (head.inode) {
		rule = cl_inode_rule(walk, head.inode);
		if (rule)
			return cl_walk_decided(walk, rule);
	} else if (i || !walk->new_name) {
		return 1;
	}
	if (!head.parent)
		return 1;
	if (head.parent == dentry)
		return cl_walk_mount_up(walk, dentry, walk->mnt);
	if (cl_name_length_ruled(walk->names, head.name_len)) {
		struct cl_file_rule named;
		int match = cl_name_rule(walk, &head, &named);

		if (match < 0)
			return 1;
		if (match)
			return cl_walk_decided(walk, &named);
	}
	walk->dentry = head.parent;
	return 0;
}

static __always_inline struct mount *cl_real_mount(struct vfsmount *vfsmnt)
{
	return (struct mount *)((void *)vfsmnt - bpf_core_field_offset(struct mount, mnt));
}

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
 * The walk cache. A walk still going after CL_WALK_CACHE_AT steps asks it
 * about the directory it has come to: what the walk from there up found,
 * for this policy and this mount. That answer can change only when a
 * dentry moves (every d_move counts the kernel's rename_lock up), when a
 * mount moves, comes or goes (mount_lock), when a directory comes to a
 * dentry, new or spliced under another parent without a d_move (the epoch,
 * bumped by lsm/d_instantiate; also by every rename, as the 64 bits
 * rename_lock lacks), or when the policy changes (a changed policy gets a
 * new id). An entry holds the counts read when its walk asked, before it
 * went on up, and is believed only while all three still read the same. A
 * count read while a change is under way (odd) or that cannot be read
 * stores nothing; a miss, an evicted entry or a full map walk as before.
 * The cache can only end a walk early with the answer the walk would give.
 *
 * The counts are read only when the cache is asked, so a walk that never
 * asks pays nothing for it. That is enough: LSM programs run inside an RCU
 * read-side section, and dentries and mounts are freed only after a grace
 * period, so nothing a walk holds can be freed and made again at the same
 * address while it runs. The address the walk asks about could only have
 * been reused before it got there, by a d_instantiate whose epoch bump it
 * reads after its key, or by a mount change mount_lock counts.
 *
 * An LRU node freed (evicted, replaced) can be handed to another key at
 * once, even while a reader copies it, so a reader checks its copy against
 * its own key (cl_walk_check); a torn or foreign copy is a miss.
 *
 * The counts are read without barriers: BPF has none to offer, and on x86
 * loads are not reordered with older loads.
 */
struct cl_walk_ask {
	struct cl_walk_cache_key key;
	struct cl_walk_cached seen; /* the counts read when the walk asked */
	int store;		    /* asked and missed: store the walk's end */
};

/*
 * The sequence count of the kernel seqlock whose address the loader wrote
 * at @at in cl_walk_state; odd (1) when it cannot be read.
 */
static __always_inline __u32 cl_seq_read(__u32 at)
{
	__u64 *lock = bpf_map_lookup_elem(&cl_walk_state, &at);
	__u32 seq = 1;

	if (lock)
		bpf_probe_read_kernel(
			&seq, sizeof(seq),
			(void *)*lock +
				bpf_core_field_offset(seqlock_t, seqcount.seqcount.sequence));
	return seq;
}

static __always_inline __u64 cl_walk_mix(__u64 h, __u64 word)
{
	h = (h ^ word) * 0x9E3779B97F4A7C15ULL;
	return h ^ (h >> 29);
}

/*
 * An entry's check: its key and value, mixed with the load's secret. A
 * reader recomputes it from its own key and the copy it made; a node reused
 * for another key, or rewritten under the copy, does not match.
 */
static __always_inline __u64 cl_walk_check(const struct cl_walk_cache_key *key,
					   const struct cl_walk_cached *value)
{
	__u32 at = CL_WALK_SECRET;
	__u64 *secret = bpf_map_lookup_elem(&cl_walk_state, &at);
	__u64 h = secret ? *secret : 0;

	h = cl_walk_mix(h, (__u64)key->policy_id << 32 | key->dev);
	h = cl_walk_mix(h, key->ino);
	h = cl_walk_mix(h, key->inode);
	h = cl_walk_mix(h, key->mnt);
	h = cl_walk_mix(h, (__u64)value->rule.access << 32 | value->rule.rule_id);
	h = cl_walk_mix(h, (__u64)(__u32)value->found << 32 | value->rename_seq);
	h = cl_walk_mix(h, value->mount_seq);
	return cl_walk_mix(h, value->epoch);
}

/* Every walk cache entry stored so far is stale. */
static __always_inline void cl_walk_epoch_bump(void)
{
	__u32 at = CL_WALK_EPOCH;
	__u64 *epoch = bpf_map_lookup_elem(&cl_walk_state, &at);

	if (epoch)
		__sync_fetch_and_add(epoch, 1);
}

/* Read the counts an entry is checked against; 0 when the cache is off. */
static __always_inline int cl_walk_counts(struct cl_walk_cached *seen)
{
	__u32 epoch_at = CL_WALK_EPOCH, armed_at = CL_WALK_ARMED;
	__u64 *epoch = bpf_map_lookup_elem(&cl_walk_state, &epoch_at);
	__u64 *armed = bpf_map_lookup_elem(&cl_walk_state, &armed_at);

	if (!epoch || !armed || !*armed)
		return 0;
	seen->epoch = *epoch;
	seen->rename_seq = cl_seq_read(CL_WALK_RENAME_LOCK);
	seen->mount_seq = cl_seq_read(CL_WALK_MOUNT_LOCK);
	return !(seen->rename_seq & 1) && !(seen->mount_seq & 1);
}

/*
 * Ask the cache about the directory the walk has come to, read the counts
 * and look it up. Returns 1 when it answered (the walk's end is
 * set), 0 when the walk must go on; then @ask->store says whether its end
 * is to be stored.
 */
static __always_inline int cl_walk_cache_ask(struct cl_file_walk *walk, struct cl_walk_ask *ask)
{
	struct dentry *dentry = walk->dentry;
	struct inode *inode = BPF_CORE_READ(dentry, d_inode);
	struct cl_walk_cached *entry, got;

	/* A file where a directory would be: a file bind mount on the way. */
	if (!inode || (BPF_CORE_READ(inode, i_mode) & S_IFMT) != S_IFDIR)
		return 0;
	ask->key.policy_id = walk->policy_id;
	ask->key.dev = walk->dev_known ? walk->dev : BPF_CORE_READ(inode, i_sb, s_dev);
	ask->key.ino = BPF_CORE_READ(inode, i_ino);
	ask->key.dentry = (__u64)dentry;
	ask->key.inode = (__u64)inode;
	ask->key.mnt = (__u64)walk->mnt;
	/*
	 * The counts come after the key: a directory given to this dentry
	 * before its inode was read above bumped the epoch first, and is seen
	 * here (x86 keeps loads in order). Counts that cannot be trusted walk
	 * on and store nothing.
	 */
	if (!cl_walk_counts(&ask->seen))
		return 0;
	entry = bpf_map_lookup_elem(&cl_walk_cache, &ask->key);
	if (entry) {
		got = *entry;
		if (got.epoch == ask->seen.epoch && got.rename_seq == ask->seen.rename_seq &&
		    got.mount_seq == ask->seen.mount_seq &&
		    got.check == cl_walk_check(&ask->key, &got)) {
			walk->rule = got.rule;
			walk->found = got.found;
			walk->done = !got.found;
			cl_count(CL_STAT_WALK_CACHE_HIT);
			return 1;
		}
	}
	ask->store = 1;
	return 0;
}

/*
 * The walk went on from where it asked and ended (a rule found, or the
 * root reached with none): store that, if nothing moved meanwhile. A
 * failed store changes nothing but the next walk's length.
 */
static __always_inline void cl_walk_cache_store(struct cl_file_walk *walk, struct cl_walk_ask *ask)
{
	if (!ask->store || !(walk->found || walk->done))
		return;
	if (cl_seq_read(CL_WALK_RENAME_LOCK) != ask->seen.rename_seq ||
	    cl_seq_read(CL_WALK_MOUNT_LOCK) != ask->seen.mount_seq)
		return;
	ask->seen.found = walk->found;
	ask->seen.rule = walk->rule;
	ask->seen.pad = 0;
	ask->seen.check = cl_walk_check(&ask->key, &ask->seen);
	if (!bpf_map_update_elem(&cl_walk_cache, &ask->key, &ask->seen, BPF_ANY))
		cl_count(CL_STAT_WALK_CACHE_STORE);
}

/*
 * Walk @walk to its end. One object alone (no overlay's real file behind
 * it, the common case) walks CL_WALK_CACHE_AT steps, asks the cache, and
 * on a miss walks on and stores its end. The bound is CL_WALK_MAX steps
 * either way.
 */
static __always_inline void cl_walk(struct cl_file_walk *walk)
{
	struct cl_walk_ask ask = {};

	if (walk->also) {
		bpf_loop(CL_WALK_MAX, cl_file_step, walk, 0);
		return;
	}
	/*
	 * bpf_loop gives the same count for a last step that stopped as for
	 * one that went on, so the last step before asking is called here:
	 * only a step that went on leads to the question.
	 */
	if (bpf_loop(CL_WALK_CACHE_AT - 1, cl_file_step, walk, 0) != CL_WALK_CACHE_AT - 1 ||
	    walk->found || walk->done || walk->disconnected ||
	    cl_file_step(CL_WALK_CACHE_AT - 1, walk))
		return;
	if (cl_walk_cache_ask(walk, &ask))
		return;
	/* Past the first step: no negative dentry is walked through. */
	walk->new_name = 0;
	bpf_loop(CL_WALK_MAX - CL_WALK_CACHE_AT, cl_file_step, walk, 0);
	cl_walk_cache_store(walk, &ask);
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
					   int new_name, struct cl_hook_verdict *d)
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
	cl_walk(&walk);
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
					 __u32 access, int new_name, struct cl_hook_verdict *d)
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
					   struct cl_hook_verdict *d)
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

/* Decide @access to @file for a confined @id; a refusal is reported as @op. */
static __always_inline int cl_check_file(struct cl_identity *id, struct file *file, __u32 op,
					 __u32 access)
{
	struct cl_hook_verdict d;

	cl_decide_file(file, id->binding.policy_id, access, &d);
	if (d.allowed)
		return 0;
	cl_emit_name(BPF_CORE_READ(file, f_path.dentry), id, op, access, d.rule_id, d.flags);
	return cl_refuse(id);
}

/*
 * Inode flags (immutable, append-only, ...) and the inode version are set
 * by ioctl on any descriptor, a read-only one too: a write on the file. A
 * program of its own on file_ioctl, beside the terminal ioctl check.
 */
static __always_inline int cl_setattr_ioctl(struct file *file, unsigned int cmd)
{
	struct cl_identity id = {};

	if (cmd != FS_IOC_SETFLAGS && cmd != FS_IOC32_SETFLAGS && cmd != FS_IOC_FSSETXATTR &&
	    cmd != FS_IOC_SETVERSION && cmd != FS_IOC32_SETVERSION)
		return 0;
	if (!cl_identify_op(&id, CL_OP_SETATTR))
		return 0;
	return cl_check_file(&id, file, CL_OP_SETATTR, CL_ACC_WRITE);
}

/*
 * A write-like change to @dentry (on @mnt): the write right is needed on it.
 * With @new_name, @dentry is the name a create, rename or link makes.
 */
static __always_inline int cl_write_check_at(struct cl_identity *id, struct dentry *dentry,
					     struct mount *mnt, __u32 op, int new_name)
{
	struct cl_hook_verdict d;

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

#endif /* CLAWLOCK_LIB_WALK_H */
