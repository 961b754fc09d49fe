// SPDX-License-Identifier: GPL-2.0
/*
 * self.bpf.c - self-protection: clawlock's BPF objects, its pins' hand-over
 * and its executable belong to the loader alone.
 */
#include "lib/common.h"
#include "lib/maps.h"
#include "lib/identity.h"
#include "lib/event.h"
#include "lib/guard.h"

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

	if (!guard || !cl_is_loader_exe(guard, bprm->file->f_inode) || !task->ptrace)
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
