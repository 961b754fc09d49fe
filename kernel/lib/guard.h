/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lib/guard.h - self-protection: who the loader is, and the checks that keep
 * everyone else away from clawlock's pins, objects, executable and process.
 */
#ifndef CLAWLOCK_LIB_GUARD_H
#define CLAWLOCK_LIB_GUARD_H

#include "lib/common.h"
#include "lib/maps.h"
#include "lib/identity.h"
#include "lib/event.h"

/*
 * Self-protection (see struct cl_guard): applies to every task, confined or
 * not. Before the loader arms the guard nothing is recorded, so nothing is
 * refused; once armed, an object or pin of ours touched by another program
 * is refused with EPERM and reported. The checks that every task pays for
 * (opens for writing, renames, removals, execs) read kernel objects through
 * BTF pointers, with plain loads instead of bpf_probe_read_kernel calls, so
 * their callers pass hook arguments or fields of them, never the result of
 * a BPF_CORE_READ (the verifier refuses to dereference a scalar).
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
	ino = exe->i_ino;
	if (ino != guard->loader_ino && (!guard->successor_ino || ino != guard->successor_ino))
		return 0;
	dev = exe->i_sb->s_dev;
	if (ino == guard->loader_ino && dev == guard->loader_dev)
		return 1;
	return ino == guard->successor_ino && dev == guard->successor_dev &&
	       cl_successor_named(guard);
}

/* Does @task run the loader's executable (whatever it does with it)? */
static __always_inline int cl_runs_loader(struct cl_guard *guard, struct task_struct *task)
{
	return cl_is_loader_exe(guard, task->mm->exe_file->f_inode);
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
	struct inode *exe = task->mm->exe_file->f_inode;

	/* No executable (a kernel thread) or an unreadable one: not the loader. */
	return cl_is_loader_exe(guard, exe) && exe->i_writecount.counter <= 0;
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
 * system asks, confined or not, so the fields are read through the hook's
 * BTF pointers (plain loads, no helper call; a fault reads 0, which matches
 * no pin) and the inode number is compared first: the device only when it
 * matches. @dentry must be such a pointer, not a BPF_CORE_READ result.
 */
static __always_inline int cl_is_pin_dir(struct cl_guard *guard, struct dentry *dentry)
{
	struct inode *inode = dentry->d_inode;

	return inode && inode->i_ino == guard->pin_ino && inode->i_sb->s_dev == guard->pin_dev;
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

	if (!guard || !cl_is_loader_exe(guard, dentry->d_inode))
		return 0;
	return cl_refuse_self(CL_OBJ_EXE, NULL, dentry);
}

static __always_inline int cl_guard_exe_open(struct file *file)
{
	if (!(file->f_mode & FMODE_WRITE) && !(file->f_flags & O_TRUNC))
		return 0;
	return cl_guard_exe(file->f_path.dentry);
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

#endif /* CLAWLOCK_LIB_GUARD_H */
