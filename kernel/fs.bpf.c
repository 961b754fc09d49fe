// SPDX-License-Identifier: GPL-2.0
/*
 * fs.bpf.c - file rules: opens, names made, removed and renamed, attributes
 * changed and read, watches, and files received over a socket.
 */
#include "lib/common.h"
#include "lib/maps.h"
#include "lib/identity.h"
#include "lib/event.h"
#include "lib/walk.h"
#include "lib/guard.h"
#include "lib/io_uring.h"

/* What an open asks for, as rule access bits. */
static __always_inline __u32 cl_open_access(struct file *file)
{
	unsigned int fmode = file->f_mode;
	unsigned int flags = file->f_flags;
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

SEC("lsm/file_open")
int BPF_PROG(cl_file_open, struct file *file, int ret)
{
	struct cl_identity id = {};
	struct cl_hook_verdict d;
	__u32 access;

	if (ret)
		return ret;
	ret = cl_guard_exe_open(file);
	if (ret)
		return ret;
	/* The exec of a container runtime's process: from here on it is the command. */
	if (cl_open_access(file) == CL_ACC_EXEC)
		cl_runtime_entered();
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

	/*
	 * An open with O_CREAT asks here before it knows whether the name
	 * exists, and goes on if it does: "> /dev/stdout" meets /proc/self/fd/1
	 * fresh, and a refusal would be a denial event for an open that
	 * succeeds. procfs makes no file (it has no create), so the kernel's
	 * own refusal stands for every name that does not exist.
	 */
	if (BPF_CORE_READ(dir, dentry, d_sb, s_magic) == PROC_SUPER_MAGIC)
		return 0;
	if (!cl_identify_op(&id, CL_OP_CREATE))
		return 0;
	return cl_write_check_at(&id, dentry, cl_real_mount(BPF_CORE_READ(dir, mnt)), CL_OP_CREATE,
				 1);
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
	int err = cl_guard_pins(dir->dentry, dentry);

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
 * A directory gets a dentry: made, looked up, or spliced under another
 * parent or name without a d_move (a network filesystem's rename seen on
 * revalidation, kernfs). Called before the dentry becomes positive, so no
 * walk reaches it on an epoch older than this bump (lib/walk.h). Every
 * directory, confined or not: the cache is shared.
 */
SEC("lsm/d_instantiate")
int BPF_PROG(cl_d_instantiate, struct dentry *dentry, struct inode *inode)
{
	if (inode && (inode->i_mode & S_IFMT) == S_IFDIR)
		cl_walk_epoch_bump();
	return 0;
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

	/*
	 * Beside rename_lock, whose 32 bits a flood of renames could bring
	 * back to a stored value: the epoch is 64 bits.
	 */
	cl_walk_epoch_bump();
	err = cl_guard_pins(old_dir->dentry, old_dentry);
	if (!err)
		err = cl_guard_pins(new_dir->dentry, NULL);
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
	int err = cl_guard_exe(path->dentry);

	return err ? err : cl_path_write(path, CL_OP_SETATTR);
}

SEC("lsm/path_chmod")
int BPF_PROG(cl_path_chmod, const struct path *path)
{
	int err = cl_guard_exe(path->dentry);

	return err ? err : cl_path_write(path, CL_OP_SETATTR);
}

SEC("lsm/path_chown")
int BPF_PROG(cl_path_chown, const struct path *path)
{
	int err = cl_guard_exe(path->dentry);

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
 * POSIX ACLs change who may do what with a file, its mode among it: a write.
 * From 6.2 they have their own hooks (before, they were a setxattr of
 * system.posix_acl_*, decided above); the loader leaves these programs out
 * on kernels without the hooks (userspace/loader/bpfstate.c).
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
	struct cl_hook_verdict d;

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
	struct cl_hook_verdict d;

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
	return cl_check_file(&id, file, CL_OP_RECEIVE, access);
}
