/* SPDX-License-Identifier: GPL-2.0 */
/*
 * contract/event.h - what the hooks report: ops, outcomes, the event record on the
 * ring buffer, its rate limit and the counters.
 */
#ifndef CLAWLOCK_CONTRACT_EVENT_H
#define CLAWLOCK_CONTRACT_EVENT_H

#include "contract/types.h"
#include "contract/limits.h"

enum cl_op {
	CL_OP_OPEN = 1,
	CL_OP_CREATE, /* mkdir, mknod, symlink: a new name in a directory */
	CL_OP_UNLINK, /* unlink, rmdir */
	CL_OP_RENAME,
	CL_OP_LINK,
	CL_OP_SETATTR, /* truncate, chmod, chown */
	CL_OP_XATTR,   /* setxattr, removexattr */
	CL_OP_EXEC,    /* an exec that would change credentials (set-id, file caps) */
	CL_OP_MMAP,    /* an executable mapping of a file (mmap, mprotect) */
	CL_OP_BPF,     /* the bpf() system call */
	CL_OP_PERF,    /* perf_event_open */
	CL_OP_MODULE,  /* loading a module, firmware, kexec image or policy */
	CL_OP_MOUNT,   /* mount, umount, pivot_root, move_mount */
	CL_OP_USERNS,  /* a new user namespace */
	CL_OP_SOCKET,  /* a socket family or type no sandbox may create (raw, packet) */
	CL_OP_CONNECT, /* connect on an inet socket */
	CL_OP_SENDTO,  /* a send that names its destination */
	CL_OP_BIND,
	CL_OP_LISTEN,
	CL_OP_UNIX,	  /* connecting or sending to a unix socket */
	CL_OP_SIGNAL,	  /* a signal to a process outside the sandbox */
	CL_OP_PTRACE,	  /* ptrace or /proc access to a process outside it */
	CL_OP_CAPABILITY, /* a capability the policy drops */
	CL_OP_RECEIVE,	  /* a descriptor received over a unix socket */
	CL_OP_SELF,	  /* touching clawlock's own BPF objects */
	CL_OP_CGROUP,	  /* clone3(CLONE_INTO_CGROUP): a child placed in a cgroup */
	CL_OP_IOCTL,	  /* a terminal ioctl that injects input (TIOCSTI, TIOCLINUX) */
	CL_OP_KEY,	  /* a key or keyring no process of this sandbox made */
	CL_OP_IPC,	  /* a SysV object no process of this sandbox made */
	CL_OP_PRLIMIT,	  /* prlimit on another process */
	CL_OP_IO_URING,	  /* an io_uring instance: its descriptor passing has no hook */
	CL_OP_STAT,	  /* stat, getxattr, listxattr of an object a deny rule hides */
	CL_OP_WATCH,	  /* inotify, fanotify or dnotify on an object not readable */
	CL_OP_MAX,
};

/* cl_op_stats: per op, confined requests by outcome, at op * CL_OPSTAT_KINDS + kind. */
enum cl_opstat {
	CL_OPSTAT_DENIED = 0,
	CL_OPSTAT_AUDITED,
	CL_OPSTAT_CHECKED, /* decided for a confined task, whatever the outcome */
	CL_OPSTAT_KINDS,
};
#define CL_OP_STATS (CL_OP_MAX * CL_OPSTAT_KINDS)

enum cl_decision {
	CL_DECISION_DENY = 1,
	CL_DECISION_AUDIT = 2,
};

/* Why a request was decided without a matching rule. */
enum cl_event_flags {
	CL_EVENT_NO_RULE = 1 << 0,	  /* default deny: no rule on the way to the root */
	CL_EVENT_WALK_LIMIT = 1 << 1,	  /* walk reached CL_WALK_MAX: denied */
	CL_EVENT_PATH_TRUNCATED = 1 << 2, /* path is only the last name (did not fit, or no path) */
	CL_EVENT_UNLINKED = 1 << 3,	  /* exec of a file with no name left (deleted): denied */
	CL_EVENT_SETID = 1 << 4,      /* exec with a set-id or file-capability transition: denied */
	CL_EVENT_CONTROL_FS = 1 << 5, /* a write to cgroupfs or bpffs: always denied */
	CL_EVENT_HARDENING = 1 << 6,  /* an operation no sandbox may perform */
	CL_EVENT_HOST_LOOPBACK = 1 << 7, /* loopback of the host's network namespace */
	CL_EVENT_OTHER_SANDBOX = 1 << 8, /* the other process is not in this sandbox */
	CL_EVENT_ABSTRACT = 1 << 9,	 /* an abstract unix socket no rule lists */
	CL_EVENT_EXEC_OFF = 1 << 10,	 /* exec in a sandbox whose tool policy denies exec */
	/* The walk met a dentry not connected to its tree (a handle's): denied. */
	CL_EVENT_DISCONNECTED = 1 << 11,
};

/* One denial (or audit) record on the cl_events ring buffer. */
struct cl_event {
	__u64 time_ns;	       /* CLOCK_BOOTTIME */
	__u64 cgroup_id;       /* the process's own cgroup */
	__u64 bound_cgroup_id; /* the bound ancestor: names agent and session */
	__u32 pid;
	__u32 tgid;
	__u32 ppid;
	__u32 uid;
	__u32 policy_id;
	__u32 rule_id;	  /* 0 when no rule decided */
	__u32 op;	  /* enum cl_op */
	__u32 access;	  /* enum cl_access bits asked for */
	__u32 decision;	  /* enum cl_decision */
	__u32 flags;	  /* enum cl_event_flags */
	__u32 target_pid; /* signal, ptrace: the other process */
	__u32 arg;	  /* signal number, capability number, ptrace mode */
	__u16 port;	  /* network: host byte order */
	__u8 family;	  /* AF_INET, AF_INET6, AF_UNIX, or the refused family */
	__u8 proto;	  /* IPPROTO_*, or the refused socket type */
	__u8 addr[16];	  /* network: the address (4 bytes for IPv4) */
	__u32 suppressed; /* events of this cgroup, rule and op held back by the rate limit since */
	__u32 pad;
	char comm[16];
	char path[CL_EVENT_PATH_MAX];
};

/*
 * The event rate limit (design §6): per bound cgroup, rule (or op, when no
 * rule decided) and decision, at most so many records a second; the rest
 * are counted (CL_STAT_RATE_DROP, and in the next record's suppressed).
 */
struct cl_rate_key {
	__u64 cgroup_id;
	__u32 rule_id;
	__u16 op;
	__u16 decision;
};

struct cl_rate {
	__u64 window_ns; /* start of the current one-second window */
	__u64 sent;	 /* records sent in it (64-bit: BPF atomics are) */
	__u64 held;	 /* records held back since the last one sent */
};

#define CL_RATE_WINDOW_NS 1000000000ULL

/* Settings the loader writes, one element. 0: no limit. */
struct cl_settings {
	__u32 deny_per_sec;  /* denial records per cgroup and rule a second */
	__u32 audit_per_sec; /* audit records per cgroup and rule a second */
};

#define CL_DEFAULT_DENY_RATE  200
#define CL_DEFAULT_AUDIT_RATE 1000

/* Counters in the per-CPU cl_stats array. */
enum cl_stat {
	CL_STAT_DENY = 0,
	CL_STAT_AUDIT,
	CL_STAT_EVENT_DROP,
	CL_STAT_WALK_LIMIT,
	CL_STAT_RATE_DROP,	  /* records held back by the rate limit */
	CL_STAT_WALK_CACHE_HIT,	  /* walks the cache ended early */
	CL_STAT_WALK_CACHE_STORE, /* walks whose end the cache now holds */
	CL_STAT_MAX,
};

#endif /* CLAWLOCK_CONTRACT_EVENT_H */
