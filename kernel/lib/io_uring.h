/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lib/io_uring.h - telling an io_uring instance apart, for the hooks that refuse
 * one to a sandbox (creation, mapping, receiving).
 */
#ifndef CLAWLOCK_LIB_IO_URING_H
#define CLAWLOCK_LIB_IO_URING_H

#include "lib/common.h"
#include "lib/identity.h"
#include "lib/event.h"

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

#endif /* CLAWLOCK_LIB_IO_URING_H */
