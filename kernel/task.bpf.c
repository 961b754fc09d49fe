// SPDX-License-Identifier: GPL-2.0
/*
 * task.bpf.c - processes: signals, tracing, scheduling and limits only within
 * the sandbox, no child placed in another cgroup, file owners (SIGIO),
 * terminal input, keys and SysV IPC reached only by their sandbox, and a
 * container runtime's process on its way into a container (cl_entering).
 */
#include "lib/common.h"
#include "lib/maps.h"
#include "lib/identity.h"
#include "lib/event.h"
#include "lib/walk.h"
#include "lib/guard.h"

/* Refuse (and report) @op on @other unless it is in the sandbox @id names. */
static __always_inline int cl_other_sandbox(struct cl_identity *id, struct task_struct *other,
					    __u32 op, __u32 arg)
{
	struct cl_event *event;

	/* A runtime's process on its way in runs with rights its container must not borrow. */
	if (cl_same_sandbox(id, other) && !cl_task_entering(other))
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

/*
 * A process moved into a container's cgroup by another that is not confined
 * (a container runtime: runc exec writes its init's pid into cgroup.procs)
 * runs the runtime's code until its exec: mark it (lib/identity.h). Only
 * for a cgroup the daemon bound as a container, in the live generation. A
 * full map marks nothing: the process is then confined at once.
 *
 * On entry, not at the cgroup_attach_task tracepoint: that fires after the
 * move, and the process, already running, was seen confined in between. A
 * move that then fails leaves a mark that matches no cgroup of the process.
 */
SEC("fentry/cgroup_attach_task")
int BPF_PROG(cl_cgroup_attach_task, struct cgroup *dst, struct task_struct *task, bool threadgroup)
{
	struct cl_entering mark = { .deadline_ns = bpf_ktime_get_boot_ns() + CL_ENTERING_NS };
	struct cl_identity writer = {};
	struct cl_binding_key key = {};
	struct cl_scope_info *info;
	struct cl_cgroup_walk from = {};
	struct cl_live *live;
	__u32 zero = 0, tgid;

	/*
	 * A whole process moved by another (one that enters by itself, as
	 * clawlock run and audit's probe do, is confined), by one not confined.
	 */
	tgid = BPF_CORE_READ(task, tgid);
	if (!threadgroup || tgid == bpf_get_current_pid_tgid() >> 32 || cl_identify(&writer))
		return 0;
	mark.cgroup_id = BPF_CORE_READ(dst, kn, id);
	live = bpf_map_lookup_elem(&cl_live, &zero);
	if (!live || !mark.cgroup_id)
		return 0;
	key.slot = READ_ONCE(live->generation) & 1;
	key.cgroup_id = mark.cgroup_id;
	info = bpf_map_lookup_elem(&cl_scope_info, &mark.cgroup_id);
	if (!info || info->origin != CL_ORIGIN_CONTAINER ||
	    !bpf_map_lookup_elem(&cl_bindings, &key))
		return 0;
	/* Only a process not confined where it is now: a sandbox's own stays confined. */
	from.cgrp = BPF_CORE_READ(task, cgroups, dfl_cgrp);
	from.slot = key.slot;
	bpf_loop(CL_WALK_MAX, cl_cgroup_step, &from, 0);
	if (!from.done || from.bound_cgroup_id)
		return 0;
	bpf_map_update_elem(&cl_entering, &tgid, &mark, BPF_ANY);
	return 0;
}

/* A marked process that exits before its exec: its pid must not mark another. */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(cl_sched_process_exit, struct task_struct *task)
{
	__u32 tgid = BPF_CORE_READ(task, tgid);

	if (BPF_CORE_READ(task, pid) == tgid)
		bpf_map_delete_elem(&cl_entering, &tgid);
	return 0;
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
 * change a file (cl_setattr_ioctl, lib/walk.h).
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
