/* SPDX-License-Identifier: GPL-2.0 */
/*
 * contract/binding.h - who is confined: bindings of cgroups to policies, their two
 * generations, the per-task cache, and the records userspace keeps per scope.
 */
#ifndef CLAWLOCK_CONTRACT_BINDING_H
#define CLAWLOCK_CONTRACT_BINDING_H

#include "contract/types.h"
#include "contract/limits.h"

enum cl_mode {
	CL_MODE_ENFORCE = 0,
	CL_MODE_AUDIT = 1,
};

/*
 * A cgroup bound to a policy. Descendant cgroups inherit it. Bindings come
 * in two generations (slots): the hooks read only the live one, named by the
 * low bit of cl_live's generation, while an update writes the other one in
 * full and then makes it live with a single write of the generation.
 */
struct cl_binding_key {
	__u64 cgroup_id;
	__u32 slot; /* 0 or 1 */
	__u32 pad;
};

struct cl_binding {
	__u32 policy_id; /* 0: the empty policy, which denies everything */
	__u32 mode;	 /* enum cl_mode */
#ifdef CL_TEST_GROWN_LAYOUT
	/*
	 * A field a later version might append (zero: what this one does). Only
	 * in the build that upgrade_test carries the bindings over to.
	 */
	__u64 grown;
#endif
};

/*
 * The live generation: the one word a policy switch writes (through a
 * shared mapping, with one atomic store). Also what cached identities are
 * checked against, so every switch invalidates them all.
 */
struct cl_live {
	__u64 generation;
};

/* Allocators, one element; read and written by the loader only, under its lock. */
struct cl_state {
	__u32 next_policy_id;
	__u32 next_rule_id;
	/* Rule records (cl_rule_info) written and not deleted: when to reclaim them. */
	__u32 records;
	__u32 pad;
};

/* Per-task cache of "which binding applies to me", keyed by cgroup and generation. */
struct cl_task_cache {
	__u64 cgroup_id;
	__u64 generation;
	__u64 bound_cgroup_id; /* the ancestor whose binding applies; 0 = none */
	struct cl_binding binding;
	__u32 valid;
	__u32 pad;
};

/*
 * Who made an object the kernel gives no hook to tell apart by sandbox: a
 * key or a SysV IPC object, by its address. Only objects made by a
 * confined task have a record, so a confined task reaches an object only
 * when the record names its own sandbox; no record (the host's, or one
 * evicted from the LRU table) is a denial.
 */
enum cl_owner_kind {
	CL_OWNER_KEY = 1,
	CL_OWNER_IPC = 2,
};

struct cl_owner_key {
	__u64 object;
	__u32 kind; /* enum cl_owner_kind */
	__u32 pad;
};

/*
 * Who set the owner of a file (F_SETOWN, O_ASYNC): a file's SIGIO is a
 * signal from that task. Keyed by the file's address; only confined setters
 * have a record, written before the kernel sets the owner.
 */
struct cl_fown {
	__u64 bound_cgroup_id;
	struct cl_binding binding;
};

/*
 * A container runtime's process on its way into a container (cl_entering,
 * by tgid): let through until its exec, in that cgroup, before the deadline.
 */
struct cl_entering {
	__u64 cgroup_id;
	__u64 deadline_ns; /* boot clock */
};

/*
 * Read by userspace only (events, status): which agent and session a bound
 * cgroup is, and where each rule came from. The programs never touch these.
 */
enum cl_scope_origin {
	CL_ORIGIN_RUN = 0,   /* clawlock run made it */
	CL_ORIGIN_APPLY,     /* clawlock apply made it from the config */
	CL_ORIGIN_ATTACH,    /* clawlock attach bound a cgroup it did not make */
	CL_ORIGIN_CONTAINER, /* the daemon bound a container of OpenClaw's */
};

enum cl_scope_flags {
	/*
	 * Its agent left the config (or stopped being sandboxed): bound to the
	 * empty policy until its last process exits, never released.
	 */
	CL_SCOPE_REMOVED = 1 << 0,
	/*
	 * clawlock made or left every limit file of its cgroup at "max" (the
	 * config sets no limit), so an apply that still sets none reads none
	 * of them. Userspace only; a record without it is checked file by file.
	 */
	CL_SCOPE_LIMITS_MAX = 1 << 1,
};

struct cl_scope_info {
	char agent[CL_AGENT_MAX];
	char session[CL_SESSION_MAX];
	char cgroup[CL_CGROUP_PATH_MAX]; /* the cgroup's path, for status and removal */
	__u32 origin;			 /* enum cl_scope_origin */
	__u32 flags;			 /* enum cl_scope_flags */
};

#endif /* CLAWLOCK_CONTRACT_BINDING_H */
