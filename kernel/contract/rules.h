/* SPDX-License-Identifier: GPL-2.0 */
/*
 * contract/rules.h - what a policy allows: file rules by inode and by name, the
 * per-policy record, network prefixes and unix names, and the ruled bitmap.
 */
#ifndef CLAWLOCK_CONTRACT_RULES_H
#define CLAWLOCK_CONTRACT_RULES_H

#include "contract/types.h"
#include "contract/limits.h"

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
	 * (userspace/loader/install.c).
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

/*
 * The walk cache's state (kernel/lib/walk.h), one array. [CL_WALK_EPOCH] is
 * bumped whenever a directory gets a dentry (lsm/d_instantiate) and at every
 * rename, so that no entry names a place a directory came to since. The loader writes the addresses
 * of the kernel's rename_lock and mount_lock (from /proc/kallsyms) and a random secret, then sets
 * [CL_WALK_ARMED] once every program of its load is attached, the bump
 * included: the cache answers nothing before, nor without both addresses.
 */
enum cl_walk_state_index {
	CL_WALK_EPOCH,
	CL_WALK_ARMED,
	CL_WALK_RENAME_LOCK,
	CL_WALK_MOUNT_LOCK,
	CL_WALK_SECRET, /* random, from the loader: keys each entry's check */
	CL_WALK_STATE_MAX,
};

/*
 * Rule ids stay below this bit. The record keyed CL_DEFAULT_RECORD_BIT |
 * policy id (userspace only) names what denies where no rule of that
 * policy grants: an OpenClaw sandbox's mode key. Events of reason no-rule
 * quote it.
 */
#define CL_DEFAULT_RECORD_BIT 0x80000000u

struct cl_rule_info {
	__u32 policy_id;
	__u32 access;
	char path[CL_RULE_PATH_MAX];
	char source[CL_RULE_SOURCE_MAX];
};

#endif /* CLAWLOCK_CONTRACT_RULES_H */
