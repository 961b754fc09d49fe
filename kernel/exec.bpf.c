// SPDX-License-Identifier: GPL-2.0
/*
 * exec.bpf.c - what a sandbox may run: exec (with the exec switch and no new
 * privileges) and executable mappings of files.
 */
#include "lib/common.h"
#include "lib/maps.h"
#include "lib/identity.h"
#include "lib/event.h"
#include "lib/walk.h"
#include "lib/guard.h"
#include "lib/io_uring.h"

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

	if (!cl_identify_op(&id, CL_OP_MMAP))
		return 0;
	return cl_check_file(&id, file, CL_OP_MMAP, CL_ACC_EXEC);
}

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
