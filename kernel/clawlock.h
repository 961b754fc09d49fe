/* SPDX-License-Identifier: GPL-2.0 */
/*
 * clawlock.h - map keys, map values and the event record, shared by the BPF
 * programs in kernel/ and the loader in userspace/. Defined once, here.
 *
 * Fixed-width types only: the same bytes are read by both sides.
 */
#ifndef CLAWLOCK_H
#define CLAWLOCK_H

#ifdef __bpf__
/* vmlinux.h already defines __u32 and friends. */
#else
#include <linux/types.h>
#endif

/* Where everything is pinned in bpffs. */
#define CL_PIN_ROOT "/sys/fs/bpf/clawlock"

/*
 * Upper bound on the dentries one file decision walks. A walk that reaches
 * it without reaching the root is a denial (fail closed), never an allow.
 */
#define CL_WALK_MAX 512

/* Bytes of path carried in an event, including the NUL. */
#define CL_EVENT_PATH_MAX 256

#define CL_AGENT_MAX	   64
#define CL_SESSION_MAX	   192
#define CL_RULE_PATH_MAX   256
#define CL_RULE_SOURCE_MAX 160

#define CL_MAX_BINDINGS	    16384
#define CL_MAX_POLICIES	    4096
#define CL_MAX_FILE_RULES   262144
#define CL_MAX_NET_PREFIXES 65536
#define CL_MAX_UNIX_NAMES   4096
#define CL_MAX_NAME_RULES   65536
/* Rules that can decide one address: its own prefix's and every wider one's. */
#define CL_NET_ENTRIES 16
/* Bytes of an abstract unix socket name a rule can name (after the NUL). */
#define CL_UNIX_NAME_MAX    64
#define CL_EVENT_RING_BYTES (4 << 20)

/* Access bits of a file rule and of a request. */
enum cl_access {
	CL_ACC_READ = 1 << 0,
	CL_ACC_WRITE = 1 << 1,
	CL_ACC_EXEC = 1 << 2,
	/* A network rule that allows (connect, sendto, bind, listen). */
	CL_ACC_NET = 1 << 3,
	/* A deny rule: nothing below it is reachable unless a nearer allow says so. */
	CL_ACC_DENY = 1 << 7,
};

enum cl_mode {
	CL_MODE_ENFORCE = 0,
	CL_MODE_AUDIT = 1,
};

/* File rule: the inode a rule names, within one policy. */
struct cl_file_key {
	__u32 policy_id;
	/* Kernel-internal dev_t of the superblock (MKDEV(major, minor)). */
	__u32 dev;
	__u64 ino;
};

struct cl_file_rule {
	__u32 access;  /* enum cl_access bits */
	__u32 rule_id; /* index into cl_rule_info, for events */
};

/*
 * A file rule on a name rather than an inode, for what does not exist yet:
 * a path missing at load is keyed by its directory's inode and its last
 * name (enforced once something appears there, by any means); a name
 * pattern (a leading double star and slash, then NAME) has dev = ino = 0 and
 * matches that name anywhere. A deny rule on an existing path is keyed by
 * its name too, so that what replaces it is denied; an empty name marks a
 * directory on the way to a deny rule, which a sandbox may not move or
 * remove. The name is zero-padded; longer names cannot be written in a rule.
 */
#define CL_NAME_MAX 64
struct cl_name_key {
	__u32 policy_id;
	__u32 dev;
	__u64 ino;
	char name[CL_NAME_MAX];
};

enum cl_policy_flags {
	/* The policy has name rules: the file walk also looks names up. */
	CL_POLICY_NAME_RULES = 1 << 0,
	/*
	 * The sandbox's tool policy switched exec off: no exec beyond the
	 * first program, the one `clawlock run` (the loader's executable)
	 * starts; every later exec in the scope is refused.
	 */
	CL_POLICY_NO_EXEC = 1 << 1,
};

/*
 * What a policy says beyond its file rules. A policy id with no entry here
 * (the empty policy of a failed lookup) gets every capability denied.
 */
struct cl_policy_info {
	__u64 cap_drop; /* bit n: capability n is denied */
	__u32 flags;
	__u32 pad;
	/*
	 * Bit n: the policy has a name rule n bytes long (names are shorter
	 * than CL_NAME_MAX = 64). The walk reads a name and looks it up only
	 * when its length has a bit here (and a name anchored in a directory
	 * only when the directory's cl_anchor_bit is set).
	 */
	__u64 name_lengths;
	/*
	 * Userspace only: the start of the SHA-256 of everything the policy
	 * holds, so that an update reuses an identical live policy
	 * (userspace/install.c).
	 */
	__u8 digest[16];
};

/*
 * Network rules live in two LPM tries (IPv4, IPv6). The policy id is part of
 * the key, ahead of the address, so a prefix length counts 32 bits for it.
 */
struct cl_net4_key {
	__u32 prefixlen;
	__u32 policy_id;
	__u8 addr[4];
};

struct cl_net6_key {
	__u32 prefixlen;
	__u32 policy_id;
	__u8 addr[16];
};

/* One rule as the kernel sees it: protocol, port range, allow or deny. */
struct cl_net_entry {
	__u16 port_lo; /* host byte order */
	__u16 port_hi;
	__u8 proto; /* 0: any; else IPPROTO_* */
	__u8 allow;
	__u16 pad;
	__u32 rule_id;
};

/*
 * A prefix's value: every rule whose prefix contains this one (CIDRs that
 * hold the same address are nested), most specific first. The first entry
 * matching protocol and port decides; none matching denies.
 */
struct cl_net_value {
	__u32 count;
	__u32 pad;
	struct cl_net_entry entries[CL_NET_ENTRIES];
};

/* An abstract unix socket name a policy lists (zero-padded). */
struct cl_unix_key {
	__u32 policy_id;
	char name[CL_UNIX_NAME_MAX];
};

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

/*
 * Every map, program and link of one load is about 180 objects; during an
 * upgrade the old and the new set are both recorded.
 */
#define CL_MAX_OBJECTS 1024

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

#define CL_MAX_OWNERS 16384

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
 * Who set the owner of a file (F_SETOWN, O_ASYNC): a file's SIGIO is a
 * signal from that task. Keyed by the file's address; only confined setters
 * have a record, written before the kernel sets the owner.
 */
struct cl_fown {
	__u64 bound_cgroup_id;
	struct cl_binding binding;
};

#define CL_MAX_FOWNS 16384

/*
 * The live generation: the one word a policy switch writes (through a
 * shared mapping, with one atomic store). Also what cached identities are
 * checked against, so every switch invalidates them all.
 */
struct cl_live {
	__u64 generation;
};

/*
 * Which inodes may have a file rule, in any policy: the loader sets bit
 * cl_ruled_bit(dev, ino) before it writes a rule on (dev, ino), and clears
 * nothing while loaded. The walk looks an inode up in cl_file_rules only
 * when its bit is set, so a step past an unruled directory costs a few
 * loads instead of a hash lookup. A bit set for nothing (a collision, a
 * policy gone) only costs that lookup.
 */
#define CL_RULED_SHIFT 19
#define CL_RULED_BITS  (1U << CL_RULED_SHIFT)

struct cl_ruled {
	__u64 words[CL_RULED_BITS / 64];
};

static inline __u32 cl_ruled_bit(__u32 dev, __u64 ino)
{
	/* Fibonacci hashing: the top bits of the product mix every input bit. */
	return ((ino ^ ((__u64)dev << 40)) * 0x9E3779B97F4A7C15ULL) >> (64 - CL_RULED_SHIFT);
}

/*
 * The bit of a directory in which name rules are anchored (a path missing at
 * load, a deny rule followed by name): the walk looks a name up in its
 * directory only when the directory's bit is set.
 */
static inline __u32 cl_anchor_bit(__u32 dev, __u64 ino)
{
	return cl_ruled_bit(dev, ~ino);
}

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

#define CL_MAX_RATE_KEYS  16384
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
	CL_STAT_RATE_DROP, /* records held back by the rate limit */
	CL_STAT_MAX,
};

/*
 * Read by userspace only (events, status): which agent and session a bound
 * cgroup is, and where each rule came from. The programs never touch these.
 */
#define CL_CGROUP_PATH_MAX 256

enum cl_scope_origin {
	CL_ORIGIN_RUN = 0, /* clawlock run made it */
	CL_ORIGIN_APPLY,   /* clawlock apply made it from the config */
	CL_ORIGIN_ATTACH,  /* clawlock attach bound a cgroup it did not make */
};

enum cl_scope_flags {
	/*
	 * Its agent left the config (or stopped being sandboxed): bound to the
	 * empty policy until its last process exits, never released.
	 */
	CL_SCOPE_REMOVED = 1 << 0,
};

struct cl_scope_info {
	char agent[CL_AGENT_MAX];
	char session[CL_SESSION_MAX];
	char cgroup[CL_CGROUP_PATH_MAX]; /* the cgroup's path, for status and removal */
	__u32 origin;			 /* enum cl_scope_origin */
	__u32 flags;			 /* enum cl_scope_flags */
};

struct cl_rule_info {
	__u32 policy_id;
	__u32 access;
	char path[CL_RULE_PATH_MAX];
	char source[CL_RULE_SOURCE_MAX];
};

#endif /* CLAWLOCK_H */
