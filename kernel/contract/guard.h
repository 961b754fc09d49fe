/* SPDX-License-Identifier: GPL-2.0 */
/*
 * contract/guard.h - self-protection: where the pins live, who the loader is, and
 * which BPF objects are clawlock's.
 */
#ifndef CLAWLOCK_CONTRACT_GUARD_H
#define CLAWLOCK_CONTRACT_GUARD_H

#include "contract/types.h"
#include "contract/limits.h"

/* Where everything is pinned in bpffs. */
#define CL_PIN_ROOT "/sys/fs/bpf/clawlock"

/*
 * Self-protection. Once the loader has pinned everything, it records who it
 * is (its executable's inode), where the pins live and the id of every map,
 * program and link; from then on only a task running that executable may
 * open, detach, unpin or unmount them.
 */
struct cl_guard {
	__u32 armed;
	__u32 loader_dev; /* kernel dev_t of the loader's executable */
	__u64 loader_ino;
	__u32 pin_dev; /* the bpffs holding CL_PIN_ROOT, and that directory */
	__u32 pad;
	__u64 pin_ino;
	/*
	 * During `clawlock upgrade` only: the executable the loader authorised
	 * to take over, trusted as the loader is until it has (0: none), and
	 * never after successor_until (CLOCK_BOOTTIME, ns): a hand-over whose
	 * both halves died leaves no second loader behind for long.
	 */
	__u32 successor_dev;
	__u32 pad2;
	__u64 successor_ino;
	__u64 successor_until;
};

/* How long a successor is trusted before it has taken over: ample, even under TCG. */
#define CL_SUCCESSOR_NS (300ULL * 1000000000ULL)

enum cl_object_kind {
	CL_OBJ_MAP = 1,
	CL_OBJ_PROG = 2,
	CL_OBJ_LINK = 3,
	/* Not in cl_objects; what a CL_OP_SELF event's arg names besides the above. */
	CL_OBJ_PROCESS = 4, /* a process running the loader: traced or looked into */
	CL_OBJ_EXE = 5,	    /* the loader's executable: changed, removed, or claimed */
};

struct cl_object_key {
	__u32 kind; /* enum cl_object_kind */
	__u32 id;
};

#endif /* CLAWLOCK_CONTRACT_GUARD_H */
