/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lib/maps.h - every map, defined once (in maps.bpf.c, where CL_DEFINE_MAPS is
 * set) and declared extern in every other object. bpftool gen object links
 * the objects and checks that each declaration matches the definition.
 */
#ifndef CLAWLOCK_LIB_MAPS_H
#define CLAWLOCK_LIB_MAPS_H

#include "lib/common.h"

#ifdef CL_DEFINE_MAPS
#define CL_MAP
#else
#define CL_MAP extern
#endif

CL_MAP struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	/* Two generations of every binding. */
	__uint(max_entries, 2 * CL_MAX_BINDINGS);
	__type(key, struct cl_binding_key);
	__type(value, struct cl_binding);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} cl_bindings SEC(".maps");

CL_MAP struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	/* The loader switches generations with one atomic store into a mapping. */
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct cl_live);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} cl_live SEC(".maps");

CL_MAP struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	/* Set by the loader through a mapping, with no system call per rule. */
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct cl_ruled);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} cl_ruled SEC(".maps");

CL_MAP struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, CL_MAX_FILE_RULES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct cl_file_key);
	__type(value, struct cl_file_rule);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} cl_file_rules SEC(".maps");

CL_MAP struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct cl_state);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} cl_state SEC(".maps");

/*
 * Processes a container runtime moved into a container's cgroup and that
 * have not exec'd since (tgid -> that cgroup's id): the runtime's own code
 * (runc init) until the command starts (lib/identity.h). Not pinned: an
 * upgrade starts it empty, and such a process is then confined at once.
 */
CL_MAP struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, CL_MAX_ENTERING);
	__type(key, __u32);
	__type(value, struct cl_entering);
} cl_entering SEC(".maps");

/* A cache only: an upgrade to another layout starts it empty (userspace/loader/upgrade.c). */
CL_MAP struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct cl_task_cache);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} cl_task_cache SEC(".maps");

CL_MAP struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, CL_EVENT_RING_BYTES);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} cl_events SEC(".maps");

CL_MAP struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, CL_STAT_MAX);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} cl_stats SEC(".maps");

CL_MAP struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, CL_MAX_RATE_KEYS);
	__type(key, struct cl_rate_key);
	__type(value, struct cl_rate);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} cl_rate SEC(".maps");

CL_MAP struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct cl_settings);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} cl_settings SEC(".maps");

CL_MAP struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, CL_OP_STATS);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} cl_op_stats SEC(".maps");

/* Userspace-only tables (see clawlock.h); created and pinned with the rest. */
CL_MAP struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, CL_MAX_BINDINGS);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u64);
	__type(value, struct cl_scope_info);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} cl_scope_info SEC(".maps");

CL_MAP struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, CL_MAX_FILE_RULES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u32);
	__type(value, struct cl_rule_info);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} cl_rule_info SEC(".maps");

CL_MAP struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, CL_MAX_POLICIES);
	__type(key, __u32);
	__type(value, struct cl_policy_info);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} cl_policies SEC(".maps");

CL_MAP struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, CL_MAX_NET_PREFIXES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct cl_net4_key);
	__type(value, struct cl_net_value);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} cl_net4 SEC(".maps");

CL_MAP struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, CL_MAX_NET_PREFIXES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct cl_net6_key);
	__type(value, struct cl_net_value);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} cl_net6 SEC(".maps");

CL_MAP struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, CL_MAX_UNIX_NAMES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct cl_unix_key);
	__type(value, __u32); /* rule id */
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} cl_unix_names SEC(".maps");

CL_MAP struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, CL_MAX_NAME_RULES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct cl_name_key);
	__type(value, struct cl_file_rule);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} cl_name_rules SEC(".maps");

CL_MAP struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct cl_guard);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} cl_guard SEC(".maps");

CL_MAP struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, CL_MAX_OBJECTS);
	__type(key, struct cl_object_key);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} cl_objects SEC(".maps");

/* Keys and SysV objects made by confined tasks (see struct cl_owner_key). */
CL_MAP struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, CL_MAX_OWNERS);
	__type(key, struct cl_owner_key);
	__type(value, __u64); /* the maker's bound cgroup */
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} cl_owners SEC(".maps");

/* Files whose owner a confined task set (see struct cl_fown); preallocated. */
CL_MAP struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, CL_MAX_FOWNS);
	__type(key, __u64);
	__type(value, struct cl_fown);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} cl_fowns SEC(".maps");

/*
 * The walk cache (lib/walk.h): what a file walk found from one directory up,
 * for one policy. Kernel-only and never pinned: every load and upgrade starts
 * it empty. A directory is named by its filesystem's (dev, ino), by the
 * addresses of its dentry and its inode, and the walk above it by the mount
 * it hangs on.
 */
struct cl_walk_cache_key {
	__u32 policy_id;
	__u32 dev;
	__u64 ino;
	__u64 dentry; /* the dentry's address: the place, not only the object */
	__u64 inode;  /* the inode's address */
	__u64 mnt;    /* the struct mount's address; 0 for a walk with no mount */
};

/*
 * Valid only while the kernel's rename and mount sequence counts and the
 * cache's epoch still read what they read before the walk that stored it,
 * and while @check still matches the key and the rest of the value: an
 * LRU node can be reused for another key while a reader copies it.
 */
struct cl_walk_cached {
	struct cl_file_rule rule; /* when found */
	__s32 found;		  /* 0: the walk reached the root with no rule */
	__u32 rename_seq;
	__u32 mount_seq;
	__u32 pad;
	__u64 epoch;
	__u64 check; /* cl_walk_check(): keyed with the load's secret */
};

CL_MAP struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, CL_WALK_CACHE_ENTRIES);
	__type(key, struct cl_walk_cache_key);
	__type(value, struct cl_walk_cached);
} cl_walk_cache SEC(".maps");

/* The walk cache's epoch and switch (contract/rules.h); not pinned, as the cache. */
CL_MAP struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, CL_WALK_STATE_MAX);
	__type(key, __u32);
	__type(value, __u64);
} cl_walk_state SEC(".maps");

#endif /* CLAWLOCK_LIB_MAPS_H */
