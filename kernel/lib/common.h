/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lib/common.h - what every program includes: kernel types (BTF), libbpf's
 * helpers, the map contract, and the uapi constants BTF does not carry.
 */
#ifndef CLAWLOCK_LIB_COMMON_H
#define CLAWLOCK_LIB_COMMON_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include "clawlock.h"

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
#define S_IFDIR		    0040000
#define ANON_INODE_FS_MAGIC 0x09041934
#define PIPEFS_MAGIC	    0x50495045
#define PROC_SUPER_MAGIC    0x9fa0
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

#endif /* CLAWLOCK_LIB_COMMON_H */
