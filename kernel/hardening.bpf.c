// SPDX-License-Identifier: GPL-2.0
/*
 * hardening.bpf.c - operations no sandbox may perform at all, whatever its
 * rules: perf, modules, mounts, user namespaces, io_uring, dropped
 * capabilities. They fail with EPERM (audit mode only reports them, like
 * every denial).
 */
#include "lib/common.h"
#include "lib/maps.h"
#include "lib/identity.h"
#include "lib/event.h"
#include "lib/guard.h"
#include "lib/io_uring.h"

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
